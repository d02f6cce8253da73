"""The one type every date and time taken from a user goes through (query strings, settings,
imported files): aware of its time zone and inside a range the app, the databases and Python's
own datetime arithmetic can all hold.

A naive time is refused rather than guessed at (is "09:00" the learner's time or UTC?), and the
range is checked after converting to UTC: `0001-01-01T00:00:00+05:00` is a valid ISO string whose
UTC form falls before year 1, which Python cannot represent (OverflowError, once a 500).
"""

from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import AfterValidator, Field

FIRST_YEAR, LAST_YEAR = 2000, 2199
EARLIEST = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
LATEST = datetime(LAST_YEAR + 1, 1, 1, tzinfo=UTC)
RANGE = f"between the years {FIRST_YEAR} and {LAST_YEAR}"


def aware_in_range(value: datetime) -> datetime:
    """The moment in UTC, or ValueError saying what is wrong with it."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("needs a time zone offset, such as Z or +02:00")
    try:
        utc = value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValueError(f"must be {RANGE}") from None
    if not EARLIEST <= utc < LATEST:
        raise ValueError(f"must be {RANGE}")
    return utc


def date_in_range(value: date) -> date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"must be {RANGE}")
    return value


UserDateTime = Annotated[
    datetime,
    AfterValidator(aware_in_range),
    Field(description=f"ISO 8601 with a time zone offset, {RANGE}"),
]
UserDate = Annotated[date, AfterValidator(date_in_range), Field(description=f"YYYY-MM-DD, {RANGE}")]
