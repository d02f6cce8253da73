"""What the signed session cookie holds, and when it still counts.

The cookie carries `uid` (the user) and `sv` (the user's session version when it was issued).
Logging out everywhere and changing the password bump `User.session_version` in the database, so
every cookie issued before stops working on every worker at once, with no session table.
"""

from starlette.requests import Request

from app.models import User


def start_session(request: Request, user: User) -> None:
    """A brand-new session for this user: nothing from the old one survives (not even the CSRF
    token), so a session fixed by an attacker before login is worthless after it."""
    request.session.clear()
    request.session["uid"] = user.id
    request.session["sv"] = user.session_version


def end_session(request: Request) -> None:
    request.session.clear()


def session_is_current(request: Request, user: User) -> bool:
    # Cookies from before session versions existed have no `sv`: they were version 0.
    return request.session.get("sv", 0) == user.session_version
