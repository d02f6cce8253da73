"""Fixtures for the security regression suite: the app on SQLite and on PostgreSQL (through the
shared `database_url` fixture), with the quiz fixture deck, and a second browser."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.main import create_app
from app.migrate import upgrade
from tests.conftest import make_settings

QUIZ_DECK = Path(__file__).resolve().parents[1] / "fixtures" / "quiz_deck"


@pytest.fixture
def quiz_app(tmp_path: Path, database_url: str) -> Iterator[FastAPI]:
    settings = make_settings(tmp_path, QUIZ_DECK, database_url=database_url)
    upgrade(settings)
    app = create_app(settings)
    yield app
    app.state.engine.dispose()


@pytest.fixture
def qc(quiz_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(quiz_app, base_url="http://127.0.0.1") as c:
        yield c
