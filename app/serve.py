"""The one start command, for `make run` and the Docker image: check the deck, migrate, serve.

Host, port and workers come from the settings (HOST, PORT, WORKERS in the environment).
"""

import os
import sys

import uvicorn

from app.config import get_settings
from app.content import ContentError, load_deck
from app.migrate import upgrade
from app.nn.presets import PRESET_NAMES


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
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        proxy_headers=True,
        log_level="info",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
