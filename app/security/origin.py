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


def normalise_host(host: str, scheme: str = "http") -> str:
    """The Host header as `host_of` writes it: lower case, without the scheme's default port."""
    host = host.strip().lower()
    return host.removesuffix(f":{DEFAULT_PORTS.get(scheme, '')}")


def cross_site_source(headers: Headers, scheme: str) -> str | None:
    """The foreign origin that sent this request, or None when it came from this server.

    An origin is scheme, host and port: a page at http://cell.example.org is another origin
    than https://cell.example.org (a network attacker can serve the plain one), so `scheme`, the
    scheme this request arrived with, must match too. Behind a TLS proxy that is the proxy's
    X-Forwarded-Proto, which uvicorn applies only for FORWARDED_ALLOW_IPS.
    """
    source = headers.get("origin") or headers.get("referer")
    if not source:
        return None
    own = normalise_host(headers.get("host", ""), scheme)
    if (
        source.strip() == "null"
        or not own
        or urlsplit(source.strip()).scheme != scheme
        or host_of(source) != own
    ):
        return source.strip()[:100]
    return None


class OriginCheckMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        foreign = cross_site_source(Headers(scope=scope), scope.get("scheme", "http"))
        if foreign is not None:
            message = (
                f"Cross-site request refused: this server accepts changes only from its own pages, "
                f"and this one came from {foreign!r}. Nothing was changed."
            )
            await refuse(scope, receive, send, 403, message)
            return
        await self.app(scope, receive, send)
