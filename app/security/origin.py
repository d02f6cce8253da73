"""Cross-site requests change nothing: an unsafe request from another site's page gets 403.

Browsers send `Origin` with every cross-origin POST (and `Referer` unless told not to); either
must name this server. A request with neither (curl, a test client, an API script) is not a
cross-site browser request and goes on to the other checks (JSON only, CSRF token for forms).
"""

from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from app.security.respond import refuse

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
DEFAULT_PORTS = {"http": "80", "https": "443"}


def host_of(url: str) -> str | None:
    """'https://Example.org:443/x' -> 'example.org', 'http://h:8000' -> 'h:8000'; else None."""
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    try:
        port = parts.port
    except ValueError:
        return None
    if port is None or str(port) == DEFAULT_PORTS[parts.scheme]:
        return parts.hostname
    return f"{parts.hostname}:{port}"


def normalise_host(host: str) -> str:
    host = host.strip().lower()
    for port in DEFAULT_PORTS.values():
        host = host.removesuffix(f":{port}")
    return host


def cross_site_source(headers: Headers) -> str | None:
    """The foreign origin that sent this request, or None when it came from this server."""
    source = headers.get("origin") or headers.get("referer")
    if not source:
        return None
    own = normalise_host(headers.get("host", ""))
    if source.strip() == "null" or not own or host_of(source) != own:
        return source.strip()[:100]
    return None


class OriginCheckMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        foreign = cross_site_source(Headers(scope=scope))
        if foreign is not None:
            message = (
                f"Cross-site request refused: this server accepts changes only from its own pages, "
                f"and this one came from {foreign!r}. Nothing was changed."
            )
            await refuse(scope, receive, send, 403, message)
            return
        await self.app(scope, receive, send)
