"""The quiz pages: builders with labelled fields and errors beside them, the attempt page without
answers, results with explanations and links, history, and the mock-interview checklist."""

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.main import create_app
from app.migrate import upgrade
from app.models import QuizAttempt
from app.study import quiz
from tests.clock import move_clock
from tests.conftest import make_settings
from tests.forms import form

QUIZ_DECK = Path(__file__).resolve().parents[1] / "fixtures" / "quiz_deck"


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


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def post_form(client, page: str, action: str, data: dict):
    """Submit the form on `page` as a browser would, with the session's CSRF token."""
    return client.post(action, data=form(client, data, page), follow_redirects=False)


def test_builder_has_a_label_for_every_control(qc):
    page = soup(qc.get("/quiz"))
    assert page.select_one("h1").text == "Timed quiz"
    form = page.select_one("form[action='/quiz']")
    assert [i["value"] for i in form.select("input[name=size]")] == ["5", "10", "20"]
    assert form.select_one("input[name=size][value='10']").has_attr("checked")
    assert form.select_one("#time_limit_s")["value"] == "60"
    assert {i["value"] for i in form.select("input[name=kinds]")} == {
        "mcq",
        "true_false",
        "computed",
    }
    assert {i["value"] for i in form.select("input[name=mode]")} == {"exam", "practice"}
    assert "gru" in {i["value"] for i in form.select("input[name=topics]")}
    for control in form.select("input:not([type=hidden]), select"):
        labelled = control.find_parent("label") or form.select_one(f"label[for='{control['id']}']")
        assert labelled is not None, control
    nav = [a.text for a in page.select("nav[aria-label=Main] a")]
    assert "Quiz" in nav


def test_builder_form_errors_sit_beside_their_field_and_start_nothing(qc):
    response = post_form(
        qc, "/quiz", "/quiz", {"size": "10", "time_limit_s": "2", "kinds": ["mcq"], "mode": "exam"}
    )
    assert response.status_code == 422
    page = soup(response)
    assert page.select_one(".form-errors[role=alert]") is not None
    field = page.select_one("#time_limit_s")
    assert field["aria-invalid"] == "true"
    assert "time_limit_s-error" in field["aria-describedby"]
    assert "between 5 and 600" in page.select_one("#time_limit_s-error").text
    assert field["value"] == "2"  # what was typed stays
    assert qc.get("/api/quizzes").json() == []


def test_starting_from_the_form_opens_the_attempt_without_answers(qc):
    response = post_form(
        qc,
        "/quiz",
        "/quiz",
        {"size": "5", "time_limit_s": "60", "kinds": ["mcq", "true_false"], "mode": "practice"},
    )
    assert response.status_code == 303
    path = response.headers["location"]
    assert re.fullmatch(r"/quiz/\d+", path)
    page = qc.get(path)
    assert page.status_code == 200
    assert "correct" not in page.text.lower().replace("incorrect", "")
    doc = soup(page)
    assert doc.select_one("[data-quiz]")["data-mode"] == "practice"
    assert doc.select_one("[role=timer]") is not None
    assert doc.select_one("[aria-live=polite]") is not None
    assert doc.select_one("script[src*='js/quiz.js']") is not None
    # Resuming: the builder now offers the attempt in progress.
    assert soup(qc.get("/quiz")).select_one(f".resume a[href='{path}']") is not None


def wrong_option(app, attempt_id: int, index: int) -> int:
    with Session(app.state.engine) as session:
        ref = json.loads(session.get(QuizAttempt, attempt_id).items)[index]
    return (quiz.resolve(ref, app.state.deck).correct + 1) % 4


def test_results_show_every_option_explained_and_link_card_and_lab(qc, quiz_app):
    attempt = qc.post("/api/quizzes", json={"size": 5, "kinds": ["mcq"], "mode": "exam"}).json()
    wrong = wrong_option(quiz_app, attempt["id"], 0)
    qc.post(f"/api/quizzes/{attempt['id']}/answers", json={"item": 0, "answer": wrong})
    assert qc.get(f"/quiz/{attempt['id']}/results", follow_redirects=False).status_code == 303
    qc.post(f"/api/quizzes/{attempt['id']}/finish")
    assert qc.get(f"/quiz/{attempt['id']}", follow_redirects=False).status_code == 303
    page = soup(qc.get(f"/quiz/{attempt['id']}/results"))
    assert page.select_one("h1").text == "Quiz results"
    results = page.select("ol.results > li")
    assert len(results) == 5
    for li in results:
        assert len(li.select(".whys li")) == 4
        assert len(li.select(".whys .why")) == 4  # an explanation for every option
        assert len(li.select(".whys li.is-right")) == 1
        links = [a["href"] for a in li.select(".item-links a")]
        assert links[0].startswith("/cards/") and links[1].startswith("/lab?preset=")
    assert len(page.select(".outcome-skipped")) == 4
    assert len(page.select(".outcome-wrong")) == 1
    chosen = results[0].select_one(".whys li.is-chosen")
    assert "your answer" in chosen.text and "is-right" not in chosen["class"]
    # The missed card is due now: the results offer to review it.
    assert page.select_one(".actions a[href='/review']").text == "Review the cards you missed"


def test_timed_out_items_are_shown_apart_from_wrong_ones(qc, monkeypatch):
    attempt = qc.post("/api/quizzes", json={"size": 5, "time_limit_s": 5, "kinds": ["mcq"]}).json()
    # One item answered (right or wrong), the other four left until the deadline passes.
    qc.post(f"/api/quizzes/{attempt['id']}/answers", json={"item": 0, "answer": 0})
    move_clock(qc.app, 30)
    page = soup(qc.get(f"/quiz/{attempt['id']}/results"))
    assert len(page.select(".outcome-timed_out")) == 4
    assert len(page.select(".outcome-correct, .outcome-wrong")) == 1
    assert "Timed out" in page.select_one(".outcome-timed_out").text


def test_history_page_lists_attempts_and_draws_the_trend(qc):
    empty = soup(qc.get("/quiz/history"))
    assert "No attempts yet" in empty.text
    for _ in range(2):
        attempt = qc.post("/api/quizzes", json={"size": 5}).json()
        qc.post(f"/api/quizzes/{attempt['id']}/finish")
    page = soup(qc.get("/quiz/history"))
    assert len(page.select("table.history tbody tr")) == 2
    assert len(page.select(".trend svg circle.dot-quiz")) == 2
    assert page.select_one(".trend figcaption .legend") is not None
    assert len(page.select(".trend-table tbody tr")) == 2


def test_mock_flow_from_builder_to_checklist_to_results(qc):
    builder = soup(qc.get("/mock"))
    assert {i["value"] for i in builder.select("input[name=size]")} == {"3", "5", "8", "10"}
    assert len(builder.select("input[name=cards]")) == 4
    response = post_form(
        qc,
        "/mock",
        "/mock",
        {"size": "3", "time_limit_s": "120", "cards": ["forget-gate", "gru-update"]},
    )
    assert response.status_code == 303
    path = response.headers["location"]
    attempt_id = int(path.rsplit("/", 1)[1])
    page = qc.get(path)
    assert soup(page).select_one("textarea#mock-answer") is not None
    assert soup(page).select_one("label[for=mock-answer]") is not None
    assert "Added by Gers" not in page.text  # no key point before answering

    for k in range(2):
        qc.post(f"/api/quizzes/{attempt_id}/answers", json={"item": k, "answer": f"answer {k}"})
    review = soup(qc.get(path))
    assert review.select_one("h1").text == "Score your interview"
    assert len(review.select("fieldset.checklist")) == 2
    assert len(review.select("input[name='ticked-0']")) == 3
    assert "answer 0" in review.select_one(".your-text").text

    done = post_form(qc, path, f"/quiz/{attempt_id}/checklist", {"ticked-0": ["0", "1", "2"]})
    assert done.status_code == 303 and done.headers["location"].endswith("/results")
    results = soup(qc.get(done.headers["location"]))
    assert results.select_one("h1").text == "Interview results"
    assert results.select_one(".stat-value").text.strip() == "50%"  # (3/3 + 0/2) / 2
    assert len(results.select(".checklist-result .is-right")) == 3
    assert len(results.select(".checklist-result .is-missed")) == 2


def test_pages_of_another_users_attempt_are_404(qc, quiz_app):
    attempt = qc.post("/api/quizzes", json={"size": 5}).json()
    with TestClient(quiz_app, base_url="http://127.0.0.1") as other:
        for path in (f"/quiz/{attempt['id']}", f"/quiz/{attempt['id']}/results"):
            response = other.get(path)
            assert response.status_code == 404
            assert "text/html" in response.headers["content-type"]
