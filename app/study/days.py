"""The learner's study day: their local calendar day, rolling over at 4 am (as Anki does).

Late-night study after midnight still counts for the day before. Boundaries are built from the
local date and the wall-clock hour in the learner's zone, so a DST change gives a 23- or 25-hour
day instead of shifting the rollover.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

ROLLOVER = time(4, 0)


def zone(name: str) -> ZoneInfo:
    """The IANA zone `name`; ValueError naming it if it is not one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        message = f"unknown time zone {name!r}; use an IANA name like 'Europe/Paris'"
        raise ValueError(message) from exc


def is_timezone(name: str) -> bool:
    return name in available_timezones() or name == "UTC"


def study_date(moment: datetime, tz: ZoneInfo) -> date:
    """The study day `moment` belongs to (local date, minus one before 4 am)."""
    local = moment.astimezone(tz)
    return local.date() - timedelta(days=1) if local.time() < ROLLOVER else local.date()


def day_start(day: date, tz: ZoneInfo) -> datetime:
    """When study day `day` begins, in UTC: 4 am local on that date."""
    return datetime.combine(day, ROLLOVER, tzinfo=tz).astimezone(UTC)


def day_bounds(moment: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of the study day containing `moment`, in UTC."""
    day = study_date(moment, tz)
    return day_start(day, tz), day_start(day + timedelta(days=1), tz)
