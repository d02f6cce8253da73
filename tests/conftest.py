"""Shared fixtures: an app on a fresh, migrated SQLite database per test, with the fixture deck."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from app.migrate import upgrade

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_DECK = Path(__file__).resolve().parent / "fixtures" / "deck"
REAL_DECK = ROOT / "questions"


def make_settings(tmp_path: Path, questions: Path = FIXTURE_DECK, **overrides) -> Settings:
    return Settings(
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'test.db'}",
        secret_key="test-secret-key-not-for-production",
        questions_dir=questions,
        fsrs_fuzz=False,
        **overrides,
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    upgrade(settings)  # the real migrations, not create_all: what runs in production is tested
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


@pytest.fixture
def real_client(tmp_path: Path) -> Iterator[TestClient]:
    """The app with the real deck in questions/."""
    settings = make_settings(tmp_path, REAL_DECK)
    upgrade(settings)
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as c:
        yield c
