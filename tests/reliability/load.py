"""A bounded write load: concurrent learners submitting reviews and quiz answers over HTTP.

Each client is one thread with its own cookie jar (its own guest), except that some clients share
a guest in pairs and review the same few cards, so two workers race on the same rows. Every
write's outcome is recorded: acknowledged (2xx), refused (4xx), server error (5xx) or in doubt
(no response: the connection failed, e.g. because the server was killed). Only acknowledged
writes are promised to be in the database; an in-doubt one may or may not be.
"""

import random
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx

QUIZ_SIZE = 10
ANSWER_EVERY = 5  # every 5th write is a quiz answer: 80 reviews and 20 answers per 100 writes
RETRY_EVERY = 10  # one write in 10 re-sends an acknowledged review's key, as a retry would
SHARED_CARDS = 3  # clients that share a guest review only this many cards, to collide often
# Answers of the right type for each kind of item; whether they are right does not matter here.
ANSWERS = {"choice": 0, "boolean": True, "number": 0.5, "text": "a short answer"}


@dataclass(frozen=True)
class Write:
    kind: str  # "review" | "answer"
    path: str
    body: dict
    key: str  # the review's idempotency key, or "<attempt>:<item>" for an answer
    card: str | None = None


@dataclass
class ClientLog:
    name: str
    cookies: httpx.Cookies = field(default_factory=httpx.Cookies)
    acked: list[Write] = field(default_factory=list)
    in_doubt: list[Write] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    replays: int = 0  # retried keys that came back as the same, replayed result
    replay_mismatches: list[str] = field(default_factory=list)
    attempts: list[int] = field(default_factory=list)  # quiz attempts this client started
    results: dict[str, dict] = field(default_factory=dict)  # review key -> acknowledged body
    sent: list[tuple[Write, int]] = field(default_factory=list)  # each write and its status

    @property
    def acked_reviews(self) -> list[Write]:
        return [w for w in self.acked if w.kind == "review"]

    @property
    def acked_answers(self) -> list[Write]:
        return [w for w in self.acked if w.kind == "answer"]


class Stopped(Exception):
    """The connection failed; the client stops (the server is gone or going)."""


class LoadClient:
    def __init__(
        self,
        base_url: str,
        log: ClientLog,
        slugs: list[str],
        seed: int,
        *,
        quiz: bool,
        on_ack: Callable[[], None] | None = None,
    ) -> None:
        self.http = httpx.Client(base_url=base_url, cookies=log.cookies, timeout=60)
        self.log = log
        self.slugs = slugs
        self.rng = random.Random(seed)
        self.quiz = quiz
        self.on_ack = on_ack or (lambda: None)
        self.attempt: dict | None = None  # the quiz being answered: {"id", "items", "next"}

    def close(self) -> None:
        self.log.cookies = self.http.cookies
        self.http.close()

    # ---- one request, classified ---------------------------------------------------------

    def send(self, method: str, path: str, body: dict | None = None) -> httpx.Response:
        try:
            response = self.http.request(method, path, json=body)
        except httpx.TransportError as exc:
            raise Stopped(f"{method} {path}: {exc!r}") from exc
        self.log.statuses[response.status_code] += 1
        line = f"{method} {path} {response.status_code}: {response.text}"
        if response.status_code >= 500:
            self.log.server_errors.append(line)
        elif response.status_code >= 400:
            self.log.refused.append(line)
        return response

    def submit(self, write: Write) -> httpx.Response | None:
        try:
            response = self.send("POST", write.path, write.body)
        except Stopped:
            self.log.in_doubt.append(write)
            raise
        self.log.sent.append((write, response.status_code))
        if response.is_success:
            self.log.acked.append(write)
            if write.kind == "review":
                self.log.results[write.key] = response.json()
            self.on_ack()
            return response
        return None

    # ---- the writes ------------------------------------------------------------------------

    def review(self, n: int) -> None:
        previous = self.log.acked_reviews
        if n % RETRY_EVERY == RETRY_EVERY // 2 and previous:
            self.retry(previous[-1])
            return
        card = self.rng.choice(self.slugs)
        key = uuid.uuid4().hex
        body = {
            "card": card,
            "rating": self.rng.randint(1, 4),
            "idempotency_key": key,
            "duration_ms": self.rng.randint(500, 20_000),
        }
        self.submit(Write("review", "/api/reviews", body, key, card))

    def retry(self, write: Write) -> None:
        """The same submission again: one review recorded, the first result returned."""
        again = self.send("POST", write.path, write.body)
        if not again.is_success:
            return
        self.log.replays += 1
        if again.headers.get("idempotent-replayed") != "true":
            self.log.replay_mismatches.append(f"{write.key}: not marked as replayed")
        if again.json() != self.log.results[write.key]:
            self.log.replay_mismatches.append(f"{write.key}: {again.json()} differs")

    def answer(self) -> None:
        if self.attempt is None or self.attempt["next"] >= len(self.attempt["items"]):
            self.start_quiz()
            if self.attempt is None:
                return
        attempt = self.attempt
        index = attempt["next"]
        attempt["next"] += 1
        kind = attempt["items"][index]["answer_type"]
        body = {"item": index, "answer": ANSWERS[kind]}
        path = f"/api/quizzes/{attempt['id']}/answers"
        self.submit(Write("answer", path, body, f"{attempt['id']}:{index}"))
        if attempt["next"] == len(attempt["items"]):
            # Finishing sends each mistaken card back to review (a review written by the quiz).
            self.send("POST", f"/api/quizzes/{attempt['id']}/finish")

    def start_quiz(self) -> None:
        response = self.send("POST", "/api/quizzes", {"kind": "quiz", "size": QUIZ_SIZE})
        if not response.is_success:
            self.attempt = None
            return
        data = response.json()
        self.log.attempts.append(data["id"])
        self.attempt = {"id": data["id"], "items": data["items"], "next": 0}

    def run(self, writes: int, stop: threading.Event) -> None:
        try:
            for n in range(writes):
                if stop.is_set():
                    return
                if self.quiz and n % ANSWER_EVERY == ANSWER_EVERY - 1:
                    self.answer()
                else:
                    self.review(n)
        except Stopped:
            return
        finally:
            self.close()


def new_guest(base_url: str) -> httpx.Cookies:
    """A guest's session cookie, made by its first write (a visit alone makes no guest)."""
    with httpx.Client(base_url=base_url, timeout=30) as http:
        http.put("/api/settings", json={"timezone": "UTC"}).raise_for_status()
        return httpx.Cookies(http.cookies)


def run(
    base_url: str,
    slugs: list[str],
    *,
    clients: int = 20,
    writes: int = 100,
    shared_pairs: int = 5,
    quiz: bool = True,
    seed: int = 0,
    stop: threading.Event | None = None,
    on_ack: Callable[[], None] | None = None,
) -> list[ClientLog]:
    """`clients` threads, each making `writes` writes. The first 2 × `shared_pairs` clients share
    a guest with their neighbour and review the same few cards; the others start without a
    cookie, so their first write creates their guest while every other client is writing too."""
    stop = stop or threading.Event()
    logs = [ClientLog(f"client-{i}") for i in range(clients)]
    for pair in range(shared_pairs):
        cookies = new_guest(base_url)
        for log in logs[2 * pair : 2 * pair + 2]:
            log.cookies = httpx.Cookies(cookies)
    workers = []
    for i, log in enumerate(logs):
        cards = slugs[:SHARED_CARDS] if i < 2 * shared_pairs else slugs
        workers.append(LoadClient(base_url, log, cards, seed * 1000 + i, quiz=quiz, on_ack=on_ack))
    with ThreadPoolExecutor(max_workers=clients) as pool:
        for future in [pool.submit(w.run, writes, stop) for w in workers]:
            future.result()
    return logs


def retry_in_doubt(base_url: str, logs: list[ClientLog]) -> list[ClientLog]:
    """Send every in-doubt write again, with the same cookie and key, as a client would after the
    server came back. Returns one log per client with the outcomes of these retries."""
    results = []
    for log in logs:
        retried = ClientLog(log.name, cookies=log.cookies)
        client = LoadClient(base_url, retried, [], 0, quiz=False)
        try:
            for write in log.in_doubt:
                client.submit(write)
        finally:
            client.close()
        results.append(retried)
    return results


def summary(logs: list[ClientLog]) -> dict[str, int]:
    statuses: Counter = Counter()
    for log in logs:
        statuses.update(log.statuses)
    return {
        "acknowledged reviews": sum(len(log.acked_reviews) for log in logs),
        "acknowledged answers": sum(len(log.acked_answers) for log in logs),
        "replayed retries": sum(log.replays for log in logs),
        "in doubt": sum(len(log.in_doubt) for log in logs),
        **{f"HTTP {code}": n for code, n in sorted(statuses.items())},
    }
