"""The quiz API: no answer leaks, the server's deadline, one answer per item, the mistake loop,
isolation between users, resuming, history, and mock interviews."""

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app import db
from app.content import load_deck
from app.main import create_app
from app.migrate import upgrade
from app.models import CardState, QuizAnswer, ReviewLog
from app.nn.presets import PRESET_NAMES
from tests.clock import move_clock
from tests.conftest import make_settings

QUIZ_DECK = Path(__file__).resolve().parents[1] / "fixtures" / "quiz_deck"
DECK = load_deck(QUIZ_DECK, PRESET_NAMES)
# Every explanation in the deck: none may reach the learner before the item is answered.
WHYS = [o.why.html for c in DECK for q in c.quiz for o in getattr(q, "options", ())] + [
    q.why.html for c in DECK for q in c.quiz if hasattr(q, "why")
]


@pytest.fixture
def quiz_app(tmp_path: Path, database_url: str) -> Iterator[FastAPI]:
    settings = make_settings(tmp_path, QUIZ_DECK, database_url=database_url)
    upgrade(settings)
    app = create_app(settings)
    yield app
    app.state.engine.dispose()


@pytest.fixture
def qc(quiz_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(quiz_app, base_url="http://127.0.0.1") as c:
        yield c


@pytest.fixture
def other(quiz_app: FastAPI) -> Iterator[TestClient]:
    """A second browser: its own cookie, so its own guest user."""
    with TestClient(quiz_app, base_url="http://127.0.0.1") as c:
        yield c


def start(client, **body):
    body = {"size": 5, "time_limit_s": 60, "mode": "exam", **body}
    response = client.post("/api/quizzes", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def answer(client, attempt, index, value):
    return client.post(
        f"/api/quizzes/{attempt['id']}/answers", json={"item": index, "answer": value}
    )


def rows(app, model):
    with Session(app.state.engine) as session:
        return session.exec(select(model)).all()


def stored_items(app, attempt_id):
    from app.models import QuizAttempt
    from app.study import quiz

    # The row holds references; the items are rebuilt from the deck, as the service does.
    with Session(app.state.engine) as session:
        refs = json.loads(session.get(QuizAttempt, attempt_id).items)
    items = [quiz.resolve(ref, app.state.deck) for ref in refs]
    return [
        {
            "correct": i.correct,
            "answer_type": i.answer_type.value,
            "card": i.card,
            "choices": i.choices,
            "tolerance": i.tolerance,
        }
        for i in items
    ]


def right_answer(app, attempt, index):
    return stored_items(app, attempt["id"])[index]["correct"]


def wrong_answer(app, attempt, index):
    item = stored_items(app, attempt["id"])[index]
    if item["answer_type"] == "boolean":
        return not item["correct"]
    if item["answer_type"] == "number":
        return item["correct"] + 1.0
    return (item["correct"] + 1) % len(item["choices"])


def assert_no_answers(text: str):
    assert '"correct"' not in text
    assert '"expected"' not in text
    assert "why" not in text
    for why in WHYS:
        assert why not in text


def test_a_new_quiz_has_a_server_deadline_and_no_answers(qc):
    attempt = start(qc, size=5, time_limit_s=30)
    assert attempt["status"] == "in_progress" and attempt["kind"] == "quiz"
    assert len(attempt["items"]) == 5 and attempt["size"] == 5
    assert 149 < attempt["remaining_s"] <= 150  # 5 items × 30 s, counted by the server
    assert attempt["result"] is None and attempt["current"] == 0
    for item in attempt["items"]:
        assert item["state"] == "open" and item["feedback"] is None and item["given"] is None
        if item["answer_type"] == "choice":
            assert [o["index"] for o in item["options"]] == list(range(len(item["options"])))
    assert_no_answers(json.dumps(attempt))
    assert_no_answers(qc.get(f"/api/quizzes/{attempt['id']}").text)
    page = qc.get(f"/quiz/{attempt['id']}")
    assert page.status_code == 200
    assert_no_answers(page.text)


def test_exam_answers_stay_hidden_until_the_quiz_is_finished(qc, quiz_app):
    attempt = start(qc, mode="exam", kinds=["mcq", "true_false"])
    response = answer(qc, attempt, 0, right_answer(quiz_app, attempt, 0))
    assert response.status_code == 200
    body = response.json()
    assert body["feedback"] is None
    assert body["attempt"]["items"][0]["state"] == "answered"
    assert body["attempt"]["current"] == 1
    assert_no_answers(json.dumps(body))
    assert_no_answers(qc.get(f"/api/quizzes/{attempt['id']}").text)

    finished = qc.post(f"/api/quizzes/{attempt['id']}/finish").json()
    assert finished["status"] == "finished"
    first = finished["items"][0]
    assert first["feedback"]["outcome"] == "correct" and first["feedback"]["correct"] is True
    assert first["feedback"]["card"]["url"].startswith("/cards/")
    assert first["feedback"]["card"]["lab_url"].startswith("/lab?preset=")
    assert all(i["feedback"]["outcome"] == "skipped" for i in finished["items"][1:])
    r = finished["result"]
    assert (r["correct"], r["wrong"], r["timed_out"], r["skipped"], r["total"]) == (1, 0, 0, 4, 5)
    assert r["score"] == pytest.approx(0.2)


def test_practice_gives_feedback_for_the_answered_item_only(qc, quiz_app):
    attempt = start(qc, mode="practice", kinds=["mcq"])
    wrong = wrong_answer(quiz_app, attempt, 0)
    body = answer(qc, attempt, 0, wrong).json()
    feedback = body["feedback"]
    assert feedback["outcome"] == "wrong" and feedback["correct"] is False
    assert feedback["expected"] == right_answer(quiz_app, attempt, 0)
    assert len(feedback["option_whys"]) == 4  # an explanation for every option
    items = body["attempt"]["items"]
    assert items[0]["given"] == wrong and items[0]["state"] == "wrong"
    assert_no_answers(json.dumps(items[1:]))


def test_a_second_answer_to_an_item_is_refused_with_409(qc, quiz_app):
    attempt = start(qc)
    assert answer(qc, attempt, 2, wrong_answer(quiz_app, attempt, 2)).status_code == 200
    again = answer(qc, attempt, 2, right_answer(quiz_app, attempt, 2))
    assert again.status_code == 409
    assert "already answered" in again.json()["detail"]
    (row,) = rows(quiz_app, QuizAnswer)
    assert row.correct is False  # the first answer stands


def test_concurrent_answers_to_one_item_record_exactly_one(qc, quiz_app):
    attempt = start(qc, kinds=["true_false"])
    cookie = qc.cookies.get("mc_session")
    statuses = []

    def submit(value):
        with TestClient(quiz_app, base_url="http://127.0.0.1") as c:
            c.cookies.set("mc_session", cookie)
            statuses.append(answer(c, attempt, 0, value).status_code)

    threads = [threading.Thread(target=submit, args=(i % 2 == 0,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200] + [409] * 5
    assert len(rows(quiz_app, QuizAnswer)) == 1


def test_after_the_deadline_an_answer_is_refused_and_recorded_as_timed_out(
    qc, quiz_app, monkeypatch
):
    attempt = start(qc, size=5, time_limit_s=10, kinds=["mcq", "true_false"])
    assert answer(qc, attempt, 0, right_answer(quiz_app, attempt, 0)).status_code == 200
    move_clock(qc.app, 51)  # past 5 × 10 s
    late = answer(qc, attempt, 1, right_answer(quiz_app, attempt, 1))
    assert late.status_code == 410
    assert "deadline" in late.json()["detail"] and "timed out" in late.json()["detail"]
    by_item = {row.item_index: row for row in rows(quiz_app, QuizAnswer)}
    assert by_item[1].timed_out is True and by_item[1].answer is None  # never counted as answered
    assert by_item[0].timed_out is False and by_item[0].correct is True
    state = qc.get(f"/api/quizzes/{attempt['id']}").json()
    assert state["status"] == "finished" and state["remaining_s"] == 0
    assert state["finished_at"] == state["deadline"]
    assert [i["feedback"]["outcome"] for i in state["items"]] == ["correct"] + ["timed_out"] * 4
    assert state["result"]["timed_out"] == 4 and state["result"]["wrong"] == 0


def test_reading_after_the_deadline_finishes_the_quiz(qc, monkeypatch):
    attempt = start(qc, size=5, time_limit_s=5)
    move_clock(qc.app, 30)
    state = qc.get(f"/api/quizzes/{attempt['id']}").json()
    assert state["status"] == "finished"
    assert state["result"]["timed_out"] == 5
    history = qc.get("/api/quizzes").json()
    assert history[0]["status"] == "finished" and history[0]["score"] == 0


def test_reload_resumes_the_same_items_order_and_deadline(qc, quiz_app):
    attempt = start(qc, size=10)
    assert answer(qc, attempt, 0, wrong_answer(quiz_app, attempt, 0)).status_code == 200
    again = qc.get(f"/api/quizzes/{attempt['id']}").json()
    assert again["deadline"] == attempt["deadline"]
    assert [(i["prompt"], i["options"]) for i in again["items"]] == [
        (i["prompt"], i["options"]) for i in attempt["items"]
    ]
    assert again["items"][0]["state"] == "answered" and again["current"] == 1
    assert again["remaining_s"] <= attempt["remaining_s"]


def test_a_wrong_answer_makes_its_card_due_now_once(qc, quiz_app):
    attempt = start(qc, size=5, kinds=["mcq", "true_false"])
    slug = stored_items(quiz_app, attempt["id"])[0]["card"]
    for k in range(5):  # item 0 wrong, the rest right
        value = wrong_answer(quiz_app, attempt, k) if k == 0 else right_answer(quiz_app, attempt, k)
        assert answer(qc, attempt, k, value).status_code == 200
    assert qc.post(f"/api/quizzes/{attempt['id']}/finish").status_code == 200
    assert qc.post(f"/api/quizzes/{attempt['id']}/finish").status_code == 200  # twice: same

    logs = rows(quiz_app, ReviewLog)
    assert [(log.card_slug, log.rating, log.source) for log in logs] == [(slug, 1, "quiz")]
    assert logs[0].idempotency_key == f"quiz-{attempt['id']}-0"
    following = qc.get("/api/review/next").json()
    assert following["card"]["slug"] == slug  # it opens the next review session
    assert following["counts"]["due_now"] == 1
    (state,) = rows(quiz_app, CardState)
    assert state.due <= db.utcnow()


def test_timed_out_items_go_back_to_review_too(qc, quiz_app, monkeypatch):
    attempt = start(qc, size=5, time_limit_s=5, kinds=["mcq", "true_false"])
    cards = {i["card"] for i in stored_items(quiz_app, attempt["id"])}
    move_clock(qc.app, 60)
    qc.get(f"/api/quizzes/{attempt['id']}")
    logs = rows(quiz_app, ReviewLog)
    assert {log.card_slug for log in logs} == cards
    assert all(log.rating == 1 and log.source == "quiz" for log in logs)


def test_items_left_unanswered_when_finishing_early_do_not_go_to_review(qc, quiz_app):
    attempt = start(qc, size=5)
    state = qc.post(f"/api/quizzes/{attempt['id']}/finish").json()
    assert state["result"]["skipped"] == 5 and state["result"]["score"] == 0
    assert rows(quiz_app, ReviewLog) == []


def test_another_users_attempt_is_not_found(qc, other, quiz_app):
    attempt = start(qc)
    path = f"/api/quizzes/{attempt['id']}"
    assert other.get(path).status_code == 404
    assert answer(other, attempt, 0, 0).status_code == 404
    assert other.post(path + "/finish").status_code == 404
    assert other.get("/api/quizzes").json() == []
    assert other.get(f"/quiz/{attempt['id']}").status_code == 404
    assert qc.get("/api/quizzes/9999").status_code == 404
    assert rows(quiz_app, QuizAnswer) == []  # nothing changed


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"size": 7}, "size: must be one of 5, 10, 20"),
        ({"time_limit_s": 2}, "time_limit_s: must be between 5 and 600"),
        ({"topics": ["nope"]}, "topics: unknown topic 'nope'"),
        ({"kinds": []}, "kinds: choose at least one"),
        ({"size": 20, "kinds": ["true_false"]}, "size: only 5 items match"),
        ({"kind": "mock", "cards": ["nope"]}, "cards: no card is called 'nope'"),
    ],
)
def test_bad_requests_name_the_field_and_change_nothing(qc, body, words):
    response = qc.post("/api/quizzes", json={"size": 5, **body})
    assert response.status_code == 422
    assert words in response.json()["detail"]
    assert qc.get("/api/quizzes").json() == []


def test_answers_of_the_wrong_form_are_422(qc, quiz_app):
    attempt = start(qc, kinds=["mcq"])
    response = answer(qc, attempt, 0, 9)
    assert response.status_code == 422 and "answer: " in response.json()["detail"]
    assert answer(qc, attempt, 0, "B").status_code == 422
    out_of_range = answer(qc, attempt, 5, 0)
    assert out_of_range.status_code == 422 and "item: must be between 0 and 4" in out_of_range.text
    assert rows(quiz_app, QuizAnswer) == []


def test_finished_quizzes_take_no_answers(qc, quiz_app):
    attempt = start(qc)
    qc.post(f"/api/quizzes/{attempt['id']}/finish")
    response = answer(qc, attempt, 0, right_answer(quiz_app, attempt, 0))
    assert response.status_code == 409 and "finished" in response.json()["detail"]


def test_history_lists_every_attempt_with_score_mode_and_duration(qc, quiz_app, monkeypatch):
    first = start(qc, mode="practice", kinds=["true_false"])
    for k in range(5):
        answer(qc, first, k, right_answer(quiz_app, first, k))
    qc.post(f"/api/quizzes/{first['id']}/finish")
    second = start(qc, mode="exam")
    history = qc.get("/api/quizzes").json()
    assert [h["id"] for h in history] == [second["id"], first["id"]]
    done = history[1]
    assert (done["mode"], done["status"], done["score"], done["correct"], done["total"]) == (
        "practice",
        "finished",
        1.0,
        5,
        5,
    )
    assert done["duration_s"] >= 0 and done["url"] == f"/quiz/{first['id']}/results"
    assert history[0]["status"] == "in_progress" and history[0]["score"] is None


def test_computed_numbers_are_checked_within_the_tolerance(qc, quiz_app):
    attempt = start(qc, kinds=["computed"])
    items = stored_items(quiz_app, attempt["id"])
    k = next(
        i
        for i, item in enumerate(items)
        if item["answer_type"] == "number" and attempt["items"][i]["tolerance"] > 0
    )
    close = items[k]["correct"] + 0.8 * attempt["items"][k]["tolerance"]
    answer(qc, attempt, k, close)
    state = qc.post(f"/api/quizzes/{attempt['id']}/finish").json()
    assert state["items"][k]["feedback"]["outcome"] == "correct"
    assert state["items"][k]["given"] == pytest.approx(close)


# ---- mock interviews ----------------------------------------------------------------------


def start_mock(client, **body):
    return start(client, kind="mock", **{"size": 2, "time_limit_s": 120, **body})


def test_mock_questions_are_answered_in_order_then_ticked_and_scored(qc, quiz_app):
    mock = start_mock(qc, cards=["memory-cell-computation", "gru-update"])
    assert mock["kind"] == "mock" and mock["current"] == 0
    assert 119 < mock["current_remaining_s"] <= 120
    assert all(i["answer_type"] == "text" and i["feedback"] is None for i in mock["items"])
    page = qc.get(f"/quiz/{mock['id']}").text
    assert "Four gate blocks" not in page and "Four gate blocks" not in json.dumps(mock)

    assert answer(qc, mock, 1, "too early").status_code == 409  # question 0 is open
    first = answer(qc, mock, 0, "c = f c + i g, and h = o tanh c").json()
    assert first["feedback"] is None and first["attempt"]["current"] == 1
    too_soon = qc.put(f"/api/quizzes/{mock['id']}/checklist", json={"item": 0, "ticked": [0]})
    assert too_soon.status_code == 409
    second = answer(qc, mock, 1, "").json()  # skipped with an empty answer
    assert second["attempt"]["status"] == "review"
    revealed = second["attempt"]["items"][0]["feedback"]
    assert len(revealed["key_points"]) == 4 and revealed["model_answer"]["html"]

    ticked = qc.put(f"/api/quizzes/{mock['id']}/checklist", json={"item": 0, "ticked": [0, 2, 3]})
    assert ticked.status_code == 200
    assert ticked.json()["items"][0]["feedback"]["ticked"] == [0, 2, 3]
    bad = qc.put(f"/api/quizzes/{mock['id']}/checklist", json={"item": 1, "ticked": [9]})
    assert bad.status_code == 422 and "ticked: key point 9 does not exist" in bad.text

    done = qc.post(f"/api/quizzes/{mock['id']}/finish").json()
    assert done["status"] == "finished"
    assert done["result"]["score"] == pytest.approx((0.75 + 0.0) / 2)
    assert done["items"][1]["feedback"]["outcome"] == "skipped"
    # The unscored question (below half the key points) goes back to review; the other does not.
    assert [log.card_slug for log in rows(quiz_app, ReviewLog)] == ["gru-update"]
    history = qc.get("/api/quizzes").json()
    assert history[0]["kind"] == "mock" and history[0]["score"] == pytest.approx(0.375)


def test_a_mock_question_past_its_clock_keeps_the_draft_as_timed_out(qc, quiz_app, monkeypatch):
    mock = start_mock(qc, size=2, time_limit_s=60)
    move_clock(qc.app, 61)
    late = answer(qc, mock, 0, "what I had written")
    assert late.status_code == 410 and "timed out" in late.json()["detail"]
    state = qc.get(f"/api/quizzes/{mock['id']}").json()
    assert state["current"] == 1 and state["items"][0]["state"] == "timed_out"
    assert 58 < state["current_remaining_s"] <= 59  # question 1 started at question 0's deadline
    (row,) = rows(quiz_app, QuizAnswer)
    assert row.timed_out is True and json.loads(row.answer)["text"] == "what I had written"
    move_clock(qc.app, 200)
    assert qc.get(f"/api/quizzes/{mock['id']}").json()["status"] == "review"


def test_the_api_is_documented_with_response_models(qc):
    paths = qc.get("/openapi.json").json()["paths"]
    for path, method in [
        ("/api/quizzes", "post"),
        ("/api/quizzes", "get"),
        ("/api/quizzes/{attempt_id}", "get"),
        ("/api/quizzes/{attempt_id}/answers", "post"),
        ("/api/quizzes/{attempt_id}/finish", "post"),
        ("/api/quizzes/{attempt_id}/checklist", "put"),
    ]:
        operation = paths[path][method]
        ok = operation["responses"].get("200") or operation["responses"].get("201")
        assert "$ref" in json.dumps(ok["content"]["application/json"]["schema"]), (path, method)
    assert "410" in paths["/api/quizzes/{attempt_id}/answers"]["post"]["responses"]
