"""Issue 14.12: every message a learner can see is written for them. This walks the error paths of
the JSON API and the pages with bad input and checks that no answer carries a Python, Pydantic,
NumPy or JSON-parser phrase, and that the answers name the field and the limit."""

import json

import pytest

from app import messages
from app.messages import LIBRARY_PHRASES
from tests.forms import form

HEADERS = {"Content-Type": "application/json"}


def texts(response) -> list[str]:
    """The messages in an answer: every `detail` (or `msg`) of JSON, or the page's text."""
    if response.headers.get("content-type", "").startswith("application/json"):
        detail = response.json().get("detail")
        if isinstance(detail, list):
            return [d["msg"] for d in detail]
        return [str(detail)]
    return [response.text]


def assert_written_for_people(response, *expected: str) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    found = texts(response)
    for text in found:
        leaked = [p for p in LIBRARY_PHRASES if p.lower() in text.lower()]
        assert not leaked, f"{leaked} in {text[:400]!r}"
    for phrase in expected:
        assert any(phrase in text for text in found), (phrase, found)


API_CASES = [
    # (method, path, json body or raw bytes, phrases the message must contain)
    ("POST", "/api/reviews", {}, ["Card is required.", "Rating is required."]),
    (
        "POST",
        "/api/reviews",
        {"card": "first-card", "rating": 9, "idempotency_key": "abcdefgh"},
        ["Rating can be at most 4."],
    ),
    (
        "POST",
        "/api/reviews",
        {"card": "first-card", "rating": "good", "idempotency_key": "abcdefgh"},
        ["Rating must be a whole number."],
    ),
    ("POST", "/api/reviews", b'{"card": ', ["isn't valid JSON"]),
    ("POST", "/api/reviews/undo", {"idempotency_key": "x"}, ["at least 8 characters"]),
    ("POST", "/api/reviews/undo", {}, ["idempotency_key"]),
    ("PUT", "/api/settings", {"daily_new_limit": "many"}, ["New cards a day"]),
    ("PUT", "/api/settings", {"desired_retention": 2}, ["Desired retention"]),
    ("PUT", "/api/settings", {"interview_date": "next week"}, ["date like 2026-12-04"]),
    ("GET", "/api/review/next?days=0", None, ["at least 1"]),
    ("GET", "/api/review/next?mode=everything", None, ["must be one of"]),
    ("POST", "/api/quizzes", {"size": 999}, ["Number of items (size)"]),
    ("POST", "/api/quizzes", {"kinds": ["essay"]}, ["must be one of"]),
    (
        "POST",
        "/api/lab/train",
        {"config": {"H": 65}},
        ["Hidden size (config.H) can be at most 64 when training live."],
    ),
    ("POST", "/api/lab/train", {"config": {"lr": "fast"}}, ["must be a number"]),
    ("POST", "/api/lab/run", {"surprise": 1}, ["not a field this request accepts"]),
    ("POST", "/api/import", b"not json at all", ["isn't valid JSON"]),
    ("POST", "/api/import", {"mode": "replace", "data": {"format": "x"}}, []),
    ("POST", "/api/auth/register", {"username": "ada", "password": "short"}, ["password"]),
    ("POST", "/api/auth/login", {"username": "ada"}, ["Password is required."]),
]


@pytest.mark.parametrize("case", API_CASES, ids=lambda c: f"{c[0]} {c[1]} {str(c[2])[:30]}")
def test_api_errors_are_sentences_for_people(client, case):
    method, path, body, expected = case
    if isinstance(body, bytes):
        response = client.request(method, path, content=body, headers=HEADERS)
    else:
        response = client.request(method, path, json=body)
    assert_written_for_people(response, *expected)


def test_a_text_file_uploaded_as_weights_gets_no_numpy_advice(client):
    response = client.post(
        "/api/lab/run", files={"weights": ("w.npz", b"0.1 0.2 0.3\n0.4 0.5 0.6\n")}
    )
    assert_written_for_people(response, "np.savez")


def test_a_backup_that_is_not_json_says_so(client):
    data = form(client, {"mode": "replace"}, page="/progress")
    files = {"file": ("backup.json", b"this is not json", "application/json")}
    response = client.post("/api/import", data=data, files=files)
    assert_written_for_people(response, messages.NOT_A_BACKUP_JSON)


def test_a_backup_with_a_bad_field_names_it_in_words(client):
    client.post(
        "/api/reviews", json={"card": "first-card", "rating": 3, "idempotency_key": "k" * 8}
    )
    exported = client.get("/api/export").json()
    exported["review_log"][0]["rating"] = 7
    response = client.post("/api/import", json={"mode": "merge", "data": exported})
    assert_written_for_people(response, "Rating (review_log.0.rating) can be at most 4.")


PAGE_CASES = [
    ("GET", "/quiz/not-a-number", None, ["must be a whole number"]),
    ("GET", "/cards/no-such-card", None, []),
    ("POST", "/settings", {"daily_new_limit": "lots", "desired_retention": "0.9"}, []),
    ("POST", "/settings", {"daily_new_limit": "5", "desired_retention": "7"}, []),
    ("POST", "/account/register", {"username": "ada", "password": "short"}, ["Password must"]),
    ("POST", "/account/login", {"username": "nobody-here", "password": "x" * 12}, []),
]


@pytest.mark.parametrize("case", PAGE_CASES, ids=lambda c: f"{c[0]} {c[1]} {str(c[2])[:30]}")
def test_page_errors_are_sentences_for_people(client, case):
    method, path, data, expected = case
    if data is None:
        response = client.request(method, path)
    else:
        page = "/settings" if path == "/settings" else "/account"
        response = client.post(path, data=form(client, data, page=page), follow_redirects=False)
    if response.status_code in (200, 303):  # a form page re-rendered with its errors
        response.status_code = 422
    assert_written_for_people(response, *expected)


def test_every_pydantic_error_type_has_its_sentence():
    """The fallback ("is not valid") is for types we do not expect; the common ones are worded."""
    for kind in ("missing", "int_parsing", "less_than_equal", "string_too_long", "json_invalid"):
        text = messages.field_message({"type": kind, "loc": ("body", "H"), "ctx": {"le": 64}})
        assert "is not valid" not in text and not any(p in text for p in LIBRARY_PHRASES)
    assert json.dumps(messages.field_message({"type": "unknown", "loc": ("body", "x")}))


def test_a_field_with_an_empty_name_gets_a_sentence(client):
    """Found by the fuzzer: a body with an empty key answered 500 while its message was made."""
    response = client.post("/api/lab/run", json={"preset": "adding-lstm", "": 1})
    assert response.status_code == 422
    assert "A field with an empty name" in response.text
