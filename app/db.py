"""Engine, sessions and the one column type every timestamp uses."""

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, create_engine


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC and always reads back aware UTC datetimes (SQLite itself returns naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; pass an aware datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        in_memory = url in ("sqlite://", "sqlite:///:memory:")
        # A file database keeps as many connections as requests run at once (AnyIO's 40 worker
        # threads): past QueuePool's default 5 + 10 overflow, every request opened a connection
        # and ran the PRAGMAs again, a tenth of a card page's time under load.
        pool = {"poolclass": StaticPool} if in_memory else {"pool_size": 40, "max_overflow": 10}
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **pool
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers and one writer work at once across workers; foreign keys are off by default.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


_write_locks: "weakref.WeakKeyDictionary[Engine, threading.Lock]" = weakref.WeakKeyDictionary()
_write_locks_guard = threading.Lock()


def _write_lock(engine: Engine) -> threading.Lock:
    with _write_locks_guard:
        return _write_locks.setdefault(engine, threading.Lock())


@contextmanager
def write_transaction(session: Session) -> Iterator[None]:
    """A read-modify-write transaction that holds SQLite's write lock from its first read.

    SQLite has one writer at a time. Left to itself, each of 32 concurrent writers waits for it in
    SQLite's busy handler, which sleeps in growing steps (up to 100 ms) and polls: under load
    the unlucky ones waited about a second (the review row's p99). Here the threads of one
    process queue on a Python lock instead (woken the moment it is free), and `BEGIN IMMEDIATE`
    takes the database's write lock before the first read, so a writer never reads state that
    another process is about to change (no lock upgrade, no retry). The body commits what it
    keeps; a transaction this began and the body left open (it wrote nothing, or it raised) is
    rolled back here, so the write lock is never held past the block. Inside a transaction the
    caller already began, it only takes the process lock. PostgreSQL needs none of this (row
    locks and the compare-and-swap suffice): there it only yields."""
    engine = session.get_bind()
    if engine.dialect.name != "sqlite":
        yield
        return
    with _write_lock(engine):
        driver = session.connection().connection.dbapi_connection
        began = not driver.in_transaction
        if began:
            session.connection().exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            if began and driver.in_transaction:
                session.rollback()


def session_scope(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


def utcnow() -> datetime:
    return datetime.now(UTC)
