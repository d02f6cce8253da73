"""An interview date reschedules at once: setting, moving and clearing it recompute every card's
due date from FSRS's own (kept beside it); cards not yet studied get a raised daily new limit;
the rating buttons preview the due date that will be saved. Runs on SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from app.models import CardState
from app.study import scheduling
from tests.clock import set_now

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)  # zone UTC: study days start at 04:00 UTC


@pytest.fixture
def clock(app):
    moment = [NOW]
    set_now(app, lambda: moment[0])
    return moment


def rate(client, card, rating, key):
    body = {"card": card, "rating": rating, "duration_ms": 4000, "idempotency_key": key}
    response = client.post("/api/reviews", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def state(app, slug) -> CardState:
    with Session(app.state.engine) as session:
        return session.exec(select(CardState).where(CardState.card_slug == slug)).one()


def put(client, **settings):
    response = client.put("/api/settings", json=settings)
    assert response.status_code == 200, response.text
    return response.json()


def test_setting_moving_and_clearing_the_date_recompute_due_dates_now(client, app, clock):
    rate(client, "first-card", 4, "easy-first-1")  # Easy: FSRS wants it back in weeks
    free = state(app, "first-card")
    assert free.due == free.fsrs_due and free.due > NOW + timedelta(days=5)

    # Set for 4 days out: the card, due after the interview, is pulled before it without a rating.
    put(client, interview_date="2026-12-05")
    interview = datetime(2026, 12, 5, 4, tzinfo=UTC)
    capped = state(app, "first-card")
    assert interview - scheduling.FINAL_WINDOW <= capped.due < interview
    assert capped.due == interview - timedelta(days=1)
    assert capped.fsrs_due == free.fsrs_due  # FSRS's own due is kept
    assert capped.reps == free.reps  # rescheduling is not a review

    # Moved to a day after FSRS's due: nothing to pull, FSRS's due is back.
    put(client, interview_date=(free.fsrs_due + timedelta(days=10)).date().isoformat())
    assert state(app, "first-card").due == free.fsrs_due

    # Moved again, then cleared: FSRS's due exactly.
    put(client, interview_date="2026-12-04")
    assert state(app, "first-card").due == datetime(2026, 12, 3, 4, tzinfo=UTC)
    put(client, clear_interview_date=True)
    assert state(app, "first-card").due == free.fsrs_due


def test_the_settings_form_reschedules_too(client, app, clock):
    from tests.forms import form

    rate(client, "first-card", 4, "easy-first-2")
    fsrs_due = state(app, "first-card").fsrs_due
    fields = {"desired_retention": "0.9", "daily_new_limit": "10", "timezone": "UTC"}
    response = client.post(
        "/settings",
        data=form(client, {**fields, "interview_date": "2026-12-05"}),
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert state(app, "first-card").due == datetime(2026, 12, 4, 4, tzinfo=UTC)
    client.post("/settings", data=form(client, {**fields, "interview_date": ""}))
    assert state(app, "first-card").due == fsrs_due


def test_changing_the_time_zone_moves_the_interview_morning(client, app, clock):
    rate(client, "first-card", 4, "easy-first-3")
    put(client, interview_date="2026-12-05")
    put(client, timezone="Asia/Tokyo")  # 4 am in Tokyo is 19:00 UTC the day before
    assert state(app, "first-card").due == datetime(2026, 12, 3, 19, tzinfo=UTC)


def test_a_refused_change_reschedules_nothing(client, app, clock):
    rate(client, "first-card", 4, "easy-first-4")
    before = state(app, "first-card").due
    response = client.put(
        "/api/settings", json={"interview_date": "2026-12-05", "desired_retention": 0.1}
    )
    assert response.status_code == 422
    assert state(app, "first-card").due == before


def test_the_easy_button_shows_the_interval_that_is_saved(client, app, clock):
    free = {b["label"]: b["interval"] for b in client.get("/api/review/next").json()["buttons"]}
    assert free["Easy"].endswith(" d") and int(free["Easy"].split()[0]) > 4
    put(client, interview_date="2026-12-05")
    buttons = {b["label"]: b["interval"] for b in client.get("/api/review/next").json()["buttons"]}
    saved = datetime.fromisoformat(rate(client, "first-card", 4, "easy-first-5")["due"])
    assert saved == datetime(2026, 12, 4, 4, tzinfo=UTC)
    assert buttons["Easy"] == scheduling.format_interval(saved - NOW) == "3 d"


def test_cards_not_yet_studied_are_introduced_before_the_interview(client, clock):
    put(client, daily_new_limit=0)
    assert client.get("/api/review/next").json()["counts"]["new_left"] == 0
    # Five study days left, two of them the final window: two new cards over three days.
    assert client.get("/api/review/next").json()["new_limit_raised_to"] is None
    put(client, interview_date="2026-12-06")
    body = client.get("/api/review/next").json()
    assert body["counts"]["new_left"] == 1 and body["new_limit_raised_to"] == 1
    page = client.get("/").text
    assert "raised to 1 a day" in page
    # The next day the limit is worked out afresh from what is left.
    rate(client, "first-card", 3, "good-first-6")
    clock[0] = NOW + timedelta(days=1)
    assert client.get("/api/review/next").json()["counts"]["new_left"] == 1
    put(client, clear_interview_date=True)
    assert client.get("/api/review/next").json()["counts"]["new_left"] == 0


def test_the_home_page_promise_holds(client, app, clock):
    put(client, interview_date="2026-12-05")
    page = client.get("/").text
    assert "last review in the two days before the interview" in page
    assert "Your plan to the interview" in page and "On plan" in page
    # Every studied card's saved due date falls before the interview morning.
    rate(client, "first-card", 4, "easy-first-7")
    rate(client, "second-card", 3, "good-second-7")
    clock[0] = NOW + timedelta(minutes=11)
    rate(client, "second-card", 3, "good-second-8")
    interview = datetime(2026, 12, 5, 4, tzinfo=UTC)
    for slug in ("first-card", "second-card"):
        assert state(app, slug).due < interview


def test_the_plan_follows_reviews_and_says_where_the_learner_stands(client, clock):
    assert client.get("/api/plan").json() is None  # no interview date, no plan
    put(client, interview_date="2026-12-08")
    plan = client.get("/api/plan").json()
    assert plan["standing"] == "on plan" and plan["behind"] == 0
    assert (plan["total"], plan["ready_now"], plan["ready_planned"]) == (2, 0, 2)
    today = plan["days"][0]
    assert today["day"] == "2026-12-01"
    # Both cards are new today and each is asked twice (the 10-minute learning step).
    assert today["reviews"] == 4 and {c["card"] for c in today["cards"]} == {
        "first-card",
        "second-card",
    }
    assert all(c["new"] for c in today["cards"])
    assert today["minutes"] == round(4 * 30 / 60, 1)  # the default pace until reviews are timed
    assert all(d["day"] < "2026-12-08" for d in plan["days"])

    rate(client, "first-card", 3, "plan-good-1")  # the plan adapts: one review fewer today
    plan = client.get("/api/plan").json()
    assert plan["days"][0]["reviews"] == 3
    assert plan["days"][0]["minutes"] == round(3 * 4 / 60, 1)  # now at the learner's own pace

    clock[0] = NOW + timedelta(days=3)  # three days without studying
    plan = client.get("/api/plan").json()
    assert plan["behind"] == 1 and plan["standing"] == "1 review behind"
    assert plan["days"][0]["day"] == "2026-12-04"
    page = client.get("/").text
    assert "1 review behind" in page
    progress = client.get("/progress").text
    assert "Your plan to the interview" in progress and "1 review behind" in progress

    clock[0] = datetime(2026, 12, 8, 5, tzinfo=UTC)  # the interview morning: the plan is done
    assert client.get("/api/plan").json() is None


def test_a_merged_file_is_rescheduled_for_the_learners_interview(client, app, clock):
    from fastapi.testclient import TestClient

    rate(client, "first-card", 4, "easy-first-9")  # no interview date: FSRS's due, weeks away
    doc = client.get("/api/export").json()
    with TestClient(app, base_url="http://127.0.0.1") as other:
        assert other.put("/api/settings", json={"interview_date": "2026-12-05"}).status_code == 200
        merged = other.post("/api/import", json={"mode": "merge", "data": doc})
        assert merged.status_code == 200, merged.text
        state = next(s for s in other.get("/api/export").json()["card_states"])
    assert state["due"] == "2026-12-04T04:00:00Z"  # pulled before the interview, like her own
    assert state["fsrs_due"] == doc["card_states"][0]["fsrs_due"]
