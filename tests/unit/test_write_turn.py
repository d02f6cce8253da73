"""db.write_turn: SQLite writers of every worker take turns on a lock beside the database."""

import fcntl
import os
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlmodel import Session, SQLModel, select

from app import db
from app.db import make_engine, write_turn
from app.models import User

pytestmark = pytest.mark.one_database("the writers' turn is SQLite's; PostgreSQL takes none")


@pytest.fixture
def engine(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'app.db'}")
    SQLModel.metadata.create_all(engine)
    yield engine
    engine.dispose()


def add_user(session: Session, name: str) -> None:
    session.add(User(username=name, password_hash="x"))
    session.flush()


def names(engine) -> list[str]:
    with Session(engine) as session:
        return [u.username for u in session.exec(select(User))]


def test_the_turn_is_a_lock_file_beside_the_database(engine, tmp_path):
    with Session(engine) as session, write_turn(session):
        add_user(session, "ada")
        session.commit()
    assert (tmp_path / "app.db-writer.lock").exists()
    assert names(engine) == ["ada"]


def test_a_failure_inside_rolls_back_and_passes_the_turn_on(engine):
    with Session(engine) as session:
        with pytest.raises(RuntimeError), write_turn(session):
            add_user(session, "lost")
            raise RuntimeError("the request failed mid-write")
        assert not session.in_transaction()
    with Session(engine) as session, write_turn(session):  # not held: enters at once
        add_user(session, "kept")
        session.commit()
    assert names(engine) == ["kept"]


def test_a_writer_waits_while_another_worker_holds_the_turn(engine, tmp_path):
    # Another open file description of the lock file is what another worker process holds.
    other = os.open(tmp_path / "app.db-writer.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(other, fcntl.LOCK_EX)
    done = threading.Event()

    def write() -> None:
        with Session(engine) as session, write_turn(session):
            add_user(session, "waited")
            session.commit()
        done.set()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert not done.wait(0.3)  # still waiting for its turn
        assert names(engine) == []
    finally:
        fcntl.flock(other, fcntl.LOCK_UN)
        os.close(other)
    writer.join(10)
    assert done.is_set() and names(engine) == ["waited"]


def test_an_in_memory_database_takes_turns_in_its_one_process():
    engine = make_engine("sqlite://")
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session, write_turn(session):
        add_user(session, "ada")
        session.commit()
    assert names(engine) == ["ada"]


def test_every_so_many_turns_a_passive_checkpoint_runs_after_the_turn(engine, monkeypatch):
    # SQLite's own checkpoint would run inside a commit, so inside the turn.
    monkeypatch.setattr(db, "CHECKPOINT_EVERY", 3)
    seen: list[tuple[str, bool]] = []

    def statement(conn, cursor, text, params, context, many) -> None:
        turn = db._turn(engine)
        seen.append((text, turn.thread_lock.locked()))

    event.listen(engine, "before_cursor_execute", statement)
    for n in range(6):
        with Session(engine) as session, write_turn(session):
            add_user(session, f"user{n}")
            session.commit()
    checkpoints = [held for text, held in seen if "wal_checkpoint" in text]
    assert checkpoints == [False, False]  # after the 3rd and the 6th turn, each outside it
    assert len(names(engine)) == 6


def test_a_failed_checkpoint_never_fails_the_write_it_follows(engine, monkeypatch):
    monkeypatch.setattr(db, "CHECKPOINT_EVERY", 1)

    def refuse(conn, cursor, text, params, context, many) -> None:
        if "wal_checkpoint" in text:
            raise sqlite3.OperationalError("database is locked")

    event.listen(engine, "before_cursor_execute", refuse)
    with Session(engine) as session, write_turn(session):
        add_user(session, "kept")
        session.commit()
    assert names(engine) == ["kept"]
