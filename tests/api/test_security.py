"""The doors a public server closes: CSRF, JSON only, cross-site requests, body sizes, headers,
errors without traces, a production start without a real secret key, and /docs without CDN."""

import json
import os
import subprocess
import sys

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.config import Settings
from app.main import create_app
from app.models import ReviewLog
from app.security.body_limit import MB
from app.security.headers import CONTENT_SECURITY_POLICY
from tests.auth import PASSWORD, fast_hashing, me, register  # noqa: F401
from tests.conftest import FIXTURE_DECK, ROOT
from tests.forms import csrf_token, form

REVIEW = {"card": "first-card", "rating": 3, "duration_ms": 500, "idempotency_key": "sec-00001"}
SETTINGS_FORM = {"desired_retention": "0.8", "daily_new_limit": "4", "timezone": "UTC"}


def reviews(app) -> int:
    with Session(app.state.engine) as session:
        return session.exec(select(func.count()).select_from(ReviewLog)).one()


def new_limit(client) -> int:
    return client.get("/api/settings").json()["daily_new_limit"]


# --- CSRF on HTML forms -------------------------------------------------------------------------


def test_a_form_post_without_the_token_is_a_friendly_403_and_changes_nothing(client):
    client.get("/settings")
    response = client.post("/settings", data=SETTINGS_FORM)
    assert response.status_code == 403
    html = BeautifulSoup(response.text, "html.parser")
    assert "could not be verified" in html.select_one("main").text
    assert "Traceback" not in response.text
    assert new_limit(client) == 10


def test_a_token_from_another_session_is_refused(client, app):
    with TestClient(app, base_url="http://127.0.0.1") as attacker:
        foreign = csrf_token(attacker)
    response = client.post("/settings", data={**SETTINGS_FORM, "csrf_token": foreign})
    assert response.status_code == 403 and new_limit(client) == 10


def test_the_right_token_in_the_form_or_the_header_is_accepted(client):
    ok = client.post("/settings", data=form(client, SETTINGS_FORM), follow_redirects=False)
    assert ok.status_code == 303 and new_limit(client) == 4
    header = client.post(
        "/settings",
        data={**SETTINGS_FORM, "daily_new_limit": "6"},
        headers={"X-CSRF-Token": csrf_token(client)},
        follow_redirects=False,
    )
    assert header.status_code == 303 and new_limit(client) == 6


def test_the_token_is_found_in_multipart_forms_too(client):
    data = form(client, SETTINGS_FORM)
    response = client.post(
        "/settings", data=data, files={"note": ("n.txt", b"x")}, follow_redirects=False
    )
    assert response.status_code == 303 and new_limit(client) == 4


@pytest.mark.usefixtures("fast_hashing")
def test_logging_in_renews_the_token(client):
    before = csrf_token(client)
    register(client, "ada")
    assert csrf_token(client) != before
    response = client.post("/account/logout", data={"csrf_token": before})
    assert response.status_code == 403 and me(client)["username"] == "ada"


# --- JSON only ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "content"),
    [
        ("text/plain", json.dumps(REVIEW)),
        ("application/x-www-form-urlencoded", "card=first-card&rating=3"),
        ("multipart/form-data; boundary=x", "--x--"),
        ("", json.dumps(REVIEW)),
    ],
)
def test_api_writes_accept_only_json(client, app, kind, content):
    headers = {"Content-Type": kind} if kind else {}
    response = client.post("/api/reviews", content=content, headers=headers)
    assert response.status_code == 415
    assert "Content-Type must be application/json" in response.json()["detail"]
    assert reviews(app) == 0


def test_json_with_a_charset_is_json(client, app):
    response = client.post(
        "/api/reviews",
        content=json.dumps(REVIEW),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 200 and reviews(app) == 1


def test_body_less_api_calls_need_no_content_type(client):
    # Names no rating, so undo refuses (409); but not for want of a Content-Type (415).
    assert client.post("/api/reviews/undo").status_code == 409


def test_settings_and_login_refuse_forms_on_the_api(client):
    assert client.put("/api/settings", data={"daily_new_limit": "3"}).status_code == 415
    login = client.post("/api/auth/login", data={"username": "a", "password": "b"})
    assert login.status_code == 415


# --- cross-site requests ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://127.0.0.1.evil.example"},
        {"Origin": "https://127.0.0.1:8443"},
        {"Referer": "http://evil.example/page"},
    ],
)
def test_a_cross_site_post_changes_nothing(client, app, headers):
    api = client.post("/api/reviews", json=REVIEW, headers=headers)
    assert api.status_code == 403 and "Cross-site request refused" in api.json()["detail"]
    page = client.post("/settings", data=form(client, SETTINGS_FORM), headers=headers)
    assert page.status_code == 403 and "text/html" in page.headers["content-type"]
    assert reviews(app) == 0 and new_limit(client) == 10


def test_same_site_requests_with_origin_or_referer_pass(client, app):
    same = {"Origin": "http://127.0.0.1"}
    assert client.post("/api/reviews", json=REVIEW, headers=same).status_code == 200
    referer = {"Referer": "http://127.0.0.1/settings"}
    ok = client.post(
        "/settings", data=form(client, SETTINGS_FORM), headers=referer, follow_redirects=False
    )
    assert ok.status_code == 303


def test_reading_is_allowed_from_anywhere(client):
    assert client.get("/api/cards", headers={"Origin": "http://evil.example"}).status_code == 200


# --- body sizes ---------------------------------------------------------------------------------


def test_a_declared_large_body_is_413_before_reading(client, app):
    big = json.dumps({**REVIEW, "pad": "x" * (MB + 10)})
    response = client.post(
        "/api/reviews", content=big, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413 and "1 MB" in response.json()["detail"]
    assert reviews(app) == 0


def test_an_undeclared_chunked_body_is_counted_and_cut(client, app):
    def chunks():
        yield b'{"pad": "'
        for _ in range(20):
            yield b"x" * (128 * 1024)
        yield b'"}'

    response = client.post(
        "/api/reviews", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413 and reviews(app) == 0


def test_a_large_form_is_a_413_page(client):
    data = form(client, {**SETTINGS_FORM, "pad": "x" * (MB + 10)})
    response = client.post("/settings", data=data)
    assert response.status_code == 413 and "text/html" in response.headers["content-type"]
    assert new_limit(client) == 10


def test_the_lab_may_take_two_megabytes(client):
    payload = b"x" * (MB + MB // 2)
    files = {"weights": ("w.npz", payload, "application/octet-stream")}
    assert client.post("/api/lab/run", files=files).status_code != 413
    files = {"weights": ("w.npz", payload * 2, "application/octet-stream")}
    response = client.post("/api/lab/run", files=files)
    assert response.status_code == 413 and "2 MB" in response.json()["detail"]


# --- headers and errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/account", "/api/cards", "/cards/nope", "/static/css/app.css"]
)
def test_security_headers_on_every_kind_of_response(client, path):
    headers = client.get(path).headers
    assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in headers["content-security-policy"]
    assert "'unsafe-inline'" not in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert "strict-transport-security" not in headers  # only when served over HTTPS


def test_refusals_carry_the_headers_too(client):
    refused = client.post("/api/reviews", json=REVIEW, headers={"Origin": "http://evil.example"})
    assert refused.headers["x-content-type-options"] == "nosniff"


def test_no_stack_trace_ever_reaches_a_user(app):
    def boom():
        raise RuntimeError("secret internals: /srv/db password=hunter2")

    app.add_api_route("/api/boom", boom)
    app.add_api_route("/boom", boom)
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as c:
        for path in ("/api/boom", "/boom"):
            response = c.get(path)
            assert response.status_code == 500
            assert "Traceback" not in response.text and "hunter2" not in response.text
            assert "unexpected error" in response.text
            assert response.headers["x-content-type-options"] == "nosniff"
        assert "Traceback" not in c.get("/api/cards/%00").text


# --- production start ---------------------------------------------------------------------------


def test_create_app_refuses_production_without_a_real_key(tmp_path):
    settings = Settings(
        environment="production", secret_key="", data_dir=tmp_path, questions_dir=FIXTURE_DECK
    )
    with pytest.raises(SystemExit) as exit_info:
        create_app(settings)
    assert str(exit_info.value) == (
        "error: cannot start: ENVIRONMENT=production needs SECRET_KEY "
        "(e.g. from `openssl rand -hex 32`)"
    )


@pytest.mark.parametrize("key", ["", "too-short", "test-secret-key-not-for-production"])
def test_the_start_command_refuses_with_one_line(tmp_path, key):
    env = {**os.environ, "ENVIRONMENT": "production", "SECRET_KEY": key, "DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "app.serve"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot start: ENVIRONMENT=production")
    assert not (tmp_path / "memory-cell.db").exists()  # refused before touching the database


# --- /docs --------------------------------------------------------------------------------------


def test_docs_page_lists_the_api_without_third_party_script(client):
    response = client.get("/docs")
    assert response.status_code == 200
    html = BeautifulSoup(response.text, "html.parser")
    scripts = [s.get("src", "") for s in html.select("script")]
    assert all(src.startswith("/static/") for src in scripts) and len(scripts) == 2
    anchors = {a.get_text(" ", strip=True) for a in html.select("nav.toc a")}
    assert {"POST /api/auth/register", "POST /api/reviews", "GET /api/cards"} <= anchors
    review = html.select_one("#schema-ReviewIn")
    row = next(tr for tr in review.select("tbody tr") if tr.select_one("code").text == "rating")
    assert "integer (1 to 4)" in row.text and "yes" in row.text
    assert html.select_one('a[href="/openapi.json"]')
    assert client.get("/openapi.json").json()["info"]["title"] == "Memory Cell"
    assert client.get("/redoc").status_code == 404
