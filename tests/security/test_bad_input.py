"""Issue 13, item 7 (the non-lab cases): bad input is a 4xx naming the field, never a 500 or a
dropped connection. Every date taken from a user goes through `app.moments.UserDateTime`."""

from datetime import UTC, datetime

import pytest
from pydantic import TypeAdapter, ValidationError

from app.moments import UserDate, UserDateTime
from tests.clock import move_clock

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("since", "says"),
    [
        ("2024-01-01T00:00:00", "time zone"),
        ("9999-12-31T23:59:59-14:00", "between the years"),
        ("0001-01-01T00:00:00+05:00", "between the years"),
        ("1999-12-31T23:59:59Z", "between the years"),
    ],
)
def test_a_naive_or_out_of_range_since_is_a_422_naming_it(qc, since, says):
    response = qc.get("/api/review/next", params={"mode": "mistakes", "since": since})
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["query", "since"] and says in error["msg"]


def test_an_aware_since_in_range_is_accepted(qc):
    response = qc.get(
        "/api/review/next", params={"mode": "mistakes", "since": "2026-03-01T09:00:00+02:00"}
    )
    assert response.status_code == 200


def test_the_shared_type_converts_to_utc_and_checks_the_range():
    moment = TypeAdapter(UserDateTime).validate_python("2026-03-01T09:00:00+02:00")
    assert moment == datetime(2026, 3, 1, 7, tzinfo=UTC) and moment.tzinfo == UTC
    for bad in ("2026-03-01T09:00:00", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-14:00"):
        with pytest.raises(ValidationError):
            TypeAdapter(UserDateTime).validate_python(bad)
    with pytest.raises(ValidationError):
        TypeAdapter(UserDate).validate_python("0001-01-01")


def progress_file(**changes) -> dict:
    doc = {
        "format": "memory-cell-progress",
        "version": 1,
        "exported_at": T0.isoformat(),
        "settings": {"timezone": "UTC", "desired_retention": 0.9, "daily_new_limit": 10},
    }
    return {**doc, **changes}


def test_an_import_nested_five_thousand_deep_is_a_400(qc):
    deep = "[" * 5000 + "]" * 5000
    body = '{"mode": "replace", "data": ' + deep + "}"
    response = qc.post("/api/import", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400 and "nested too deeply" in response.json()["detail"]
    for path in ("/api/reviews", "/api/quizzes", "/api/settings"):
        method = qc.put if path == "/api/settings" else qc.post
        response = method(path, content=deep, headers={"content-type": "application/json"})
        assert 400 <= response.status_code < 500


def test_an_import_timestamp_overflowing_utc_is_a_422_naming_it(qc):
    review = {"card": "forget-gate", "rating": 3, "reviewed_at": "0001-01-01T00:00:00+05:00"}
    response = qc.post(
        "/api/import", json={"mode": "replace", "data": progress_file(review_log=[review])}
    )
    assert response.status_code == 422
    assert "review_log.0.reviewed_at" in response.json()["detail"]


def test_an_imported_interview_date_in_year_one_is_refused_and_reviews_still_work(qc):
    settings = {
        "timezone": "UTC",
        "desired_retention": 0.9,
        "daily_new_limit": 10,
        "interview_date": "0001-01-01",
    }
    response = qc.post(
        "/api/import", json={"mode": "replace", "data": progress_file(settings=settings)}
    )
    assert response.status_code == 422
    assert "settings.interview_date" in response.json()["detail"]
    body = {"card": "forget-gate", "rating": 3, "idempotency_key": "key-000001"}
    assert qc.post("/api/reviews", json=body).status_code == 200
    assert qc.put("/api/settings", json={"interview_date": "0001-01-01"}).status_code == 422


def mock_in_review(qc) -> dict:
    """A two-question mock: question 0 answered, question 1 left until its time ran out."""
    mock = qc.post(
        "/api/quizzes",
        json={"kind": "mock", "cards": ["forget-gate", "gru-update"], "time_limit_s": 60},
    ).json()
    qc.post(f"/api/quizzes/{mock['id']}/answers", json={"item": 0, "answer": "The forget gate"})
    move_clock(qc.app, 200)
    state = qc.get(f"/api/quizzes/{mock['id']}").json()
    assert state["status"] == "review" and state["items"][1]["state"] == "timed_out"
    return mock


def test_the_mock_review_form_refuses_a_superscript_digit_and_changes_nothing(qc):
    mock = mock_in_review(qc)
    page = qc.get(f"/quiz/{mock['id']}").text
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    form = {"csrf_token": token, "ticked-0": ["0", "²"]}
    response = qc.post(f"/quiz/{mock['id']}/checklist", data=form, follow_redirects=False)
    assert response.status_code == 422 and "ticked-0" in response.text
    assert qc.get(f"/api/quizzes/{mock['id']}").json()["status"] == "review"  # not finished


def test_a_mock_question_that_timed_out_scores_zero_and_goes_back_to_review(qc):
    """Issue 13, item 9: whatever is ticked for it, like a timed-out quiz item."""
    mock = mock_in_review(qc)
    qc.put(f"/api/quizzes/{mock['id']}/checklist", json={"item": 0, "ticked": [0, 1, 2]})
    qc.put(f"/api/quizzes/{mock['id']}/checklist", json={"item": 1, "ticked": [0, 1]})
    done = qc.post(f"/api/quizzes/{mock['id']}/finish").json()
    timed_out = done["items"][1]["feedback"]
    assert timed_out["outcome"] == "timed_out"
    # Question 0 (all three key points) counts 1, question 1 counts 0: the mean is 0.5.
    assert done["result"]["score"] == pytest.approx(0.5)
    due = qc.get("/api/review/next").json()
    assert due["card"]["slug"] == "gru-update"  # its card is due at once


def test_the_timed_out_rule_holds_for_imported_mocks_too(qc):
    mock = mock_in_review(qc)
    qc.put(f"/api/quizzes/{mock['id']}/checklist", json={"item": 1, "ticked": [0, 1]})
    qc.post(f"/api/quizzes/{mock['id']}/finish")
    doc = qc.get("/api/export").json()
    doc["quizzes"][0]["answers"][1]["self_score"] = 1.0  # a file that claims otherwise
    assert qc.post("/api/import", json={"mode": "replace", "data": doc}).status_code == 200
    again = qc.get("/api/export").json()["quizzes"][0]
    assert again["answers"][1]["self_score"] == 0.0
    assert again["score"] == pytest.approx(0.0)
