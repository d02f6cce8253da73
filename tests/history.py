"""A realistic study history for tests: real FSRS scheduling over many days, as an import file.

`build_history` simulates a learner who studies most evenings (sometimes after midnight, which
counts for the day before), meets a few new cards a day, rates with a fixed random seed, and takes
weekly quizzes and the odd mock interview. The result is a version-1 progress document that
`POST /api/import` accepts, so API and end-to-end tests can seed a server through its own API.
"""

import random
from datetime import UTC, date, datetime, time, timedelta

from app.study import quiz, scheduling
from app.study.computed_items import TEMPLATES
from app.study.days import zone
from app.study.scheduling import Rating

RATINGS = (Rating.AGAIN, Rating.HARD, Rating.GOOD, Rating.EASY)
WEIGHTS = (0.12, 0.1, 0.68, 0.1)


def _snapshot(memory, reps: int, lapses: int) -> dict:
    return {
        "state": int(memory.state),
        "step": memory.step,
        "stability": memory.stability,
        "difficulty": memory.difficulty,
        "due": memory.due.isoformat(),
        "fsrs_due": memory.due.isoformat(),  # no interview cap while the history is built
        "last_review": memory.last_review.isoformat() if memory.last_review else None,
        "reps": reps,
        "lapses": lapses,
    }


def _answer(item, right: bool):
    """The right answer to a computed item, or a wrong one."""
    if item.answer_type == quiz.AnswerType.NUMBER:
        return item.correct if right else item.correct + 1.0
    return item.correct if right else (item.correct + 1) % len(item.choices)


def _quiz(started: datetime, total: int, right: int, seed: int) -> dict:
    """A finished quiz of computed items (they need no deck), `right` of them answered right.
    The importer rebuilds the items and recomputes every score from the answers."""
    names = sorted(TEMPLATES)
    items = [
        quiz.computed_item(TEMPLATES[names[i % len(names)]], seed * 100 + i, None)
        for i in range(total)
    ]
    return {
        "kind": "quiz",
        "mode": "exam",
        "started_at": started.isoformat(),
        "deadline": (started + timedelta(seconds=90 * total)).isoformat(),
        "finished_at": (started + timedelta(minutes=9)).isoformat(),
        "seed": seed,
        "items": [item.to_ref() for item in items],
        "settings": {"size": total, "time_limit_s": 90, "kinds": ["computed"]},
        "answers": [
            {
                "item_index": i,
                "answer": _answer(item, i < right),
                "answered_at": (started + timedelta(seconds=30 * (i + 1))).isoformat(),
                "timed_out": False,
            }
            for i, item in enumerate(items)
        ],
    }


def _mock(slugs: list[str], started: datetime, rng: random.Random) -> dict:
    """A finished mock interview of up to five cards; the first key point of some is ticked."""
    cards = slugs[:5]
    return {
        "kind": "mock",
        "mode": "exam",
        "started_at": started.isoformat(),
        "deadline": (started + timedelta(seconds=120 * len(cards))).isoformat(),
        "finished_at": (started + timedelta(minutes=9)).isoformat(),
        "seed": 0,
        "items": [{"kind": "mock", "card": slug} for slug in cards],
        "settings": {"size": len(cards), "time_limit_s": 120, "cards": cards},
        "answers": [
            {
                "item_index": i,
                "answer": {"text": "An answer.", "ticked": [0] if rng.random() < 0.7 else []},
                "answered_at": (started + timedelta(seconds=60 * (i + 1))).isoformat(),
                "self_score": 0.0,
            }
            for i in range(len(cards))
        ],
    }


def build_history(
    slugs: list[str],
    now: datetime,
    *,
    days: int = 120,
    timezone: str = "Europe/Paris",
    new_per_day: int = 3,
    skip_chance: float = 0.2,
    seed: int = 7,
    interview: date | None = None,
) -> dict:
    """A progress document covering the `days` study days before `now` (today included)."""
    rng = random.Random(seed)
    tz = zone(timezone)
    scheduler = scheduling.make_scheduler(0.9, fuzz=False)
    memories: dict = {}
    reps: dict[str, int] = {}
    lapses: dict[str, int] = {}
    log: list[dict] = []
    quizzes: list[dict] = []
    unseen = list(slugs)
    first_day = (now.astimezone(tz) - timedelta(days=days - 1)).date()
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        last_days = offset >= days - 4  # the last few days always studied: a visible streak
        if not last_days and rng.random() < skip_chance:
            continue
        # Most evenings at 20:00; some sessions start at 01:30 the next night (same study day).
        late = rng.random() < 0.15
        start_local = datetime.combine(
            day + timedelta(days=1) if late else day, time(1, 30) if late else time(20, 0), tz
        )
        t = start_local.astimezone(UTC)
        if t >= now:
            t = now - timedelta(minutes=50)
        end = min(t + timedelta(minutes=45), now - timedelta(seconds=1))
        introduced = reviewed = 0
        while t < end:
            due = [s for s in memories if memories[s].due <= t]
            if due:
                slug = min(due, key=lambda s: memories[s].due)
            elif unseen and introduced < new_per_day:
                slug = unseen.pop(0)
                introduced += 1
            elif last_days and introduced == 0 and memories and not reviewed:
                slug = min(memories, key=lambda s: memories[s].due)  # review early: keep the streak
            else:
                soon = [s for s in memories if t < memories[s].due <= end]
                if not soon:
                    break
                t = min(memories[s].due for s in soon)
                continue
            reviewed += 1
            before = memories.get(slug)
            rating = rng.choices(RATINGS, WEIGHTS)[0]
            outcome = scheduling.review(before, rating, t, scheduler)
            log.append(
                {
                    "card": slug,
                    "rating": int(rating),
                    "reviewed_at": t.isoformat(),
                    "duration_ms": rng.randint(4_000, 40_000),
                    "source": "review",
                    "state_before": None
                    if before is None
                    else _snapshot(before, reps[slug], lapses[slug]),
                }
            )
            memories[slug] = outcome.memory
            reps[slug] = reps.get(slug, 0) + 1
            lapses[slug] = lapses.get(slug, 0) + int(outcome.lapsed)
            t += timedelta(seconds=rng.randint(15, 50))
        if offset % 7 == 3 or (offset % 17 == 5):
            started = t + timedelta(minutes=2)
            if started + timedelta(minutes=10) < now:
                if offset % 17 == 5:
                    quizzes.append(_mock(slugs, started, rng))
                else:
                    total = 10
                    right = min(
                        total,
                        max(0, round(total * (0.4 + 0.5 * offset / days)) + rng.randint(-2, 1)),
                    )
                    quizzes.append(_quiz(started, total, right, seed=offset))
    card_states = [
        {"card": slug, **_snapshot(memory, reps[slug], lapses[slug])}
        for slug, memory in memories.items()
    ]
    return {
        "format": "memory-cell-progress",
        "version": 1,
        "exported_at": now.isoformat(),
        "settings": {
            "timezone": timezone,
            "desired_retention": 0.9,
            "daily_new_limit": 10,
            "interview_date": interview.isoformat() if interview else None,
        },
        "card_states": card_states,
        "review_log": log,
        "quizzes": quizzes,
        "lab_predictions": [],
    }
