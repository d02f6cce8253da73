"""Migrations: they build the schema the models describe, and go down and up again cleanly."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from app.db import make_engine
from app.migrate import alembic_config, upgrade


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
