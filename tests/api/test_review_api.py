"""Reviews through the API: next card, rating, idempotency, concurrency, undo, limits, mistakes."""

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import CardState, ReviewLog, User
from app.services import reviews as review_service
from tests.clock import set_now
from tests.forms import form


def rate(client, card="first-card", rating=3, key="key-0001", **extra):
    body = {"card": card, "rating": rating, "duration_ms": 1500, "idempotency_key": key, **extra}
    return client.post("/api/reviews", json=body)


def rows(app, model):
    with Session(app.state.engine) as session:
        return session.exec(select(model)).all()


def test_next_card_is_the_first_new_card_with_four_buttons(client):
    body = client.get("/api/review/next").json()
    assert body["card"]["slug"] == "first-card"
    assert body["is_new"] is True and body["retrievability"] is None
    assert [b["label"] for b in body["buttons"]] == ["Again", "Hard", "Good", "Easy"]
    assert [b["interval"] for b in body["buttons"]][:1] == ["1 min"]
    assert body["counts"] == {
        "due_now": 0,
        "due_today": 0,
        "new_left": 2,
        "new_waiting": 0,
        "due_ahead": 0,
    }
    assert "<math" in body["card"]["full_answer"]["html"]


def test_rating_records_state_and_log(client, app):
    response = rate(client, rating=3)
    assert response.status_code == 200
    body = response.json()
    assert body["stage"] == "learning" and body["reps"] == 1 and body["lapses"] == 0
    due = datetime.fromisoformat(body["due"])
    assert (
        timedelta(minutes=9)
        < due - datetime.fromisoformat(body["reviewed_at"])
        <= timedelta(minutes=10)
    )
    (log,) = rows(app, ReviewLog)
    assert (log.card_slug, log.rating, log.source, log.duration_ms) == (
        "first-card",
        3,
        "review",
        1500,
    )
    assert log.reviewed_at.tzinfo is not None  # aware on the way out, even on SQLite
    (state,) = rows(app, CardState)
    assert state.due.tzinfo is not None and state.due == due


def test_same_key_twice_records_one_review_and_returns_the_same_result(client, app):
    first = rate(client, rating=3, key="double-click-1")
    second = rate(client, rating=1, key="double-click-1")  # a retry, even with other fields
    assert second.status_code == 200
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert len(rows(app, ReviewLog)) == 1


def test_two_tabs_submitting_the_same_key_at_once_record_one_review(app):
    results = []

    def submit():
        with TestClient(app) as c:
            c.cookies.set("mc_session", cookie)
            results.append(rate(c, key="two-tabs-0001"))

    with TestClient(app) as c:
        c.put("/api/settings", json={"timezone": "UTC"})  # the first write makes the guest
        cookie = c.cookies.get("mc_session")
    threads = [threading.Thread(target=submit) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r.status_code == 200 for r in results)
    assert len({json.dumps(r.json(), sort_keys=True) for r in results}) == 1
    assert len(rows(app, ReviewLog)) == 1
    (state,) = rows(app, CardState)
    assert state.reps == 1


def test_concurrent_different_reviews_of_one_card_are_all_counted(app):
    with TestClient(app) as c:
        c.put("/api/settings", json={"timezone": "UTC"})  # the first write makes the guest
        cookie = c.cookies.get("mc_session")
    statuses = []

    def submit(i):
        with TestClient(app) as c:
            c.cookies.set("mc_session", cookie)
            statuses.append(rate(c, key=f"parallel-{i:04d}").status_code)

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 8
    (state,) = rows(app, CardState)
    assert state.reps == 8 == len(rows(app, ReviewLog))  # compare-and-swap lost no update


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"card": "first-card", "rating": 0, "idempotency_key": "abcdefgh"}, "rating"),
        ({"card": "first-card", "rating": 5, "idempotency_key": "abcdefgh"}, "rating"),
        ({"card": "first-card", "rating": 3, "idempotency_key": "short"}, "idempotency_key"),
        ({"card": "first-card", "rating": 3, "idempotency_key": "bad key!!"}, "idempotency_key"),
        ({"card": "first-card", "rating": 3}, "idempotency_key"),
        (
            {"card": "first-card", "rating": 3, "idempotency_key": "abcdefgh", "duration_ms": -1},
            "duration_ms",
        ),
        ({"card": "", "rating": 3, "idempotency_key": "abcdefgh"}, "card"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_changes_nothing(client, app, body, field):
    response = client.post("/api/reviews", json=body)
    assert response.status_code == 422
    assert any(error["loc"][-1] == field for error in response.json()["detail"])
    assert rows(app, ReviewLog) == [] and rows(app, CardState) == []
    assert rows(app, User) == []  # a new visitor's bad first rating makes no guest either
    assert "mc_session" not in response.cookies


def test_unknown_card_is_404_and_changes_nothing(client, app):
    response = rate(client, card="no-such-card")
    assert response.status_code == 404
    assert "no-such-card" in response.json()["detail"]
    assert rows(app, ReviewLog) == [] and rows(app, User) == []
    assert rate(client, key="key-0002", answer_points=[99]).status_code == 422
    assert rows(app, User) == []


def undo(client, **body):
    return client.post("/api/reviews/undo", json=body)


def test_undo_restores_the_exact_previous_state_and_removes_the_log(client, app):
    rate(client, rating=3, key="first-good")
    (before,) = rows(app, CardState)
    snapshot = before.model_dump(exclude={"id"})
    rated = rate(client, rating=1, key="then-again").json()
    assert len(rows(app, ReviewLog)) == 2
    undone = undo(client, review_id=rated["review_id"])
    assert undone.status_code == 200 and undone.json()["rating"] == 1
    (after,) = rows(app, CardState)
    assert after.model_dump(exclude={"id"}) == snapshot
    assert [log.idempotency_key for log in rows(app, ReviewLog)] == ["first-good"]
    # Undoing the first review makes the card new again (no state row).
    assert undo(client, idempotency_key="first-good").json()["stage"] == "new"
    assert rows(app, CardState) == [] and rows(app, ReviewLog) == []
    again = undo(client, idempotency_key="first-good")
    assert again.status_code == 409 and "already undone" in again.json()["detail"]


def test_undo_that_names_no_rating_is_refused_and_says_what_to_send(client, app):
    rate(client, rating=3, key="named-later")
    for response in (client.post("/api/reviews/undo"), undo(client)):
        assert response.status_code == 409
        assert "idempotency_key" in response.json()["detail"]
    assert len(rows(app, ReviewLog)) == 1


def test_undo_of_a_review_id_past_the_columns_range_is_a_422_not_a_500(client, app):
    # Found by the API fuzzer on PostgreSQL: 2**31 overflowed the 32-bit id in the query.
    rate(client, rating=3, key="kept-rating")
    response = undo(client, review_id=2**31)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "review_id"] and "at most 2147483647" in error["msg"]
    assert len(rows(app, ReviewLog)) == 1


def test_undo_never_reaches_a_quiz_rating(client, app):
    """Issue 14.1: a quiz's Again rating is not the review screen's to undo."""
    screen_rating = rate(client, card="second-card", rating=3, key="screen-0001").json()
    with Session(app.state.engine) as session:
        user = session.exec(select(User)).one()
        review_service.record_review(
            session,
            user,
            "first-card",
            review_service.Rating.AGAIN,
            datetime.now(UTC),
            idempotency_key="quiz-timeout-1",
            source="quiz",
        )
    refused = undo(client, idempotency_key="quiz-timeout-1")
    assert refused.status_code == 409 and "quiz" in refused.json()["detail"]
    assert len(rows(app, ReviewLog)) == 2
    # The screen's own rating is still undoable, though the quiz's came after it.
    assert undo(client, review_id=screen_rating["review_id"]).status_code == 200


def test_undo_refuses_a_rating_that_a_later_one_of_the_card_superseded(client, app):
    rate(client, rating=3, key="older-0001")
    rate(client, rating=1, key="newer-0001")
    refused = undo(client, idempotency_key="older-0001")
    assert refused.status_code == 409 and "later rating" in refused.json()["detail"]
    assert len(rows(app, ReviewLog)) == 2


def test_a_replayed_rating_returns_the_same_review_id(client):
    first = rate(client, key="replay-id-1").json()
    again = rate(client, key="replay-id-1")
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["review_id"] == first["review_id"]


def test_undo_is_scoped_to_the_user(app):
    with TestClient(app) as alice, TestClient(app) as bob:
        rated = rate(alice, key="alice-0001").json()
        assert undo(bob, idempotency_key="alice-0001").status_code == 409
        assert undo(bob, review_id=rated["review_id"]).status_code == 409
        assert len(rows(app, ReviewLog)) == 1


def test_daily_new_card_limit_holds(client):
    client.put("/api/settings", json={"daily_new_limit": 1})
    rate(client, card="first-card", rating=4, key="easy-first")  # graduates: due in days
    body = client.get("/api/review/next").json()
    assert body["card"] is None and body["counts"]["new_left"] == 0
    assert body["next_due"] is not None
    client.put("/api/settings", json={"daily_new_limit": 2})
    assert client.get("/api/review/next").json()["card"]["slug"] == "second-card"


def test_mistakes_session_lists_cards_rated_again(client):
    rate(client, card="second-card", rating=1, key="forgot-0001")
    since = datetime.now(UTC).isoformat()
    body = client.get("/api/review/next", params={"mode": "mistakes", "days": 7}).json()
    assert body["card"]["slug"] == "second-card"
    # Once reviewed in this session, it is not offered again.
    body = client.get("/api/review/next", params={"mode": "mistakes", "since": since}).json()
    assert body["card"]["slug"] == "second-card"
    rate(client, card="second-card", rating=3, key="remembered-1")
    body = client.get("/api/review/next", params={"mode": "mistakes", "since": since}).json()
    assert body["card"] is None


def test_four_lapses_make_a_leech(client, app, monkeypatch):
    clock = [datetime(2026, 1, 1, 12, tzinfo=UTC)]
    set_now(app, lambda: clock[0])
    rate(client, rating=4, key="graduate-00")
    for i in range(4):
        clock[0] += timedelta(days=30)
        body = rate(client, rating=1, key=f"lapse-{i:05d}").json()  # forgotten: a lapse
        clock[0] += timedelta(days=1)
        rate(client, rating=4, key=f"relearn-{i:04d}")
    assert body["lapses"] == 4 and body["leech"] is True


def test_interview_date_pulls_reviews_before_it(client, app, monkeypatch):
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    set_now(app, lambda: now)
    assert client.put("/api/settings", json={"interview_date": "2026-06-05"}).status_code == 200
    body = rate(client, rating=4, key="easy-before").json()
    due = datetime.fromisoformat(body["due"])
    interview = datetime(2026, 6, 5, 4, tzinfo=UTC)  # 4 am, the study day's start (zone UTC)
    assert interview - timedelta(days=2) <= due < interview


def test_settings_validation_names_the_field_and_changes_nothing(client):
    before = client.get("/api/settings").json()
    for body, field in [
        ({"desired_retention": 0.5}, "desired_retention"),
        ({"desired_retention": 0.98}, "desired_retention"),
        ({"daily_new_limit": -1}, "daily_new_limit"),
        ({"timezone": "Nowhere/Special", "desired_retention": 0.8}, "timezone"),
    ]:
        response = client.put("/api/settings", json=body)
        assert response.status_code == 422
        assert field in json.dumps(response.json())
    past = client.put("/api/settings", json={"interview_date": "2001-01-01", "daily_new_limit": 5})
    assert past.status_code == 422 and "interview_date" in past.json()["detail"]
    assert client.get("/api/settings").json() == before


def test_settings_form_shows_errors_next_to_fields(client):
    page = client.get("/settings")
    assert page.status_code == 200 and 'name="desired_retention"' in page.text
    response = client.post(
        "/settings",
        data=form(
            client,
            {
                "desired_retention": "2",
                "daily_new_limit": "5",
                "timezone": "UTC",
                "interview_date": "",
            },
        ),
    )
    assert response.status_code == 422
    assert (
        'id="desired_retention-error"' in response.text and 'aria-invalid="true"' in response.text
    )
    assert client.get("/api/settings").json()["daily_new_limit"] == 10  # nothing saved
    ok = client.post(
        "/settings",
        data=form(
            client,
            {"desired_retention": "0.85", "daily_new_limit": "5", "timezone": "Europe/Paris"},
        ),
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert client.get("/api/settings").json() == {
        "desired_retention": 0.85,
        "daily_new_limit": 5,
        "timezone": "Europe/Paris",
        "interview_date": None,
        "lab_predict": False,  # the form was sent without the checkbox: unticked, as a browser
    }


def test_due_today_follows_the_local_4_am_rollover(client, app, monkeypatch):
    # 02:00 in Tokyo (17:00 UTC): the study day started at 4 am the day before, ends at 4 am.
    now = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)
    set_now(app, lambda: now)
    client.put("/api/settings", json={"timezone": "Asia/Tokyo"})
    with Session(app.state.engine) as session:
        user = session.exec(select(User)).one()
        start, end = review_service.study_day(user, now)
    assert start == datetime(2026, 3, 9, 19, 0, tzinfo=UTC) and end == datetime(
        2026, 3, 10, 19, 0, tzinfo=UTC
    )
    rate(client, rating=3, key="tokyo-00001")  # due in 10 min: today
    assert client.get("/api/review/next").json()["counts"]["due_today"] == 1
