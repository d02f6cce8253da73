"""The learner's data in and out: progress as JSON (export, import) and the deck for Anki."""

from copy import deepcopy
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException, MultiPartParser

from app.deps import CurrentUser, DeckDep, NowDep, SessionDep, TemplatesDep
from app.routes.progress import FLASH_KEY, render_progress
from app.schemas import ErrorOut
from app.services import anki, backup
from app.services.backup import BackupError, ImportIn, ImportResult, ProgressData

api = APIRouter(prefix="/api", tags=["backup"])
downloads = APIRouter(tags=["backup"])

# The whole request, file and wrapper, as app.security.body_limit caps every body (1 MB); checked
# here as well so the limit holds and the message names it whatever the middleware stack.
BODY_LIMIT = backup.MAX_BYTES


def _inline(schema: dict[str, Any]) -> dict[str, Any]:
    """A model's JSON schema with its $defs written in place, for a hand-documented body."""
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return walk(deepcopy(defs[ref.removeprefix("#/$defs/")]))
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(schema)


IMPORT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": _inline(ImportIn.model_json_schema())},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "mode"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "mode": {"type": "string", "enum": ["replace", "merge"]},
                    },
                }
            },
        },
    }
}

ERRORS = {code: {"model": ErrorOut} for code in (400, 413, 415, 422)}
# The daily import quota (services/backup.py): a clear 429 with Retry-After.
IMPORT_ERRORS = {**ERRORS, 429: {"model": ErrorOut, "description": "Too many imports today"}}


@api.get("/export", response_model=ProgressData)
def export_progress(user: CurrentUser, session: SessionDep, now: NowDep):
    """Your whole progress as versioned JSON: settings, card states, review log, quizzes and lab
    predictions. `POST /api/import` takes it back."""
    data = backup.export(session, user, now)
    name = f"memory-cell-progress-{now:%Y-%m-%d}.json"
    return Response(
        data.model_dump_json(),
        media_type="application/json",
        # A learner's whole history: no shared or browser cache may keep a copy.
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


async def _read_capped(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise BackupError(backup.too_large(int(declared)), status=413)
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise BackupError(backup.too_large(size), status=413)
            chunks.append(chunk)
    except StarletteHTTPException as exc:  # the body-limit middleware stopped a chunked body
        raise BackupError(str(exc.detail), status=exc.status_code) from exc
    return b"".join(chunks)


def _mode(value: Any) -> str:
    if value not in ("replace", "merge"):
        raise BackupError(f"mode: must be 'replace' or 'merge', got {value!r}")
    return value


async def _from_json(request: Request) -> tuple[str, ProgressData]:
    raw = await _read_capped(request, BODY_LIMIT)
    body = backup.load_json(raw, "body")
    if not isinstance(body, dict) or "data" not in body:
        raise BackupError('body: expected {"mode": "replace" | "merge", "data": {...}}')
    extra = sorted(set(body) - {"mode", "data"})
    if extra:
        raise BackupError(f"body: unexpected field {', '.join(extra)}")
    return _mode(body.get("mode")), backup.validate(body["data"])


async def _from_form(request: Request) -> tuple[str, ProgressData]:
    raw = await _read_capped(request, BODY_LIMIT)

    async def stream():
        yield raw

    try:
        form = await MultiPartParser(request.headers, stream(), max_files=1, max_fields=4).parse()
    except MultiPartException as exc:
        raise BackupError(f"body: not a valid form upload ({exc.message})", status=400) from exc
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise BackupError("file: choose a progress file (.json) to import")
    try:
        content = await upload.read(backup.MAX_BYTES + 1)
    finally:
        await upload.close()
    if not content:
        raise BackupError("file: the file is empty")
    return _mode(form.get("mode")), backup.parse(content)


def _wants_page(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


@api.post(
    "/import",
    response_model=ImportResult,
    responses=IMPORT_ERRORS,
    openapi_extra=IMPORT_BODY,
)
async def import_progress(
    request: Request,
    deck: DeckDep,
    user: CurrentUser,
    session: SessionDep,
    templates: TemplatesDep,
    now: NowDep,
):
    """Restore a progress file into your account, replacing or merging.

    Send JSON `{"mode": "replace" | "merge", "data": <the exported file>}`, or a form upload with
    `file` and `mode`. The file is at most 1 MB and is validated completely before anything is
    written; any problem (not JSON, another format or version, a bad field, a card this deck does
    not have) gets a 4xx naming it and changes nothing. Merge keeps your settings, unites the
    review logs and keeps each card's most recently reviewed state.
    """
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    form = content_type == "multipart/form-data"
    try:
        await run_in_threadpool(backup.count_import, session, user, now)
        if content_type == "application/json":
            mode, data = await _from_json(request)
        elif form:
            mode, data = await _from_form(request)
        else:
            raise BackupError(
                "Content-Type: send application/json ({mode, data}) or multipart/form-data "
                "(file, mode)",
                status=415,
            )
        result = await run_in_threadpool(backup.restore, session, user, deck, data, mode, now=now)
    except BackupError as exc:
        if form and _wants_page(request):
            # Rendered into this answer: a long message in the session cookie once pushed it
            # past the browser's 4 KB limit, so the cookie (and the session) was dropped. The
            # page itself loads (200, as the redirected page did): the refusal is shown next to
            # the file field; scripts get the 4xx.
            flash = {"ok": False, "message": f"Nothing was imported. {exc}"}
            return await run_in_threadpool(
                render_progress, request, deck, user, session, templates, now, flash
            )
        raise
    if form and _wants_page(request):
        request.session[FLASH_KEY] = {"ok": True, "message": result.message}
        return RedirectResponse("/progress#backup", status_code=303)
    return result


APKG = {200: {"content": {"application/octet-stream": {}}, "description": "An Anki package"}}
TSV = {200: {"content": {"text/tab-separated-values": {}}, "description": "Anki text import"}}


@downloads.get("/export/deck.apkg", response_class=Response, responses=APKG)
def deck_apkg(deck: DeckDep):
    """The deck as an Anki package: one note per card (question, short answer, full answer, key
    points, tags), maths in MathJax delimiters. Importing it again updates the same notes."""
    return Response(
        anki.apkg_bytes(deck),
        media_type="application/octet-stream",
        headers={"Content-Disposition": 'attachment; filename="memory-cell.apkg"'},
    )


@downloads.get("/export/deck.tsv", response_class=Response, responses=TSV)
def deck_tsv(deck: DeckDep):
    """The deck as tab-separated text with the header lines Anki's text importer reads."""
    return Response(
        anki.tsv_text(deck),
        media_type="text/tab-separated-values; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="memory-cell.tsv"'},
    )
