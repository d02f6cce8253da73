"""Posting HTML forms from tests as a browser does: with the session's CSRF token."""

from bs4 import BeautifulSoup


def csrf_token(client, page: str = "/account") -> str:
    """The token a form on `page` carries for this client's session (made on first use)."""
    html = BeautifulSoup(client.get(page).text, "html.parser")
    field = html.select_one('input[name="csrf_token"]')
    assert field is not None, f"{page} has no form with a CSRF token"
    return field["value"]


def form(client, data: dict, page: str = "/account") -> dict:
    """`data` plus the CSRF token: `client.post(url, data=form(client, {...}))`."""
    return {**data, "csrf_token": csrf_token(client, page)}
