"""Rate-limit decisions: given when the recent failures happened, may one more attempt go ahead?

Pure: the caller reads the failure times from the database (so the limit holds across workers and
servers) and passes `now`. A key is refused while any of its limits is full, until enough of the
failures have aged out of that limit's window.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class Limit:
    failures: int  # at most this many failures...
    window: timedelta  # ...within this long


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    retry_after: int = 0  # whole seconds until an attempt is allowed again; 0 when allowed


# One account: five wrong passwords a minute, twenty an hour: enough for typos, too few to guess.
PER_ACCOUNT = (Limit(5, timedelta(minutes=1)), Limit(20, timedelta(hours=1)))
# One address: higher, because a whole class behind one school router shares it.
PER_ADDRESS = (Limit(20, timedelta(minutes=1)), Limit(200, timedelta(hours=1)))
# Rows older than this can no longer change a decision and may be deleted.
KEEP_FOR = max(limit.window for limit in PER_ACCOUNT + PER_ADDRESS)


def decide(failures: Iterable[datetime], now: datetime, limits: Sequence[Limit]) -> Decision:
    """Allowed unless a limit already holds `failures` failures inside its window ending now."""
    times = sorted(failures)
    wait = 0.0
    for limit in limits:
        recent = [t for t in times if now - limit.window < t <= now]
        if len(recent) >= limit.failures:
            # The oldest failure that keeps the window full must age out first.
            frees_at = recent[len(recent) - limit.failures] + limit.window
            wait = max(wait, (frees_at - now).total_seconds())
    if wait <= 0:
        return Decision(True)
    return Decision(False, max(1, math.ceil(wait)))


def combine(*decisions: Decision) -> Decision:
    """Refused if any is refused, for the longest wait among them."""
    refused = [d for d in decisions if not d.allowed]
    if not refused:
        return Decision(True)
    return Decision(False, max(d.retry_after for d in refused))
