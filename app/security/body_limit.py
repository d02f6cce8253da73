"""Request bodies are capped: 1 MB, 2 MB for the lab's uploads; a larger body gets 413.

A declared Content-Length over the cap is refused before anything is read. A chunked body (no
length) is counted while it streams and stopped as soon as it passes the cap, so no handler ever
holds more than the cap in memory.
"""

from collections.abc import Mapping

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.security.respond import refuse

MB = 1024 * 1024
DEFAULT_LIMIT = 1 * MB
# Path prefix -> cap. The lab accepts .npz weight uploads. The app's policy: `create_app` passes
# these to the middleware.
LIMITS = {"/api/lab/": 2 * MB}


def limit_for(path: str, limits: Mapping[str, int] = LIMITS, default: int = DEFAULT_LIMIT) -> int:
    return next((cap for prefix, cap in limits.items() if path.startswith(prefix)), default)


def too_large(cap: int) -> str:
    return f"The request body is larger than this server accepts here ({cap // MB} MB at most)."


class BodyTooLarge(HTTPException):
    """Raised from `receive`: FastAPI passes HTTPExceptions from body reading through unchanged,
    so a handler reading the body answers 413 through the app's error handlers."""

    def __init__(self, cap: int) -> None:
        super().__init__(413, too_large(cap))


class BodyLimitMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        default: int = DEFAULT_LIMIT,
        limits: Mapping[str, int] = LIMITS,
    ) -> None:
        self.app, self.default, self.limits = app, default, dict(limits)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = limit_for(scope["path"], self.limits, self.default)
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > cap:
            await refuse(scope, receive, send, 413, too_large(cap))
            return

        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    raise BodyTooLarge(cap)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge:
            # Read outside a route (a middleware reading a form): answer here, if still possible.
            if started:
                raise
            await refuse(scope, receive, send, 413, too_large(cap))
