"""Many more requests at once than a worker has threads and connections: every one is answered.

A signed-in page makes two thread calls (finding the user, then the page's own reads). When the
first one kept its database connection while the request waited for a thread, enough concurrent
requests held every connection while every thread waited for one: the worker answered nothing
until the pool gave up after 30 s (then 500s). Found while measuring: 100 connections to one
worker's card pages fell from 300 to 12 answers a second, 400 connections to none at all."""

import contextlib
import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
from fastapi.testclient import TestClient
from sqlalchemy.exc import TimeoutError as PoolTimeout

from app.errors import DATABASE_BUSY
from app.main import create_app
from app.migrate import upgrade
from tests.conftest import REAL_DECK, make_settings
from tests.reliability import server as app_server

CONCURRENCY = 2  # requests doing database work at once
AT_ONCE = 120  # requests started together
TIMEOUT_S = 20  # below the pool's 30 s: a stalled worker shows as a timeout, not a slow pass
CARD = "what-are-lstms"


def _guest(url: str) -> httpx.Cookies:
    body = {"card": CARD, "rating": 3, "idempotency_key": uuid.uuid4().hex}
    response = httpx.post(f"{url}/api/reviews", json=body, timeout=TIMEOUT_S)
    assert response.status_code == 200, response.text
    return response.cookies


def test_a_worker_answers_sixty_times_more_requests_than_it_has_connections(tmp_path, database_url):
    served = app_server.start(
        tmp_path, database_url, workers=1, env={"DB_CONCURRENCY": str(CONCURRENCY)}
    )
    try:
        learners = [_guest(served.url) for _ in range(8)]
        # Pages that read twice (user, then the learner's rows), an API read and a write.
        requests = [
            ("GET", f"/cards/{CARD}"),
            ("GET", "/progress"),
            ("GET", "/api/review/next"),
            ("POST", "/api/reviews"),
        ]
        start = threading.Barrier(AT_ONCE)

        def send(i: int) -> str:
            method, path = requests[i % len(requests)]
            body = {"card": CARD, "rating": 3, "idempotency_key": uuid.uuid4().hex}
            with httpx.Client(cookies=learners[i % len(learners)], timeout=TIMEOUT_S) as client:
                start.wait()
                try:
                    response = client.request(
                        method, served.url + path, json=body if method == "POST" else None
                    )
                except httpx.TimeoutException:
                    return f"{method} {path}: no answer in {TIMEOUT_S} s"
                return str(response.status_code)

        with ThreadPoolExecutor(AT_ONCE) as pool:
            outcomes = Counter(pool.map(send, range(AT_ONCE)))
    finally:
        served.stop()
    assert outcomes == Counter({"200": AT_ONCE}), outcomes
    assert "Traceback" not in served.log()


def test_a_request_that_finds_no_free_connection_is_told_to_retry(tmp_path, database_url):
    settings = make_settings(tmp_path, REAL_DECK, database_url=database_url, limit_concurrency=10)
    upgrade(settings)
    app = create_app(settings)
    engine = app.state.engine
    engine.pool._timeout = 0.2  # the pool's wait, 30 s in production
    with TestClient(app, base_url="http://127.0.0.1") as client:
        client.post("/api/reviews", json={"card": CARD, "rating": 3, "idempotency_key": "k" * 8})
        with contextlib.ExitStack() as held:  # every connection, held elsewhere
            with contextlib.suppress(PoolTimeout):
                while True:
                    held.enter_context(engine.connect())
            response = client.get("/api/review/next")
            page = client.get(f"/cards/{CARD}")
        assert client.get("/api/review/next").status_code == 200  # and afterwards all is well
    engine.dispose()
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json() == {"detail": DATABASE_BUSY.message}
    assert page.status_code == 503
    assert "too busy" in page.text
