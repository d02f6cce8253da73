"""Shared fixtures: an app on a fresh, migrated database per test, with the fixture deck.

Every test that uses `settings` (and so `app` and `client`) runs twice: on SQLite and on a real
PostgreSQL 15 server that the run starts on a free loopback port (marked `postgres`). Fixtures
that build their own app take `database_url` (or `module_database_url` when module-scoped).
`databases_are_parametrised` holds the rule: a test that opens a database connection in this
process without being parametrised over both databases fails.
"""

import asyncio
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

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


DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def _database(request: pytest.FixtureRequest, folder: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{folder / 'test.db'}"
        return
    cluster: pg.Cluster = request.getfixturevalue("pg_cluster")
    name = cluster.create_database()
    yield cluster.url(name)
    cluster.drop_database(name)


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of each kind."""
    yield from _database(request, tmp_path)


@pytest.fixture(scope="module", params=DATABASES)
def module_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The same, shared by a module's tests (for module-scoped apps)."""
    yield from _database(request, tmp_path_factory.mktemp("db"))


def parametrised_over_databases(item: pytest.Item) -> bool:
    """Parametrised by `database_url`, `module_database_url` or any fixture whose parameter is
    one of the two kinds (the fuzz tests' module-scoped app)."""
    params = getattr(getattr(item, "callspec", None), "params", {})
    return any(
        name.endswith("database_url") or value in ("sqlite", "postgresql")
        for name, value in params.items()
    )


@pytest.fixture(autouse=True)
def databases_are_parametrised(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test that touches a database in this process but runs on one kind only.

    Every connection checked out of any SQLAlchemy pool is seen, so an app built by hand, a
    migration or a direct engine all count. Browser and load tests run the server in another
    process and have their own database matrix."""
    touched: list[str] = []

    def seen(dbapi_connection, record, proxy) -> None:
        touched.append(type(dbapi_connection).__module__)

    event.listen(Pool, "checkout", seen)
    try:
        yield
    finally:
        event.remove(Pool, "checkout", seen)
    single = request.node.get_closest_marker("one_database")
    if touched and not single and not parametrised_over_databases(request.node):
        pytest.fail(
            f"{request.node.nodeid} uses a database but is not parametrised over SQLite and "
            "PostgreSQL: build its app from the `settings`/`app`/`client` fixtures, or take "
            "`database_url` (`module_database_url` for a module-scoped fixture)."
        )


def _on_an_apps_event_loop() -> bool:
    """A running loop outside the main thread: TestClient serves the app on a loop in a thread of
    its own. (The main thread may hold Playwright's loop, which serves no app.)"""
    if threading.current_thread() is threading.main_thread():
        return False
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


@pytest.fixture(autouse=True)
def queries_stay_off_the_event_loop() -> Iterator[None]:
    """Fail a test in which a statement ran on the event loop's thread (an `async def` handler or
    dependency that queried without `run_in_threadpool`): it blocks every request of its worker,
    for up to SQLite's 30 s busy timeout while another process writes. The app's worker threads
    and a test's own code have no running loop; TestClient's app thread does."""
    blocking: list[str] = []

    def executed(conn, cursor, statement, parameters, context, executemany) -> None:
        if _on_an_apps_event_loop():
            blocking.append(" ".join(statement.split())[:80])

    event.listen(Engine, "before_cursor_execute", executed)
    try:
        yield
    finally:
        event.remove(Engine, "before_cursor_execute", executed)
    if blocking:
        pytest.fail(
            f"{len(blocking)} statement(s) ran on the event loop, blocking its worker; run them "
            f"with run_in_threadpool. The first: {blocking[0]}"
        )


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
def real_client(tmp_path: Path, database_url: str) -> Iterator[TestClient]:
    """The app with the real deck in questions/."""
    settings = make_settings(tmp_path, REAL_DECK, database_url=database_url)
    upgrade(settings)
    app = create_app(settings)
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c
    app.state.engine.dispose()


TORCH_MISSING = (
    "PyTorch is not installed, so the parity tests against torch.nn were skipped: "
    "`make torch` installs its CPU build (TORCH_INDEX_URL for another index), then `make test`."
)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Say how to turn the optional PyTorch parity tests on, once, where it is seen."""
    import importlib.util

    if importlib.util.find_spec("torch") is None:
        terminalreporter.write_line(TORCH_MISSING)
