"""Golden scheduling numbers: one fixed rating sequence, fuzz off, pinned exactly.

Like py-fsrs's own tests, this pins the interval history, not only its ordering, so an upgrade of
`fsrs` (or a change of our learning steps or retention) that moves any interval fails here and is
looked at on purpose. Each review happens exactly when the card falls due.
"""

from datetime import UTC, datetime, timedelta

import pytest

from app.study import scheduling
from app.study.scheduling import Rating

START = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
MIN, DAY = timedelta(minutes=1), timedelta(days=1)

# (rating, interval it gives, stability and difficulty after it)
GOLDEN = [
    (Rating.GOOD, 10 * MIN, 2.3065, 2.1181),  # first learning step done: the 10-minute step
    (Rating.GOOD, 2 * DAY, 2.3065, 2.1112),  # graduates to review
    (Rating.GOOD, 11 * DAY, 10.971, 2.1043),
    (Rating.GOOD, 46 * DAY, 46.3169, 2.0975),
    (Rating.AGAIN, 10 * MIN, 2.9338, 7.3877),  # a lapse: the 10-minute relearning step
    (Rating.GOOD, 3 * DAY, 2.9338, 7.3756),
    (Rating.GOOD, 8 * DAY, 7.7991, 7.3634),
    (Rating.EASY, 28 * DAY, 28.4962, 6.4676),
    (Rating.HARD, 52 * DAY, 52.1469, 7.6403),
    (Rating.GOOD, 101 * DAY, 100.896, 7.6279),
]


def test_interval_history_for_a_fixed_sequence_is_pinned():
    scheduler = scheduling.make_scheduler(0.9, fuzz=False)
    memory, now = None, START
    for step, (rating, interval, stability, difficulty) in enumerate(GOLDEN):
        memory = scheduling.review(memory, rating, now, scheduler).memory
        assert memory.due - now == interval, f"review {step} ({rating.name})"
        assert memory.stability == pytest.approx(stability, abs=5e-5), f"review {step}"
        assert memory.difficulty == pytest.approx(difficulty, abs=5e-5), f"review {step}"
        now = memory.due


def test_the_buttons_preview_the_same_intervals():
    scheduler = scheduling.make_scheduler(0.9, fuzz=False)
    intervals = scheduling.preview(None, START, scheduler)
    # A new card: Again repeats the 1-minute step, Hard waits between the two steps, Good moves
    # to the 10-minute step, Easy graduates at once.
    assert intervals == {
        Rating.AGAIN: 1 * MIN,
        Rating.HARD: timedelta(minutes=5, seconds=30),
        Rating.GOOD: 10 * MIN,
        Rating.EASY: 8 * DAY,
    }
