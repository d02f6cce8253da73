"""Issue 14.11: the 4 am study day never contradicts the calendar the learner sees. At 03:05 on
Monday 30 November in Paris the study day is still Sunday's, but "today" on every page is the
30th."""

from datetime import UTC, datetime

import pytest
from bs4 import BeautifulSoup

from tests.clock import set_now
from tests.forms import form

# 03:05 in Paris (UTC+1 in November) on Monday 30 November 2026.
AT_3_AM = datetime(2026, 11, 30, 2, 5, tzinfo=UTC)


@pytest.fixture
def paris_at_3_am(app, client):
    set_now(app, lambda: AT_3_AM)
    body = {"card": "first-card", "rating": 4, "idempotency_key": "paris-0001"}
    assert client.put("/api/settings", json={"timezone": "Europe/Paris"}).status_code == 200
    assert client.post("/api/reviews", json=body).status_code == 200
    return client


def test_the_interview_can_be_today_by_the_calendar(paris_at_3_am):
    client = paris_at_3_am
    today = client.put("/api/settings", json={"interview_date": "2026-11-30"})
    assert today.status_code == 200, today.text
    yesterday = client.put("/api/settings", json={"interview_date": "2026-11-29"})
    assert yesterday.status_code == 422
    message = yesterday.json()["detail"]
    assert "Mon 30 Nov 2026" in message and "2026-11-29" not in message


def test_the_settings_page_says_which_field_and_which_day(paris_at_3_am):
    client = paris_at_3_am
    data = {"desired_retention": "0.9", "daily_new_limit": "10", "timezone": "Europe/Paris"}
    response = client.post(
        "/settings", data=form(client, {**data, "interview_date": "2026-11-29"}, page="/settings")
    )
    error = BeautifulSoup(response.text, "html.parser").select_one("#interview_date-error")
    assert error is not None
    assert error.text.startswith("Interview date must be today (Mon 30 Nov 2026)")


def test_the_forecast_has_no_today_followed_by_the_same_date(paris_at_3_am):
    client = paris_at_3_am
    html = BeautifulSoup(client.get("/progress").text, "html.parser")
    bars = [t.text.split(":")[0] for t in html.select("#forecast-chart rect > title")]
    assert bars[0].startswith("Until 4 am")  # the rest of Sunday's study day
    assert bars[1].startswith("Today")  # Monday 30th, from 4 am
    assert bars[2] == "Tue 1 Dec"  # never a "Today" followed by "Mon 30"
    assert not any(b.startswith("Mon 30") for b in bars)
    rows = [tr.select("td, th")[0].text for tr in html.select("table tr") if tr.select("td")]
    assert any(r.startswith("Until 4 am") for r in rows)
    assert any(r.startswith("Today") for r in rows)
