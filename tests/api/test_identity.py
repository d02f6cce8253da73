"""Guest identity: a signed, HttpOnly, SameSite=Lax session cookie names a guest user."""

from sqlmodel import Session, func, select

from app.models import User


def count_users(app) -> int:
    with Session(app.state.engine) as session:
        return session.exec(select(func.count()).select_from(User)).one()


def test_first_visit_creates_one_guest_behind_a_safe_cookie(client, app):
    response = client.get("/")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("mc_session=")
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    assert count_users(app) == 1
    client.get("/cards")
    client.get("/api/cards")
    assert count_users(app) == 1  # the cookie is sent back: same guest
    with Session(app.state.engine) as session:
        user = session.exec(select(User)).one()
        assert user.username is None and user.password_hash is None


def test_a_tampered_cookie_is_ignored_and_a_new_guest_made(client, app):
    client.get("/")
    value = client.cookies.get("mc_session")
    client.cookies.set("mc_session", value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    client.get("/")
    assert count_users(app) == 2


def test_two_browsers_are_two_guests(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as a, TestClient(app) as b:
        a.get("/")
        b.get("/")
    assert count_users(app) == 2
