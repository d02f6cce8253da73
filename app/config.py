"""One settings object, read from the environment (or a `.env` file) with safe local defaults."""

import itertools
import math
import os
import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent

MIN_SECRET_KEY_LENGTH = 32
# Keys that appear in this repository, its docs or common examples: never acceptable in production.
KNOWN_DEFAULT_KEYS = frozenset(
    {
        "test-secret-key-not-for-production",
        "change-me",
        "changeme",
        "change-this-secret-key-in-production",
        "secret",
        "secret-key",
        "your-secret-key",
        "dev",
        "development",
    }
)


MIN_SECRET_KEY_BITS = 128


def estimated_bits(key: str) -> float:
    """A cautious estimate of the key's entropy: the Shannon entropy of its characters times the
    length of its shortest repeating unit, counting a run of steady steps (abcdefgh, 13579) as one
    character. `openssl rand -hex 32` scores about 250; "abcdefgh" repeated, under 30."""
    unit = next(
        (key[:p] for p in range(1, len(key) // 2 + 1) if key == (key[:p] * len(key))[: len(key)]),
        key,
    )
    steps = [ord(b) - ord(a) for a, b in itertools.pairwise(unit)]
    runs = sum(1 for k in range(len(steps)) if k == 0 or steps[k] != steps[k - 1])
    length = min(len(unit), runs + 1)
    counts = [unit.count(c) for c in set(unit)]
    shannon = -sum(n / len(unit) * math.log2(n / len(unit)) for n in counts)
    return shannon * length


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
    # Guests with no progress are deleted this many days after they were made (at start-up and
    # every GUEST_PURGE_HOURS): a guest is made on the first write, which need not be progress.
    guest_max_age_days: int = Field(30, ge=1, le=3650)
    guest_purge_hours: float = Field(6, gt=0, le=24 * 30)
    fsrs_fuzz: bool = True  # spread due dates a little, as FSRS intends; tests turn it off
    # Per worker: reviews writing at once (the write lane, app/deps.py) and, on PostgreSQL,
    # connections. A worker has one GIL and SQLite one writer: past a few, writes only queue for
    # them (32 reviews at once on 40 threads cost 20-30% more CPU each than on 8; bench/README.md).
    db_concurrency: int = Field(8, ge=1, le=256)
    # The lab's bulkhead, per worker: threads for its NumPy work, jobs that may wait for them
    # (past both: 503 + Retry-After), and each client's share (a token bucket: lab_burst
    # requests at once, then lab_rate a second). README, "Limits", explains the choice.
    lab_threads: int = Field(1, ge=1, le=16)
    lab_queue: int = Field(4, ge=0, le=256)
    lab_rate: float = Field(5.0, gt=0, le=1000)
    lab_burst: int = Field(20, ge=1, le=10_000)
    # Slow clients (uvicorn, per worker): past limit_concurrency open connections or requests a
    # new one gets 503 at once; an idle kept-alive connection is closed after keep_alive_s.
    # Header and body read timeouts belong to the reverse proxy (README, Deployment).
    limit_concurrency: int = Field(200, ge=1, le=100_000)
    keep_alive_s: int = Field(5, ge=1, le=300)

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if value and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("DATABASE_URL must be a sqlite:// or postgresql+psycopg:// URL")
        return value

    def production_problem(self) -> str | None:
        """Why this configuration must not serve the public; None when it may.

        In production the key that signs every session must be set, long and not one printed in
        docs or tests: anyone who knows it can sign a cookie for any user.
        """
        if self.environment != "production":
            return None
        key = self.secret_key.strip()
        if not key:
            return "ENVIRONMENT=production needs SECRET_KEY (e.g. from `openssl rand -hex 32`)"
        if len(key) < MIN_SECRET_KEY_LENGTH:
            return (
                f"ENVIRONMENT=production needs a SECRET_KEY of at least {MIN_SECRET_KEY_LENGTH} "
                f"characters (it has {len(key)})"
            )
        if key.lower() in KNOWN_DEFAULT_KEYS or len(set(key)) < 8:
            return "ENVIRONMENT=production refuses a placeholder SECRET_KEY; generate a random one"
        if estimated_bits(key) < MIN_SECRET_KEY_BITS:
            return (
                "ENVIRONMENT=production refuses a SECRET_KEY with a pattern in it (a repeated "
                "or consecutive run of characters); generate a random one, e.g. with "
                "`openssl rand -hex 32`"
            )
        return None

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        path = self.data_dir / "memory-cell.db"
        # Created 0600 before SQLite opens it (SQLite gives its -wal and -shm files the same
        # mode): a learner's progress is not for other users of the machine.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        return f"sqlite:///{path.as_posix()}"

    @cached_property
    def resolved_secret_key(self) -> str:
        """The configured key, or one made on first use and kept so sessions survive restarts."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            try:
                # Created 0600 from the first byte (no window in which others may read it);
                # O_EXCL: a worker starting at the same moment keeps the one written first.
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "w") as out:
                    out.write(secrets.token_urlsafe(48))
        return path.read_text().strip()


def get_settings() -> Settings:
    return Settings()
