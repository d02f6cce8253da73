"""Accounts through the JSON API and the /account forms: registering keeps a guest's progress,
sessions are renewed and ended where they should be, and failures are rate limited."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.db import utcnow
from app.main import create_app
from app.migrate import upgrade
from app.models import CardState, LoginAttempt, ReviewLog, User
from app.security import ratelimit
from tests.auth import PASSWORD, fast_hashing, login, me, register  # noqa: F401
from tests.clock import set_now
from tests.conftest import make_settings
from tests.forms import form

pytestmark = pytest.mark.usefixtures("fast_hashing")


def study(client, card="first-card", key="study-0001", rating=3):
    body = {"card": card, "rating": rating, "duration_ms": 900, "idempotency_key": key}
    response = client.post("/api/reviews", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def stages(client) -> dict[str, str]:
    return {c["slug"]: c["status"]["stage"] for c in client.get("/api/cards").json()}


def browser(app) -> TestClient:
    return TestClient(app, base_url="http://127.0.0.1")


def count(app, model, **where) -> int:
    with Session(app.state.engine) as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return session.exec(query).one()


def user_named(app, name) -> User | None:
    with Session(app.state.engine) as session:
        return session.exec(select(User).where(User.username == name)).first()


# --- registering and logging in -----------------------------------------------------------------


def test_a_guest_who_registers_keeps_their_progress_and_finds_it_elsewhere(client, app):
    study(client)
    assert count(app, User) == 1
    response = register(client, "Ada")
    assert response.status_code == 201
    assert response.json() == {"username": "ada", "guest": False}  # usernames are lower case
    assert count(app, User) == 1  # the guest's own row became the account
    assert stages(client)["first-card"] == "learning"

    with browser(app) as laptop:
        assert stages(laptop)["first-card"] == "new"  # a fresh guest first
        assert login(laptop, "ADA").json() == {"username": "ada", "guest": False}
        assert stages(laptop)["first-card"] == "learning"
        study(laptop, card="second-card", key="laptop-0001")
    assert stages(client)["second-card"] == "learning"  # and back the other way


@pytest.mark.parametrize(
    ("username", "password", "status", "words"),
    [
        ("ab", PASSWORD, 422, "username: must be 3 to 40 characters"),
        ("has space", PASSWORD, 422, "username: must be"),
        ("-dash-first", PASSWORD, 422, "username: must be"),
        ("ada", "short", 422, "password: must be at least 10 characters (it has 5)"),
        ("ada", "Password2024!", 422, "password: is on the list of common passwords"),
        ("ada.lovelace", "Ada.Lovelace", 422, "password: must not be your username"),
    ],
)
def test_registering_refuses_bad_input_and_changes_nothing(
    client, app, username, password, status, words
):
    study(client)
    response = register(client, username, password)
    assert response.status_code == status and words in response.json()["detail"]
    assert me(client) == {"username": None, "guest": True}
    assert count(app, User) == 1 and stages(client)["first-card"] == "learning"


def test_json_schema_limits_are_422_naming_the_field(client):
    response = client.post("/api/auth/register", json={"username": "ada"})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == "password"
    too_long = client.post("/api/auth/login", json={"username": "ada", "password": "x" * 129})
    assert too_long.status_code == 422 and "128" in too_long.text


def test_a_taken_username_is_409_whatever_its_case(client, app):
    assert register(client, "grace").status_code == 201
    with browser(app) as other:
        response = register(other, "Grace")
        assert response.status_code == 409 and "'grace' is taken" in response.json()["detail"]
        assert me(other)["guest"] is True


def test_an_account_cannot_register_again(client):
    register(client, "ada")
    response = register(client, "ada2")
    assert response.status_code == 409 and "log out" in response.json()["detail"]


def test_wrong_password_and_unknown_user_get_the_same_answer(client):
    register(client, "ada")
    client.post("/api/auth/logout")
    wrong = login(client, "ada", "not-the-password")
    unknown = login(client, "nobody-here", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"detail": "The username or the password is wrong."}
    assert me(client)["guest"] is True


def test_login_starts_a_new_session_and_the_old_cookie_stays_a_guest(client, app):
    client.get("/")
    planted = client.cookies.get("mc_session")  # e.g. fixed in the browser by someone else
    register(client, "ada")
    assert client.cookies.get("mc_session") != planted
    with browser(app) as other:
        other.cookies.set("mc_session", planted)
        assert me(other)["guest"] is True  # the planted cookie does not open the account


def test_logging_in_from_a_guest_with_progress_leaves_it_with_the_guest(client, app):
    with browser(app) as setup:
        register(setup, "ada")
    study(client, key="guest-0001")
    guest = count(app, User, username=None)
    assert login(client, "ada").status_code == 200
    assert stages(client)["first-card"] == "new"  # the account's progress, not the guest's
    assert count(app, User, username=None) == guest == 1  # the guest and its review remain
    assert count(app, ReviewLog) == 1


def test_logging_in_from_an_empty_guest_deletes_that_guest(client, app):
    with browser(app) as setup:
        register(setup, "ada")
    client.get("/")  # a visit writes nothing: no guest row yet
    assert count(app, User, username=None) == 0
    client.put("/api/settings", json={"timezone": "Europe/Paris"})  # a guest with no progress
    assert count(app, User, username=None) == 1
    login(client, "ada")
    assert count(app, User, username=None) == 0


# --- logging out, everywhere, password change, deletion ---------------------------------------


def test_logout_turns_this_browser_into_a_new_guest(client, app):
    register(client, "ada")
    study(client)
    assert client.post("/api/auth/logout").json() == {"username": None, "guest": True}
    assert me(client)["guest"] is True and stages(client)["first-card"] == "new"
    login(client, "ada")
    assert stages(client)["first-card"] == "learning"


def test_logout_as_a_guest_changes_nothing(client, app):
    study(client)
    assert client.post("/api/auth/logout").json() == {"username": None, "guest": True}
    assert stages(client)["first-card"] == "learning"


def test_logout_everywhere_ends_every_session_including_copies(client, app):
    register(client, "ada")
    with browser(app) as phone, browser(app) as thief:
        login(phone, "ada")
        thief.cookies.set("mc_session", phone.cookies.get("mc_session"))
        assert me(thief)["username"] == "ada"
        assert client.post("/api/auth/logout-everywhere").json()["guest"] is True
        assert me(phone)["guest"] is True and me(thief)["guest"] is True
        assert me(client)["guest"] is True
        assert login(phone, "ada").status_code == 200  # the account itself is untouched


def test_logout_everywhere_needs_an_account(client):
    response = client.post("/api/auth/logout-everywhere")
    assert response.status_code == 409 and "guest" in response.json()["detail"]


def test_password_change_keeps_this_session_and_ends_the_others(client, app):
    register(client, "ada")
    with browser(app) as phone:
        login(phone, "ada")
        new = "a-much-better-passphrase"
        body = {"current_password": PASSWORD, "new_password": new}
        assert client.post("/api/auth/password", json=body).json()["username"] == "ada"
        assert me(client)["username"] == "ada"
        assert me(phone)["guest"] is True
        assert login(phone, "ada").status_code == 401
        assert login(phone, "ada", new).status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (
            {"current_password": "wrong-password!", "new_password": "fine-new-pass-1"},
            401,
            "current",
        ),
        ({"current_password": PASSWORD, "new_password": "short"}, 422, "new_password: must be"),
        ({"current_password": PASSWORD, "new_password": PASSWORD}, 422, "must differ"),
    ],
)
def test_password_change_refusals_change_nothing(client, body, status, words):
    register(client, "ada")
    response = client.post("/api/auth/password", json=body)
    assert response.status_code == status and words in response.json()["detail"]
    client.post("/api/auth/logout")
    assert login(client, "ada").status_code == 200


def test_deleting_the_account_deletes_everything_it_owns(client, app):
    register(client, "ada")
    study(client)
    client.put("/api/settings", json={"daily_new_limit": 3})
    wrong = client.post("/api/auth/delete", json={"password": "not-my-password"})
    assert wrong.status_code == 401 and count(app, User, username="ada") == 1
    assert client.post("/api/auth/delete", json={"password": PASSWORD}).json()["guest"] is True
    assert count(app, User, username="ada") == 0
    assert count(app, CardState) == count(app, ReviewLog) == 0
    assert (
        me(client)["guest"] is True and client.get("/api/settings").json()["daily_new_limit"] == 10
    )
    assert login(client, "ada").status_code == 401


# --- cookies ------------------------------------------------------------------------------------


def test_session_cookie_is_httponly_lax_and_secure_when_asked(tmp_path, database_url):
    settings = make_settings(tmp_path, database_url=database_url, https_cookies=True)
    upgrade(settings)
    app = create_app(settings)
    with TestClient(app, base_url="https://127.0.0.1") as c:
        cookie = c.put("/api/settings", json={"timezone": "UTC"}).headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie
        assert "max-age=31536000" in c.get("/").headers["strict-transport-security"]
    app.state.engine.dispose()


# --- rate limits --------------------------------------------------------------------------------


def fail_logins(client, n, username="ada"):
    return [login(client, username, f"wrong-password-{i}").status_code for i in range(n)]


def test_five_failures_a_minute_on_one_account_then_429_with_retry_after(client, app, monkeypatch):
    register(client, "ada")
    client.post("/api/auth/logout")
    assert fail_logins(client, 5) == [401] * 5
    blocked = login(client, "ada")  # even the right password waits
    assert blocked.status_code == 429 and 1 <= int(blocked.headers["retry-after"]) <= 60
    assert "Try again in" in blocked.json()["detail"]
    assert login(client, "someone-else").status_code == 401  # other accounts are not blocked
    later = utcnow() + timedelta(seconds=61)
    set_now(app, lambda: later)
    assert login(client, "ada").status_code == 200


def test_limits_are_counted_in_the_database_across_workers(client, app, settings):
    register(client, "ada")
    second_worker = create_app(settings)  # another process would see the same database
    with browser(app) as a, TestClient(second_worker, base_url="http://127.0.0.1") as b:
        assert fail_logins(a, 3) + fail_logins(b, 2) == [401] * 5
        assert login(a, "ada").status_code == 429 and login(b, "ada").status_code == 429
    second_worker.state.engine.dispose()


def test_one_address_is_limited_across_usernames(client, app):
    per_minute = ratelimit.PER_ADDRESS[0].failures
    names = [f"user{i:03d}" for i in range(per_minute)]
    assert [login(client, n, "wrong-password").status_code for n in names] == [401] * per_minute
    response = login(client, "fresh-name")
    assert response.status_code == 429 and int(response.headers["retry-after"]) >= 1


def test_registration_failures_are_limited_too(client, app):
    register(client, "taken")
    with browser(app) as other:
        codes = [register(other, "taken").status_code for _ in range(5)]
        assert codes == [409] * 5
        assert register(other, "taken").status_code == 429


def test_old_failures_are_forgotten(client, app, monkeypatch):
    fail_logins(client, 2)
    # One per address, per (account, address) and per account, each time.
    assert count(app, LoginAttempt) == 6
    later = utcnow() + ratelimit.KEEP_FOR + timedelta(seconds=1)
    set_now(app, lambda: later)
    fail_logins(client, 1)
    assert count(app, LoginAttempt) == 3


# --- the /account page and its forms ------------------------------------------------------------


def page(response) -> BeautifulSoup:
    assert response.headers["content-type"].startswith("text/html")
    return BeautifulSoup(response.text, "html.parser")


def test_guest_page_offers_register_and_login_with_tokens_and_labels(client):
    html = page(client.get("/account"))
    assert html.select_one("h2#state-title").get_text(strip=True) == "You are studying as a guest"
    for action in ("/account/register", "/account/login"):
        form_el = html.select_one(f'form[action="{action}"]')
        assert form_el.select_one('input[name="csrf_token"]')["value"]
        for control in form_el.select("input:not([type=hidden])"):
            assert html.select_one(f'label[for="{control["id"]}"]'), control
    assert html.select_one("#register-password")["autocomplete"] == "new-password"
    assert html.select_one("#login-password")["autocomplete"] == "current-password"
    assert html.select_one('nav a[aria-current="page"]')["href"] == "/account"
    assert not html.select_one(".caution")


def test_guest_with_progress_is_warned_before_logging_in(client):
    study(client)
    assert "register instead" in page(client.get("/account")).select_one(".caution").text


def test_register_form_then_account_page_then_logout_form(client):
    response = client.post(
        "/account/register",
        data=form(client, {"username": "ada", "password": PASSWORD}),
        follow_redirects=False,
    )
    assert (
        response.status_code == 303 and response.headers["location"] == "/account?done=registered"
    )
    html = page(client.get(response.headers["location"]))
    assert html.select_one('[role="status"]').text.startswith("Your account is ready")
    assert html.select_one("h2#state-title .username").text == "ada"
    for action in ("logout", "logout-everywhere", "password", "delete"):
        assert html.select_one(f'form[action="/account/{action}"] input[name="csrf_token"]')
    out = client.post("/account/logout", data=form(client, {}), follow_redirects=False)
    assert out.headers["location"] == "/account?done=logged-out" and me(client)["guest"] is True


def test_form_errors_are_shown_next_to_the_field(client):
    response = client.post(
        "/account/register", data=form(client, {"username": "ada", "password": "short"})
    )
    assert response.status_code == 422
    html = page(response)
    field = html.select_one("#register-password")
    assert (
        field["aria-invalid"] == "true" and "register-password-error" in field["aria-describedby"]
    )
    assert "at least 10 characters" in html.select_one("#register-password-error").text
    assert html.select_one("#register-username")["value"] == "ada"  # kept for the retry
    assert html.select_one('.form-errors[role="alert"]')
    assert me(client)["guest"] is True


def test_login_form_failure_and_rate_limit_pages(client, app):
    with browser(app) as setup:
        register(setup, "ada")
    statuses = []
    for _ in range(6):
        data = form(client, {"username": "ada", "password": "wrong-password"})
        statuses.append(client.post("/account/login", data=data))
    assert [r.status_code for r in statuses] == [401] * 5 + [429]
    assert "wrong" in page(statuses[0]).select_one("#login-form-error").text
    assert int(statuses[-1].headers["retry-after"]) >= 1
    assert "Too many failed attempts" in page(statuses[-1]).select_one("#login-form-error").text


def test_password_and_delete_forms(client, app):
    register(client, "ada")
    new = "another-fine-passphrase"
    wrong = client.post(
        "/account/password",
        data=form(client, {"current_password": "nope-nope-nope", "new_password": new}),
    )
    assert wrong.status_code == 401
    assert page(wrong).select_one("#password-current_password")["aria-invalid"] == "true"
    ok = client.post(
        "/account/password",
        data=form(client, {"current_password": PASSWORD, "new_password": new}),
        follow_redirects=False,
    )
    assert ok.headers["location"] == "/account?done=password" and me(client)["username"] == "ada"
    gone = client.post(
        "/account/delete", data=form(client, {"password": new}), follow_redirects=False
    )
    assert gone.headers["location"] == "/account?done=deleted"
    assert user_named(app, "ada") is None


def test_logout_everywhere_form(client, app):
    register(client, "ada")
    with browser(app) as phone:
        login(phone, "ada")
        response = client.post(
            "/account/logout-everywhere", data=form(client, {}), follow_redirects=False
        )
        assert response.headers["location"] == "/account?done=everywhere"
        assert me(phone)["guest"] is True and me(client)["guest"] is True
