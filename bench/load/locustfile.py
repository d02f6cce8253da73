"""Locust users for bench/load/run.py: one class per measured request. Each user is a learner
with its own guest cookie (made by a first visit) and no think time: a closed loop of 50 users."""

import random
import uuid

from locust import FastHttpUser, constant, task

SLUGS: list[str] = []  # the deck's card slugs, fetched once from the app


def slugs(client) -> list[str]:
    if not SLUGS:
        SLUGS.extend(card["slug"] for card in client.get("/api/cards").json())
    return SLUGS


class Learner(FastHttpUser):
    abstract = True
    wait_time = constant(0)

    def on_start(self) -> None:
        # A first visit makes this user's guest; the client keeps the cookie from then on.
        self.client.get("/api/review/next", name="(first visit)")
        self.cards = slugs(self.client)


class CardPage(Learner):
    """GET /cards/{slug}: the server-rendered card page."""

    @task
    def card_page(self) -> None:
        self.client.get(f"/cards/{random.choice(self.cards)}", name="GET /cards/{slug}")


class ReviewSubmission(Learner):
    """POST /api/reviews: one rating, a write in one transaction."""

    @task
    def review(self) -> None:
        body = {
            "card": random.choice(self.cards),
            "rating": random.randint(1, 4),
            "idempotency_key": uuid.uuid4().hex,
            "duration_ms": random.randint(500, 20_000),
        }
        self.client.post("/api/reviews", json=body, name="POST /api/reviews")


class LabRun(Learner):
    """POST /api/lab/run: the NumPy LSTM on the adding-problem preset, every gate at every step."""

    @task
    def lab_run(self) -> None:
        self.client.post("/api/lab/run", json={"preset": "adding-lstm"}, name="POST /api/lab/run")


class Bare(FastHttpUser):
    """GET /ping on bench/load/bare_app.py: FastAPI and uvicorn with nothing else."""

    wait_time = constant(0)

    @task
    def ping(self) -> None:
        self.client.get("/ping", name="GET /ping (bare FastAPI)")
