"""Apply the Alembic migrations: `python -m app.migrate` (the start command runs it too)."""

import sys
from pathlib import Path

from alembic import command
from alembic.config import Config

from app.config import Settings, get_settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(settings: Settings, revision: str = "head") -> None:
    command.upgrade(alembic_config(settings.resolved_database_url), revision)


if __name__ == "__main__":
    upgrade(get_settings(), sys.argv[1] if len(sys.argv) > 1 else "head")
