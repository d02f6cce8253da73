"""One settings object, read from the environment (or a `.env` file) with safe local defaults."""

import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "production"] = "development"
    data_dir: Path = Path("data")
    database_url: str = ""  # empty: SQLite at data_dir/memory-cell.db
    secret_key: str = ""  # empty: generated once and kept in data_dir/secret_key
    questions_dir: Path = ROOT / "questions"
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    workers: int = Field(1, ge=1, le=64)
    https_cookies: bool = False  # mark the session cookie Secure (set behind HTTPS)
    session_max_age_days: int = Field(30, ge=1, le=3650)
    fsrs_fuzz: bool = True  # spread due dates a little, as FSRS intends; tests turn it off

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if value and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("DATABASE_URL must be a sqlite:// or postgresql+psycopg:// URL")
        return value

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{(self.data_dir / 'memory-cell.db').as_posix()}"

    @cached_property
    def resolved_secret_key(self) -> str:
        """The configured key, or one made on first use and kept so sessions survive restarts."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


def get_settings() -> Settings:
    return Settings()
