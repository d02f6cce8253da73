"""The plan to the interview (pure, fixed times): new-card limit, day-by-day reviews, standing."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.study import plan, scheduling
from app.study.scheduling import Rating

UTC_ZONE = ZoneInfo("UTC")
NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)  # study day 4 May (days start at 04:00 UTC)
TODAY = date(2026, 5, 4)
SLUGS = [f"card-{i:02d}" for i in range(20)]


@pytest.fixture
def scheduler():
    return scheduling.make_scheduler(0.9, fuzz=False)


@pytest.mark.parametrize(
    ("user_limit", "new", "interview", "expected"),
    [
        (10, 20, None, 10),  # no interview: the learner's own limit
        (3, 20, TODAY + timedelta(days=12), 3),  # 20 over 10 days: 2 a day, below theirs
        (1, 20, TODAY + timedelta(days=12), 2),  # raised to 2
        (1, 20, TODAY + timedelta(days=3), 20),  # one day before the final window: all today
        (1, 20, TODAY + timedelta(days=1), 20),
        (1, 0, TODAY + timedelta(days=3), 1),  # nothing new left
        (1, 20, TODAY, 1),  # the interview is today: nothing to raise for
    ],
)
def test_new_limit_is_raised_for_the_days_left(user_limit, new, interview, expected):
    assert plan.new_limit(user_limit, new, TODAY, interview) == expected


def build(memories, interview_day, scheduler, *, now=NOW, limit=5, introduced=0):
    return plan.build(
        SLUGS,
        memories,
        now,
        UTC_ZONE,
        interview_day,
        scheduler,
        user_new_limit=limit,
        introduced_today=introduced,
        seconds_per_review=20,
    )


def test_a_fresh_deck_is_planned_to_full_readiness(scheduler):
    p = build({}, TODAY + timedelta(days=14), scheduler)
    assert p.ready_now == 0 and p.total == 20
    assert p.reaches_target and p.ready_planned == 20
    assert p.standing == "on plan" and p.behind == 0
    assert p.today is not None and p.today.day == TODAY
    introduced = [c.slug for d in p.days for c in d.cards if c.new]
    assert sorted(introduced) == SLUGS  # every card is introduced, each once
    assert all(d.day < p.interview_day for d in p.days)
    last_new_day = max(d.day for d in p.days if any(c.new for c in d.cards))
    assert last_new_day <= p.interview_day - scheduling.FINAL_WINDOW
    assert p.today.seconds == p.today.reviews * 20


def test_missed_days_show_as_reviews_behind_and_the_plan_adapts(scheduler):
    memories = {}
    for slug in SLUGS[:5]:
        memories[slug] = scheduling.review(
            None, Rating.GOOD, NOW - timedelta(days=9), scheduler
        ).memory
        memories[slug] = scheduling.review(
            memories[slug], Rating.GOOD, NOW - timedelta(days=9) + timedelta(minutes=10), scheduler
        ).memory
    p = build(memories, TODAY + timedelta(days=10), scheduler)
    assert p.behind == 5 and p.standing == "5 reviews behind"
    today = {c.slug for c in p.today.cards}
    assert set(SLUGS[:5]) <= today  # the overdue cards come first, today
    assert p.reaches_target


def test_no_plan_once_the_interview_morning_has_come(scheduler):
    assert build({}, TODAY, scheduler) is None
    one = build({}, TODAY + timedelta(days=1), scheduler, limit=0)
    assert one.new_limit == 20 and one.new_limit_raised
