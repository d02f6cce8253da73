"""The OpenAPI document tells the whole truth about the error answers every operation can give.

FastAPI documents a 422 as its list of validation errors, but handlers also answer 422 with one
message (`{"detail": "field: problem"}`), and a route that lists its own 422 hides the list form.
A body that cannot be parsed at all gets 400 before any handler runs. So every operation that
takes input documents 422 as either shape, and every operation that takes a body documents 400.
Found by fuzzing the API against this document (tests/reliability/test_fuzz.py).
"""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import validation_error_definition, validation_error_response_definition

from app.schemas import ErrorOut

SCHEMAS = "#/components/schemas/"
UNPARSABLE = "The body is not valid JSON (or not valid UTF-8)"
# Answers given before a handler runs, with a Retry-After header (app/security/pools.py): the
# lab's per-client share (every lab operation) and its full pool (lab work); password hashing's
# full pool (operations that check or set a password).
OVER_SHARE = "This client's share of the lab is used up: try again after Retry-After seconds"
LAB_BUSY = "The lab's threads and queue are full: try again after Retry-After seconds"
HASHING_BUSY = "Password hashing is at capacity: try again after Retry-After seconds"
HASHING_PATHS = ("/api/auth/register", "/api/auth/login", "/api/auth/password", "/api/auth/delete")


def install(app: FastAPI) -> None:
    """Amend the document FastAPI builds, once, when it is first asked for."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document_errors(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def document_errors(document: dict[str, Any]) -> None:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ValidationError", validation_error_definition)
    schemas.setdefault("HTTPValidationError", validation_error_response_definition)
    schemas.setdefault("ErrorOut", ErrorOut.model_json_schema(ref_template=SCHEMAS + "{model}"))
    either = {"anyOf": [{"$ref": SCHEMAS + "HTTPValidationError"}, {"$ref": SCHEMAS + "ErrorOut"}]}
    message = {"application/json": {"schema": {"$ref": SCHEMAS + "ErrorOut"}}}
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            if path.startswith("/api/lab/"):
                responses.setdefault("429", {"description": OVER_SHARE, "content": message})
                if method == "post":
                    responses.setdefault("503", {"description": LAB_BUSY, "content": message})
            if path in HASHING_PATHS:
                responses.setdefault("503", {"description": HASHING_BUSY, "content": message})
            if operation.get("parameters") or operation.get("requestBody"):
                described = responses.get("422", {}).get("description")
                responses["422"] = {
                    "description": described or "Validation Error",
                    "content": {"application/json": {"schema": either}},
                }
            if operation.get("requestBody"):
                responses.setdefault("400", {"description": UNPARSABLE, "content": message})
