"""How a security middleware refuses a request: the friendly error page, or JSON under /api."""

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from app import errors


def refusal(scope: Scope, status: int, message: str, headers: dict | None = None) -> Response:
    request = Request(scope)
    app = scope.get("app")
    if app is None or not hasattr(app.state, "templates") or errors.wants_json(request):
        return JSONResponse({"detail": message}, status_code=status, headers=headers)
    response = errors.error_page(request, status, message)
    response.headers.update(headers or {})
    return response


async def refuse(
    scope: Scope, receive: Receive, send: Send, status: int, message: str, headers=None
) -> None:
    await refusal(scope, status, message, headers)(scope, receive, send)
