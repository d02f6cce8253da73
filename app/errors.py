"""Errors as people and clients want them: a page for browsers, JSON under /api, never a trace."""

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from app import messages
from app.security.headers import security_headers

log = logging.getLogger("app")


class DomainError(Exception):
    """A refusal by a service, written for the learner; `errors.install` maps it to HTTP once.

    `status` is the HTTP status it becomes (JSON under /api, the error page elsewhere); `field`
    names the input it is about ("form" or None: the request as a whole); `retry_after` (seconds)
    becomes a Retry-After header. Services raise these and know nothing of HTTP.
    """

    status: int = 400

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        status: int | None = None,
        retry_after: int = 0,
    ) -> None:
        self.message, self.field, self.retry_after = message, field, retry_after
        if status is not None:
            self.status = status
        super().__init__(message)

    def __str__(self) -> str:
        return self.message if self.field in (None, "form") else f"{self.field}: {self.message}"

    @property
    def headers(self) -> dict[str, str] | None:
        return {"Retry-After": str(self.retry_after)} if self.retry_after else None


class NotFound(DomainError):
    """No such thing for this user (another user's is not found either)."""

    status = 404


class Conflict(DomainError):
    """The request conflicts with the current state: answered already, finished, kept changing."""

    status = 409


class Gone(DomainError):
    """Too late: the window for this request has closed."""

    status = 410


class Busy(DomainError):
    """Heavy work that cannot start now (its bounded pool and queue are full): try again after
    `retry_after` seconds. Nothing was done."""

    status = 503


class InvalidInput(DomainError):
    """Input a person can correct; `field` names it and the message says what would do."""

    status = 422


TITLES = {
    400: "That request did not make sense",
    403: "That request was refused",
    404: "Page not found",
    405: "Method not allowed",
    413: "That upload is too large",
    415: "That kind of content is not accepted here",
    422: "Some input was not valid",
    429: "Too many requests",
    503: "The server is busy",
}
# Whatever ran out of memory was refused, not half done: the client may simply try again later.
OUT_OF_MEMORY = Busy(
    "The server does not have the memory for this request right now; nothing was changed. "
    "Please try again in a minute.",
    retry_after=30,
)


# Every database connection of this worker stayed in use for the pool's whole wait (30 s): the
# server is overloaded, not broken.
DATABASE_BUSY = Busy(
    "The server is too busy to answer right now. Please try again in a moment.", retry_after=5
)


def wants_json(request: Request) -> bool:
    path = request.url.path
    return (
        path.startswith("/api/")
        or path == "/healthz"
        or "application/json" in request.headers.get("accept", "")
    )


def error_page(request: Request, status: int, message: str) -> Response:
    templates = request.app.state.templates
    title = TITLES.get(status, "Something went wrong")
    name = "errors/404.html" if status == 404 else "errors/error.html"
    return templates.TemplateResponse(
        request, name, {"status": status, "title": title, "message": message}, status_code=status
    )


async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
    if wants_json(request):
        return JSONResponse(
            {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
        )
    message = exc.detail if exc.status_code != 404 or exc.detail != "Not Found" else ""
    return error_page(request, exc.status_code, str(message))


async def domain_error(request: Request, exc: DomainError) -> Response:
    if wants_json(request):
        return JSONResponse({"detail": str(exc)}, status_code=exc.status, headers=exc.headers)
    return error_page(request, exc.status, str(exc))


async def validation_error(request: Request, exc: RequestValidationError) -> Response:
    """Pydantic's complaints as sentences for people (app/messages.py), naming field and limit."""
    path = request.url.path
    problems = [_clean(e, path) for e in exc.errors()]
    if wants_json(request):
        return JSONResponse({"detail": problems}, status_code=422)
    first = problems[0]["msg"] if problems else "Some input was not valid."
    return error_page(request, 422, first)


def _clean(error: dict, path: str) -> dict:
    # Pydantic may put exception objects in ctx; keep the location, the type and our sentence.
    return {
        "loc": list(error.get("loc", ())),
        "msg": messages.field_message(error, path),
        "type": error.get("type", ""),
    }


async def memory_error(request: Request, exc: Exception) -> Response:
    log.warning("out of memory on %s %s", request.method, request.url.path)
    return await domain_error(request, OUT_OF_MEMORY)


# Python's parsers recurse once per level of nesting: a small body nested thousands deep (JSON,
# Markdown quotes) exhausts the stack. It is the input's shape, not a fault of the server.
TOO_DEEP = InvalidInput("body: nested too deeply to read; nothing was changed")
TOO_DEEP.status = 400


async def recursion_error(request: Request, exc: RecursionError) -> Response:
    log.warning("input nested too deeply on %s %s", request.method, request.url.path)
    return await domain_error(request, TOO_DEEP)


async def database_busy(request: Request, exc: PoolTimeout) -> Response:
    log.warning("no database connection came free on %s %s", request.method, request.url.path)
    return await domain_error(request, DATABASE_BUSY)


async def unexpected_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, MemoryError):  # raised outside the routes (a middleware): still a 503
        response = await memory_error(request, exc)
        return _with_security_headers(request, response)
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    message = "The server hit an unexpected error. Nothing you sent was lost; please try again."
    if wants_json(request):
        response = JSONResponse({"detail": message}, status_code=500)
    else:
        try:
            response = error_page(request, 500, message)
        except Exception:  # the error page itself failed: fall back to plain text
            response = HTMLResponse(message, status_code=500)
    return _with_security_headers(request, response)


def _with_security_headers(request: Request, response: Response) -> Response:
    # This response leaves through the outermost middleware, past the one that adds these.
    settings = getattr(request.app.state, "settings", None)
    https = bool(settings and settings.https_cookies)
    for name, value in security_headers(https).items():
        response.headers.setdefault(name, value)
    return response


def install(app: FastAPI) -> None:
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(DomainError, domain_error)
    app.add_exception_handler(MemoryError, memory_error)
    app.add_exception_handler(RecursionError, recursion_error)
    app.add_exception_handler(PoolTimeout, database_busy)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, unexpected_error)
