"""Engine, sessions and the one column type every timestamp uses."""

import fcntl
import logging
import os
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
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


def make_engine(url: str, *, concurrency: int = 8, requests: int = 200) -> Engine:
    """The engine and its connection pool, for a worker with at most `requests` in flight.

    SQLite: 40 connections stay open (opening one runs the PRAGMAs again) and up to one per
    request in flight is opened, so none is ever waited for. PostgreSQL: `concurrency`
    connections, each a server process; past them a request waits, holding nothing (up to 30 s,
    then 503 with Retry-After)."""
    if url.startswith("sqlite"):
        in_memory = url in ("sqlite://", "sqlite:///:memory:")
        pool = {"pool_size": 40, "max_overflow": max(0, requests + 1 - 40)}  # + the purge's
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            **({"poolclass": StaticPool} if in_memory else pool),
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=concurrency, max_overflow=0)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers and one writer work at once across workers; foreign keys are off by default.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # SQLite's own checkpoint runs inside the commit that passes the threshold, so inside that
    # writer's turn, where its fsync stalled every other writer (p99 0.5-0.9 s). It stays as a
    # backstop at 4x its default; write_turn checkpoints sooner, after a turn (CHECKPOINT_EVERY).
    cursor.execute("PRAGMA wal_autocheckpoint=4000")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


log = logging.getLogger(__name__)

# A review writes about four pages: a checkpoint every 200 turns per worker keeps the WAL near
# SQLite's default of 1,000 pages with two workers.
CHECKPOINT_EVERY = 200


class _WriterTurn:
    """One SQLite database's turn to write: a thread lock for this process's requests, then an
    exclusive flock on a file beside the database for the other workers'. The kernel wakes a
    flock waiter the moment the lock is free and drops the lock of a killed process."""

    def __init__(self, path: str | None) -> None:
        self.path = path  # None: an in-memory database, one process only
        self.thread_lock = threading.Lock()
        self.fd: int | None = None
        self.pid = 0
        self.turns = 0  # taken in this process: every CHECKPOINT_EVERY-th one checkpoints after

    def checkpoint_due(self) -> bool:
        self.turns += 1  # under thread_lock
        return self.path is not None and self.turns % CHECKPOINT_EVERY == 0

    @contextmanager
    def held(self) -> Iterator[None]:
        with self.thread_lock:
            if self.path is None:
                yield
                return
            if self.pid != os.getpid():  # opened per process: a forked child shares no lock
                self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
                self.pid = os.getpid()
            fcntl.flock(self.fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self.fd, fcntl.LOCK_UN)


_turns: "weakref.WeakKeyDictionary[Engine, _WriterTurn]" = weakref.WeakKeyDictionary()
_turns_guard = threading.Lock()


def _turn(engine: Engine) -> _WriterTurn:
    with _turns_guard:
        if engine not in _turns:
            database = engine.url.database
            in_memory = database in (None, "", ":memory:")
            _turns[engine] = _WriterTurn(None if in_memory else f"{database}-writer.lock")
        return _turns[engine]


@contextmanager
def write_turn(session: Session) -> Iterator[None]:
    """Around a short read-then-write's writes and commit (not its reads): on SQLite, the
    writers of every worker take turns here instead of in SQLite's busy handler, which polls
    with sleeps growing to 100 ms and let an unlucky review of 32 at once wait a second or more.
    An exception inside rolls the session back before the turn passes on, so SQLite's own
    write lock is never held by a writer that has given up its turn. PostgreSQL needs no turn
    (row locks and the caller's compare-and-swap)."""
    engine = session.get_bind()
    if engine.dialect.name != "sqlite":
        yield
        return
    turn = _turn(engine)
    with turn.held():
        try:
            yield
        except BaseException:
            session.rollback()
            raise
        checkpoint = turn.checkpoint_due()
    if checkpoint:
        # PASSIVE: copies what it can without waiting for, or blocking, readers and writers. The
        # write is committed by now: a checkpoint that fails is left to the next one (or
        # SQLite's backstop), never turned into an error for the request that wrote.
        try:
            session.connection().exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
        except OperationalError:
            log.warning("WAL checkpoint failed; the next one will catch up", exc_info=True)
        session.rollback()  # ends the transaction the statement began (nothing to undo)


def session_scope(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


def utcnow() -> datetime:
    return datetime.now(UTC)
