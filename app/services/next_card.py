"""What the review screen shows next: the card due now (or a new one within today's limit), the
interval each rating button would give, and the day's counts. Reads only; times are passed in."""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import fsrs
from sqlmodel import Session

from app import repository
from app.content.model import Card, Deck
from app.models import User
from app.services import marks, reviews, schedule
from app.study import queue, scheduling
from app.study.scheduling import RATING_LABELS
from app.study.status import status_of

MAX_AHEAD_DAYS = 30


@dataclass(frozen=True, slots=True)
class Button:
    rating: int
    label: str
    interval: str  # what the rating would give, e.g. "10 min", "4 d"


@dataclass(frozen=True, slots=True)
class NextCard:
    card: Card | None  # None when nothing is left for now
    is_new: bool
    stage: str | None
    retrievability: float | None  # predicted recall now, before this review
    lapses: int
    leech: bool
    buttons: tuple[Button, ...]
    counts: queue.Counts
    next_due: datetime | None  # when the next studied card falls due
    new_limit_raised_to: int | None = None  # today's new limit when raised for an interview


@dataclass(frozen=True, slots=True)
class Queue:
    pick: queue.Pick  # the next card and the day's counts
    introduced: int  # new cards introduced this study day
    new_limit: schedule.NewLimit  # today's new-card limit (raised before an interview)


def todays_queue(
    session: Session,
    user: User,
    deck: Deck,
    memories: dict[str, fsrs.Card],
    now: datetime,
    *,
    only: set[str] | None = None,
) -> Queue:
    """Where today's queue stands for `user`: what comes next within today's new-card limit
    (only cards in `only`, if given; never a suspended card). The home page and the review screen
    share it. The counts also say how many new cards wait beyond today's limit ("study more")
    and how many studied cards fall due in the next 7 days ("review ahead")."""
    start, end = reviews.study_day(user, now)
    introduced = reviews.new_cards_introduced(session, user, start, end)
    new_count = sum(1 for slug in deck.slugs if slug not in memories)
    limit = schedule.new_limit(user, new_count, introduced, now)
    active = active_slugs(session, user, deck)
    pick = queue.next_card(
        active,
        memories,
        now,
        end,
        new_introduced_today=introduced,
        new_limit=limit.limit,
        only=only,
    )
    new_active = sum(1 for slug in active if slug not in memories)
    waiting = 0 if only is not None else max(0, new_active - pick.counts.new_left)
    counts = replace(pick.counts, new_waiting=waiting, due_ahead=_due_ahead(active, memories, now))
    return Queue(replace(pick, counts=counts), introduced, limit)


def active_slugs(session: Session, user: User, deck: Deck) -> list[str]:
    """The deck in order, without the cards this learner suspended."""
    suspended = marks.suspended(session, user.id)
    return [slug for slug in deck.slugs if slug not in suspended]


def _due_ahead(active: list[str], memories: dict[str, fsrs.Card], now: datetime) -> int:
    week = now + timedelta(days=7)
    return sum(1 for s in active if s in memories and now < memories[s].due <= week)


def next_card(
    session: Session,
    user: User,
    deck: Deck,
    now: datetime,
    *,
    mistakes: bool = False,
    ahead: bool = False,
    days: int = 7,
    since: datetime | None = None,
) -> NextCard:
    """The next card for `user` at `now`; with `mistakes`, only cards rated Again in the last
    `days` days and not reviewed since `since` (the session's start); with `ahead`, the studied
    card due soonest within `days` days (at most 30), to review early (FSRS schedules it from
    the real elapsed time)."""
    rows = repository.card_states(session, user.id)
    memories = repository.memories_of(rows)
    only = reviews.recent_mistakes(session, user, now, days, since) if mistakes else None
    if ahead:
        active = active_slugs(session, user, deck)
        until = now + timedelta(days=min(days, MAX_AHEAD_DAYS))
        pick = queue.review_ahead(active, memories, now, until)
        counts = replace(pick.counts, due_ahead=_due_ahead(active, memories, now))
        pick, raised = replace(pick, counts=counts), None
    else:
        today = todays_queue(session, user, deck, memories, now, only=only)
        pick = today.pick
        raised = today.new_limit.limit if today.new_limit.raised else None
    upcoming = [m.due for m in memories.values() if m.due > now]
    next_due = min(upcoming) if upcoming else None
    if pick.slug is None:
        return NextCard(None, False, None, None, 0, False, (), pick.counts, next_due, raised)
    memory = memories.get(pick.slug)
    preview_scheduler = scheduling.make_scheduler(user.desired_retention, fuzz=False)
    # The same rule the rating will apply, interview cap included: the button shows what is saved.
    intervals = scheduling.preview(
        memory, now, preview_scheduler, interview=reviews.interview_for(user)
    )
    row = rows.get(pick.slug)
    lapses = row.lapses if row else 0
    return NextCard(
        card=deck.get(pick.slug),
        is_new=pick.is_new,
        stage=None if memory is None else status_of(memory, now).stage.value,
        retrievability=scheduling.recall(memory, now, preview_scheduler),
        lapses=lapses,
        leech=lapses >= scheduling.LEECH_LAPSES,
        buttons=tuple(
            Button(int(r), RATING_LABELS[r], scheduling.format_interval(d))
            for r, d in intervals.items()
        ),
        counts=pick.counts,
        next_due=next_due,
        new_limit_raised_to=raised,
    )
