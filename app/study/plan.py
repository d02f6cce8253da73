"""A day-by-day plan to the interview (pure; `now` is passed in).

The idea of RemNote's exam scheduler: with an exam date, stop optimising for the long run and
make sure every card is remembered on that morning. Here the plan is what this app will ask for
if the learner studies every day and answers Good: the study days from today to the interview,
each with the cards that fall due (through the same `scheduling.review` and interview cap that
rating uses), the new cards introduced at the raised daily limit, and the time it should take.
It is recomputed from the current card states on every request, so it adapts as reviews happen.

Target: every card at `TARGET` predicted recall or more at the start of the interview day.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import fsrs

from app.study import scheduling
from app.study.days import day_start, study_date
from app.study.scheduling import Rating

TARGET = 0.9  # predicted recall every card should have on the interview morning
DEFAULT_SECONDS = 30.0  # per review, until the learner has timed reviews of their own
MAX_REVIEWS_PER_CARD_DAY = 8  # learning steps on one day; a bound, not a limit FSRS reaches


def new_limit(
    user_limit: int, new_at_day_start: int, today: date, interview_day: date | None
) -> int:
    """Today's new-card limit: the learner's own, raised so every card not yet studied is
    introduced at least FINAL_WINDOW days before the interview (early enough for a first review
    and a last one in the final window). `new_at_day_start` counts the cards that were still
    new when the study day began, so the figure stays put while the learner works through it."""
    if interview_day is None or interview_day <= today or new_at_day_start <= 0:
        return user_limit
    days_left = (interview_day - today).days  # study days before the interview, today included
    days_for_new = max(1, days_left - scheduling.FINAL_WINDOW.days)
    return max(user_limit, math.ceil(new_at_day_start / days_for_new))


@dataclass(frozen=True, slots=True)
class PlannedCard:
    slug: str
    new: bool  # first seen that day
    reviews: int  # how many times it is asked that day (learning steps repeat a card)


@dataclass(frozen=True, slots=True)
class PlanDay:
    day: date
    cards: tuple[PlannedCard, ...]
    seconds: float

    @property
    def reviews(self) -> int:
        return sum(c.reviews for c in self.cards)


@dataclass(frozen=True, slots=True)
class Plan:
    interview_day: date
    days_left: int  # study days before the interview, today included
    days: tuple[PlanDay, ...]  # only days with something to do, in order
    total: int  # cards in the deck
    ready_now: int  # cards at TARGET or more on the interview morning if no more reviews happen
    ready_planned: int  # the same, after following the plan
    behind: int  # reviews due on earlier study days and not done yet
    new_limit: int  # today's new-card limit (raised for the interview when above the learner's)
    user_new_limit: int

    @property
    def on_plan(self) -> bool:
        return self.behind == 0

    @property
    def standing(self) -> str:
        if self.behind == 0:
            return "on plan"
        return f"{self.behind} review{'s' if self.behind != 1 else ''} behind"

    @property
    def today(self) -> PlanDay | None:
        return self.days[0] if self.days and self.days[0].day == self.start_day else None

    @property
    def start_day(self) -> date:
        return self.interview_day - timedelta(days=self.days_left)

    @property
    def reaches_target(self) -> bool:
        return self.ready_planned == self.total

    @property
    def new_limit_raised(self) -> bool:
        return self.new_limit > self.user_new_limit


def build(
    order: Sequence[str],
    memories: Mapping[str, fsrs.Card],
    now: datetime,
    tz: ZoneInfo,
    interview_day: date,
    scheduler: fsrs.Scheduler,
    *,
    user_new_limit: int,
    introduced_today: int,
    seconds_per_review: float = DEFAULT_SECONDS,
) -> Plan | None:
    """The plan from `now` to the morning of `interview_day`; None once that morning has come.

    `memories` holds the studied cards (their `due` already capped for the interview); the
    others in `order` are new. Each study day's reviews are simulated at the later of the day's
    start and the card's due time, rated Good, so learning steps inside a day repeat the card."""
    interview = day_start(interview_day, tz)
    if interview <= now:
        return None
    today = study_date(now, tz)
    days_left = (interview_day - today).days
    state = dict(memories)
    new = [s for s in order if s not in state]
    limit = new_limit(user_new_limit, len(new) + introduced_today, today, interview_day)
    behind = sum(1 for m in state.values() if m.due < day_start(today, tz))
    ready_now = _ready(order, state, interview, scheduler)

    days: list[PlanDay] = []
    day = today
    while day < interview_day:
        start, end = day_start(day, tz), day_start(day + timedelta(days=1), tz)
        begin = max(start, now)
        first_seen: set[str] = set()
        allowed = limit - introduced_today if day == today else limit
        for slug in new[: max(allowed, 0)]:
            state[slug] = scheduling.new_memory(begin)
            first_seen.add(slug)
        new = new[len(first_seen) :]
        counts = _simulate_day(state, begin, end, scheduler, interview)
        if counts:
            cards = tuple(PlannedCard(s, s in first_seen, counts[s]) for s in order if s in counts)
            days.append(PlanDay(day, cards, sum(counts.values()) * seconds_per_review))
        day = _next_day(state, new, day, tz, interview_day)

    return Plan(
        interview_day=interview_day,
        days_left=days_left,
        days=tuple(days),
        total=len(order),
        ready_now=ready_now,
        ready_planned=_ready(order, state, interview, scheduler),
        behind=behind,
        new_limit=limit,
        user_new_limit=user_new_limit,
    )


def _simulate_day(
    state: dict[str, fsrs.Card],
    begin: datetime,
    end: datetime,
    scheduler: fsrs.Scheduler,
    interview: datetime,
) -> dict[str, int]:
    """Review every card due before `end`, each at the later of `begin` and its due time, rated
    Good, until none is left (at most MAX_REVIEWS_PER_CARD_DAY each); `state` is updated in
    place. Returns the reviews per card."""
    counts: dict[str, int] = {}
    while True:
        due = [
            (m.due, s)
            for s, m in state.items()
            if m.due < end and counts.get(s, 0) < MAX_REVIEWS_PER_CARD_DAY
        ]
        if not due:
            return counts
        at, slug = min(due)
        # A card introduced today is a fresh fsrs.Card (never reviewed): the same as None.
        state[slug] = scheduling.review(
            state[slug], Rating.GOOD, max(at, begin), scheduler, interview=interview
        ).memory
        counts[slug] = counts.get(slug, 0) + 1


def _next_day(
    state: Mapping[str, fsrs.Card], new: list[str], day: date, tz: ZoneInfo, interview_day: date
) -> date:
    """The next study day with something to do (or the interview day: the plan ends)."""
    if new:
        return day + timedelta(days=1)
    if not state:
        return interview_day
    soonest = study_date(min(m.due for m in state.values()), tz)
    return min(max(soonest, day + timedelta(days=1)), interview_day)


def _ready(
    order: Sequence[str], state: Mapping[str, fsrs.Card], at: datetime, scheduler: fsrs.Scheduler
) -> int:
    return sum(
        1 for s in order if (scheduling.recall(state.get(s), at, scheduler) or 0.0) >= TARGET
    )
