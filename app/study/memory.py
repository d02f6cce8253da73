"""One learner's memory of one card: FSRS's fields and the review counters, in one record.

This is the only place that lists the fields. The database row (`CardState`), the undo snapshot
stored with each review, the backup file and `fsrs.Card` all convert through `CardMemory`, the way
py-fsrs's `Card.to_dict`/`from_dict` own its serialisation.
"""

from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any, Self

import fsrs


@dataclass(frozen=True, slots=True)
class CardMemory:
    state: int  # fsrs.State: 1 learning, 2 review, 3 relearning
    step: int | None  # learning or relearning step; None in review
    stability: float | None  # days for recall to fall to 90%
    difficulty: float | None  # 1 (easy) .. 10 (hard)
    due: datetime  # when it is shown (pulled earlier before an interview)
    fsrs_due: datetime | None  # FSRS's own due, restored when the interview date is cleared
    last_review: datetime | None
    reps: int = 0
    lapses: int = 0  # review-state cards forgotten: leech detection

    def __post_init__(self) -> None:
        # Records from before fsrs_due was kept: their due is FSRS's as far as anyone knows.
        if self.fsrs_due is None:
            object.__setattr__(self, "fsrs_due", self.due)

    @classmethod
    def of(cls, source: Any) -> Self:
        """From anything with these attributes: a `CardState` row, a backup's MemoryData."""
        return cls(**{name: getattr(source, name) for name in FIELDS})

    @classmethod
    def from_fsrs(
        cls, card: fsrs.Card, *, reps: int, lapses: int, fsrs_due: datetime | None = None
    ) -> Self:
        return cls(
            state=int(card.state),
            step=card.step,
            stability=card.stability,
            difficulty=card.difficulty,
            due=card.due,
            fsrs_due=fsrs_due,
            last_review=card.last_review,
            reps=reps,
            lapses=lapses,
        )

    def to_fsrs(self) -> fsrs.Card:
        # card_id given: left out, fsrs.Card makes one from the clock and sleeps 1 ms so that the
        # next is different, in every review (twice) and for every card of a status list. The
        # scheduler never reads it; our identity is the slug (as scheduling.new_memory).
        return fsrs.Card(
            card_id=0,
            state=fsrs.State(self.state),
            step=self.step,
            stability=self.stability,
            difficulty=self.difficulty,
            due=self.due,
            last_review=self.last_review,
        )

    def fields(self) -> dict[str, Any]:
        """The values as they are (datetimes as datetimes): for a row or a Pydantic model.

        Not `dataclasses.asdict`, which deep-copies every value: a review called it twice and
        spent a tenth of its CPU copying numbers and datetimes, which are immutable."""
        return {name: getattr(self, name) for name in FIELDS}

    def apply_to(self, target: Any) -> None:
        """Set every field on `target` (a `CardState` row), restoring it exactly."""
        for name, value in self.fields().items():
            setattr(target, name, value)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: datetimes as ISO 8601 text. The undo snapshot stored with each review."""
        data = self.fields()
        data["due"] = self.due.isoformat()
        data["fsrs_due"] = self.fsrs_due.isoformat()
        data["last_review"] = self.last_review.isoformat() if self.last_review else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        values = {name: data[name] for name in FIELDS if name not in OPTIONAL}
        values.update({name: data.get(name) for name in OPTIONAL if data.get(name) is not None})
        for name in ("due", "fsrs_due", "last_review"):
            text = values.get(name)
            values[name] = _utc(datetime.fromisoformat(text)) if text else None
        return cls(**values)


FIELDS = tuple(f.name for f in fields(CardMemory))
OPTIONAL = ("fsrs_due", "reps", "lapses")  # absent from snapshots written before they existed


def _utc(value: datetime) -> datetime:
    # Written from aware datetimes; a naive one (hand-edited, old) is read as UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
