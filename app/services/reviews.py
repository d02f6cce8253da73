"""Recording, undoing and choosing reviews: every write in one transaction, safe to retry.

A submission carries an idempotency key: the same key twice (a double click, a retry after a lost
response, two tabs) records one review and returns the same result. Concurrent reviews of one card
are serialised by compare-and-swap on `CardState.reps`, so no update is lost.
"""

import json
import random
import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import fsrs
from sqlalchemy import Row, and_, bindparam, insert, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from app import errors, messages
from app.db import write_turn
from app.models import CardState, ReviewLog, User
from app.repository import card_states, memories_of, to_memory
from app.study import scheduling
from app.study.days import day_bounds, zone
from app.study.memory import CardMemory
from app.study.scheduling import Rating
from app.study.status import Stage, status_of

# A card_state row as the review reads it: a Core row (or the ORM object) with its columns.
StateRow = Row[Any] | CardState
MAX_ATTEMPTS = 30  # compare-and-swap retries; each loser backs off a little more, with jitter


class ReviewConflict(errors.Conflict):
    """The card changed under us more than MAX_ATTEMPTS times in a row."""


class UndoRefused(errors.Conflict):
    """The named review cannot be undone (unknown, not from the review screen, or not the card's
    latest rating); the message says which, for the learner."""


@dataclass(frozen=True, slots=True)
class ReviewResult:
    card: str
    rating: int
    reviewed_at: datetime
    stage: str
    due: datetime
    stability: float | None
    difficulty: float | None
    retrievability: float | None
    reps: int
    lapses: int
    leech: bool
    replayed: bool  # True when this key had been recorded before and nothing new was written
    review_id: int | None = None  # the log row's id: what `undo_review` takes

    def to_json(self) -> str:
        data = {k: getattr(self, k) for k in self.__slots__ if k not in ("replayed", "review_id")}
        data["reviewed_at"] = self.reviewed_at.isoformat()
        data["due"] = self.due.isoformat()
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str, *, replayed: bool, review_id: int | None) -> "ReviewResult":
        data = json.loads(text)
        data["reviewed_at"] = datetime.fromisoformat(data["reviewed_at"])
        data["due"] = datetime.fromisoformat(data["due"])
        return cls(**data, replayed=replayed, review_id=review_id)


def _row_snapshot(row: StateRow | None) -> str | None:
    return None if row is None else json.dumps(CardMemory.of(row).to_dict())


# Built once: SQLAlchemy builds and keys a statement each time one is constructed, which cost a
# review more CPU than running it. A review's reads take plain rows, not ORM objects (it only
# reads them, and building entities was a tenth of its CPU); undo changes its row: `_STATE`.
# The review runs them on the session's connection, past `Session.execute`'s ORM bookkeeping
# (and its autoflush: the one ORM write, a card's first state, is flushed where it is added).
_LOGS = ReviewLog.__table__
_BY_KEY = select(_LOGS.c.id, _LOGS.c.state_after).where(
    _LOGS.c.user_id == bindparam("user_id"), _LOGS.c.idempotency_key == bindparam("key")
)
_STATE = select(CardState).where(
    col(CardState.user_id) == bindparam("user_id"), col(CardState.card_slug) == bindparam("slug")
)
_STATES = CardState.__table__
_STATE_VALUES = select(_STATES).where(
    _STATES.c.user_id == bindparam("user_id"), _STATES.c.card_slug == bindparam("slug")
)
# Compare-and-swap: only if nobody reviewed this card since it was read. The columns it sets
# are the keys of the parameters it is run with.
_SWAP = update(_STATES).where(
    _STATES.c.id == bindparam("row_id"), _STATES.c.reps == bindparam("read_reps")
)
_LOG = insert(_LOGS)  # Core: the ORM's unit of work cost a fifth of a review


def _replay(session: Session, user_id: int, key: str) -> ReviewResult | None:
    log = session.connection().execute(_BY_KEY, {"user_id": user_id, "key": key}).first()
    if log is None:
        return None
    return ReviewResult.from_json(log.state_after, replayed=True, review_id=log.id)


def interview_for(user: User) -> datetime | None:
    return scheduling.interview_moment(user.interview_date, zone(user.timezone))


def _state_row(session: Session, user_id: int, slug: str) -> CardState | None:
    return session.execute(_STATE, {"user_id": user_id, "slug": slug}).scalars().first()


def _state_values(session: Session, user_id: int, slug: str) -> StateRow | None:
    """The card's stored state to read (its id, reps and memory fields), not to change."""
    return session.connection().execute(_STATE_VALUES, {"user_id": user_id, "slug": slug}).first()


def _rated(
    row: StateRow | None,
    rating: Rating,
    now: datetime,
    scheduler: fsrs.Scheduler,
    interview: datetime | None,
) -> CardMemory:
    """The card's memory after this rating: FSRS's new state and the counters."""
    outcome = scheduling.review(
        to_memory(row) if row else None, rating, now, scheduler, interview=interview
    )
    reps = (row.reps if row else 0) + 1
    lapses = (row.lapses if row else 0) + int(outcome.lapsed)
    return CardMemory.from_fsrs(outcome.memory, reps=reps, lapses=lapses, fsrs_due=outcome.fsrs_due)


def _result(slug: str, rating: Rating, now: datetime, after: CardMemory) -> ReviewResult:
    status = status_of(after.to_fsrs(), now, reps=after.reps, lapses=after.lapses)
    return ReviewResult(
        card=slug,
        rating=int(rating),
        reviewed_at=now,
        stage=status.stage.value,
        due=after.due,
        stability=after.stability,
        difficulty=after.difficulty,
        retrievability=status.retrievability,
        reps=after.reps,
        lapses=after.lapses,
        leech=after.lapses >= scheduling.LEECH_LAPSES,
        replayed=False,
    )


def _write_state(
    session: Session, user_id: int, slug: str, row: StateRow | None, fields: dict
) -> bool:
    """Insert the card's first state, or update it by compare-and-swap: only if nobody reviewed
    it since `row` was read. False when somebody did (nothing written)."""
    if row is None:
        session.add(CardState(user_id=user_id, card_slug=slug, **fields))
        session.flush()  # a concurrent first review fails here with IntegrityError
        return True
    updated = session.connection().execute(
        _SWAP, {**fields, "row_id": row.id, "read_reps": row.reps}
    )
    return updated.rowcount == 1


def record_review(
    session: Session,
    user: User,
    slug: str,
    rating: Rating,
    now: datetime,
    *,
    idempotency_key: str,
    duration_ms: int | None = None,
    source: str = "review",
    fuzz: bool = True,
    answer: str | None = None,
    answer_points: list[int] | None = None,
) -> ReviewResult:
    """Rate `slug` for `user` at `now`. The caller has checked that the card exists.

    `answer` is what the learner typed before revealing, `answer_points` the key points they left
    ticked as covered; both are kept with the review (and in the backup)."""
    user_id = user.id
    scheduler = scheduling.make_scheduler(user.desired_retention, fuzz=fuzz)
    interview = interview_for(user)
    for attempt in range(MAX_ATTEMPTS):
        if attempt:
            time.sleep(random.uniform(0, 0.002 * min(attempt, 10)))
        replayed = _replay(session, user_id, idempotency_key)
        if replayed is not None:
            return replayed
        row = _state_values(session, user_id, slug)
        before = _row_snapshot(row)
        after = _rated(row, rating, now, scheduler, interview)
        result = _result(slug, rating, now, after)
        fields = after.fields()
        log = {
            "user_id": user_id,
            "card_slug": slug,
            "rating": int(rating),
            "reviewed_at": now,
            "duration_ms": duration_ms,
            "source": source,
            "idempotency_key": idempotency_key,
            "state_before": before,
            "state_after": result.to_json(),
            "answer": answer or None,
            "answer_points": None if answer_points is None else json.dumps(answer_points),
        }
        try:
            # Everything above is read or computed outside the writers' turn: keep it short.
            with write_turn(session):
                if not _write_state(session, user_id, slug, row, fields):
                    session.rollback()  # somebody reviewed this card since we read it: again
                    continue
                review_id = session.connection().execute(_LOG, log).inserted_primary_key[0]
                session.commit()
            return replace(result, review_id=review_id)
        except IntegrityError:
            # Another request inserted this card's state or used this key first: read again.
            session.rollback()
    raise ReviewConflict(f"card {slug!r} kept changing; try again")


@dataclass(frozen=True, slots=True)
class UndoResult:
    card: str
    rating: int
    stage: str
    due: datetime | None


def undo_review(
    session: Session,
    user: User,
    *,
    review_id: int | None = None,
    idempotency_key: str | None = None,
) -> UndoResult:
    """Undo one named review of `user`'s: restore the card's exact previous state, delete the log.

    Only a rating made on the review screen that is still its card's latest rating can be undone,
    so an undo never reaches a quiz's rating nor rolls a card back past a later review: a screen
    undoes what it did, and nothing else (UndoRefused otherwise)."""
    query = select(ReviewLog).where(ReviewLog.user_id == user.id)
    if review_id is not None:
        query = query.where(ReviewLog.id == review_id)
    elif idempotency_key is not None:
        query = query.where(ReviewLog.idempotency_key == idempotency_key)
    else:
        raise UndoRefused(messages.UNDO_NEEDS_REVIEW)
    log = session.exec(query).first()
    if log is None:
        raise UndoRefused(messages.UNDO_UNKNOWN)
    if log.source != "review":
        raise UndoRefused(messages.UNDO_NOT_FROM_REVIEW)
    later = session.exec(
        select(func.count())
        .select_from(ReviewLog)
        .where(
            ReviewLog.user_id == user.id,
            ReviewLog.card_slug == log.card_slug,
            or_(
                col(ReviewLog.reviewed_at) > log.reviewed_at,
                and_(ReviewLog.reviewed_at == log.reviewed_at, col(ReviewLog.id) > log.id),
            ),
        )
    ).one()
    if later:
        raise UndoRefused(messages.UNDO_NOT_LATEST)
    return _undo(session, user, log)


def _undo(session: Session, user: User, log: ReviewLog) -> UndoResult:
    row = _state_row(session, user.id, log.card_slug)
    if log.state_before is None:
        if row is not None:
            session.delete(row)
        stage, due = Stage.NEW.value, None
    else:
        snapshot = CardMemory.from_dict(json.loads(log.state_before))
        if row is None:
            # Every field is set from the snapshot just below.
            row = CardState(user_id=user.id, card_slug=log.card_slug, state=0, due=log.reviewed_at)
            session.add(row)
        snapshot.apply_to(row)
        stage = status_of(to_memory(row), row.due).stage.value
        due = row.due
    result = UndoResult(card=log.card_slug, rating=log.rating, stage=stage, due=due)
    session.delete(log)
    session.commit()
    return result


def new_cards_introduced(session: Session, user: User, start: datetime, end: datetime) -> int:
    """Cards seen for the first time in [start, end): reviews made while the card was new."""
    return session.exec(
        select(func.count())
        .select_from(ReviewLog)
        .where(
            ReviewLog.user_id == user.id,
            col(ReviewLog.state_before).is_(None),
            ReviewLog.reviewed_at >= start,
            ReviewLog.reviewed_at < end,
        )
    ).one()


def memories(session: Session, user: User) -> dict[str, fsrs.Card]:
    return memories_of(card_states(session, user.id))


def recent_mistakes(
    session: Session, user: User, now: datetime, days: int, since: datetime | None
) -> set[str]:
    """Cards rated Again in the last `days` days and not reviewed since `since` (session start)."""
    again = set(
        session.exec(
            select(ReviewLog.card_slug).where(
                ReviewLog.user_id == user.id,
                ReviewLog.rating == int(Rating.AGAIN),
                ReviewLog.reviewed_at >= now - timedelta(days=days),
            )
        ).all()
    )
    if since is not None and again:
        seen = set(
            session.exec(
                select(ReviewLog.card_slug).where(
                    ReviewLog.user_id == user.id,
                    ReviewLog.reviewed_at >= since,
                    col(ReviewLog.card_slug).in_(again),
                )
            ).all()
        )
        again -= seen
    return again


def study_day(user: User, now: datetime) -> tuple[datetime, datetime]:
    return day_bounds(now, zone(user.timezone))


def card_history(session: Session, user: User, slug: str, limit: int = 50) -> list[ReviewLog]:
    """This learner's latest reviews of one card, newest first, with any typed answers."""
    return list(
        session.exec(
            select(ReviewLog)
            .where(ReviewLog.user_id == user.id, ReviewLog.card_slug == slug)
            .order_by(col(ReviewLog.reviewed_at).desc(), col(ReviewLog.id).desc())
            .limit(limit)
        ).all()
    )
