"""Issue 13, item 2: heavy lab work (and Argon2) cannot starve the site.

Lab compute runs on its own bounded pool (threads + a short queue, then 503 with Retry-After);
each client has a share (429 past it); a training chunk's budget counts its real cost; password
hashing is bounded the same way. And on the real server, while 40 heavy lab requests arrive at
once, /healthz and a card page keep answering fast and some lab requests still succeed.
"""

import asyncio
import statistics
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi.testclient import TestClient

from app.errors import Busy
from app.nn import lab as engine
from app.security import passwords
from app.security.pools import ClientRate, Pool, TooManyRequests
from app.security.ratelimit import client_group
from app.services import lab_runs
from tests.reliability import server as app_server
from tests.security.lab_client import lab_client


def run_in_own_loop(coroutine):
    """asyncio.run on a thread of its own: under xdist this process may already run an event
    loop on its main thread (Playwright's sync API, kept by the e2e tests' session fixture)."""
    with ThreadPoolExecutor(1) as executor:
        return executor.submit(asyncio.run, coroutine).result()


# --- the mechanisms -------------------------------------------------------------------------------


def test_a_pool_admits_threads_plus_queue_and_refuses_the_rest_at_once():
    pool = Pool("t", threads=1, queue=2, retry_after=3, message="busy")
    release = threading.Event()
    try:
        with ThreadPoolExecutor(3) as callers:
            admitted = [callers.submit(pool.call, release.wait) for _ in range(3)]
            time.sleep(0.2)  # all three admitted: one running, two waiting
            started = time.perf_counter()
            with pytest.raises(Busy) as refused:
                pool.call(lambda: None)
            assert time.perf_counter() - started < 0.1  # refused at once, not after a wait
            assert refused.value.status == 503 and refused.value.retry_after == 3
            release.set()
            assert all(f.result(timeout=5) for f in admitted)
        assert pool.call(lambda: 42) == 42  # the slots came back
    finally:
        release.set()
        pool.shutdown()


def test_a_slot_is_held_until_the_job_ends_even_if_its_caller_gives_up():
    pool = Pool("t", threads=1, queue=0, retry_after=1, message="busy")
    release = threading.Event()

    async def caller_gives_up():
        task = asyncio.ensure_future(pool.run(release.wait))
        await asyncio.sleep(0.1)
        task.cancel()  # a client that disconnects: its job still runs on the thread
        await asyncio.sleep(0.05)
        with pytest.raises(Busy):
            await pool.run(lambda: None)
        release.set()
        await asyncio.sleep(0.2)
        return await pool.run(lambda: "free again")

    try:
        assert run_in_own_loop(caller_gives_up()) == "free again"
    finally:
        release.set()
        pool.shutdown()


def test_each_client_has_a_burst_then_a_rate():
    rate = ClientRate(rate=2.0, burst=3, what="lab")
    for _ in range(3):
        rate.take("a", now=100.0)
    with pytest.raises(TooManyRequests) as refused:
        rate.take("a", now=100.0)
    assert refused.value.status == 429 and refused.value.retry_after == 1
    rate.take("b", now=100.0)  # another client is not affected
    rate.take("a", now=100.6)  # 0.6 s at 2 a second: one token back
    with pytest.raises(TooManyRequests):
        rate.take("a", now=100.6)


def test_client_memory_is_bounded():
    rate = ClientRate(rate=1.0, burst=1, what="lab", max_clients=100)
    for k in range(1000):
        rate.take(f"10.0.{k // 256}.{k % 256}", now=0.0)
    assert len(rate._buckets) == 100


# --- the lab API ----------------------------------------------------------------------------------


@pytest.fixture
def small_lab(tmp_path, database_url) -> Iterator:
    """One lab thread, no queue, a per-client burst of 3."""
    yield from lab_client(
        tmp_path,
        database_url=database_url,
        lab_threads=1,
        lab_queue=0,
        lab_burst=3,
        lab_rate=0.5,
    )


def test_a_full_lab_answers_503_with_retry_after(small_lab, monkeypatch):
    release = threading.Event()
    real = lab_runs.run_preset

    def slow(*args, **kwargs):
        release.wait(5)
        return real(*args, **kwargs)

    monkeypatch.setattr(lab_runs, "run_preset", slow)
    with ThreadPoolExecutor(1) as other:
        first = other.submit(small_lab.post, "/api/lab/run", json={"preset": "adding-lstm"})
        time.sleep(0.3)
        second = small_lab.post("/api/lab/run", json={"preset": "adding-lstm"})
        release.set()
        assert first.result(timeout=10).status_code == 200
    assert second.status_code == 503
    assert second.headers["Retry-After"] == "1"
    assert "lab is busy" in second.json()["detail"]


def test_one_client_past_its_share_gets_429_with_retry_after(small_lab):
    codes = [small_lab.get("/api/lab/presets").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = small_lab.get("/api/lab/presets")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert "too many lab requests" in refused.json()["detail"]
    assert small_lab.get("/healthz").status_code == 200  # pages are not rationed


def test_the_training_budget_counts_the_real_cost():
    # The review's chunk (LSTM, H = 16, T = 50, batch 64, 200 steps) was within the old
    # steps × T × batch × H budget and took seconds; its cost in multiply-adds is far over.
    assert engine.train_work("lstm", 200, 50, 64, 16) > 5 * engine.MAX_TRAIN_WORK
    with pytest.raises(engine.LabError, match="at most 28 steps"):
        engine.train_chunk(engine.new_training_state(H=16, T=50, batch=64), 200)
    # The cost grows with H²: doubling H roughly quadruples it.
    small, big = (engine.train_work("lstm", 1, 50, 32, h) for h in (32, 64))
    assert 3.5 < big / small < 4.1
    # The largest model the page can train still fits one step into a chunk.
    assert engine.train_work("lstm", 1, 200, 32, 64) <= engine.MAX_TRAIN_WORK


def test_password_hashing_is_bounded_too(monkeypatch):
    small = Pool("argon2-test", threads=1, queue=1, retry_after=2, message="busy hashing")
    monkeypatch.setattr(passwords, "HASHING", small)
    release = threading.Event()
    original = passwords.hasher().hash
    monkeypatch.setattr(passwords.hasher(), "hash", lambda p: release.wait(5) and original(p))
    try:
        with ThreadPoolExecutor(2) as callers:
            held = [callers.submit(passwords.hash_password, "a long passphrase") for _ in range(2)]
            time.sleep(0.3)
            with pytest.raises(Busy) as refused:
                passwords.hash_password("one too many")
            assert refused.value.retry_after == 2
            release.set()
            assert all(f.result(timeout=10).startswith("$argon2id$") for f in held)
    finally:
        release.set()
        small.shutdown()


def test_a_login_while_hashing_is_full_is_a_503_not_a_stall(client, monkeypatch):
    full = Pool("argon2-full", threads=1, queue=0, retry_after=2, message="busy hashing")
    monkeypatch.setattr(passwords, "HASHING", full)
    release = threading.Event()
    blocker = threading.Thread(target=lambda: full.call(lambda: release.wait(5)))
    blocker.start()
    try:
        time.sleep(0.2)
        response = client.post(
            "/api/auth/login", json={"username": "someone", "password": "a long passphrase"}
        )
        assert response.status_code == 503 and response.headers["Retry-After"] == "2"
    finally:
        release.set()
        blocker.join()
        full.shutdown()


# --- the real server under a burst ----------------------------------------------------------------

BURST = 40
# A chunk at the new budget's edge for the review's model: LSTM, H = 16, T = 50, batch 64.
HEAVY = {"config": {"cell": "lstm", "H": 16, "T": 50, "batch": 64}, "steps": 28}


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[app_server.Server]:
    data = tmp_path_factory.mktemp("burst")
    server = app_server.start(data, f"sqlite:///{data / 'app.db'}", workers=1)
    try:
        yield server
    finally:
        server.stop()


async def burst(url: str, path: str = "/api/lab/train", body: dict = HEAVY):
    """40 heavy requests at once; meanwhile /healthz and a card page, one after another, timed.
    Returns the heavy requests' status codes and the page latencies in seconds."""
    limits = httpx.Limits(max_connections=BURST + 2)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        assert (await client.get("/cards/what-are-lstms")).status_code == 200  # warm
        done = asyncio.Event()
        latencies: list[float] = []

        async def probe():
            while not done.is_set() or len(latencies) < 10:
                for path in ("/healthz", "/cards/what-are-lstms"):
                    started = time.perf_counter()
                    response = await client.get(path)
                    latencies.append(time.perf_counter() - started)
                    assert response.status_code == 200, path
                await asyncio.sleep(0.05)

        # One client (its own cookies) per sender, like 40 browsers; made before the clock runs.
        senders = [httpx.AsyncClient(base_url=url, timeout=60) for _ in range(BURST)]

        async def heavy(sender: httpx.AsyncClient) -> int:
            response = await sender.post(path, json=body, headers={"Origin": url})
            return response.status_code

        try:
            prober = asyncio.create_task(probe())
            codes = await asyncio.gather(*(heavy(sender) for sender in senders))
            done.set()
            await asyncio.wait_for(prober, 30)
        finally:
            for sender in senders:
                await sender.aclose()
    return list(codes), latencies


def burst_within_bounds(url: str, what: str, path: str, body: dict) -> list[int]:
    """Run the burst, and once more if its page latency was out of bounds: a single stall of
    this shared 2-core machine (other test runs) is not the server's doing, while the old
    behaviour (pages waiting 15-57 s behind the lab) fails both. Asserts on the better run."""
    runs = []
    for _ in range(2):
        started = time.perf_counter()
        codes, latencies = run_in_own_loop(burst(url, path, body))
        assert time.perf_counter() - started < 60
        median, worst = statistics.median(latencies), max(latencies)
        print(
            f"{what}: {codes.count(200)} ok, {codes.count(503)} busy, {codes.count(429)} over "
            f"share; pages: median {median * 1000:.0f} ms, max {worst * 1000:.0f} ms over "
            f"{len(latencies)} requests"
        )
        assert set(codes) <= {200, 429, 503}
        assert codes.count(200) >= 1  # some heavy requests still succeed
        runs.append((worst, median, codes))
        if worst < 1.0 and median < 0.5:
            break
    worst, median, codes = min(runs)
    assert worst < 1.0, f"a page took {worst:.2f} s"
    assert median < 0.5, f"pages took {median:.2f} s (median)"
    return codes


def test_pages_stay_fast_while_40_heavy_lab_requests_arrive(served):
    burst_within_bounds(served.url, "lab", "/api/lab/train", HEAVY)


def test_pages_stay_fast_while_40_logins_arrive(served):
    """Argon2 (tens of ms and 64 MiB a hash) on its own 2 threads with 16 waiting."""
    credentials = {"username": "burst-learner", "password": "correct horse battery staple"}
    registered = httpx.post(
        served.url + "/api/auth/register", json=credentials, headers={"Origin": served.url}
    )
    assert registered.status_code == 201, registered.text
    codes = burst_within_bounds(served.url, "logins", "/api/auth/login", credentials)
    assert codes.count(503) >= 1  # past 2 hashing + 16 waiting, refused at once


def test_an_ipv6_clients_64_shares_one_share():
    rate = ClientRate(rate=0.001, burst=1, what="lab")
    rate.take(client_group("2001:db8:1:2::1"), now=0.0)
    with pytest.raises(TooManyRequests):
        rate.take(client_group("2001:db8:1:2:ffff::9"), now=0.0)
    rate.take(client_group("2001:db8:1:3::1"), now=0.0)  # another /64


def test_the_lab_pool_outlives_one_client_session(app):
    """An app serves several lifespans in tests (a TestClient each): the lab's pool must still
    take work after the first one ends."""
    for _ in range(2):
        with TestClient(app, base_url="http://127.0.0.1") as client:
            response = client.post("/api/lab/run", json={"preset": "adding-lstm", "T": 5})
            assert response.status_code == 200
