"""The interview date's effect on the schedule: due dates, the daily new limit, the plan.

Setting, moving or clearing the date (or changing the time zone it is read in) recomputes every
card's due date from FSRS's own, kept in `CardState.fsrs_due`, in the caller's transaction.
"""

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import fsrs
from sqlalchemy import update
from sqlmodel import Session, col, select

from app import repository
from app.models import CardState, ReviewLog, User
from app.services.reviews import interview_for, new_cards_introduced, study_day
from app.study import plan, scheduling
from app.study.days import study_date, zone

RECENT_REVIEWS = 200  # the learner's pace: median duration of their last reviews
MAX_ATTEMPTS = 5


def reschedule(session: Session, user: User, now: datetime) -> int:
    """Every card's due date from its FSRS due and the user's interview date; returns how many
    changed. Does not commit: the caller's settings change and these updates are one transaction.

    Each update is conditional on the card's `reps` (as reviews are), so a review that lands
    meanwhile is not overwritten with a due date computed from its old state."""
    interview = interview_for(user)
    changed = 0
    session.flush()  # the caller's pending change of the date goes out with these updates
    rows = session.exec(select(CardState).where(CardState.user_id == user.id)).all()
    for row in rows:
        for _ in range(MAX_ATTEMPTS):
            due = scheduling.interview_due(row.fsrs_due, row.last_review, interview, now)
            if due == row.due:
                break
            done = session.execute(
                update(CardState)
                .where(col(CardState.id) == row.id, col(CardState.reps) == row.reps)
                .values(due=due)
            )
            if done.rowcount == 1:
                changed += 1
                break
            session.refresh(row)  # reviewed meanwhile: compute again from its new state
    return changed


@dataclass(frozen=True, slots=True)
class NewLimit:
    limit: int  # today's limit
    introduced_today: int
    raised: bool  # above the learner's own setting, for the interview


def new_limit(user: User, new_count: int, introduced_today: int, now: datetime) -> NewLimit:
    """Today's new-card limit for `user`, who has `new_count` cards never studied now."""
    tz = zone(user.timezone)
    today = study_date(now, tz)
    limit = plan.new_limit(
        user.daily_new_limit,
        new_count + introduced_today,
        today,
        user.interview_date,
    )
    raised = limit > user.daily_new_limit
    # "Study N more new cards today" raises today's limit only (POST /api/study/extend).
    if user.extra_new_day == today:
        limit += user.extra_new_cards
    return NewLimit(limit, introduced_today, raised)


def seconds_per_review(session: Session, user: User) -> float:
    """The median time of the learner's recent timed reviews (a default until there are some)."""
    durations = session.exec(
        select(ReviewLog.duration_ms)
        .where(ReviewLog.user_id == user.id, col(ReviewLog.duration_ms).is_not(None))
        .order_by(col(ReviewLog.reviewed_at).desc())
        .limit(RECENT_REVIEWS)
    ).all()
    if not durations:
        return plan.DEFAULT_SECONDS
    # Clamped: a review left open over lunch should not make the plan promise hours.
    return min(max(statistics.median(durations) / 1000, 5.0), 300.0)


def plan_for(
    session: Session,
    user: User,
    order: Sequence[str],
    memories: Mapping[str, fsrs.Card],
    introduced_today: int,
    now: datetime,
) -> plan.Plan | None:
    """The plan to the user's interview, or None without one (or once it has begun)."""
    if user.interview_date is None:
        return None
    return plan.build(
        order,
        memories,
        now,
        zone(user.timezone),
        user.interview_date,
        scheduling.make_scheduler(user.desired_retention, fuzz=False),
        user_new_limit=user.daily_new_limit,
        introduced_today=introduced_today,
        seconds_per_review=seconds_per_review(session, user),
    )


def current_plan(
    session: Session, user: User, order: Sequence[str], now: datetime
) -> plan.Plan | None:
    """`plan_for` with the user's card states and today's new cards read here."""
    if user.interview_date is None:
        return None
    memories = repository.memories_of(repository.card_states(session, user.id))
    start, end = study_day(user, now)
    introduced = new_cards_introduced(session, user, start, end)
    return plan_for(session, user, order, memories, introduced, now)
