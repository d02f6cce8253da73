"""Shared fixtures: an app on a fresh, migrated database per test, with the fixture deck.

Every test that uses `settings` (and so `app` and `client`) runs twice: on SQLite and on a real
PostgreSQL 15 server that the run starts on a free loopback port (marked `postgres`).
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from app.migrate import upgrade
from tests import pg

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_DECK = Path(__file__).resolve().parent / "fixtures" / "deck"
REAL_DECK = ROOT / "questions"


def make_settings(
    tmp_path: Path, questions: Path = FIXTURE_DECK, database_url: str = "", **overrides
) -> Settings:
    # API tests send lab requests back to back from one client: lift its share (the per-client
    # limit itself is held by tests/security/test_lab_pool.py).
    overrides.setdefault("lab_burst", 10_000)
    return Settings(
        data_dir=tmp_path,
        database_url=database_url or f"sqlite:///{tmp_path / 'test.db'}",
        secret_key="test-secret-key-not-for-production",
        questions_dir=questions,
        fsrs_fuzz=False,
        **overrides,
    )


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[pg.Cluster]:
    if not pg.available():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL 15 is not installed at {pg.PG_BIN}")
        pytest.skip(f"PostgreSQL 15 is not installed at {pg.PG_BIN}")
    cluster = pg.start()
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    cluster: pg.Cluster = request.getfixturevalue("pg_cluster")
    name = cluster.create_database()
    yield cluster.url(name)
    cluster.drop_database(name)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path, database_url=database_url)


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    upgrade(settings)  # the real migrations, not create_all: what runs in production is tested
    app = create_app(settings)
    yield app
    app.state.engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


@pytest.fixture
def real_client(tmp_path: Path) -> Iterator[TestClient]:
    """The app with the real deck in questions/."""
    settings = make_settings(tmp_path, REAL_DECK)
    upgrade(settings)
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as c:
        yield c


TORCH_MISSING = (
    "PyTorch is not installed, so the parity tests against torch.nn were skipped: "
    "`make torch` installs its CPU build (TORCH_INDEX_URL for another index), then `make test`."
)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Say how to turn the optional PyTorch parity tests on, once, where it is seen."""
    import importlib.util

    if importlib.util.find_spec("torch") is None:
        terminalreporter.write_line(TORCH_MISSING)
