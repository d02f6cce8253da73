"""Guest identity: a signed, HttpOnly, SameSite=Lax session cookie names a guest user."""

from sqlmodel import Session, func, select

from app.models import User


def count_users(app) -> int:
    with Session(app.state.engine) as session:
        return session.exec(select(func.count()).select_from(User)).one()


def first_write(client):
    response = client.put("/api/settings", json={"timezone": "Europe/Paris"})
    assert response.status_code == 200, response.text
    return response


def test_visits_write_nothing_and_the_first_write_creates_one_guest_behind_a_safe_cookie(
    client, app
):
    for path in ("/", "/cards", "/api/cards", "/review", "/quiz", "/progress", "/api/export"):
        assert client.get(path).status_code == 200
    assert count_users(app) == 0  # page views and GETs write nothing
    cookie = first_write(client).headers["set-cookie"]
    assert cookie.startswith("mc_session=")
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    assert count_users(app) == 1
    client.get("/cards")
    first_write(client)
    assert count_users(app) == 1  # the cookie is sent back: same guest
    with Session(app.state.engine) as session:
        user = session.exec(select(User)).one()
        assert user.username is None and user.password_hash is None


def test_a_tampered_cookie_is_ignored_and_a_new_guest_made(client, app):
    first_write(client)
    value = client.cookies.get("mc_session")
    client.cookies.set("mc_session", value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    first_write(client)
    assert count_users(app) == 2


def test_two_browsers_are_two_guests(app):
    from fastapi.testclient import TestClient

    with (
        TestClient(app, base_url="http://127.0.0.1") as a,
        TestClient(app, base_url="http://127.0.0.1") as b,
    ):
        first_write(a)
        first_write(b)
    assert count_users(app) == 2
