"""Issue 13, item 5: a quiz attempt stores references into the deck (card item, option order,
computed template and seed), never rendered HTML, and is rendered from the deck on read."""

import json
from datetime import UTC, datetime

from alembic import command
from sqlalchemy import text
from sqlmodel import Session

from app.db import make_engine
from app.migrate import alembic_config
from app.models import QuizAttempt


def stored(app, attempt_id: int) -> str:
    with Session(app.state.engine) as session:
        return session.get(QuizAttempt, attempt_id).items


def test_a_mock_of_every_question_stores_a_few_hundred_bytes(qc, quiz_app):
    mock = qc.post("/api/quizzes", json={"kind": "mock", "size": 4}).json()
    items = stored(quiz_app, mock["id"])
    # Rendered, these questions with their model answers and key points take kilobytes.
    assert len(items) < 60 * 4 and "<" not in items
    assert all(set(ref) == {"kind", "card"} for ref in json.loads(items))
    again = qc.get(f"/api/quizzes/{mock['id']}").json()
    assert [i["prompt"] for i in again["items"]] == [i["prompt"] for i in mock["items"]]


def test_a_quiz_stores_references_and_renders_the_same_items_on_read(qc, quiz_app):
    attempt = qc.post("/api/quizzes", json={"size": 10, "time_limit_s": 60}).json()
    refs = json.loads(stored(quiz_app, attempt["id"]))
    assert len(refs) == 10
    for ref in refs:
        assert set(ref) <= {"kind", "item", "order", "template", "seed"}
        if ref["kind"] == "computed":
            assert isinstance(ref["seed"], int)
    again = qc.get(f"/api/quizzes/{attempt['id']}").json()
    assert [(i["prompt"], i["options"]) for i in again["items"]] == [
        (i["prompt"], i["options"]) for i in attempt["items"]
    ]


OLD_MCQ = {
    "kind": "mcq",
    "answer_type": "choice",
    "source": "forget-gate/0",
    "card": "forget-gate",
    "prompt": {"source": "Q?", "html": "<p>Q?</p>"},
    "choices": [],
    "order": [2, 0, 3, 1],
    "correct": 1,
}
OLD_COMPUTED = {
    "kind": "computed",
    "answer_type": "number",
    "source": "computed/cell",
    "card": None,
    "prompt": {"source": "x", "html": "<p>x</p>"},
    "choices": [],
    "template": "cell",
    "seed": 12345,
}
OLD_MOCK = {"kind": "mock", "source": "mock/gru-update", "card": "gru-update", "prompt": {}}


def test_the_migration_turns_stored_items_into_references(database_url):
    """An attempt saved with rendered items by the previous version keeps every reference."""
    config = alembic_config(database_url)
    command.upgrade(config, "0002")
    engine = make_engine(database_url)
    t = datetime(2026, 1, 2, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            text(
                'INSERT INTO "user" (id, created_at, timezone, desired_retention, daily_new_limit,'
                " session_version) VALUES (1, :t, 'UTC', 0.9, 10, 0)"
            ),
            {"t": t},
        )
        conn.execute(
            text(
                "INSERT INTO quiz_attempt (id, user_id, kind, mode, started_at, deadline, seed,"
                " items, settings, correct, total) VALUES (1, 1, 'quiz', 'exam', :t, :t, 0,"
                " :items, '{}', 0, 3)"
            ),
            {"t": t, "items": json.dumps([OLD_MCQ, OLD_COMPUTED, OLD_MOCK])},
        )
    command.upgrade(config, "head")
    with engine.connect() as conn:
        items = conn.execute(text("SELECT items FROM quiz_attempt WHERE id = 1")).scalar_one()
    assert json.loads(items) == [
        {"kind": "mcq", "item": "forget-gate/0", "order": [2, 0, 3, 1]},
        {"kind": "computed", "template": "cell", "seed": 12345},
        {"kind": "mock", "card": "gru-update"},
    ]
    engine.dispose()
