"""Security headers on every response: a strict Content-Security-Policy and its companions.

The policy allows only this server's own files: no inline script or style, no `on*=` attributes,
no CDN. The pages are written for it (ES modules from /static, classes instead of `style=`).
"""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    # Full URLs stay on this site; links out (papers, docs) send nothing about what was studied.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}
HSTS = "max-age=31536000"


def security_headers(https: bool) -> dict[str, str]:
    return {**HEADERS, **({"Strict-Transport-Security": HSTS} if https else {})}


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, https: bool = False) -> None:
        self.app = app
        self.headers = security_headers(https)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    if name not in headers:  # a route may set a stricter value of its own
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
