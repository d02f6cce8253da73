"""The API reference at /docs, rendered on the server from the OpenAPI schema.

FastAPI's default /docs loads Swagger UI from a CDN with an inline script: it breaks offline and
under this app's Content-Security-Policy. This page lists the same operations as plain HTML (no
JavaScript at all), and links to /openapi.json for tools.
"""

import re
from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.deps import TemplatesDep

router = APIRouter(tags=["pages"], include_in_schema=False)

METHOD_ORDER = ("get", "post", "put", "patch", "delete")


@dataclass
class FieldDoc:
    name: str
    type: str
    required: bool
    description: str = ""
    where: str = ""  # query, path, header or cookie, for parameters


@dataclass
class SchemaDoc:
    name: str
    description: str
    fields: list[FieldDoc]


@dataclass
class OperationDoc:
    method: str
    path: str
    summary: str
    description: str
    parameters: list[FieldDoc]
    body: str | None  # the request schema's name, described under Schemas
    body_type: str | None
    responses: list[tuple[str, str, str | None]]  # (status, description, schema name)

    @property
    def anchor(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", self.path.lower()).strip("-")
        return f"{self.method.lower()}-{slug}"


@dataclass
class TagDoc:
    name: str
    operations: list[OperationDoc] = field(default_factory=list)


def ref_name(schema: dict | bool) -> str | None:
    ref = schema.get("$ref", "") if isinstance(schema, dict) else ""
    return ref.rsplit("/", 1)[-1] if ref else None


def type_of(schema: dict) -> str:
    """A JSON schema as a short phrase: 'integer, 1 to 4', 'string or null', 'array of CardOut'."""
    if not isinstance(schema, dict):  # `true`: anything goes
        return "any"
    if name := ref_name(schema):
        return name
    if "anyOf" in schema:
        return " or ".join(type_of(s) for s in schema["anyOf"])
    if "enum" in schema:
        return "one of " + ", ".join(repr(v) for v in schema["enum"])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"array of {type_of(schema.get('items', {}))}"
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return f"object of {type_of(schema['additionalProperties'])}"
    limits = []
    if "format" in schema:
        limits.append(schema["format"])
    if "minLength" in schema or "maxLength" in schema:
        limits.append(f"{schema.get('minLength', 0)} to {schema.get('maxLength', '∞')} characters")
    if "minimum" in schema or "maximum" in schema:
        low, high = schema.get("minimum", "−∞"), schema.get("maximum", "∞")
        limits.append(f"{_number(low)} to {_number(high)}")
    if "pattern" in schema:
        limits.append(f"matching {schema['pattern']}")
    return kind + (f" ({', '.join(limits)})" if limits else "")


def _number(value) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def fields_of(schema: dict) -> list[FieldDoc]:
    required = set(schema.get("required", ()))
    return [
        FieldDoc(name, type_of(prop), name in required, prop.get("description", ""))
        for name, prop in schema.get("properties", {}).items()
    ]


def describe(openapi: dict) -> tuple[list[TagDoc], list[SchemaDoc]]:
    tags: dict[str, TagDoc] = {}
    for path, item in openapi.get("paths", {}).items():
        for method in METHOD_ORDER:
            op = item.get(method)
            if op is None:
                continue
            tag = (op.get("tags") or ["other"])[0]
            content = op.get("requestBody", {}).get("content", {})
            body_type, media = next(iter(content.items()), (None, {}))
            body = media.get("schema")
            tags.setdefault(tag, TagDoc(tag)).operations.append(
                OperationDoc(
                    method=method.upper(),
                    path=path,
                    summary=op.get("summary", ""),
                    description=op.get("description", ""),
                    parameters=[
                        FieldDoc(
                            p["name"],
                            type_of(p.get("schema", {})),
                            p.get("required", False),
                            p.get("description", ""),
                            p.get("in", ""),
                        )
                        for p in op.get("parameters", ())
                    ],
                    body=(ref_name(body) or type_of(body)) if body else None,
                    body_type=body_type,
                    responses=[
                        (code, r.get("description", ""), _response_schema(r))
                        for code, r in op.get("responses", {}).items()
                    ],
                )
            )
    schemas = [
        SchemaDoc(name, s.get("description", ""), fields_of(s))
        for name, s in sorted(openapi.get("components", {}).get("schemas", {}).items())
    ]
    return list(tags.values()), schemas


def _response_schema(response: dict) -> str | None:
    for content in response.get("content", {}).values():
        schema = content.get("schema", {})
        return ref_name(schema) or (type_of(schema) if schema else None)
    return None


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request, templates: TemplatesDep):
    openapi = request.app.openapi()
    tags, schemas = describe(openapi)
    context = {
        "tags": tags,
        "schemas": schemas,
        "schema_names": {s.name for s in schemas},
        "info": openapi.get("info", {}),
        "openapi_version": openapi.get("openapi", "3"),
    }
    return templates.TemplateResponse(request, "docs/api.html", context)
