"""Bulkheads for heavy work: a few threads of its own per worker, a short queue, then 503.

Lab compute and password hashing used to run on the thread pool that serves every page
(Starlette's, 40 threads), so 40 heavy requests at once made /healthz wait 15-57 s. Here each
kind of heavy work gets a `Pool`: `threads` threads run it, at most `queue` more jobs wait, and
anything past that is refused at once with Busy (503 and Retry-After) instead of waiting in line
ahead of the pages. Pages keep the shared pool to themselves.

`ClientRate` is the per-client part: a token bucket per address (per worker, in memory: a
throttle for fairness, not an accounting), so one client cannot keep the lab's queue full.
"""

import asyncio
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from starlette.types import ASGIApp, Receive, Scope, Send

from app.errors import Busy, DomainError
from app.security.ratelimit import client_group
from app.security.respond import refuse

R = TypeVar("R")


class TooManyRequests(DomainError):
    """One client sent more than its share; it may try again after `retry_after` seconds."""

    status = 429


class Pool:
    """`threads` threads for one kind of heavy work, and at most `queue` jobs waiting for them.

    `run` (async, from a route) and `call` (sync, from a route already on a worker thread) both
    raise Busy at once when threads + queue jobs are already admitted. A job's slot is freed when
    the job ends, not when its caller stops waiting, so the bound holds even for clients that
    disconnect.
    """

    def __init__(self, name: str, *, threads: int, queue: int, retry_after: int, message: str):
        self.name, self.threads, self.queue = name, threads, queue
        self.retry_after, self.message = retry_after, message
        self._admitted = 0  # jobs running or waiting
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix=name)

    def full(self) -> bool:
        return self._admitted >= self.threads + self.queue

    def _release(self, _: object = None) -> None:
        with self._lock:
            self._admitted -= 1

    def _submit(self, fn: Callable[[], R]) -> "Future[R]":
        with self._lock:
            if self._admitted >= self.threads + self.queue:
                raise Busy(self.message, retry_after=self.retry_after)
            self._admitted += 1
        try:
            future = self._executor.submit(fn)
        except BaseException:
            self._release()
            raise
        future.add_done_callback(self._release)
        return future

    async def run(self, fn: Callable[[], R]) -> R:
        return await asyncio.wrap_future(self._submit(fn))

    def call(self, fn: Callable[[], R]) -> R:
        return self._submit(fn).result()

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


class ClientRate:
    """A token bucket per client: `burst` requests at once, then `rate` per second.

    Remembers at most `max_clients` addresses (least recently seen forgotten first), so a flood
    of addresses costs bounded memory. Thread-safe; `now` is passed in for tests.
    """

    def __init__(self, *, rate: float, burst: int, what: str, max_clients: int = 10_000):
        self.rate, self.burst, self.what, self.max_clients = rate, burst, what, max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, client: str, now: float | None = None) -> None:
        """Spend one token of `client`'s bucket, or raise TooManyRequests with the wait."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, then = self._buckets.pop(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - then) * self.rate)
            if tokens < 1.0:
                self._buckets[client] = (tokens, now)
                wait = max(1, math.ceil((1.0 - tokens) / self.rate))
                raise TooManyRequests(
                    f"too many {self.what} requests from your address ({self.burst} at once, "
                    f"then {self.rate:g} a second); try again in {wait} s",
                    retry_after=wait,
                )
            self._buckets[client] = (tokens - 1.0, now)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)


class AdmissionMiddleware:
    """Refuse lab requests at the door, before a session is decoded or a body read, when the
    client has used its share (429) or the lab's pool is full (503). A burst of heavy requests
    then costs the server almost nothing per refused request. The pool's own admission in
    `Pool.run` still holds the bound exactly; this is the cheap early answer.
    """

    def __init__(self, app: ASGIApp, *, prefix: str, pool: "Pool", rate: ClientRate) -> None:
        self.app, self.prefix, self.pool, self.rate = app, prefix, pool, rate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.prefix):
            client = scope.get("client")
            try:
                # An IPv6 client's whole /64 shares one bucket, as the login limits count it.
                self.rate.take(client_group(client[0]) if client else "unknown")
                if scope["method"] == "POST" and self.pool.full():  # GETs compute nothing
                    raise Busy(self.pool.message, retry_after=self.pool.retry_after)
            except DomainError as exc:
                headers = {"Retry-After": str(exc.retry_after)}
                await refuse(scope, receive, send, exc.status, str(exc), headers)
                return
        await self.app(scope, receive, send)
