"""Issue 13, item 11: slow clients. uvicorn runs with a cap on open connections and requests per
worker (past it: 503 at once, not an unbounded queue) and a keep-alive timeout; the image and the
compose file set both; the README's deployment section shows the proxy's header and body
timeouts, which uvicorn itself lacks."""

import gc
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from fastapi import FastAPI

from app.serve import serving_app, uvicorn_options
from tests.conftest import make_settings
from tests.reliability import server as app_server

ROOT = Path(__file__).resolve().parents[2]


def test_serve_passes_the_bounds_to_uvicorn(tmp_path):
    options = uvicorn_options(make_settings(tmp_path, limit_concurrency=123, keep_alive_s=7))
    assert options["limit_concurrency"] == 123
    assert options["timeout_keep_alive"] == 7
    defaults = uvicorn_options(make_settings(tmp_path))
    assert defaults["limit_concurrency"] == 200 and defaults["timeout_keep_alive"] == 5


def test_the_image_and_compose_set_them_and_the_readme_shows_the_proxy_timeouts():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "LIMIT_CONCURRENCY=" in dockerfile and "KEEP_ALIVE_S=" in dockerfile
    env = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["app"][
        "environment"
    ]
    assert "LIMIT_CONCURRENCY" in env and "KEEP_ALIVE_S" in env
    readme = (ROOT / "README.md").read_text()
    deployment = readme[readme.index("## Deployment") :]
    for directive in ("client_header_timeout", "client_body_timeout", "send_timeout"):
        assert directive in deployment


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[app_server.Server]:
    data = tmp_path_factory.mktemp("slow")
    env = {"LIMIT_CONCURRENCY": "4", "KEEP_ALIVE_S": "1"}
    server = app_server.start(data, f"sqlite:///{data / 'app.db'}", workers=1, env=env)
    try:
        yield server
    finally:
        server.stop()


def connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=5)


def test_an_idle_kept_alive_connection_is_closed(served):
    with connect(served.url) as sock:
        sock.settimeout(10)  # a server that kept it open would make recv time out
        started = time.monotonic()
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        received = b""
        while chunk := sock.recv(4096):  # the response, then b"": the server closed it
            received += chunk
        assert received.startswith(b"HTTP/1.1 200")
        assert time.monotonic() - started < 5


def test_clients_holding_connections_cannot_queue_the_rest_forever(served):
    # Slowloris: connections that send half a request head and stall.
    held = [connect(served.url) for _ in range(4)]
    try:
        for sock in held:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        time.sleep(0.3)
        started = time.monotonic()
        refused = httpx.get(served.url + "/healthz", timeout=5)
        assert refused.status_code == 503  # at once, instead of waiting behind them
        assert time.monotonic() - started < 1
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.3)
    assert httpx.get(served.url + "/healthz", timeout=5).status_code == 200


def test_a_worker_freezes_what_it_loaded_before_serving(tmp_path, monkeypatch):
    # The deck, templates and modules live as long as the worker: out of the cyclic collector's
    # sight (gc.freeze), a full collection under load walks only what requests made.
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    gc.unfreeze()
    try:
        app = serving_app()
        assert isinstance(app, FastAPI) and app.state.deck
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
