"""The application factory: `uvicorn --factory app.main:create_app`."""

import logging

from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware

from app import errors
from app.assets import STATIC_DIR, AssetHashes, CachedStaticFiles
from app.config import Settings, get_settings
from app.content import ContentError, load_deck
from app.db import make_engine
from app.nn.presets import PRESET_NAMES
from app.routes import cards, health, home, review
from app.routes import settings as settings_routes
from app.templating import make_templates

log = logging.getLogger("app")

# The main navigation: (label, path) of every feature page, in the order a learner uses them.
NAV = (("Home", "/"), ("Review", "/review"), ("Deck", "/cards"), ("Settings", "/settings"))


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    try:
        deck = load_deck(settings.questions_dir, PRESET_NAMES)
    except ContentError as exc:
        # One line that names the file, the field and the problem; the server does not start.
        raise SystemExit(f"error: cannot start: {exc}") from None

    app = FastAPI(
        title="Memory Cell",
        summary="LSTM and RNN interview prep: flashcards, quizzes, progress and a live gate lab.",
        version="0.1.0",
    )
    app.state.settings = settings
    app.state.deck = deck
    app.state.engine = make_engine(settings.resolved_database_url)
    app.state.templates = make_templates(AssetHashes(STATIC_DIR))
    app.state.templates.env.globals["nav"] = NAV
    app.state.templates.env.globals["deck"] = deck
    # Pages of features that are optional in a given build link here only when they exist.
    app.state.feature_urls = {}

    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.resolved_secret_key,
        session_cookie="mc_session",
        max_age=settings.session_max_age_days * 86400,
        same_site="lax",
        https_only=settings.https_cookies,
    )
    errors.install(app)
    app.mount("/static", CachedStaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(health.router)
    app.include_router(home.router)
    app.include_router(cards.pages)
    app.include_router(cards.api)
    app.include_router(review.pages)
    app.include_router(review.api)
    app.include_router(settings_routes.pages)
    app.include_router(settings_routes.api)
    log.info("loaded %d cards from %s", len(deck), settings.questions_dir)
    return app
