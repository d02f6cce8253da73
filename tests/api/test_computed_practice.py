"""'Practice: computed': a quiz of computed items only, started from /quiz, answered with the
worked solution after each item, on SQLite and PostgreSQL (the `client` fixture runs both)."""

import json

from bs4 import BeautifulSoup
from sqlmodel import Session

from app.models import QuizAttempt
from app.study import quiz
from tests.forms import form


def start_practice(client) -> int:
    response = client.post(
        "/quiz/practice-computed", data=form(client, {}, page="/quiz"), follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


def test_the_quiz_page_offers_computed_practice(client):
    html = BeautifulSoup(client.get("/quiz").text, "html.parser")
    section = html.select_one("section.practice-computed")
    assert section is not None and "Practice: computed" in section.h2.text
    assert section.form["action"] == "/quiz/practice-computed"
    assert section.button.text.strip() == "Start computed practice"


def test_a_computed_practice_quiz_starts_and_is_answered_with_worked_solutions(client, app):
    attempt_id = start_practice(client)
    attempt = client.get(f"/api/quizzes/{attempt_id}").json()
    assert attempt["mode"] == "practice" and attempt["kinds"] == ["computed"]
    assert attempt["size"] == 10 and attempt["time_limit_s"] == quiz.COMPUTED_PRACTICE_SECONDS
    assert {i["kind"] for i in attempt["items"]} == {"computed"}
    assert all(i["feedback"] is None for i in attempt["items"])  # nothing revealed yet
    # The row keeps references only: each item is a template and a seed, none repeated.
    with Session(app.state.engine) as session:
        refs = json.loads(session.get(QuizAttempt, attempt_id).items)
    assert all(set(ref) == {"kind", "template", "seed"} for ref in refs)
    assert len({(r["template"], r["seed"]) for r in refs}) == len(refs)
    assert len({r["template"] for r in refs}) == len(refs)  # ten items, ten templates
    prompts = [i["prompt"]["html"] for i in attempt["items"]]
    assert len(set(prompts)) == len(prompts)

    items = [quiz.resolve(ref, app.state.deck) for ref in refs]
    for k, item in enumerate(items):
        right = item.correct
        value = right if k % 2 == 0 else (right + 1 if item.answer_type == "number" else None)
        if value is None:
            value = (right + 1) % len(item.choices)
        response = client.post(
            f"/api/quizzes/{attempt_id}/answers", json={"item": k, "answer": value}
        )
        assert response.status_code == 200, response.text
        feedback = response.json()["feedback"]  # practice: at once
        assert feedback["outcome"] == ("correct" if k % 2 == 0 else "wrong")
        assert feedback["explanation"]["html"]  # the worked solution
        assert feedback["expected"] == right
    done = client.post(f"/api/quizzes/{attempt_id}/finish").json()
    assert done["result"]["correct"] == 5 and done["result"]["total"] == 10


def test_every_start_draws_new_items(client, app):
    first, second = start_practice(client), start_practice(client)
    with Session(app.state.engine) as session:
        a = json.loads(session.get(QuizAttempt, first).items)
        b = json.loads(session.get(QuizAttempt, second).items)
    seeds = {(r["template"], r["seed"]) for r in a}
    assert not seeds & {(r["template"], r["seed"]) for r in b}
    history = client.get("/api/quizzes").json()
    assert {h["id"] for h in history} >= {first, second}


def test_computed_practice_refuses_a_cross_site_post(client):
    response = client.post("/quiz/practice-computed", data={}, follow_redirects=False)
    assert response.status_code in (400, 403)
    assert client.get("/api/quizzes").json() == []


def test_past_the_quota_practice_says_why_beside_the_button(client):
    from app.services.quizzes import MAX_OPEN_ATTEMPTS

    for _ in range(MAX_OPEN_ATTEMPTS):
        start_practice(client)
    response = client.post("/quiz/practice-computed", data=form(client, {}, page="/quiz"))
    assert response.status_code == 409
    section = BeautifulSoup(response.text, "html.parser").select_one("section.practice-computed")
    alert = section.select_one('[role="alert"]')
    assert alert is not None and "running" in alert.text
    assert len(client.get("/api/quizzes").json()) == MAX_OPEN_ATTEMPTS  # nothing more started
