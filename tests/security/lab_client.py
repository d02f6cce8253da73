"""Helpers of the lab's security tests: an in-process app for the lab's API (one app serves a
whole module, on each kind of database) and uploads built from arrays."""

import io
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient

from app.main import create_app
from app.migrate import upgrade
from tests.conftest import make_settings


def lab_client(tmp_path: Path, **overrides) -> Iterator[TestClient]:
    settings = make_settings(tmp_path, **overrides)
    upgrade(settings)
    app = create_app(settings)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield client
    app.state.engine.dispose()


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def upload(client, data: bytes | dict, config: dict | None = None):
    data = data if isinstance(data, bytes) else npz_bytes(data)
    form = {"config": json.dumps(config)} if config is not None else {}
    return client.post("/api/lab/run", files={"weights": ("w.npz", data)}, data=form)
