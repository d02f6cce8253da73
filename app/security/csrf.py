"""CSRF tokens for HTML forms: every unsafe request outside /api/ must carry this session's token.

The token lives in the signed session cookie (so any worker can check it) and goes out in each
form as a hidden `csrf_token` field (`{{ ui.csrf_field() }}`); scripts may send it as the
`X-CSRF-Token` header instead. A missing or wrong token gets a friendly 403 and changes nothing.
The JSON API is protected differently (JSON only, Origin check): see json_only.py and origin.py.
"""

import hmac
import secrets

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.security.origin import SAFE_METHODS
from app.security.respond import refuse

FIELD = "csrf_token"
HEADER = "x-csrf-token"
SESSION_KEY = "csrf"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
REFUSED = (
    "This form could not be verified, so nothing was changed. It may have been open for too "
    "long, come from another site, or your browser may be blocking cookies. Reload the page and "
    "try again."
)


def csrf_token(request: Request) -> str:
    """This session's token, made on first use. A Jinja global: `{{ csrf_token(request) }}`."""
    if "session" not in request.scope:
        return ""
    token = request.session.get(SESSION_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[SESSION_KEY] = token
    return token


def token_matches(expected: object, given: object) -> bool:
    if not isinstance(expected, str) or not isinstance(given, str) or not expected:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


class CSRFMiddleware:
    """Must run inside SessionMiddleware (it reads `scope["session"]`). Requests under
    `api_prefix` are exempt: the JSON API is guarded by the JSON-only and origin checks."""

    def __init__(self, app: ASGIApp, *, api_prefix: str = "/api/") -> None:
        self.app, self.api_prefix = app, api_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] in SAFE_METHODS
            or scope["path"].startswith(self.api_prefix)
        ):
            await self.app(scope, receive, send)
            return
        expected = scope.get("session", {}).get(SESSION_KEY)
        headers = Headers(scope=scope)
        given = headers.get(HEADER)
        if given is None and headers.get("content-type", "").lower().startswith(FORM_TYPES):
            body = await _read_body(receive)
            receive = _replay(body, receive)
            given = await _form_token(scope, body)
        if not token_matches(expected, given):
            await refuse(scope, receive, send, 403, REFUSED)
            return
        await self.app(scope, receive, send)


async def _read_body(receive: Receive) -> bytes:
    # The body-limit middleware outside this one caps what can arrive here.
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the app the body already read, then the client's later messages."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _form_token(scope: Scope, body: bytes) -> str | None:
    request = Request(scope, _replay(body, _nothing_more))
    try:
        form = await request.form()
    except Exception:  # an unreadable form carries no valid token
        return None
    try:
        value = form.get(FIELD)
        return value if isinstance(value, str) else None
    finally:
        await form.close()


async def _nothing_more() -> Message:
    return {"type": "http.disconnect"}
