"""Where one card stands for one learner, and how the deck adds up (pure; times are explicit)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import fsrs

# Retrievability depends only on the model's decay parameters, not on retention or steps,
# so one default scheduler answers it for every user.
_RECALL = fsrs.Scheduler(enable_fuzzing=False)


class Stage(StrEnum):
    NEW = "new"  # never reviewed: no stored memory state yet
    LEARNING = "learning"
    REVIEW = "review"
    RELEARNING = "relearning"


_STAGE_OF = {
    fsrs.State.Learning: Stage.LEARNING,
    fsrs.State.Review: Stage.REVIEW,
    fsrs.State.Relearning: Stage.RELEARNING,
}


@dataclass(frozen=True, slots=True)
class CardStatus:
    stage: Stage
    due: datetime | None
    retrievability: float | None  # predicted probability of recall now; None for a new card
    is_due: bool
    reps: int = 0
    lapses: int = 0
    step: int | None = None  # the (re)learning step, 0-based; None in review or new
    stability: float | None = None  # days for recall to fall to 90%

    @property
    def in_learning(self) -> bool:
        """(Re)learning: just met or just forgotten. Recall on the review model says little here
        (FSRS reads 100% minutes after a failed card), so pages show the step and due time."""
        return self.stage in (Stage.LEARNING, Stage.RELEARNING)


def weakness(
    stage: Stage, recall: float | None, stability: float | None, lapses: int
) -> tuple[int, float, float, int]:
    """Sort key, weakest first: cards being (re)learned (just forgotten or just met), then cards in
    review by predicted recall rounded to a percent, ties broken by stability (shorter is weaker)
    and lapses (more is weaker); never-studied cards last."""
    if stage is Stage.NEW or (recall is None and stage is Stage.REVIEW):
        return (2, 0.0, 0.0, 0)
    if stage in (Stage.LEARNING, Stage.RELEARNING):
        return (0, 0.0, stability or 0.0, -lapses)
    return (1, round(recall or 0.0, 2), stability or 0.0, -lapses)


def status_of(
    memory: fsrs.Card | None, now: datetime, *, reps: int = 0, lapses: int = 0
) -> CardStatus:
    if memory is None:
        return CardStatus(Stage.NEW, None, None, is_due=False)
    recall = _RECALL.get_card_retrievability(memory, current_datetime=now)
    return CardStatus(
        stage=_STAGE_OF[fsrs.State(memory.state)],
        due=memory.due,
        retrievability=recall if memory.last_review else None,
        is_due=memory.due <= now,
        reps=reps,
        lapses=lapses,
        step=memory.step,
        stability=memory.stability,
    )


@dataclass(frozen=True, slots=True)
class DeckSummary:
    total: int
    new: int
    learning: int
    review: int
    relearning: int
    due_now: int

    @property
    def studied(self) -> int:
        return self.total - self.new


def summarize(statuses: Iterable[CardStatus]) -> DeckSummary:
    counts = dict.fromkeys(Stage, 0)
    due = 0
    for status in statuses:
        counts[status.stage] += 1
        due += status.is_due
    return DeckSummary(
        total=sum(counts.values()),
        new=counts[Stage.NEW],
        learning=counts[Stage.LEARNING],
        review=counts[Stage.REVIEW],
        relearning=counts[Stage.RELEARNING],
        due_now=due,
    )
