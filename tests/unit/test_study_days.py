"""The study day: local, rolling over at 4 am, correct across DST changes."""

from datetime import UTC, date, datetime, timedelta

import pytest

from app.study.days import day_bounds, study_date, zone

PARIS = zone("Europe/Paris")
NEW_YORK = zone("America/New_York")


def test_before_4_am_counts_for_the_day_before():
    # 02:30 in Paris on 10 March is 01:30 UTC.
    assert study_date(datetime(2026, 3, 10, 1, 30, tzinfo=UTC), PARIS) == date(2026, 3, 9)
    assert study_date(datetime(2026, 3, 10, 3, 0, tzinfo=UTC), PARIS) == date(2026, 3, 10)


def test_bounds_are_4_am_local_in_utc():
    start, end = day_bounds(datetime(2026, 1, 15, 12, 0, tzinfo=UTC), NEW_YORK)
    assert start == datetime(2026, 1, 15, 9, 0, tzinfo=UTC)  # 4 am EST = 09:00 UTC
    assert end == datetime(2026, 1, 16, 9, 0, tzinfo=UTC)


def test_spring_forward_day_is_23_hours_and_fall_back_is_25():
    # Europe moves clocks forward on 29 March 2026 and back on 25 October 2026 (at 01:00 UTC),
    # inside the study days that began at 4 am on the 28th and on the 24th.
    start, end = day_bounds(datetime(2026, 3, 29, 0, 30, tzinfo=UTC), PARIS)
    assert start == datetime(2026, 3, 28, 3, 0, tzinfo=UTC)  # 4 am CET
    assert end == datetime(2026, 3, 29, 2, 0, tzinfo=UTC)  # 4 am CEST
    assert end - start == timedelta(hours=23)
    start, end = day_bounds(datetime(2026, 10, 25, 1, 30, tzinfo=UTC), PARIS)
    assert end - start == timedelta(hours=25)
    assert start.astimezone(PARIS).hour == 4 and end.astimezone(PARIS).hour == 4


def test_unknown_zone_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        zone("Mars/Olympus")
