"""The JSON API accepts only JSON: a body of another type on an unsafe /api/ request gets 415.

This is also a CSRF defence: an HTML form on another site can send only form or text bodies, and
a script on another site cannot send `application/json` without a CORS preflight, which this
server never grants. The exceptions are the uploads that are files by nature: multipart bodies
for the lab (.npz weights) and for importing a progress file.
"""

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from app.security.origin import SAFE_METHODS
from app.security.respond import refuse

MULTIPART_PATHS = ("/api/import",)
MULTIPART_PREFIXES = ("/api/lab/",)


def media_type(headers: Headers) -> str:
    return headers.get("content-type", "").split(";")[0].strip().lower()


def has_body(headers: Headers) -> bool:
    return headers.get("content-length", "0") not in ("0", "") or "transfer-encoding" in headers


def accepts(
    path: str,
    kind: str,
    multipart_paths: tuple[str, ...] = MULTIPART_PATHS,
    multipart_prefixes: tuple[str, ...] = MULTIPART_PREFIXES,
) -> bool:
    if kind == "application/json":
        return True
    multipart_ok = path in multipart_paths or path.startswith(multipart_prefixes)
    return kind == "multipart/form-data" and multipart_ok


class JSONOnlyMiddleware:
    """`api_prefix`: where the JSON API lives; `multipart_paths` / `multipart_prefixes`: the
    upload endpoints under it that take files (the app's policy, passed in by `create_app`)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        api_prefix: str = "/api/",
        multipart_paths: tuple[str, ...] = MULTIPART_PATHS,
        multipart_prefixes: tuple[str, ...] = MULTIPART_PREFIXES,
    ) -> None:
        self.app, self.api_prefix = app, api_prefix
        self.multipart = (tuple(multipart_paths), tuple(multipart_prefixes))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
            headers = Headers(scope=scope)
            # A body-less request (undo, log out) has nothing to parse, whatever it declares.
            if path.startswith(self.api_prefix) and has_body(headers):
                kind = media_type(headers)
                if not accepts(path, kind, *self.multipart):
                    message = (
                        f"Content-Type must be application/json (got {kind or 'none'!r}). "
                        "Send the body as JSON."
                    )
                    await refuse(scope, receive, send, 415, message)
                    return
        await self.app(scope, receive, send)
