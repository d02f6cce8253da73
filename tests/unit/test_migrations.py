"""Migrations: they build the schema the models describe, go down and up again cleanly, and keep
the data of an old database. Each test runs on SQLite and on PostgreSQL."""

from datetime import UTC, datetime

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import Session, SQLModel, select

from app.db import make_engine
from app.migrate import alembic_config, upgrade
from app.models import CardState, ReviewLog, User


def test_upgrade_to_head_matches_the_models(settings):
    upgrade(settings)
    engine = make_engine(settings.resolved_database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []
    assert {"user", "card_state", "review_log"} <= set(inspect(engine).get_table_names())


def test_downgrade_to_base_and_upgrade_again(settings):
    config = alembic_config(settings.resolved_database_url)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    engine = make_engine(settings.resolved_database_url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    command.upgrade(config, "head")
    assert "review_log" in inspect(engine).get_table_names()


def test_upgrade_from_the_first_migration_keeps_the_data(settings):
    """A database built at 0001 with a learner's history in it survives the upgrade to head."""
    url = settings.resolved_database_url
    config = alembic_config(url)
    command.upgrade(config, "0001")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                'INSERT INTO "user" (id, username, created_at, timezone, desired_retention,'
                " daily_new_limit) VALUES (1, 'ada', :t, 'Europe/Paris', 0.85, 7)"
            ),
            {"t": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)},
        )
        conn.execute(
            text(
                "INSERT INTO card_state (user_id, card_slug, state, step, stability, difficulty,"
                " due, last_review, reps, lapses) VALUES (1, 'forget-gate', 2, NULL, 12.5, 4.25,"
                " :due, :last, 3, 1)"
            ),
            {"due": datetime(2026, 2, 1, tzinfo=UTC), "last": datetime(2026, 1, 20, tzinfo=UTC)},
        )
        conn.execute(
            text(
                "INSERT INTO review_log (user_id, card_slug, rating, reviewed_at, duration_ms,"
                " source, idempotency_key) VALUES (1, 'forget-gate', 3, :t, 4200, 'review', 'k-1')"
            ),
            {"t": datetime(2026, 1, 20, tzinfo=UTC)},
        )
    command.upgrade(config, "head")
    with Session(engine) as session:
        user = session.get(User, 1)
        assert (user.username, user.timezone, user.desired_retention) == (
            "ada",
            "Europe/Paris",
            0.85,
        )
        assert user.session_version == 0  # the column added later got its default
        state = session.exec(select(CardState)).one()
        assert (state.stability, state.reps, state.lapses) == (12.5, 3, 1)
        assert state.due == datetime(2026, 2, 1, tzinfo=UTC)  # aware, same instant
        log = session.exec(select(ReviewLog)).one()
        assert (log.rating, log.duration_ms, log.idempotency_key) == (3, 4200, "k-1")
    engine.dispose()


def test_0004_keeps_card_states_and_fills_fsrs_due_from_due(settings):
    """FSRS's own due is new in 0004: existing rows get their due, nothing else changes."""
    url = settings.resolved_database_url
    config = alembic_config(url)
    command.upgrade(config, "0003")
    engine = make_engine(url)
    due = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            text(
                'INSERT INTO "user" (id, username, created_at, timezone, desired_retention,'
                " daily_new_limit, session_version) VALUES (1, 'ada', :t, 'UTC', 0.9, 10, 0)"
            ),
            {"t": datetime(2026, 1, 2, tzinfo=UTC)},
        )
        conn.execute(
            text(
                "INSERT INTO card_state (user_id, card_slug, state, step, stability, difficulty,"
                " due, last_review, reps, lapses) VALUES (1, 'forget-gate', 2, NULL, 9.5, 5.0,"
                " :due, :last, 4, 0)"
            ),
            {"due": due, "last": datetime(2026, 2, 20, tzinfo=UTC)},
        )
    command.upgrade(config, "head")
    with Session(engine) as session:
        state = session.exec(select(CardState)).one()
        assert (state.due, state.fsrs_due) == (due, due)
        assert (state.stability, state.difficulty, state.reps) == (9.5, 5.0, 4)
    command.downgrade(config, "0003")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT reps FROM card_state")).scalar_one() == 4
    engine.dispose()


def test_0006_adds_answers_marks_and_extensions_keeping_the_data(settings):
    """0005 → 0006 → 0005 on a database with a learner: nothing of theirs is lost either way."""
    url = settings.resolved_database_url
    config = alembic_config(url)
    command.upgrade(config, "0005")
    engine = make_engine(url)
    at = datetime(2026, 3, 1, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            text(
                'INSERT INTO "user" (id, username, created_at, timezone, desired_retention,'
                " daily_new_limit, session_version) VALUES (1, 'ada', :t, 'UTC', 0.9, 10, 0)"
            ),
            {"t": at},
        )
        conn.execute(
            text(
                "INSERT INTO card_state (user_id, card_slug, state, step, stability, difficulty,"
                " due, fsrs_due, last_review, reps, lapses) VALUES (1, 'forget-gate', 2, NULL,"
                " 9.5, 5.0, :t, :t, :t, 4, 0)"
            ),
            {"t": at},
        )
        conn.execute(
            text(
                "INSERT INTO review_log (user_id, card_slug, rating, reviewed_at, source)"
                " VALUES (1, 'forget-gate', 3, :t, 'review')"
            ),
            {"t": at},
        )
    command.upgrade(config, "0006")
    with Session(engine) as session:
        user = session.get(User, 1)
        assert (user.username, user.extra_new_cards, user.extra_new_day) == ("ada", 0, None)
        log = session.exec(select(ReviewLog)).one()
        assert (log.rating, log.answer, log.answer_points) == (3, None, None)
        assert session.exec(select(CardState)).one().reps == 4
    command.downgrade(config, "0005")
    with engine.connect() as conn:
        assert conn.execute(text('SELECT username FROM "user"')).scalar_one() == "ada"
        assert conn.execute(text("SELECT reps FROM card_state")).scalar_one() == 4
        assert conn.execute(text("SELECT rating FROM review_log")).scalar_one() == 3
    engine.dispose()
