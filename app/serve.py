"""The one start command, for `make run` and the Docker image: check the deck, migrate, serve.

Host, port, workers and the slow-client bounds come from the settings (HOST, PORT, WORKERS,
LIMIT_CONCURRENCY, KEEP_ALIVE_S in the environment).
"""

import os
import sys

import uvicorn

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
    uvicorn.run("app.main:create_app", factory=True, **uvicorn_options(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
