"""Progress statistics (pure): what the dashboard shows, from the review log and memory states.

Inputs are plain rows and an explicit `now`; days are the learner's study days (local, rolling over
at 4 am, see app.study.days). Definitions, chosen to match Anki where Anki has one:

- True retention: the share of reviews NOT rated Again, counting only reviews of cards that were in
  the review state before the rating (learning and relearning steps are excluded, as in Anki's
  "True Retention" table) and only reviews made on the review screen: a quiz records only its
  mistakes (as Again), so counting them would pull retention down for taking quizzes, much as
  Anki leaves out reviews done in filtered decks.
- Young or mature: a review is mature when the card's previous review was 21 or more study days
  earlier. We use the interval the memory actually had to bridge (elapsed days, from the review
  log) rather than FSRS stability: it needs only the log, so it stays the same after an export and
  import, it does not change when the FSRS parameters change, and for reviews made on time it is
  Anki's own criterion (the card's interval before the review was at least 21 days).
- Streak: consecutive study days with at least one review (any source), ending today, or
  yesterday when today has none yet (the streak is not lost before the day is over).
- Forecast: cards falling due on each of the next 14 study days; overdue cards count today.
- Heatmap: reviews per study day over 26 whole weeks (Monday first), the last one holding today.
"""

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import fsrs

from app.study import scheduling
from app.study.days import day_start, study_date
from app.study.status import Stage, weakness

MATURE_DAYS = 21
FORECAST_DAYS = 14
HEATMAP_WEEKS = 26
RETENTION_WINDOWS = (7, 30)
READY_THRESHOLD = 0.9  # as on the home page: a card is "ready" at 90% predicted recall or better


# Inputs -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReviewRow:
    """One rating from the review log."""

    card: str
    rating: int  # 1 Again .. 4 Easy
    reviewed_at: datetime  # aware
    duration_ms: int | None = None
    state_before: int | None = None  # fsrs.State before the rating; None: the card was new
    last_review_before: datetime | None = None  # the card's previous review, if any
    source: str = "review"  # review | quiz


@dataclass(frozen=True, slots=True)
class CardRecord:
    """One studied card: its FSRS memory and counters."""

    memory: fsrs.Card
    reps: int = 0
    lapses: int = 0


@dataclass(frozen=True, slots=True)
class QuizRow:
    """A finished quiz or mock interview."""

    kind: str  # quiz | mock
    finished_at: datetime
    score: float  # 0..1


# Outputs ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StateCounts:
    new: int
    learning: int
    review: int
    relearning: int

    @property
    def total(self) -> int:
        return self.new + self.learning + self.review + self.relearning


@dataclass(frozen=True, slots=True)
class DayCount:
    day: date
    count: int


@dataclass(frozen=True, slots=True)
class Heatmap:
    start: date  # a Monday
    today: date
    days: tuple[DayCount, ...]  # every day from start to today, in order

    @property
    def total(self) -> int:
        return sum(d.count for d in self.days)

    @property
    def active_days(self) -> int:
        return sum(1 for d in self.days if d.count)


@dataclass(frozen=True, slots=True)
class Ratio:
    passed: int
    total: int

    @property
    def rate(self) -> float | None:
        return self.passed / self.total if self.total else None

    def __add__(self, other: "Ratio") -> "Ratio":
        return Ratio(self.passed + other.passed, self.total + other.total)


@dataclass(frozen=True, slots=True)
class Retention:
    days: int  # the window: this many study days, today included
    since: date
    young: Ratio
    mature: Ratio

    @property
    def all(self) -> Ratio:
        return self.young + self.mature


@dataclass(frozen=True, slots=True)
class Mastery:
    slug: str
    stage: Stage
    recall: float | None  # predicted probability of recall now; None for a new card
    stability: float | None  # days for recall to fall to 90%
    difficulty: float | None
    reps: int
    lapses: int
    last_review: datetime | None
    due: datetime | None


@dataclass(frozen=True, slots=True)
class QuizPoint:
    kind: str
    finished_at: datetime
    score: float


@dataclass(frozen=True, slots=True)
class Readiness:
    interview_date: date
    at: datetime  # the start of that study day, UTC
    passed: bool  # the day has begun: nothing to predict
    ready: int  # cards predicted at READY_THRESHOLD or better then
    total: int
    mean_recall: float  # mean predicted recall then (new cards count as 0)

    @property
    def share(self) -> float:
        return self.ready / self.total if self.total else 0.0


@dataclass(frozen=True, slots=True)
class Progress:
    now: datetime
    today: date
    counts: StateCounts
    due_today: int  # = forecast[0].count: due before today's study day ends, overdue included
    overdue: int  # due before today's study day began
    forecast: tuple[DayCount, ...]
    heatmap: Heatmap
    retention: tuple[Retention, ...]
    mastery: tuple[Mastery, ...]  # weakest first
    quizzes: tuple[QuizPoint, ...]  # oldest first
    reviews_total: int
    reviews_today: int
    time_studied_ms: int
    streak_days: int
    readiness: Readiness | None


# Pieces -------------------------------------------------------------------------------------------

_STAGE_OF = {
    fsrs.State.Learning: Stage.LEARNING,
    fsrs.State.Review: Stage.REVIEW,
    fsrs.State.Relearning: Stage.RELEARNING,
}


def state_counts(slugs: Sequence[str], cards: Mapping[str, CardRecord]) -> StateCounts:
    stages = Counter(_STAGE_OF[fsrs.State(cards[s].memory.state)] for s in slugs if s in cards)
    return StateCounts(
        new=sum(1 for s in slugs if s not in cards),
        learning=stages[Stage.LEARNING],
        review=stages[Stage.REVIEW],
        relearning=stages[Stage.RELEARNING],
    )


def forecast(
    dues: Iterable[datetime], today: date, tz: ZoneInfo, days: int = FORECAST_DAYS
) -> tuple[DayCount, ...]:
    """Cards due on each of the next `days` study days; anything overdue is due today."""
    ends = [day_start(today + timedelta(days=i + 1), tz) for i in range(days)]
    counts = [0] * days
    for due in dues:
        for i, end in enumerate(ends):
            if due < end:
                counts[i] += 1
                break
    return tuple(DayCount(today + timedelta(days=i), c) for i, c in enumerate(counts))


def reviews_per_day(reviews: Iterable[ReviewRow], tz: ZoneInfo) -> Counter[date]:
    return Counter(study_date(r.reviewed_at, tz) for r in reviews)


def heatmap(per_day: Mapping[date, int], today: date, weeks: int = HEATMAP_WEEKS) -> Heatmap:
    start = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    span = (today - start).days + 1
    days = tuple(
        DayCount(start + timedelta(days=i), per_day.get(start + timedelta(days=i), 0))
        for i in range(span)
    )
    return Heatmap(start=start, today=today, days=days)


def is_mature(review: ReviewRow, tz: ZoneInfo) -> bool:
    if review.last_review_before is None:
        return False
    elapsed = study_date(review.reviewed_at, tz) - study_date(review.last_review_before, tz)
    return elapsed.days >= MATURE_DAYS


def counts_for_retention(review: ReviewRow) -> bool:
    return review.source == "review" and review.state_before == int(fsrs.State.Review)


def retention(reviews: Iterable[ReviewRow], today: date, tz: ZoneInfo, days: int) -> Retention:
    since = today - timedelta(days=days - 1)
    young = mature = Ratio(0, 0)
    for review in reviews:
        if not counts_for_retention(review):
            continue
        if not since <= study_date(review.reviewed_at, tz) <= today:
            continue
        passed = Ratio(int(review.rating != int(scheduling.Rating.AGAIN)), 1)
        if is_mature(review, tz):
            mature += passed
        else:
            young += passed
    return Retention(days=days, since=since, young=young, mature=mature)


def streak(study_days: Iterable[date], today: date) -> int:
    """Consecutive study days with a review, ending today (or yesterday if today has none)."""
    days = set(study_days)
    day = today if today in days else today - timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count


def mastery(
    slugs: Sequence[str],
    cards: Mapping[str, CardRecord],
    now: datetime,
    scheduler: fsrs.Scheduler,
) -> tuple[Mastery, ...]:
    """Every card, weakest first (`status.weakness`): cards in (re)learning, then cards in review
    by predicted recall now, ties by stability and lapses, then the cards never studied, in deck
    order (nothing to predict for them yet)."""
    out = []
    for slug in slugs:
        record = cards.get(slug)
        if record is None:
            out.append(Mastery(slug, Stage.NEW, None, None, None, 0, 0, None, None))
            continue
        memory = record.memory
        out.append(
            Mastery(
                slug=slug,
                stage=_STAGE_OF[fsrs.State(memory.state)],
                recall=scheduling.recall(memory, now, scheduler),
                stability=memory.stability,
                difficulty=memory.difficulty,
                reps=record.reps,
                lapses=record.lapses,
                last_review=memory.last_review,
                due=memory.due,
            )
        )
    order = {slug: i for i, slug in enumerate(slugs)}

    def key(m: Mastery) -> tuple:
        return (*weakness(m.stage, m.recall, m.stability, m.lapses), order[m.slug])

    return tuple(sorted(out, key=key))


def readiness(
    interview_date: date,
    slugs: Sequence[str],
    cards: Mapping[str, CardRecord],
    now: datetime,
    tz: ZoneInfo,
    scheduler: fsrs.Scheduler,
) -> Readiness:
    """Predicted recall on the interview day if no more reviews happen (new cards count as 0)."""
    at = day_start(interview_date, tz)
    memories = [cards[s].memory if s in cards else None for s in slugs]
    recalls = [scheduling.recall(m, at, scheduler) or 0.0 for m in memories]
    return Readiness(
        interview_date=interview_date,
        at=at,
        passed=at <= now,
        ready=sum(1 for r in recalls if r >= READY_THRESHOLD),
        total=len(slugs),
        mean_recall=sum(recalls) / len(recalls) if recalls else 0.0,
    )


# Everything ---------------------------------------------------------------------------------------


def progress(
    slugs: Sequence[str],
    cards: Mapping[str, CardRecord],
    reviews: Sequence[ReviewRow],
    quizzes: Sequence[QuizRow],
    tz: ZoneInfo,
    now: datetime,
    scheduler: fsrs.Scheduler,
    interview_date: date | None = None,
) -> Progress:
    """The dashboard's numbers for one learner at `now`. Cards not in `slugs` are ignored."""
    in_deck = set(slugs)
    cards = {s: c for s, c in cards.items() if s in in_deck}
    today = study_date(now, tz)
    per_day = reviews_per_day(reviews, tz)
    ahead = forecast((c.memory.due for c in cards.values()), today, tz)
    today_start = day_start(today, tz)
    return Progress(
        now=now,
        today=today,
        counts=state_counts(slugs, cards),
        due_today=ahead[0].count,
        overdue=sum(1 for c in cards.values() if c.memory.due < today_start),
        forecast=ahead,
        heatmap=heatmap(per_day, today),
        retention=tuple(retention(reviews, today, tz, d) for d in RETENTION_WINDOWS),
        mastery=mastery(slugs, cards, now, scheduler),
        quizzes=tuple(
            QuizPoint(q.kind, q.finished_at, q.score)
            for q in sorted(quizzes, key=lambda q: q.finished_at)
        ),
        reviews_total=len(reviews),
        reviews_today=per_day.get(today, 0),
        time_studied_ms=sum(r.duration_ms or 0 for r in reviews),
        streak_days=streak(per_day, today),
        readiness=(
            None
            if interview_date is None
            else readiness(interview_date, slugs, cards, now, tz, scheduler)
        ),
    )
