"""The application factory: `uvicorn --factory app.main:create_app`."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import timedelta

from anyio import CapacityLimiter, to_thread
from fastapi import FastAPI
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware

from app import errors, openapi
from app.assets import STATIC_DIR, AssetHashes, CachedStaticFiles
from app.config import Settings, get_settings
from app.content import ContentError, load_deck
from app.db import make_engine, utcnow
from app.nn.presets import PRESET_NAMES
from app.routes import (
    account,
    api_docs,
    backup,
    cards,
    health,
    home,
    progress,
    recall,
    review,
    study,
)
from app.routes import lab as lab_routes
from app.routes import quiz as quiz_routes
from app.routes import settings as settings_routes
from app.security import body_limit, json_only
from app.security.body_limit import BodyLimitMiddleware
from app.security.csrf import CSRFMiddleware, csrf_token
from app.security.headers import SecurityHeadersMiddleware
from app.security.json_only import JSONOnlyMiddleware
from app.security.origin import OriginCheckMiddleware
from app.security.pools import AdmissionMiddleware, ClientRate, Pool
from app.services.accounts import purge_idle_guests
from app.templating import make_templates

log = logging.getLogger("app")

API_PREFIX = "/api/"  # the JSON API: no CSRF token (JSON only, same origin), JSON errors

# The main navigation: (label, path) of every feature page, in the order a learner uses them.
NAV = (
    ("Home", "/"),
    ("Review", "/review"),
    ("Deck", "/cards"),
    ("Quiz", "/quiz"),
    ("Lab", "/lab"),
    ("Progress", "/progress"),
    ("Settings", "/settings"),
    ("Account", "/account"),
)


def purge_guests(engine: Engine, max_age_days: int) -> int:
    with Session(engine) as session:
        purged = purge_idle_guests(session, utcnow(), timedelta(days=max_age_days))
    if purged:
        log.info("purged %d guests with no progress older than %d days", purged, max_age_days)
    return purged


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Purge idle guests at start-up, then every `guest_purge_hours` while the worker runs."""
    settings = app.state.settings
    # A thread for every request uvicorn admits (AnyIO's default is 40): a request that holds a
    # database connection must never wait for a thread, or requests holding every connection and
    # threads all waiting for one stop the worker (tests/reliability/test_connections.py). The
    # pool (db.make_engine) and the write lane bound the database work instead. Both per event
    # loop, so per worker: made here, in the loop that serves the requests.
    to_thread.current_default_thread_limiter().total_tokens = settings.limit_concurrency
    app.state.write_lane = CapacityLimiter(settings.db_concurrency)

    async def purge_once() -> None:
        try:
            await run_in_threadpool(purge_guests, app.state.engine, settings.guest_max_age_days)
        except Exception:  # a database hiccup must not stop the worker from serving
            log.exception("purging idle guests failed; trying again later")

    async def purge_forever() -> None:
        while True:
            await asyncio.sleep(settings.guest_purge_hours * 3600)
            await purge_once()

    await purge_once()
    task = asyncio.create_task(purge_forever())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


# Every feature's routers, pages and JSON API.
ROUTERS = (
    health.router,
    home.router,
    cards.pages,
    cards.api,
    review.pages,
    review.api,
    recall.api,
    study.api,
    settings_routes.pages,
    settings_routes.api,
    account.pages,
    account.api,
    quiz_routes.pages,
    quiz_routes.api,
    progress.pages,
    progress.api,
    backup.api,
    backup.downloads,
    lab_routes.pages,
    lab_routes.api,
    api_docs.router,
)


def lab_bulkhead(settings: Settings) -> tuple[Pool, ClientRate]:
    """The lab's own threads and queue, and each client's share of them (settings.lab_*)."""
    pool = Pool(
        "lab",
        threads=settings.lab_threads,
        queue=settings.lab_queue,
        retry_after=1,
        message="the lab is busy with other runs right now; try again in a moment",
    )
    return pool, ClientRate(rate=settings.lab_rate, burst=settings.lab_burst, what="lab")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    if problem := settings.production_problem():
        raise SystemExit(f"error: cannot start: {problem}")
    if settings.environment == "production" and not settings.https_cookies:
        log.warning("production without HTTPS_COOKIES=true: the session cookie is not Secure")
    try:
        deck = load_deck(settings.questions_dir, PRESET_NAMES)
    except ContentError as exc:
        # One line that names the file, the field and the problem; the server does not start.
        raise SystemExit(f"error: cannot start: {exc}") from None

    app = FastAPI(
        title="Memory Cell",
        summary="LSTM and RNN interview prep: flashcards, quizzes, progress and a live gate lab.",
        version="0.1.0",
        # Swagger UI needs a CDN and inline script; /docs is served by app/routes/api_docs.py.
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.lab_pool, app.state.lab_rate = lab_bulkhead(settings)
    app.state.deck = deck
    app.state.engine = make_engine(
        settings.resolved_database_url,
        concurrency=settings.db_concurrency,
        requests=settings.limit_concurrency,
    )
    assets = AssetHashes(STATIC_DIR)
    app.state.templates = make_templates(assets)
    # In production the templates never change under a running worker: without this, Jinja
    # stats every template file a page uses (a page, base.html, the macros) on every render.
    app.state.templates.env.auto_reload = settings.environment != "production"
    app.state.templates.env.globals["nav"] = NAV
    app.state.templates.env.globals["deck"] = deck
    app.state.templates.env.globals["csrf_token"] = csrf_token
    # Pages of features that are optional in a given build link here only when they exist.
    app.state.feature_urls = {}
    app.state.feature_urls["quiz"] = "/quiz"
    app.state.feature_urls["lab"] = "/lab"
    app.state.feature_urls["progress"] = "/progress"

    add_middlewares(app, settings)
    errors.install(app)
    openapi.install(app)  # every operation's error answers, documented
    app.mount("/static", CachedStaticFiles(directory=STATIC_DIR, assets=assets), name="static")
    for router in ROUTERS:
        app.include_router(router)
    log.info("loaded %d cards from %s", len(deck), settings.questions_dir)
    return app


def add_middlewares(app: FastAPI, settings: Settings) -> None:
    """Every middleware with its policy: where the JSON API lives, how large a body may be, the
    lab's admission. Middleware runs outermost first, i.e. in the reverse order of these calls."""
    # Level 4, not Starlette's 9: on a lab run's 42 KB of JSON, 0.8 ms instead of 10 ms for a
    # body 6% larger; on a 20 KB card page, 0.25 ms instead of 0.8 (bench/README.md).
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=4)
    app.add_middleware(CSRFMiddleware, api_prefix=API_PREFIX)  # inside SessionMiddleware
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.resolved_secret_key,
        session_cookie="mc_session",
        max_age=settings.session_max_age_days * 86400,
        same_site="lax",
        https_only=settings.https_cookies,
    )
    app.add_middleware(
        JSONOnlyMiddleware,
        api_prefix=API_PREFIX,
        multipart_paths=json_only.MULTIPART_PATHS,
        multipart_prefixes=json_only.MULTIPART_PREFIXES,
    )
    app.add_middleware(OriginCheckMiddleware)
    app.add_middleware(
        BodyLimitMiddleware, default=body_limit.DEFAULT_LIMIT, limits=body_limit.LIMITS
    )
    app.add_middleware(
        AdmissionMiddleware, prefix="/api/lab/", pool=app.state.lab_pool, rate=app.state.lab_rate
    )
    app.add_middleware(SecurityHeadersMiddleware, https=settings.https_cookies)
