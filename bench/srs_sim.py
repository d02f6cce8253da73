"""Does the schedule work? Simulated learners study this deck for 90 days under five schedulers.

The learner's memory is hidden from every scheduler, which sees only the ratings, as in the app.
It is not FSRS's own model (that would flatter FSRS): each card has a true stability S (days) and
is recalled with probability

    p = exp(-t / S)                                  t: days since the card was last seen

(exponential forgetting). A card's difficulty (its `difficulty:` in the card file) sets how fast
S grows, with per-learner noise: a successful recall multiplies S by

    1 + G_card * (1 - p) * noise                     spacing effect: a harder recall teaches more

so reviewing a card the learner still knows cold teaches almost nothing, and a forgotten card falls
back to a third of its stability (and is relearned from the answer). A new card is known already
with probability 0.25 (an ML engineer has met some of these); its first sight sets S to S0_card.
Ratings follow what the learner felt: Again when forgotten; Easy sometimes when p was high; Hard
sometimes when it was low; Good otherwise. Seconds per answer: 60 for a first sight, then 45
(Again), 30 (Hard), 20 (Good), 12 (Easy).

Schedulers, all with the same daily limit of new cards (the app's default, 10) and a study
session a day from 18:00 (zone UTC), in which the learner does every card due that study day:

- FSRS at desired retention 0.85, 0.90, 0.95: the app's own code: `app.study.queue.next_card`
  picks each card (due first, new ones up to the limit, learning steps within the session) and
  `app.study.scheduling.review` rates it (fuzz off, so a run is a pure function of its seed).
- Fixed 4 days: every card every 4 days; a forgotten one the next day.
- SM-2-like: SuperMemo 2's ease factor and 1, 6, I*EF intervals (Again resets to 1 day).

Reported over the seeds (mean): reviews done, realized retention (the share of reviews made a day
or more after the card was last seen that were recalled), minutes spent, and what the learner
actually knows at the end: mean true recall of the deck on the morning after day 90.

The interview check: a fresh learner with an interview 7, 14 and 30 days away and their own new
limit at 2 a day, FSRS at 0.90. With the app's interview handling (`scheduling.interview_due`'s
cap, `plan.new_limit`'s raised limit, `plan.build`'s plan read each day) against plain FSRS that
knows nothing of the date. On the interview morning: the share of cards at 90% predicted recall or
better (FSRS's prediction, the plan's target), the learner's true mean recall, and the share whose
true recall is 90% or better; also the plan's own promise on day 0 and its planned reviews against
the reviews done.

    .venv/bin/python bench/srs_sim.py                 # 5 seeds, 90 days: the tables in README.md
    .venv/bin/python bench/srs_sim.py --seeds 10 --days 60
"""

import argparse
import math
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.content import load_deck  # noqa: E402
from app.nn.presets import PRESET_NAMES  # noqa: E402
from app.study import plan, queue, scheduling  # noqa: E402
from app.study.days import day_bounds, day_start  # noqa: E402
from app.study.scheduling import Rating  # noqa: E402

ZONE = ZoneInfo("UTC")
START = date(2026, 1, 5)
SESSION_HOUR = 18
NEW_LIMIT = 10  # the app's default
# Per difficulty: (growth G, days until recall falls to 90% after the first sight). S0, the
# stability of p = exp(-t / S), is that time over -ln 0.9.
LEARNER = {"easy": (15.0, 3.0), "medium": (12.0, 2.0), "hard": (8.0, 1.0)}
TO_90 = -math.log(0.9)
PRIOR_KNOWLEDGE = 0.25
SECONDS = {Rating.AGAIN: 45, Rating.HARD: 30, Rating.GOOD: 20, Rating.EASY: 12}
FIRST_SIGHT_SECONDS = 60
COUNTED_GAP = timedelta(hours=12)  # realized retention counts reviews a day or more apart


def deck_cards() -> list[tuple[str, str]]:
    deck = load_deck(ROOT / "questions", PRESET_NAMES)
    return [(card.slug, str(card.difficulty.value)) for card in deck]


# The learner --------------------------------------------------------------------------------------


@dataclass
class Memory:
    growth: float
    first_stability: float
    stability: float = 0.0
    last_seen: datetime | None = None


@dataclass
class Learner:
    """True memory the schedulers never read; `answer` is all they get (a rating and the time)."""

    rng: random.Random
    cards: dict[str, Memory]
    reviews: int = 0
    seconds: float = 0.0
    counted: int = 0  # reviews a day or more after the card was last seen
    recalled: int = 0  # of those, recalled

    @classmethod
    def new(cls, seed: int, deck: list[tuple[str, str]]) -> "Learner":
        rng = random.Random(seed)
        cards = {}
        for slug, difficulty in deck:
            growth, first = LEARNER[difficulty]
            cards[slug] = Memory(
                growth=growth * math.exp(rng.gauss(0, 0.25)),
                first_stability=first / TO_90 * math.exp(rng.gauss(0, 0.3)),
            )
        return cls(rng, cards)

    def recall(self, slug: str, at: datetime) -> float:
        m = self.cards[slug]
        if m.last_seen is None:
            return 0.0
        days = (at - m.last_seen).total_seconds() / 86400
        return math.exp(-days / m.stability)  # p = exp(-t / S)

    def answer(self, slug: str, at: datetime) -> Rating:
        m = self.cards[slug]
        rng = self.rng
        if m.last_seen is None:  # first sight
            rating = Rating.GOOD if rng.random() < PRIOR_KNOWLEDGE else Rating.AGAIN
            m.stability, m.last_seen = m.first_stability, at
            self.reviews += 1
            self.seconds += FIRST_SIGHT_SECONDS
            return rating
        p = self.recall(slug, at)
        remembered = rng.random() < p
        if at - m.last_seen >= COUNTED_GAP:
            self.counted += 1
            self.recalled += remembered
        if remembered:
            m.stability *= 1 + m.growth * (1 - p) * math.exp(rng.gauss(0, 0.1))
            if p >= 0.9 and rng.random() < 0.25:
                rating = Rating.EASY
            elif rng.random() < (0.5 if p < 0.6 else 0.2 if p < 0.9 else 0.0):
                rating = Rating.HARD
            else:
                rating = Rating.GOOD
        else:
            # Forgotten: relearned from the answer, down to a third (at least half a first sight).
            m.stability = max(m.first_stability / 2, m.stability / 3)
            rating = Rating.AGAIN
        m.last_seen = at
        self.reviews += 1
        self.seconds += SECONDS[rating]
        return rating

    def mean_recall(self, at: datetime) -> float:
        return statistics.fmean(self.recall(s, at) for s in self.cards)

    def share_at(self, at: datetime, threshold: float = 0.9) -> float:
        return statistics.fmean(self.recall(s, at) >= threshold for s in self.cards)


# Schedulers ---------------------------------------------------------------------------------------


def session_time(day: date) -> datetime:
    return day_start(day, ZONE).replace(hour=SESSION_HOUR)


@dataclass
class AppFsrs:
    """The app's own queue and FSRS scheduling, optionally with an interview date."""

    retention: float
    order: list[str]
    new_limit: int = NEW_LIMIT
    interview_day: date | None = None
    memories: dict = field(default_factory=dict)
    plan_checks: list = field(default_factory=list)  # (day, plan) read before each session

    def __post_init__(self) -> None:
        self.scheduler = scheduling.make_scheduler(self.retention, fuzz=False)

    @property
    def interview(self) -> datetime | None:
        return None if self.interview_day is None else day_start(self.interview_day, ZONE)

    def study(self, learner: Learner, day: date) -> None:
        now = session_time(day)
        _, end = day_bounds(now, ZONE)
        new_now = sum(1 for s in self.order if s not in self.memories)
        limit = plan.new_limit(self.new_limit, new_now, day, self.interview_day)
        if self.interview_day is not None:
            self.plan_checks.append((day, self.plan_at(now)))
        introduced = 0
        while True:
            pick = queue.next_card(
                self.order,
                self.memories,
                now,
                end,
                new_introduced_today=introduced,
                new_limit=limit,
            )
            if pick.slug is None:
                # Cards due later today (a review falls due at the time of day it was last done):
                # the learner comes back for them, as the plan asks.
                later = [m.due for m in self.memories.values() if now < m.due < end]
                if not later:
                    return
                now = min(later)
                continue
            rating = learner.answer(pick.slug, now)
            outcome = scheduling.review(
                self.memories.get(pick.slug), rating, now, self.scheduler, interview=self.interview
            )
            self.memories[pick.slug] = outcome.memory
            introduced += pick.is_new
            now += timedelta(seconds=SECONDS.get(rating, 20))

    def plan_at(self, now: datetime) -> plan.Plan | None:
        return plan.build(
            self.order,
            self.memories,
            now,
            ZONE,
            self.interview_day,
            self.scheduler,
            user_new_limit=self.new_limit,
            introduced_today=0,
        )

    def predicted_share(self, at: datetime, threshold: float = plan.TARGET) -> float:
        return statistics.fmean(
            (scheduling.recall(self.memories.get(s), at, self.scheduler) or 0.0) >= threshold
            for s in self.order
        )


@dataclass
class Baseline:
    """One session a day: due cards once each, then new cards up to the limit."""

    order: list[str]
    next_interval: Callable[[dict, Rating], float]  # updates the card's record, returns days
    due: dict = field(default_factory=dict)
    records: dict = field(default_factory=dict)

    def study(self, learner: Learner, day: date) -> None:
        now = session_time(day)
        _, end = day_bounds(now, ZONE)
        due = sorted((d, s) for s, d in self.due.items() if d < end)
        new = [s for s in self.order if s not in self.due][:NEW_LIMIT]
        for slug in [s for _, s in due] + new:
            rating = learner.answer(slug, now)
            record = self.records.setdefault(slug, {"n": 0, "ef": 2.5, "interval": 0.0})
            self.due[slug] = session_time(day) + timedelta(days=self.next_interval(record, rating))
            now += timedelta(seconds=SECONDS[rating])


def fixed_interval(days: float) -> Callable[[dict, Rating], float]:
    return lambda record, rating: 1.0 if rating == Rating.AGAIN else days


def sm2(record: dict, rating: Rating) -> float:
    """SuperMemo 2 (Wozniak 1990): q 2 (Again, a failure), 3 Hard, 4 Good, 5 Easy."""
    q = {Rating.AGAIN: 2, Rating.HARD: 3, Rating.GOOD: 4, Rating.EASY: 5}[rating]
    if q < 3:
        record["n"], record["interval"] = 0, 1.0
    else:
        record["interval"] = {0: 1.0, 1: 6.0}.get(record["n"], record["interval"] * record["ef"])
        record["n"] += 1
    # EF' = EF + (0.1 - (5 - q) (0.08 + (5 - q) 0.02)), at least 1.3
    record["ef"] = max(1.3, record["ef"] + 0.1 - (5 - q) * (0.08 + (5 - q) * 0.02))
    return record["interval"]


# Runs ---------------------------------------------------------------------------------------------

POLICIES: dict[str, Callable[[list[str]], object]] = {
    "FSRS, retention 0.85": lambda order: AppFsrs(0.85, order),
    "FSRS, retention 0.90": lambda order: AppFsrs(0.90, order),
    "FSRS, retention 0.95": lambda order: AppFsrs(0.95, order),
    "Fixed, every 4 days": lambda order: Baseline(order, fixed_interval(4)),
    "SM-2-like": lambda order: Baseline(order, sm2),
}


@dataclass(frozen=True)
class Result:
    reviews: int
    retention: float
    minutes: float
    end_recall: float


def run(policy: str, seed: int, days: int, deck: list[tuple[str, str]]) -> Result:
    learner = Learner.new(seed, deck)
    scheduler = POLICIES[policy]([s for s, _ in deck])
    for i in range(days):
        scheduler.study(learner, START + timedelta(days=i))
    end = day_start(START + timedelta(days=days), ZONE)
    return Result(
        reviews=learner.reviews,
        retention=learner.recalled / learner.counted if learner.counted else 0.0,
        minutes=learner.seconds / 60,
        end_recall=learner.mean_recall(end),
    )


@dataclass(frozen=True)
class InterviewResult:
    predicted_share: float  # cards at >= 90% predicted recall on the morning
    true_mean: float
    true_share: float
    promised: int | None  # the day-0 plan's cards at target, following it
    planned_reviews: int | None
    reviews: int
    on_plan_days: int | None  # sessions that began "on plan"


def run_interview(
    seed: int, days_ahead: int, deck: list[tuple[str, str]], *, aware: bool
) -> InterviewResult:
    learner = Learner.new(seed, deck)
    interview_day = START + timedelta(days=days_ahead)
    app = AppFsrs(
        0.90, [s for s, _ in deck], new_limit=2, interview_day=interview_day if aware else None
    )
    first_plan = app.plan_at(session_time(START)) if aware else None
    for i in range(days_ahead):
        app.study(learner, START + timedelta(days=i))
    morning = day_start(interview_day, ZONE)
    return InterviewResult(
        predicted_share=app.predicted_share(morning),
        true_mean=learner.mean_recall(morning),
        true_share=learner.share_at(morning),
        promised=first_plan.ready_planned if first_plan else None,
        planned_reviews=sum(d.reviews for d in first_plan.days) if first_plan else None,
        reviews=learner.reviews,
        on_plan_days=sum(p.on_plan for _, p in app.plan_checks if p) if aware else None,
    )


def mean(values) -> float:
    return statistics.fmean(values)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=5, help="learners (seeds 0..N-1)")
    parser.add_argument("--days", type=int, default=90)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    deck = deck_cards()
    seeds = range(args.seeds)

    print(
        f"{len(deck)} cards, {args.days} days, {args.seeds} simulated learners "
        f"(seeds 0-{args.seeds - 1})\n"
    )
    print("| scheduler | reviews | realized retention | minutes | true recall at the end |")
    print("|---|---:|---:|---:|---:|")
    for policy in POLICIES:
        rs = [run(policy, seed, args.days, deck) for seed in seeds]
        print(
            f"| {policy} | {mean(r.reviews for r in rs):.0f} | {mean(r.retention for r in rs):.1%} "
            f"| {mean(r.minutes for r in rs):.0f} | {mean(r.end_recall for r in rs):.1%} |"
        )

    print(
        "\nInterview check: FSRS 0.90, a fresh deck, own new limit 2 a day; "
        "on the interview morning:\n"
    )
    print(
        "| days to the interview | interview handling | cards at >= 90% predicted recall "
        "| true mean recall | cards at >= 90% true recall | plan on day 0: cards at target "
        "| planned reviews | reviews done | sessions on plan |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for days_ahead in (7, 14, 30):
        for aware in (True, False):
            rs = [run_interview(seed, days_ahead, deck, aware=aware) for seed in seeds]
            promised = f"{mean(r.promised for r in rs):.1f} of {len(deck)}" if aware else "none"
            planned = f"{mean(r.planned_reviews for r in rs):.0f}" if aware else "none"
            on_plan = f"{mean(r.on_plan_days for r in rs):.1f} of {days_ahead}" if aware else "none"
            print(
                f"| {days_ahead} | {'the app (cap, raised limit, plan)' if aware else 'none'} "
                f"| {mean(r.predicted_share for r in rs):.1%} "
                f"| {mean(r.true_mean for r in rs):.1%} "
                f"| {mean(r.true_share for r in rs):.1%} | {promised} | {planned} "
                f"| {mean(r.reviews for r in rs):.0f} | {on_plan} |"
            )
    print(f"\nRan in {time.perf_counter() - started:.1f} s.")


if __name__ == "__main__":
    main()
