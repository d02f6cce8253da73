"""The one start command, for `make run` and the Docker image: check the deck, migrate, serve.

Host, port, workers and the slow-client bounds come from the settings (HOST, PORT, WORKERS,
LIMIT_CONCURRENCY, KEEP_ALIVE_S in the environment).
"""

import gc
import os
import sys

import uvicorn
from fastapi import FastAPI

from app.config import Settings, get_settings
from app.content import ContentError, load_deck
from app.migrate import upgrade
from app.nn.presets import PRESET_NAMES


def uvicorn_options(settings: Settings) -> dict:
    """How uvicorn serves: workers, the proxy, and the bounds on slow or idle clients.

    uvicorn has no timeout for a request's head or body: a client that sends them a byte at a
    time holds its connection. limit_concurrency caps what such clients can hold (a 503 for the
    next one, at once); the reverse proxy's header and body timeouts end them (README).
    """
    return {
        "host": settings.host,
        "port": settings.port,
        "workers": settings.workers,
        "proxy_headers": True,
        "limit_concurrency": settings.limit_concurrency,
        "timeout_keep_alive": settings.keep_alive_s,
        "timeout_graceful_shutdown": 30,
        "log_level": "info",
    }


def main() -> int:
    settings = get_settings()
    if problem := settings.production_problem():
        print(f"error: cannot start: {problem}", file=sys.stderr)
        return 1
    try:
        deck = load_deck(settings.questions_dir, PRESET_NAMES)
    except ContentError as exc:
        print(f"error: cannot start: {exc}", file=sys.stderr)
        return 1
    upgrade(settings)
    print(
        f"Memory Cell: {len(deck)} cards; serving http://{settings.host}:{settings.port}",
        flush=True,
    )
    # The lab's matrices are tiny (H <= 128): BLAS threads cost more than they give, and several
    # workers already share the cores. Nothing above imports NumPy; the app (imported by uvicorn,
    # in this process or in each worker) reads these when it does.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    uvicorn.run("app.serve:serving_app", factory=True, **uvicorn_options(settings))
    return 0


def serving_app() -> FastAPI:
    """The app as a worker serves it: built, then its long-lived objects (the deck, templates,
    presets, every module) frozen out of the cyclic collector's sight, so each full collection
    under load walks only what requests made. Measured: p99 of the card page 90 -> 25 ms and of
    a review 140 -> 75 ms under 32 connections (bench/README.md). Only here, not in create_app:
    a process that builds many apps (the tests) would keep every frozen one."""
    from app.main import create_app  # here: NumPy must see the BLAS settings main() made first

    app = create_app()
    gc.collect()
    gc.freeze()
    return app


if __name__ == "__main__":
    sys.exit(main())
