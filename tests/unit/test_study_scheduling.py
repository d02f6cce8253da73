"""Scheduling: FSRS with the app's steps and retention, interview capping, readiness, the queue.

Fuzz is off and times are fixed, so the intervals are golden values of FSRS-6's defaults.
"""

from datetime import UTC, datetime, timedelta

import fsrs
import pytest

from app.study import queue, scheduling
from app.study.scheduling import Rating

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


@pytest.fixture
def scheduler() -> fsrs.Scheduler:
    return scheduling.make_scheduler(0.9, fuzz=False)


def test_new_card_intervals_follow_the_learning_steps(scheduler):
    intervals = scheduling.preview(None, NOW, scheduler)
    assert intervals[Rating.AGAIN] == timedelta(minutes=1)  # first learning step
    assert intervals[Rating.GOOD] == timedelta(minutes=10)  # second learning step
    assert intervals[Rating.HARD] < intervals[Rating.GOOD] < intervals[Rating.EASY]
    assert intervals[Rating.EASY] >= timedelta(days=1)  # Easy graduates at once


def test_golden_sequence_good_good_good(scheduler):
    memory, now, dues = None, NOW, []
    for _ in range(4):
        memory = scheduling.review(memory, Rating.GOOD, now, scheduler).memory
        dues.append(memory.due - now)
        now = memory.due
    assert dues[0] == timedelta(minutes=10)
    assert memory.state == fsrs.State.Review
    assert dues[1] >= timedelta(days=1)
    assert dues[1] < dues[2] < dues[3]  # intervals grow on each successful review


def test_forgetting_a_review_card_is_a_lapse_and_relearns_for_10_minutes(scheduler):
    memory = scheduling.review(None, Rating.EASY, NOW, scheduler).memory
    assert memory.state == fsrs.State.Review
    later = memory.due
    outcome = scheduling.review(memory, Rating.AGAIN, later, scheduler)
    assert outcome.lapsed
    assert outcome.memory.state == fsrs.State.Relearning
    assert outcome.memory.due - later == timedelta(minutes=10)


def test_higher_retention_means_shorter_intervals():
    lo = scheduling.make_scheduler(0.75, fuzz=False)
    hi = scheduling.make_scheduler(0.95, fuzz=False)
    m_lo = scheduling.review(None, Rating.EASY, NOW, lo).memory
    m_hi = scheduling.review(None, Rating.EASY, NOW, hi).memory
    assert m_hi.due < m_lo.due


@pytest.mark.parametrize("retention", [0.69, 0.98, 1.0, 0.0])
def test_retention_out_of_range_is_refused(retention):
    with pytest.raises(ValueError, match=r"between 0\.7 and 0\.97"):
        scheduling.make_scheduler(retention)


def test_interview_pulls_a_late_due_date_into_the_final_window(scheduler):
    interview = NOW + timedelta(days=5)
    memory = scheduling.review(None, Rating.EASY, NOW, scheduler).memory
    assert memory.due > interview - scheduling.FINAL_WINDOW  # uncapped, it would come too late
    capped = scheduling.review(None, Rating.EASY, NOW, scheduler, interview=interview).memory
    window_start = interview - scheduling.FINAL_WINDOW
    assert window_start <= capped.due < interview


def test_a_review_inside_the_final_window_is_not_capped_again(scheduler):
    interview = NOW + timedelta(days=1)
    free = scheduling.review(None, Rating.EASY, NOW, scheduler).memory
    capped = scheduling.review(None, Rating.EASY, NOW, scheduler, interview=interview).memory
    assert capped.due == free.due


def test_readiness_counts_cards_at_90_percent_recall(scheduler):
    strong = scheduling.review(None, Rating.EASY, NOW, scheduler).memory
    assert scheduling.readiness([strong, None], NOW + timedelta(hours=1), scheduler) == 0.5
    assert scheduling.readiness([strong], NOW + timedelta(days=3650), scheduler) == 0.0
    assert scheduling.readiness([], NOW, scheduler) == 0.0


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=20), "1 min"),
        (timedelta(minutes=10), "10 min"),
        (timedelta(hours=5), "5 h"),
        (timedelta(days=4), "4 d"),
        (timedelta(days=75), "2.5 mo"),
        (timedelta(days=730), "2 y"),
    ],
)
def test_interval_labels(delta, text):
    assert scheduling.format_interval(delta) == text


def test_queue_due_first_then_new_in_deck_order_within_the_limit(scheduler):
    order = ("a", "b", "c", "d")
    day_end = NOW + timedelta(hours=10)
    due = scheduling.review(None, Rating.GOOD, NOW - timedelta(hours=1), scheduler).memory
    later = scheduling.review(None, Rating.EASY, NOW, scheduler).memory
    memories = {"c": due, "d": later}
    pick = queue.next_card(order, memories, NOW, day_end, new_introduced_today=0, new_limit=1)
    assert pick.slug == "c" and not pick.is_new
    assert pick.counts == queue.Counts(due_now=1, due_today=1, new_left=1)
    del memories["c"]
    pick = queue.next_card(order, memories, NOW, day_end, new_introduced_today=0, new_limit=1)
    assert pick.slug == "a" and pick.is_new
    pick = queue.next_card(order, memories, NOW, day_end, new_introduced_today=1, new_limit=1)
    assert pick.slug is None and pick.counts.new_left == 0


def test_queue_learns_ahead_a_learning_card_due_within_20_minutes(scheduler):
    learning = scheduling.review(None, Rating.GOOD, NOW, scheduler).memory  # due in 10 min
    pick = queue.next_card(
        ("a",), {"a": learning}, NOW, NOW + timedelta(hours=5), new_introduced_today=0, new_limit=0
    )
    assert pick.slug == "a"
    pick = queue.next_card(
        ("a",),
        {"a": learning},
        NOW - timedelta(minutes=30),
        NOW + timedelta(hours=5),
        new_introduced_today=0,
        new_limit=0,
    )
    assert pick.slug is None


def test_interview_due_is_the_one_rule_for_rating_and_rescheduling():
    interview = NOW + timedelta(days=10)
    middle = interview - scheduling.FINAL_WINDOW / 2
    late, early = NOW + timedelta(days=30), NOW + timedelta(days=3)
    assert scheduling.interview_due(late, NOW, interview, NOW) == middle
    assert scheduling.interview_due(early, NOW, interview, NOW) == early  # before the window
    assert scheduling.interview_due(late, NOW, None, NOW) == late  # no interview: FSRS's due
    inside = interview - timedelta(hours=30)  # last reviewed inside the window: left alone
    assert scheduling.interview_due(late, inside, interview, inside) == late
    after = interview + timedelta(hours=1)  # the interview has begun: FSRS's due again
    assert scheduling.interview_due(late, NOW, interview, after) == late


def test_the_preview_applies_the_interview_cap_like_the_rating(scheduler):
    interview = NOW + timedelta(days=5)
    intervals = scheduling.preview(None, NOW, scheduler, interview=interview)
    outcome = scheduling.review(None, Rating.EASY, NOW, scheduler, interview=interview)
    assert intervals[Rating.EASY] == outcome.memory.due - NOW == timedelta(days=4)
    assert outcome.fsrs_due > outcome.memory.due  # FSRS's own due is kept beside the capped one
