"""Rate-limit decisions: given when the recent failures happened, may one more attempt go ahead?

Pure: the caller reads the failure times from the database (so the limit holds across workers and
servers) and passes `now`. A key is refused while any of its limits is full, until enough of the
failures have aged out of that limit's window.
"""

import ipaddress
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


# One account from one address: five wrong passwords a minute, twenty an hour: enough for typos,
# too few to guess. Registering a name uses the same limits.
PER_ACCOUNT_ADDRESS = (Limit(5, timedelta(minutes=1)), Limit(20, timedelta(hours=1)))
# One address: higher, because a whole class behind one school router shares it.
PER_ADDRESS = (Limit(20, timedelta(minutes=1)), Limit(200, timedelta(hours=1)))
# One account from everywhere: a ceiling far above what one address may send (20 an hour, 480 a
# day), so one attacker cannot lock the owner out (OWASP: throttle, do not lock out); only many
# addresses guessing at once reach it.
PER_ACCOUNT = (Limit(100, timedelta(hours=1)), Limit(1000, timedelta(days=1)))
# Rows older than this can no longer change a decision and may be deleted.
KEEP_FOR = max(limit.window for limit in PER_ACCOUNT_ADDRESS + PER_ADDRESS + PER_ACCOUNT)


def client_group(ip: str) -> str:
    """The unit that address-based limits count: an IPv4 address, or an IPv6 client's /64 (one
    host usually holds a whole /64 and can pick any address in it)."""
    try:
        address = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return ip[:64]  # not an address (a test client's name): counted as it is
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


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
