"""Many more requests at once than a worker has threads and connections: every one is answered.

A signed-in page makes two thread calls (finding the user, then the page's own reads). When the
first one kept its database connection while the request waited for a thread, enough concurrent
requests held every connection while every thread waited for one: the worker answered nothing
until the pool gave up after 30 s (then 500s). Found while measuring: 100 connections to one
worker's card pages fell from 300 to 12 answers a second, 400 connections to none at all. Against
that code every one of this test's 150 clients waited 20 s for an answer that never came, on
both databases."""

import contextlib
import threading
import time
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
CLIENTS = 150  # each sending one request after another for SECONDS
SECONDS = 3
TIMEOUT_S = 20  # below the pool's 30 s: a stalled worker shows as a timeout, not a slow pass
CARD = "what-are-lstms"
# Pages that read twice (user, then the learner's rows), an API read and a write.
REQUESTS = [
    ("GET", f"/cards/{CARD}"),
    ("GET", "/progress"),
    ("GET", "/api/review/next"),
    ("POST", "/api/reviews"),
]


def _guest(url: str) -> httpx.Cookies:
    body = {"card": CARD, "rating": 3, "idempotency_key": uuid.uuid4().hex}
    response = httpx.post(f"{url}/api/reviews", json=body, timeout=TIMEOUT_S)
    assert response.status_code == 200, response.text
    return response.cookies


def test_a_worker_keeps_answering_far_more_requests_than_it_has_connections(tmp_path, database_url):
    served = app_server.start(
        tmp_path,
        database_url,
        workers=1,
        env={"DB_CONCURRENCY": str(CONCURRENCY), "LIMIT_CONCURRENCY": str(2 * CLIENTS)},
    )
    try:
        learners = [_guest(served.url) for _ in range(8)]
        start = threading.Barrier(CLIENTS)

        def client(i: int) -> Counter:
            outcomes: Counter = Counter()
            with httpx.Client(cookies=learners[i % len(learners)], timeout=TIMEOUT_S) as http:
                start.wait()
                stop = time.monotonic() + SECONDS
                n = i
                while time.monotonic() < stop:
                    method, path = REQUESTS[n % len(REQUESTS)]
                    n += 1
                    body = {"card": CARD, "rating": 3, "idempotency_key": uuid.uuid4().hex}
                    try:
                        response = http.request(
                            method, served.url + path, json=body if method == "POST" else None
                        )
                    except httpx.TimeoutException:
                        outcomes[f"{method} {path}: no answer in {TIMEOUT_S} s"] += 1
                        break
                    outcomes[str(response.status_code)] += 1
            return outcomes

        with ThreadPoolExecutor(CLIENTS) as pool:
            outcomes = sum(pool.map(client, range(CLIENTS)), Counter())
    finally:
        served.stop()
    assert set(outcomes) == {"200"}, outcomes
    assert outcomes["200"] >= CLIENTS
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
