"""Alembic environment: the URL comes from the app's settings (or a connection handed in)."""

from alembic import context
from sqlalchemy import text
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from app.config import get_settings
from app.db import UTCDateTime, make_engine

target_metadata = SQLModel.metadata
# Several containers starting at once against one PostgreSQL database all run the migrations: the
# first takes this lock and migrates, the others wait for it and then find the schema at head.
MIGRATION_LOCK_ID = 0x4D656D43  # any constant of the app's own ("MemC")


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:  # tests and the app hand in a live connection
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url") or get_settings().resolved_database_url
    engine = make_engine(url)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _render_item(type_, obj, autogen_context):
    # Migrations must not import app code that may change later: store UTCDateTime as its impl.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite can only ALTER a table by copying it
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":  # held until this transaction ends
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
run_migrations_online()
