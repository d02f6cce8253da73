"""Isolation: another user cannot read or change Alice's reviews, quizzes, exports or settings
through any route. Objects of hers addressed by id answer 404; everything else answers with the
caller's own data; after every attempt, every row Alice owns is exactly as it was.

To cover a new per-user route: add a Probe to PROBES (or, for a route that holds no per-user
data, a line to NOT_PER_USER). `test_every_api_route_is_classified` fails until you do.
"""

import base64
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlmodel import Session, SQLModel

from app.db import utcnow
from app.models import LabPrediction, QuizAnswer, QuizAttempt, User
from tests.auth import PASSWORD, fast_hashing, login, register  # noqa: F401
from tests.forms import form

pytestmark = pytest.mark.usefixtures("fast_hashing")

ALICE = "alice-the-learner"
ALICE_KEY = "alice-review-0001"
ALICE_INTERVIEW = (date.today() + timedelta(days=400)).isoformat()
# Strings that exist only in Alice's data: none may appear in anything another user receives.
ALICE_ANSWER = "alice-typed-this-answer"
ALICE_NOTE = "alice-private-note"
MARKERS = (ALICE, ALICE_KEY, ALICE_INTERVIEW, ALICE_ANSWER, ALICE_NOTE)


@dataclass(frozen=True)
class Probe:
    """One request by another user. `{quiz}` and `{mock}` stand for Alice's attempt ids."""

    method: str
    path: str
    json: dict | None = None
    form: dict | None = None  # sent as an HTML form, with the caller's own CSRF token
    expect: int = 404
    note: str = ""
    # For reads: what the caller, who has studied nothing, must see (not Alice's state).
    clean: Callable[[Response], bool] | None = None

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


PROBES = [
    # Alice's objects, addressed by id: as if they did not exist.
    Probe("GET", "/api/quizzes/{quiz}"),
    Probe("GET", "/api/quizzes/{mock}"),
    Probe("POST", "/api/quizzes/{quiz}/answers", json={"item": 1, "answer": 0}),
    Probe("PUT", "/api/quizzes/{mock}/checklist", json={"item": 0, "ticked": [0]}),
    Probe("POST", "/api/quizzes/{quiz}/finish"),
    Probe("GET", "/quiz/{quiz}"),
    Probe("GET", "/quiz/{quiz}/results"),
    Probe("POST", "/quiz/{mock}/checklist", form={"ticked-0": "0"}),
    Probe("POST", "/quiz/{quiz}/finish", form={}),
    # Per-user collections and pages: the caller's own, never Alice's.
    Probe("GET", "/api/quizzes", expect=200, clean=lambda r: r.json() == []),
    Probe(
        "GET",
        "/api/progress",
        expect=200,
        clean=lambda r: r.json()["counts"]["new"] == r.json()["counts"]["total"],
    ),
    # Alice has an interview date and a plan; Mallory has neither.
    Probe("GET", "/api/plan", expect=200, clean=lambda r: r.json() is None),
    Probe(
        "GET",
        "/api/export",
        expect=200,
        clean=lambda r: (
            not any(
                r.json()[k]
                for k in ("card_states", "review_log", "quizzes", "lab_predictions", "card_marks")
            )
        ),
    ),
    Probe("GET", "/api/settings", expect=200, clean=lambda r: r.json()["daily_new_limit"] == 10),
    Probe(
        "GET",
        "/api/cards",
        expect=200,
        clean=lambda r: {c["status"]["stage"] for c in r.json()} == {"new"},
    ),
    Probe(
        "GET",
        "/api/cards/first-card",
        expect=200,
        clean=lambda r: r.json()["status"]["stage"] == "new",
    ),
    Probe("GET", "/api/review/next", expect=200, clean=lambda r: r.json()["is_new"]),
    Probe("GET", "/api/review/next?mode=mistakes", expect=200),
    Probe(
        "GET",
        "/api/review/next?mode=ahead",
        expect=200,
        clean=lambda r: r.json()["card"] is None,
    ),
    Probe("GET", "/api/cards?flag=any", expect=200, clean=lambda r: r.json() == []),
    Probe("GET", "/api/cards?suspended=true", expect=200, clean=lambda r: r.json() == []),
    Probe(
        "GET",
        "/api/cards?state=learning&sort=due",
        expect=200,
        clean=lambda r: r.json() == [],
    ),
    Probe("GET", "/cards?flag=red", expect=200, clean=lambda r: "first-card" not in r.text),
    Probe("GET", "/api/auth/me", expect=200),
    Probe("GET", "/", expect=200),
    Probe("GET", "/cards", expect=200, clean=lambda r: "stage-learning" not in r.text),
    Probe("GET", "/cards/first-card", expect=200, clean=lambda r: "stage-new" in r.text),
    Probe("GET", "/review", expect=200),
    Probe("GET", "/settings", expect=200),
    Probe("GET", "/account", expect=200),
    Probe("GET", "/progress", expect=200),
    Probe("GET", "/quiz", expect=200),
    Probe("GET", "/quiz/history", expect=200),
    Probe("GET", "/lab", expect=200),
    Probe("GET", "/api/lab/predictions", expect=200, clean=lambda r: r.json()["made"] == 0),
    Probe("GET", "/api/lab/prompts", expect=200, clean=lambda r: r.json()["asked"] == []),
    # Writes: they act on the caller's own data only, whatever the body says.
    Probe("POST", "/api/reviews/undo", expect=409, note="names no rating: refused"),
    Probe(
        "POST",
        "/api/reviews/undo",
        json={"idempotency_key": ALICE_KEY},
        expect=409,
        note="Alice's rating, named by her key, is not the caller's to undo",
    ),
    Probe(
        "POST",
        "/api/reviews/undo",
        json={"review_id": 1},
        expect=409,
        note="Alice's rating (the first in the log), named by id, is not the caller's",
    ),
    Probe(
        "POST",
        "/api/reviews",
        json={"card": "first-card", "rating": 1, "idempotency_key": ALICE_KEY},
        expect=200,
        note="Alice's idempotency key replays nothing of hers",
    ),
    Probe("PUT", "/api/settings", json={"daily_new_limit": 2, "user_id": 1}, expect=200),
    Probe("POST", "/api/lab/prompts", json={"preset": "adding-lstm"}, expect=200),
    Probe(
        "PUT",
        "/api/cards/first-card/flags",
        json={"suspended": False, "flag": None, "user_id": 1},
        expect=200,
        note="the caller's own marks only",
    ),
    Probe("PUT", "/api/cards/first-card/note", json={"text": "", "user_id": 1}, expect=200),
    Probe("POST", "/api/study/extend", json={"new_cards": 5, "user_id": 1}, expect=200),
    Probe(
        "POST", "/settings", form={"daily_new_limit": "2", "desired_retention": "0.8"}, expect=303
    ),
    Probe("POST", "/api/quizzes", json={"kind": "quiz", "size": 5}, expect=201),
    Probe(
        "POST",
        "/api/lab/predictions",
        json={"preset": "forget-bias", "question_id": "x", "answer": "a", "input": None, "seed": 0},
        expect=422,
        note="a prediction only ever counts for the caller; a made-up one changes nothing",
    ),
    Probe("POST", "/api/import", json={"mode": "replace", "data": "ALICE_EXPORT"}, expect=200),
    Probe("POST", "/api/import", json={"mode": "merge", "data": "ALICE_EXPORT"}, expect=200),
    # Account actions name no user: they can only ever act on the caller's own session.
    Probe(
        "POST",
        "/api/auth/password",
        json={"current_password": PASSWORD, "new_password": "x" * 12},
        expect=409,
    ),
    Probe("POST", "/api/auth/delete", json={"password": PASSWORD}, expect=409),
    Probe("POST", "/api/auth/logout-everywhere", expect=409),
    Probe("POST", "/api/auth/logout", expect=200),
    Probe("POST", "/api/auth/register", json={"username": ALICE, "password": PASSWORD}, expect=409),
    Probe(
        "POST",
        "/api/auth/login",
        json={"username": ALICE, "password": "not-her-password"},
        expect=401,
    ),
    Probe(
        "POST",
        "/account/login",
        form={"username": ALICE, "password": "not-her-password"},
        expect=401,
    ),
    Probe("POST", "/account/delete", form={"password": PASSWORD}, expect=409),
]

# JSON routes that hold no per-user data (or act only on the caller's own session, covered above).
NOT_PER_USER = {
    "GET /healthz": "liveness",
    "GET /export/deck.apkg": "the deck, the same for everyone",
    "GET /export/deck.tsv": "the deck, the same for everyone",
    "GET /api/lab/presets": "the lab's presets, the same for everyone",
    "POST /api/lab/run": "a computation on the request's own input; stores nothing",
    "POST /api/lab/gradients": "a computation on the request's own input; stores nothing",
    "POST /api/lab/units": "a computation on the request's own input; stores nothing",
    "POST /api/lab/sample": "a computation on the request's own input; stores nothing",
    "POST /api/lab/train": "the training state travels sealed in the request; stores nothing",
    "POST /api/recall/check": "the request's answer against the deck's key points; stores nothing",
}


def browser(app) -> TestClient:
    return TestClient(app, base_url="http://127.0.0.1")


def owned_rows(app, user_id: int) -> dict[str, list[tuple]]:
    """Every row Alice owns, in every per-user table (found by their user_id column)."""
    with Session(app.state.engine) as session:
        snapshot = {"user": [tuple(session.get(User, user_id).model_dump().items())]}
        for table in SQLModel.metadata.sorted_tables:
            if "user_id" in table.c:
                query = select(table).where(table.c.user_id == user_id).order_by(table.c.id)
                snapshot[table.name] = [tuple(r) for r in session.execute(query)]
        attempts = select(QuizAttempt.id).where(QuizAttempt.user_id == user_id)
        answers = select(QuizAnswer).where(QuizAnswer.attempt_id.in_(attempts))
        snapshot["quiz_answer"] = [tuple(r) for r in session.execute(answers)]
    return snapshot


@pytest.fixture
def alice(app):
    """Alice, registered, with a review, settings, a quiz with an answer and a mock interview."""
    with browser(app) as c:
        assert register(c, ALICE).status_code == 201
        review = {
            "card": "first-card",
            "rating": 3,
            "idempotency_key": ALICE_KEY,
            "answer": ALICE_ANSWER,
            "answer_points": [0, 2],
        }
        assert c.post("/api/reviews", json=review).status_code == 200
        marks = {"suspended": False, "flag": "red"}
        assert c.put("/api/cards/first-card/flags", json=marks).status_code == 200
        note = {"text": f"My note: {ALICE_NOTE}"}
        assert c.put("/api/cards/first-card/note", json=note).status_code == 200
        assert c.post("/api/study/extend", json={"new_cards": 3}).status_code == 200
        settings = {"daily_new_limit": 17, "interview_date": ALICE_INTERVIEW}
        assert c.put("/api/settings", json=settings).status_code == 200
        quiz = c.post("/api/quizzes", json={"kind": "quiz", "size": 5}).json()
        first = {"boolean": True, "choice": 0, "number": 0.5}[quiz["items"][0]["answer_type"]]
        answer = c.post(f"/api/quizzes/{quiz['id']}/answers", json={"item": 0, "answer": first})
        assert answer.status_code == 200, answer.text
        mock = c.post("/api/quizzes", json={"kind": "mock", "size": 1}).json()
        suspend = c.put("/api/cards/second-card/flags", json={"suspended": True})
        assert suspend.status_code == 200
    with Session(app.state.engine) as session:
        row = session.execute(select(User).where(User.username == ALICE)).scalars().one()
        # A lab prediction, written directly: making a real one needs a full lab run.
        prediction = LabPrediction(
            user_id=row.id,
            preset="forget-bias",
            question="Which gate stays open?",
            answer="forget",
            correct=True,
            created_at=utcnow(),
        )
        session.add(prediction)
        session.commit()
        user_id = row.id
    with browser(app) as c:
        login(c, ALICE)
        export = c.get("/api/export").json()
        assert export["lab_predictions"]
    return {"id": user_id, "quiz": quiz["id"], "mock": mock["id"], "export": export}


def concrete(probe: Probe, alice: dict) -> str:
    return probe.path.format(quiz=alice["quiz"], mock=alice["mock"])


def send(client, probe: Probe, alice: dict) -> tuple[object, str]:
    """Send the probe; return the response and what the caller sent (it may echo that back)."""
    path = concrete(probe, alice)
    body = probe.json
    if body and body.get("data") == "ALICE_EXPORT":  # the attacker holds a copy of her export
        body = {**body, "data": alice["export"]}
    if probe.form is not None:
        data = form(client, probe.form)
        return client.request(probe.method, path, data=data, follow_redirects=False), str(data)
    return client.request(probe.method, path, json=body, follow_redirects=False), json.dumps(body)


def test_no_other_user_reads_or_changes_alices_data(app, alice):
    before = owned_rows(app, alice["id"])
    tables = ("review_log", "quiz_attempt", "quiz_answer", "lab_prediction", "card_mark")
    assert all(before[t] for t in tables)
    problems = []
    for probe in PROBES:
        with browser(app) as mallory:  # a fresh user for each probe: no probe sees another's
            mallory.get("/")
            response, sent = send(mallory, probe, alice)
            if response.status_code != probe.expect:
                got = f"{response.status_code}: {response.text[:160]}"
                problems.append(f"{probe}: expected {probe.expect}, got {got}")
            leaked = [m for m in MARKERS if m in response.text and m not in sent]
            if probe.clean and response.status_code == 200 and not probe.clean(response):
                leaked.append("study state")
            if leaked:
                problems.append(f"{probe}: shows Alice's {leaked}")
            after = owned_rows(app, alice["id"])
            if after != before:
                problems.append(f"{probe}: changed Alice's data")
                before = after
    assert not problems, "\n".join(problems)


def test_alice_still_sees_all_of_hers(app, alice):
    with browser(app) as c:
        login(c, ALICE)
        assert c.get(f"/api/quizzes/{alice['quiz']}").status_code == 200
        assert c.get("/api/settings").json()["daily_new_limit"] == 17
        states = {x["slug"]: x["status"]["stage"] for x in c.get("/api/cards").json()}
        assert states["first-card"] == "learning"
        card = c.get("/api/cards/first-card").json()
        assert card["flag"] == "red" and ALICE_NOTE in card["note"]["markdown"]
        assert [x["slug"] for x in c.get("/api/cards?suspended=true").json()] == ["second-card"]
        assert ALICE_ANSWER in c.get("/cards/first-card").text  # her answer on her history


def test_a_cookie_naming_alice_without_the_key_is_a_new_guest(app, alice):
    forged = base64.b64encode(json.dumps({"uid": alice["id"], "sv": 1}).encode()).decode()
    with browser(app) as mallory:
        mallory.cookies.set("mc_session", f"{forged}.aaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbb")
        assert mallory.get("/api/auth/me").json() == {"username": None, "guest": True}
        assert mallory.get(f"/api/quizzes/{alice['quiz']}").status_code == 404


def test_every_api_route_is_classified(app):
    ids = {"quiz": 1, "mock": 2}
    probed = [(p.method, concrete(p, ids).split("?")[0]) for p in PROBES]
    unclassified = []
    for path, item in app.openapi()["paths"].items():
        pattern = re.compile(re.sub(r"\{[^}]+\}", "[^/]+", path))
        for method in item:
            key = f"{method.upper()} {path}"
            covered = any(m == method.upper() and pattern.fullmatch(p) for m, p in probed)
            if not covered and key not in NOT_PER_USER:
                unclassified.append(key)
    assert not unclassified, (
        f"add a Probe (or a NOT_PER_USER line) in {__file__} for: {', '.join(unclassified)}"
    )
