"""Issue 13, item 6: imports are data, never markup. Quiz items in a progress file are checked
against the deck and rebuilt from it, scores are recomputed, and a file with anything the deck
does not back is refused, naming the entry, with nothing changed."""

from datetime import UTC, datetime, timedelta

import pytest

from app.study import quiz

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
EVIL = '<meta http-equiv="refresh" content="0;url=https://evil.example/"><form action="x">'


def document(quizzes: list[dict]) -> dict:
    return {
        "format": "memory-cell-progress",
        "version": 1,
        "exported_at": T0.isoformat(),
        "settings": {"timezone": "UTC", "desired_retention": 0.9, "daily_new_limit": 10},
        "quizzes": quizzes,
    }


def rendered_mcq(deck, html: str) -> dict:
    """An item as an older version exported it: the text is in the file."""
    item = quiz.resolve({"kind": "mcq", "item": "forget-gate/0", "order": [0, 1, 2, 3]}, deck)
    return {
        "kind": "mcq",
        "answer_type": "choice",
        "source": item.source,
        "card": item.card,
        "prompt": {"source": "x", "html": html},
        "choices": [{"text": {"source": "x", "html": html}, "why": None}] * 4,
        "order": [0, 1, 2, 3],
        "correct": 0,
    }


def attempt(items: list, answers: list, **fields) -> dict:
    return {
        "kind": "quiz",
        "mode": "exam",
        "started_at": T0.isoformat(),
        "deadline": (T0 + timedelta(seconds=60 * len(items))).isoformat(),
        "finished_at": (T0 + timedelta(seconds=30)).isoformat(),
        "items": items,
        "settings": {"size": len(items), "time_limit_s": 60, "kinds": ["mcq"]},
        "correct": len(items),
        "total": len(items),
        "score": 1.0,
        "answers": answers,
        **fields,
    }


def import_(client, doc, mode="replace"):
    return client.post("/api/import", json={"mode": mode, "data": doc})


def test_markup_in_an_imported_quiz_never_reaches_a_page(qc, quiz_app):
    deck = quiz_app.state.deck
    wrong = (
        quiz.resolve({"kind": "mcq", "item": "forget-gate/0", "order": [0, 1, 2, 3]}, deck).correct
        + 1
    ) % 4
    answers = [{"item_index": 0, "answer": wrong, "answered_at": T0.isoformat(), "correct": True}]
    response = import_(qc, document([attempt([rendered_mcq(deck, EVIL)], answers)]))
    assert response.status_code == 200, response.text
    attempt_id = qc.get("/api/quizzes").json()[0]["id"]
    for path in (f"/quiz/{attempt_id}", f"/quiz/{attempt_id}/results", "/quiz/history"):
        page = qc.get(path)
        assert page.status_code == 200
        assert "evil.example" not in page.text and "<meta http-equiv" not in page.text
    results = qc.get(f"/api/quizzes/{attempt_id}").json()
    # The deck's own prompt, and the score the answers earn, not the file's 1.0.
    assert results["items"][0]["prompt"]["html"] == deck.get("forget-gate").quiz[0].prompt.html
    assert results["result"]["correct"] == 0 and results["result"]["score"] == 0.0
    exported = qc.get("/api/export").json()["quizzes"][0]
    assert exported["score"] == 0.0 and exported["answers"][0]["correct"] is False


@pytest.mark.parametrize(
    ("change", "names"),
    [
        ({"items": [{"kind": "nope"}]}, "quizzes.0.items.0: unknown kind"),
        ({"settings": {}}, "quizzes.0.settings.time_limit_s"),
        ({"items": [{"kind": "mock", "card": "forget-gate"}]}, "quizzes.0.items.0: a mock item"),
        (
            {"items": [{"kind": "mcq", "item": "forget-gate/0", "order": [0, 1, 2, 9]}]},
            "quizzes.0.items.0: `order`",
        ),
        (
            {"answers": [{"item_index": 0, "answer": 7, "answered_at": T0.isoformat()}]},
            "quizzes.0.answers.0.answer",
        ),
        (
            {"answers": [{"item_index": 5, "answer": 0, "answered_at": T0.isoformat()}]},
            "quizzes.0.answers.0.item_index",
        ),
        ({"deadline": (T0 + timedelta(days=9)).isoformat()}, "quizzes.0.deadline"),
    ],
)
def test_a_file_the_deck_does_not_back_is_refused_naming_the_entry(qc, change, names):
    qc.put("/api/settings", json={"timezone": "Europe/Paris"})
    before = qc.get("/api/export").json()
    good = {"kind": "mcq", "item": "forget-gate/0", "order": [0, 1, 2, 3]}
    answers = [{"item_index": 0, "answer": 0, "answered_at": T0.isoformat()}]
    response = import_(qc, document([{**attempt([good], answers), **change}]))
    assert response.status_code == 422
    assert (
        names in response.json()["detail"] and "nothing was imported" in response.json()["detail"]
    )
    after = qc.get("/api/export").json()
    assert {**after, "exported_at": None} == {**before, "exported_at": None}
    for path in ("/quiz", "/mock", "/quiz/history", "/api/quizzes"):
        assert qc.get(path).status_code == 200


def test_an_export_round_trips_through_the_rebuilding_import(qc):
    started = qc.post("/api/quizzes", json={"size": 5, "time_limit_s": 60}).json()
    qc.post(f"/api/quizzes/{started['id']}/answers", json={"item": 0, "answer": True})
    qc.post(f"/api/quizzes/{started['id']}/finish")
    mock = qc.post("/api/quizzes", json={"kind": "mock", "size": 2}).json()
    assert mock["id"]
    first = qc.get("/api/export").json()
    assert import_(qc, first).status_code == 200
    again = qc.get("/api/export").json()
    assert {**again, "exported_at": None} == {**first, "exported_at": None}
