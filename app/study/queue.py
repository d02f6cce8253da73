"""Which card to show next, and how many are left today (pure)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import fsrs

# As Anki does: with nothing else to do, a learning card due within this window is shown early
# rather than making the learner wait for a one-minute step.
LEARN_AHEAD = timedelta(minutes=20)


@dataclass(frozen=True, slots=True)
class Counts:
    due_now: int  # studied cards due at this moment
    due_today: int  # studied cards due before the study day ends (includes due_now)
    new_left: int  # new cards that may still be introduced today
    new_waiting: int = 0  # new cards beyond today's limit ("study more new cards today")
    due_ahead: int = 0  # studied cards due in the next 7 days, not yet ("review ahead")


@dataclass(frozen=True, slots=True)
class Pick:
    slug: str | None
    is_new: bool
    counts: Counts


def next_card(
    order: Sequence[str],
    memories: Mapping[str, fsrs.Card],
    now: datetime,
    day_end: datetime,
    *,
    new_introduced_today: int,
    new_limit: int,
    only: set[str] | None = None,
) -> Pick:
    """Due cards first (most overdue first), then new cards in deck order up to the daily limit,
    then a learning card due within LEARN_AHEAD. `only` restricts the choice (mistakes sessions)."""
    candidates = [s for s in order if only is None or s in only]
    studied = [s for s in candidates if s in memories]
    new = [s for s in candidates if s not in memories]
    due_now = sorted((s for s in studied if memories[s].due <= now), key=lambda s: memories[s].due)
    due_today = sum(1 for s in studied if memories[s].due < day_end)
    if only is not None:
        new_left = len(new)
    else:
        new_left = max(0, min(len(new), new_limit - new_introduced_today))
    counts = Counts(due_now=len(due_now), due_today=due_today, new_left=new_left)
    if due_now:
        return Pick(due_now[0], False, counts)
    if new_left:
        return Pick(new[0], True, counts)
    soon = sorted(
        (
            s
            for s in studied
            if memories[s].state != fsrs.State.Review and memories[s].due <= now + LEARN_AHEAD
        ),
        key=lambda s: memories[s].due,
    )
    if soon:
        return Pick(soon[0], False, counts)
    if only is not None:
        # A mistakes session shows each listed card once, due or not (reviewing early is allowed).
        return Pick(studied[0], False, counts) if studied else Pick(None, False, counts)
    return Pick(None, False, counts)


def review_ahead(
    order: Sequence[str], memories: Mapping[str, fsrs.Card], now: datetime, until: datetime
) -> Pick:
    """With nothing due: the studied card due soonest before `until`, to review early. FSRS
    schedules it from the real elapsed time, so an early review counts for less than an on-time
    one (its stability grows less)."""
    ahead = sorted(
        (s for s in order if s in memories and memories[s].due <= until),
        key=lambda s: memories[s].due,
    )
    due_now = sum(1 for s in ahead if memories[s].due <= now)
    counts = Counts(due_now=due_now, due_today=len(ahead), new_left=0)
    return Pick(ahead[0] if ahead else None, False, counts)
