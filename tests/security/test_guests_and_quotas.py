"""Issue 13, item 5: visits do not write (a guest row is made on the first write, never on a
page view or a GET), idle guests are purged, and per-user quotas answer 409 / 429."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.db import utcnow
from app.main import purge_guests
from app.models import User
from app.services import backup, quizzes
from app.services.accounts import purge_idle_guests

PAGES = (
    "/",
    "/cards",
    "/review",
    "/quiz",
    "/mock",
    "/quiz/history",
    "/progress",
    "/lab",
    "/settings",
    "/account",
    "/api/cards",
    "/api/review/next",
    "/api/progress",
    "/api/quizzes",
    "/api/export",
    "/api/settings",
    "/api/auth/me",
    "/healthz",
)


def users(app) -> int:
    with Session(app.state.engine) as session:
        return session.exec(select(func.count()).select_from(User)).one()


def test_a_thousand_cookieless_visits_write_no_row(quiz_app):
    for k in range(50):
        with TestClient(quiz_app, base_url="http://127.0.0.1") as c:  # no cookie each time
            for path in PAGES if k == 0 else PAGES[:3]:
                assert c.get(path).status_code == 200, path
    assert users(quiz_app) == 0


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        (
            "post",
            "/api/reviews",
            {"card": "forget-gate", "rating": 3, "idempotency_key": "key-00001"},
        ),
        ("post", "/api/quizzes", {"size": 5}),
        ("put", "/api/settings", {"daily_new_limit": 5}),
    ],
)
def test_the_first_write_creates_the_guest(qc, quiz_app, method, path, body):
    assert getattr(qc, method)(path, json=body).status_code in (200, 201)
    assert users(quiz_app) == 1


def test_idle_guests_without_progress_are_purged_and_the_rest_kept(qc, quiz_app):
    qc.put("/api/settings", json={"daily_new_limit": 5})  # a guest with no progress
    with TestClient(quiz_app, base_url="http://127.0.0.1") as studying:
        studying.post(
            "/api/reviews",
            json={"card": "forget-gate", "rating": 3, "idempotency_key": "key-00002"},
        )
    assert users(quiz_app) == 2
    with Session(quiz_app.state.engine) as session:
        now = utcnow()
        assert purge_idle_guests(session, now, timedelta(days=30)) == 0  # too young
        later = now + timedelta(days=31)
        assert purge_idle_guests(session, later, timedelta(days=30)) == 1
    assert users(quiz_app) == 1  # the guest with a review stays
    assert qc.get("/api/settings").json()["daily_new_limit"] != 5  # its cookie is a new visitor


def test_the_purge_runs_at_start_up(quiz_app, monkeypatch):
    calls = []
    monkeypatch.setattr("app.main.purge_guests", lambda engine, days: calls.append(days))
    with TestClient(quiz_app, base_url="http://127.0.0.1"):
        pass
    assert calls == [quiz_app.state.settings.guest_max_age_days]
    assert purge_guests(quiz_app.state.engine, 30) == 0


def test_attempts_running_at_once_are_capped_with_a_409(qc, monkeypatch):
    monkeypatch.setattr(quizzes, "MAX_OPEN_ATTEMPTS", 2)
    for _ in range(2):
        assert qc.post("/api/quizzes", json={"size": 5}).status_code == 201
    refused = qc.post("/api/quizzes", json={"size": 5})
    assert refused.status_code == 409 and "running" in refused.json()["detail"]
    first = qc.get("/api/quizzes").json()[-1]["id"]
    qc.post(f"/api/quizzes/{first}/finish")
    assert qc.post("/api/quizzes", json={"size": 5}).status_code == 201


def test_attempts_a_day_are_capped_with_a_429(qc, monkeypatch):
    monkeypatch.setattr(quizzes, "MAX_STARTS_PER_DAY", 3)
    for _ in range(3):
        started = qc.post("/api/quizzes", json={"size": 5}).json()
        qc.post(f"/api/quizzes/{started['id']}/finish")
    refused = qc.post("/api/quizzes", json={"size": 5})
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 3600 * 23


def test_imports_a_day_are_capped_with_a_429(qc, monkeypatch):
    monkeypatch.setattr(backup, "MAX_IMPORTS_PER_DAY", 2)
    doc = qc.get("/api/export").json()
    assert qc.post("/api/import", json={"mode": "merge", "data": doc}).status_code == 200
    assert qc.post("/api/import", json={"mode": "merge", "data": {}}).status_code == 422
    refused = qc.post("/api/import", json={"mode": "merge", "data": doc})
    assert refused.status_code == 429 and "imports in 24 hours" in refused.json()["detail"]
    assert int(refused.headers["retry-after"]) > 3600 * 23


def test_the_export_is_never_cached(qc):
    response = qc.get("/api/export")
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"


def test_a_form_on_the_page_still_works_after_a_scripts_first_write_made_the_guest(qc):
    page = qc.get("/settings").text  # a visitor: no guest yet, but a form token
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    body = {"card": "forget-gate", "rating": 3, "idempotency_key": "key-00003"}
    assert qc.post("/api/reviews", json=body).status_code == 200  # the guest is made here
    form = {"csrf_token": token, "timezone": "UTC", "desired_retention": "0.9"}
    response = qc.post("/settings", data=form, follow_redirects=False)
    assert response.status_code in (200, 303), response.text[:300]
