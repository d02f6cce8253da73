"""Progress statistics at fixed times: the 4 am rollover, time zones, DST, Anki's definitions."""

from datetime import UTC, date, datetime, timedelta

import fsrs
import pytest

from app.study import scheduling, stats
from app.study.days import zone
from app.study.stats import CardRecord, QuizRow, ReviewRow
from app.study.status import Stage

PARIS = zone("Europe/Paris")
TOKYO = zone("Asia/Tokyo")
NEW_YORK = zone("America/New_York")
SCHEDULER = scheduling.make_scheduler(0.9, fuzz=False)
REVIEW = int(fsrs.State.Review)
LEARNING = int(fsrs.State.Learning)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def memory(due: datetime, *, state=fsrs.State.Review, stability=10.0, last=None) -> fsrs.Card:
    return fsrs.Card(
        card_id=0,
        state=state,
        stability=stability,
        difficulty=5.0,
        due=due,
        last_review=last or due - timedelta(days=stability),
    )


# The 4 am rollover and time zones -----------------------------------------------------------------


def test_a_review_at_3_am_local_counts_for_the_day_before_in_heatmap_and_streak():
    # Paris is UTC+1 in January: 02:59 UTC is 03:59 local (still the 9th), 03:01 UTC is 04:01.
    reviews = [
        ReviewRow("a", 3, at(2026, 1, 9, 19, 0)),  # 9th, 20:00 local
        ReviewRow("a", 3, at(2026, 1, 10, 2, 59)),  # 10th 03:59 local: study day 9th
        ReviewRow("b", 3, at(2026, 1, 10, 3, 1)),  # 10th 04:01 local: study day 10th
    ]
    per_day = stats.reviews_per_day(reviews, PARIS)
    assert per_day == {date(2026, 1, 9): 2, date(2026, 1, 10): 1}
    assert stats.streak(per_day, date(2026, 1, 10)) == 2


def test_the_same_moments_fall_on_other_days_in_other_zones():
    moment = at(2026, 1, 10, 16, 30)  # Tokyo 01:30 on the 11th (study day 10th); NY 11:30 10th
    reviews = [ReviewRow("a", 3, moment)]
    assert stats.reviews_per_day(reviews, TOKYO) == {date(2026, 1, 10): 1}
    assert stats.reviews_per_day(reviews, NEW_YORK) == {date(2026, 1, 10): 1}
    moment = at(2026, 1, 10, 20, 0)  # Tokyo 05:00 on the 11th: a new study day there
    assert stats.reviews_per_day([ReviewRow("a", 3, moment)], TOKYO) == {date(2026, 1, 11): 1}


def test_today_is_the_local_study_day_of_now():
    # 02:00 UTC on 10 Jan is 21:00 on the 9th in New York: `today` is the 9th there.
    p = stats.progress(["a"], {}, [], [], NEW_YORK, at(2026, 1, 10, 2, 0), SCHEDULER)
    assert p.today == date(2026, 1, 9)
    assert p.heatmap.today == date(2026, 1, 9)


def test_forecast_days_follow_the_rollover_across_spring_forward():
    # Paris springs forward on Sunday 29 March 2026 (02:00 -> 03:00 local, at 01:00 UTC). The
    # study day of the 28th runs from 03:00 UTC (4 am CET) to 02:00 UTC on the 29th (4 am CEST).
    now = at(2026, 3, 28, 12, 0)
    dues = [
        at(2026, 3, 20, 0, 0),  # overdue: today
        at(2026, 3, 29, 1, 59),  # 03:59 CEST on the 29th: still the 28th's study day
        at(2026, 3, 29, 2, 0),  # 04:00 CEST: the 29th
        at(2026, 3, 30, 1, 59),  # the 29th's study day ends at 02:00 UTC on the 30th
        at(2026, 4, 10, 2, 0),  # the 13th day after today: 10 April
        at(2026, 4, 11, 2, 0),  # 14 days ahead: outside the forecast
    ]
    ahead = stats.forecast(dues, date(2026, 3, 28), PARIS)
    assert len(ahead) == 14 and ahead[0].day == date(2026, 3, 28)
    assert [d.count for d in ahead[:3]] == [2, 2, 0]
    assert ahead[13] == stats.DayCount(date(2026, 4, 10), 1)
    assert sum(d.count for d in ahead) == 5
    p = stats.progress(
        [f"c{i}" for i in range(len(dues))],
        {f"c{i}": CardRecord(memory(d)) for i, d in enumerate(dues)},
        [],
        [],
        PARIS,
        now,
        SCHEDULER,
    )
    assert p.due_today == 2 and p.overdue == 1


def test_streak_and_heatmap_count_the_short_dst_day_once():
    # Reviews each evening from 27 to 30 March in Paris, across the clock change.
    reviews = [ReviewRow("a", 3, at(2026, 3, d, 19, 0)) for d in (27, 28, 29, 30)]
    now = at(2026, 3, 30, 20, 0)
    p = stats.progress(["a"], {}, reviews, [], PARIS, now, SCHEDULER)
    assert p.streak_days == 4
    active = [d.day for d in p.heatmap.days if d.count]
    assert active == [date(2026, 3, d) for d in (27, 28, 29, 30)]


# Streak -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        ([], 0),
        ([date(2026, 5, 10)], 1),  # today only
        ([date(2026, 5, 9), date(2026, 5, 8)], 2),  # up to yesterday: not lost yet today
        ([date(2026, 5, 10), date(2026, 5, 9), date(2026, 5, 7)], 2),  # a gap ends it
        ([date(2026, 5, 8)], 0),  # the day before yesterday: the streak is over
    ],
)
def test_streak_counts_consecutive_days_ending_today_or_yesterday(days, expected):
    assert stats.streak(days, date(2026, 5, 10)) == expected


# True retention -----------------------------------------------------------------------------------


def review_state(card, rating, when, *, previous_days, state=REVIEW, source="review"):
    return ReviewRow(
        card,
        rating,
        when,
        duration_ms=1000,
        state_before=state,
        last_review_before=when - timedelta(days=previous_days),
        source=source,
    )


def test_retention_counts_review_state_cards_only_and_splits_young_and_mature():
    now = at(2026, 6, 15, 18, 0)
    reviews = [
        review_state("a", 3, now - timedelta(hours=1), previous_days=20),  # young, passed
        review_state("b", 1, now - timedelta(hours=2), previous_days=3),  # young, Again
        review_state("c", 2, now - timedelta(hours=3), previous_days=21),  # mature, Hard passes
        review_state("d", 1, now - timedelta(hours=4), previous_days=40),  # mature, Again
        review_state("e", 4, now - timedelta(hours=5), previous_days=30),  # mature, passed
        # Not counted: a learning step, a relearning step, a new card, a quiz answer.
        review_state("f", 1, now - timedelta(hours=6), previous_days=0, state=LEARNING),
        review_state("g", 1, now - timedelta(hours=6), previous_days=0, state=3),
        ReviewRow("h", 1, now - timedelta(hours=6)),
        review_state("i", 1, now - timedelta(hours=6), previous_days=30, source="quiz"),
    ]
    r = stats.retention(reviews, date(2026, 6, 15), UTC, 7)
    assert r.young == stats.Ratio(1, 2)
    assert r.mature == stats.Ratio(2, 3)
    assert r.all == stats.Ratio(3, 5) and r.all.rate == pytest.approx(0.6)


def test_mature_means_21_study_days_since_the_previous_review():
    # 20 days and 23 hours in clock time, but 21 study days in Paris: mature.
    when = at(2026, 6, 22, 18, 0)
    row = ReviewRow("a", 3, when, state_before=REVIEW, last_review_before=at(2026, 6, 1, 19, 0))
    assert stats.is_mature(row, PARIS)
    row = ReviewRow("a", 3, when, state_before=REVIEW, last_review_before=at(2026, 6, 2, 3, 0))
    assert not stats.is_mature(row, PARIS)  # 05:00 on the 2nd local: 20 study days


def test_retention_windows_are_whole_study_days_today_included():
    today = date(2026, 6, 15)
    inside = review_state("a", 1, at(2026, 6, 9, 4, 0), previous_days=5)  # 9th: 7th day back
    outside = review_state("b", 1, at(2026, 6, 9, 3, 59), previous_days=5)  # the 8th in UTC
    r7 = stats.retention([inside, outside], today, UTC, 7)
    r30 = stats.retention([inside, outside], today, UTC, 30)
    assert r7.since == date(2026, 6, 9) and r7.all.total == 1
    assert r30.all.total == 2 and r30.all.rate == 0.0
    assert stats.retention([], today, UTC, 7).all.rate is None


# Mastery, readiness, totals -----------------------------------------------------------------------


def test_mastery_lists_weakest_first_then_new_cards_in_deck_order():
    now = at(2026, 6, 15, 12, 0)
    cards = {
        "strong": CardRecord(memory(now + timedelta(days=30), stability=60.0), reps=5),
        "weak": CardRecord(memory(now - timedelta(days=20), stability=2.0), reps=3, lapses=2),
        "middle": CardRecord(memory(now, stability=10.0), reps=4),
    }
    rows = stats.mastery(["new-1", "strong", "weak", "new-2", "middle"], cards, now, SCHEDULER)
    assert [m.slug for m in rows] == ["weak", "middle", "strong", "new-1", "new-2"]
    assert rows[0].recall < rows[1].recall < rows[2].recall
    assert rows[0].lapses == 2 and rows[0].stage is Stage.REVIEW
    assert rows[3].recall is None and rows[3].stage is Stage.NEW


def test_mastery_puts_cards_being_relearned_first_and_breaks_recall_ties():
    """Issue 14.10: minutes after a failed card FSRS reads ~100% recall; a card in relearning is
    still the weakest. Equal recall (to the percent) ranks by stability, then lapses."""
    now = at(2026, 6, 15, 12, 0)
    failed = memory(now + timedelta(minutes=8), state=fsrs.State.Relearning, stability=0.5)
    failed.last_review = now - timedelta(minutes=2)
    cards = {
        "steady": CardRecord(memory(now, stability=30.0), reps=6),
        "shaky": CardRecord(memory(now, stability=3.0), reps=6, lapses=1),
        "just-failed": CardRecord(failed, reps=4, lapses=1),
    }
    rows = stats.mastery(["steady", "shaky", "just-failed"], cards, now, SCHEDULER)
    assert [m.slug for m in rows] == ["just-failed", "shaky", "steady"]
    assert rows[0].recall > 0.95  # what the pages used to show as "100%"
    assert round(rows[1].recall, 2) == round(rows[2].recall, 2)  # a tie: 90% at due


def test_readiness_predicts_recall_at_the_start_of_the_interview_day():
    now = at(2026, 6, 1, 12, 0)
    cards = {
        "fresh": CardRecord(memory(now + timedelta(days=100), stability=400.0, last=now)),
        "fading": CardRecord(memory(now, stability=1.0, last=now - timedelta(days=1))),
    }
    r = stats.readiness(date(2026, 6, 10), ["fresh", "fading", "new"], cards, now, PARIS, SCHEDULER)
    assert r.at == at(2026, 6, 10, 2, 0)  # 4 am CEST
    assert r.ready == 1 and r.total == 3 and r.share == pytest.approx(1 / 3)
    assert 0 < r.mean_recall < 2 / 3 and not r.passed
    assert stats.readiness(date(2026, 6, 1), ["fresh"], cards, now, PARIS, SCHEDULER).passed


def test_counts_time_and_quizzes():
    now = at(2026, 6, 15, 12, 0)
    cards = {
        "a": CardRecord(memory(now + timedelta(days=3))),
        "b": CardRecord(memory(now + timedelta(minutes=5), state=fsrs.State.Learning)),
        "c": CardRecord(memory(now + timedelta(minutes=5), state=fsrs.State.Relearning)),
        "gone": CardRecord(memory(now)),  # a card no longer in the deck is left out
    }
    reviews = [
        ReviewRow("a", 3, now - timedelta(hours=1), duration_ms=30_000),
        ReviewRow("b", 3, now - timedelta(days=2), duration_ms=None),
        ReviewRow("c", 1, now - timedelta(days=40), duration_ms=15_000),
    ]
    quizzes = [QuizRow("mock", now - timedelta(days=1), 0.5), QuizRow("quiz", now, 0.8)]
    p = stats.progress(["a", "b", "c", "d"], cards, reviews, quizzes, UTC, now, SCHEDULER)
    assert p.counts == stats.StateCounts(new=1, learning=1, review=1, relearning=1)
    assert p.counts.total == 4
    assert p.time_studied_ms == 45_000 and p.reviews_total == 3 and p.reviews_today == 1
    assert [q.kind for q in p.quizzes] == ["mock", "quiz"]
    assert p.due_today == 2 and p.readiness is None


def test_no_data_at_all():
    now = at(2026, 6, 15, 12, 0)
    p = stats.progress(["a", "b"], {}, [], [], PARIS, now, SCHEDULER, interview_date=None)
    assert p.counts == stats.StateCounts(new=2, learning=0, review=0, relearning=0)
    assert p.due_today == 0 and p.streak_days == 0 and p.time_studied_ms == 0
    assert [d.count for d in p.forecast] == [0] * 14
    assert p.heatmap.total == 0 and p.retention[0].all.rate is None
    assert [m.slug for m in p.mastery] == ["a", "b"]


def test_heatmap_is_26_whole_weeks_ending_with_the_week_of_today():
    for today in (date(2026, 6, 15), date(2026, 6, 21), date(2026, 6, 17)):  # Mon, Sun, Wed
        h = stats.heatmap({today: 3, today - timedelta(days=400): 9}, today)
        assert h.start.weekday() == 0
        assert h.days[-1] == stats.DayCount(today, 3)
        assert (today - h.start).days // 7 == 25
        assert len(h.days) == 25 * 7 + today.weekday() + 1
        assert h.total == 3 and h.active_days == 1  # a year ago is outside the 26 weeks
