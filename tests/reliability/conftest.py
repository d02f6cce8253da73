"""Reliability fixtures: the deck the servers serve, and a server per backend."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.content import load_deck
from app.nn.presets import PRESET_NAMES
from tests.conftest import REAL_DECK
from tests.reliability import server as app_server


@pytest.fixture(scope="session")
def slugs() -> list[str]:
    return list(load_deck(REAL_DECK, PRESET_NAMES).slugs)


@pytest.fixture
def served(tmp_path: Path, database_url: str) -> Iterator[app_server.Server]:
    """`python -m app.serve` with 2 workers on a fresh database (SQLite or PostgreSQL)."""
    server = app_server.start(tmp_path, database_url, workers=2)
    try:
        yield server
    finally:
        server.stop()
