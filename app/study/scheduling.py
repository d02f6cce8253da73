"""Spaced repetition with FSRS (the `fsrs` package; never reimplemented here).

Pure functions with explicit times. A card's memory is an `fsrs.Card`; None means a new card.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import IntEnum
from zoneinfo import ZoneInfo

import fsrs

from app.study.days import day_start

LEARNING_STEPS = (timedelta(minutes=1), timedelta(minutes=10))
RELEARNING_STEPS = (timedelta(minutes=10),)
MIN_RETENTION, MAX_RETENTION, DEFAULT_RETENTION = 0.70, 0.97, 0.90
LEECH_LAPSES = 4  # Anki's default leech threshold is 8; a 20-card deck needs an earlier warning.
# With an interview date, every card's last review lands in this window before the interview.
FINAL_WINDOW = timedelta(days=2)


class Rating(IntEnum):
    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


RATING_LABELS = {
    Rating.AGAIN: "Again",
    Rating.HARD: "Hard",
    Rating.GOOD: "Good",
    Rating.EASY: "Easy",
}


def make_scheduler(
    desired_retention: float = DEFAULT_RETENTION, *, fuzz: bool = True
) -> fsrs.Scheduler:
    if not MIN_RETENTION <= desired_retention <= MAX_RETENTION:
        raise ValueError(
            f"desired_retention must be between {MIN_RETENTION} and {MAX_RETENTION}, "
            f"got {desired_retention}"
        )
    return fsrs.Scheduler(
        desired_retention=desired_retention,
        learning_steps=LEARNING_STEPS,
        relearning_steps=RELEARNING_STEPS,
        enable_fuzzing=fuzz,
    )


def new_memory(now: datetime) -> fsrs.Card:
    # card_id is fsrs's bookkeeping; ours is the slug, so a fixed id keeps results deterministic.
    return fsrs.Card(card_id=0, due=now)


@dataclass(frozen=True, slots=True)
class Outcome:
    memory: fsrs.Card  # its `due` is the one to save and show: capped for an interview
    lapsed: bool  # a review-state card forgotten: counts toward leech detection
    fsrs_due: datetime  # FSRS's own due, kept so that moving or clearing the date can restore it


def review(
    memory: fsrs.Card | None,
    rating: Rating,
    now: datetime,
    scheduler: fsrs.Scheduler,
    *,
    interview: datetime | None = None,
) -> Outcome:
    """The card's memory after rating it at `now`.

    With an interview at `interview` (UTC) the saved due date is `interview_due`'s, so the card
    is seen once more just before the interview (the idea of RemNote's exam scheduler).
    """
    before = memory if memory is not None else new_memory(now)
    lapsed = before.state == fsrs.State.Review and rating == Rating.AGAIN
    after, _log = scheduler.review_card(before, fsrs.Rating(int(rating)), review_datetime=now)
    fsrs_due = after.due
    after.due = interview_due(fsrs_due, now, interview, now)
    return Outcome(after, lapsed, fsrs_due)


def interview_due(
    fsrs_due: datetime, last_review: datetime | None, interview: datetime | None, now: datetime
) -> datetime:
    """The due date to save and show for a card FSRS wants back at `fsrs_due`.

    The one rule for rating, previewing and rescheduling: with an interview still ahead, a card
    whose last review came before the final window and whose FSRS due falls after the window
    starts is pulled to the middle of the window, so its last review lands in the two days
    before the interview. A card last reviewed inside the window keeps FSRS's due; without an
    interview (or once it has begun) FSRS's due stands.
    """
    if interview is None or interview <= now:
        return fsrs_due
    window_start = interview - FINAL_WINDOW
    if (last_review is not None and last_review >= window_start) or fsrs_due <= window_start:
        return fsrs_due  # already seen in the final days, or due before them anyway
    # The middle of the window: late enough to count, early enough to be seen.
    return window_start + FINAL_WINDOW / 2


def preview(
    memory: fsrs.Card | None,
    now: datetime,
    scheduler: fsrs.Scheduler,
    *,
    interview: datetime | None = None,
) -> dict[Rating, timedelta]:
    """The interval each rating would give now (what the four buttons show): the same
    `review` that saves the rating, so the button shows the due date that will be stored."""
    out = {}
    for rating in Rating:
        after = review(memory, rating, now, scheduler, interview=interview).memory
        out[rating] = after.due - now
    return out


def recall(memory: fsrs.Card | None, at: datetime, scheduler: fsrs.Scheduler) -> float | None:
    """Predicted probability of recall at `at`; None for a card never reviewed."""
    if memory is None or memory.last_review is None:
        return None
    return scheduler.get_card_retrievability(memory, current_datetime=at)


def interview_moment(interview_date: date | None, tz: ZoneInfo) -> datetime | None:
    """An interview date as the start of that study day in UTC (None when not set)."""
    return None if interview_date is None else day_start(interview_date, tz)


def readiness(
    memories: list[fsrs.Card | None],
    at: datetime,
    scheduler: fsrs.Scheduler,
    threshold: float = 0.9,
) -> float:
    """Share of cards whose predicted recall at `at` is at least `threshold` (new cards: 0)."""
    if not memories:
        return 0.0
    ready = sum(1 for m in memories if (recall(m, at, scheduler) or 0.0) >= threshold)
    return ready / len(memories)


def format_interval(delta: timedelta) -> str:
    """'1 min', '10 min', '3 h', '4 d', '2.5 mo', '1.2 y': what Anki prints on its buttons."""
    seconds = max(delta.total_seconds(), 0)
    if seconds < 3600:
        return f"{max(round(seconds / 60), 1)} min"
    if seconds < 86400:
        return f"{round(seconds / 3600)} h"
    days = seconds / 86400
    if days < 30:
        return f"{round(days)} d"
    if days < 365:
        return f"{days / 30:.1f} mo".replace(".0 ", " ")
    return f"{days / 365:.1f} y".replace(".0 ", " ")
