"""Helpers for tests that need accounts: cheap hashing, and register/login through the JSON API."""

import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from app.security import passwords

PASSWORD = "purple-otter-sings-42"


@pytest.fixture
def fast_hashing(monkeypatch):
    """Argon2id with tiny costs: the same code paths, a hundred times faster. Use in API tests."""
    cheap = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
    monkeypatch.setattr(passwords, "hasher", lambda: cheap)
    return cheap


def register(client, username: str, password: str = PASSWORD):
    return client.post("/api/auth/register", json={"username": username, "password": password})


def login(client, username: str, password: str = PASSWORD):
    return client.post("/api/auth/login", json={"username": username, "password": password})


def me(client) -> dict:
    return client.get("/api/auth/me").json()
