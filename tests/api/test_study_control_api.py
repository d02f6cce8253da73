"""Study control through the API: typed answers kept with reviews, suspend / flag / note, deck
search and filters, study more new cards today, review ahead; limits; export and import."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import CardMark, CardState, ReviewLog, User
from app.services import extend
from app.study.marks import MAX_NOTE_CHARS
from app.study.recall import MAX_ANSWER_CHARS
from tests.forms import csrf_token as csrf


def rate(client, card="first-card", rating=3, key="key-0001", **extra):
    body = {"card": card, "rating": rating, "idempotency_key": key, **extra}
    return client.post("/api/reviews", json=body)


def rows(app, model):
    with Session(app.state.engine) as session:
        return session.exec(select(model)).all()


def new_client(app) -> TestClient:
    return TestClient(app, base_url="http://127.0.0.1")


# --- typed answers ------------------------------------------------------------------------------


def test_a_typed_answer_and_its_ticks_are_kept_with_the_review(client, app):
    response = rate(client, answer="  sigmoid of x_t and h_{t-1}  ", answer_points=[2, 0, 0])
    assert response.status_code == 200
    log = rows(app, ReviewLog)[0]
    assert log.answer == "  sigmoid of x_t and h_{t-1}  "
    assert log.answer_points == "[0, 2]"
    page = client.get("/cards/first-card").text
    assert "sigmoid of x_t and h_{t-1}" in page and "2 of 3 key points covered" in page


def test_answer_limits_are_422_naming_the_field_and_record_nothing(client, app):
    too_long = rate(client, answer="x" * (MAX_ANSWER_CHARS + 1))
    assert too_long.status_code == 422
    assert too_long.json()["detail"][0]["loc"] == ["body", "answer"]
    beyond = rate(client, answer="x", answer_points=[3])  # the fixture card has 3 key points
    assert beyond.status_code == 422
    assert beyond.json()["detail"] == "answer_points: this card has key points 0 to 2"
    many = rate(client, answer="x", answer_points=list(range(21)))
    assert many.status_code == 422
    assert rows(app, ReviewLog) == []


def test_a_review_without_an_answer_stores_none(client, app):
    assert rate(client).status_code == 200
    log = rows(app, ReviewLog)[0]
    assert (log.answer, log.answer_points) == (None, None)


# --- suspend, flag, note -----------------------------------------------------------------------


def test_flags_set_change_and_clear_and_omitted_fields_stay(client):
    response = client.put("/api/cards/first-card/flags", json={"flag": "red"})
    assert response.status_code == 200
    assert response.json()["flag"] == "red" and response.json()["suspended"] is False
    both = client.put("/api/cards/first-card/flags", json={"suspended": True}).json()
    assert both["flag"] == "red" and both["suspended"] is True
    cleared = client.put("/api/cards/first-card/flags", json={"flag": None}).json()
    assert cleared["flag"] is None and cleared["suspended"] is True
    card = client.get("/api/cards/first-card").json()
    assert card["suspended"] is True and card["flag"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"flag": "purple"}, "flag"),
        ({"suspended": "maybe"}, "suspended"),
        ({"suspended": None}, "suspended"),
    ],
)
def test_bad_flags_are_422_naming_the_field_and_change_nothing(client, app, body, field):
    response = client.put("/api/cards/first-card/flags", json=body)
    assert response.status_code == 422
    assert field in str(response.json()["detail"])
    assert rows(app, CardMark) == []


def test_marks_on_an_unknown_card_are_404(client):
    assert client.put("/api/cards/nope/flags", json={"flag": "red"}).status_code == 404
    assert client.put("/api/cards/nope/note", json={"text": "x"}).status_code == 404


def test_a_note_is_markdown_rendered_without_html_and_capped(client, app):
    text = "**Bold** <img src=x onerror=alert(1)> [x](javascript:alert(1)) ![i](https://e.x/i.png)"
    body = client.put("/api/cards/first-card/note", json={"text": text}).json()
    html = body["note"]["html"]
    assert "<strong>Bold</strong>" in html
    assert "<img" not in html and "&lt;img" in html
    assert 'href="javascript' not in html
    assert body["note"]["markdown"] == text
    assert client.get("/api/cards/first-card").json()["note"]["html"] == html
    too_long = client.put("/api/cards/first-card/note", json={"text": "x" * (MAX_NOTE_CHARS + 1)})
    assert too_long.status_code == 422 and too_long.json()["detail"][0]["loc"] == ["body", "text"]
    assert rows(app, CardMark)[0].note == text
    removed = client.put("/api/cards/first-card/note", json={"text": "   "}).json()
    assert removed["note"] is None


def test_the_note_and_flag_come_with_the_review_card(client):
    client.put("/api/cards/first-card/note", json={"text": "my *hint*"})
    client.put("/api/cards/first-card/flags", json={"flag": "blue"})
    body = client.get("/api/review/next").json()
    assert body["card"]["slug"] == "first-card"
    assert body["flag"] == "blue" and "<em>hint</em>" in body["note"]["html"]


def test_a_suspended_card_leaves_the_queue_and_every_quiz(client, app):
    client.put("/api/cards/first-card/flags", json={"suspended": True})
    body = client.get("/api/review/next").json()
    assert body["card"]["slug"] == "second-card"
    assert body["counts"]["new_left"] == 1
    for _ in range(3):  # a one-question mock interview picks among the cards left
        mock = client.post("/api/quizzes", json={"kind": "mock", "size": 1})
        assert mock.status_code == 201, mock.text
        prompt = mock.json()["items"][0]["prompt"]
        assert "GRU" in str(prompt) and "forget gate multiply" not in str(prompt)
    chosen = client.post("/api/quizzes", json={"kind": "mock", "cards": ["first-card"]})
    assert chosen.status_code == 422 and "first-card" in chosen.text
    client.put("/api/cards/first-card/flags", json={"suspended": False})
    assert client.get("/api/review/next").json()["card"]["slug"] == "first-card"


# --- search, filters, sort ----------------------------------------------------------------------


def slugs(client, query=""):
    response = client.get(f"/api/cards{query}")
    assert response.status_code == 200, response.text
    return [c["slug"] for c in response.json()]


def test_search_filters_and_sort_of_the_deck(client, app):
    assert slugs(client) == ["first-card", "second-card"]
    assert slugs(client, "?q=MULTIPLY") == ["first-card"]  # question text, any case
    assert slugs(client, "?q=forget gate") == ["first-card", "second-card"]  # all words
    assert slugs(client, "?q=nothing-like-this") == []
    assert slugs(client, "?tag=gru") == ["second-card"]
    rate(client, card="second-card", rating=1)
    assert slugs(client, "?state=learning") == ["second-card"]
    assert slugs(client, "?state=new") == ["first-card"]
    assert slugs(client, "?sort=due") == ["second-card", "first-card"]  # new cards last
    client.put("/api/cards/first-card/flags", json={"flag": "green", "suspended": True})
    assert slugs(client, "?flag=any") == ["first-card"]
    assert slugs(client, "?flag=none") == ["second-card"]
    assert slugs(client, "?flag=red") == []
    assert slugs(client, "?suspended=true") == ["first-card"]
    assert slugs(client, "?suspended=false&sort=lapses") == ["second-card"]
    assert slugs(client, "?tag=&state=&flag=&suspended=&sort=") == ["first-card", "second-card"]
    page = client.get("/cards?flag=green").text
    assert "1 of 2 cards match" in page and "Green flag" in page and "Suspended" in page


def test_leech_and_recall_sort(client, app):
    rate(client, card="first-card", rating=3)
    with Session(app.state.engine) as session:
        state = session.exec(select(CardState)).one()
        state.lapses = 5
        session.add(state)
        session.commit()
    assert slugs(client, "?state=leech") == ["first-card"]
    assert slugs(client, "?sort=recall") == ["first-card", "second-card"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?state=bogus", "state"),
        ("?flag=purple", "flag"),
        ("?sort=random", "sort"),
        ("?suspended=maybe", "suspended"),
        ("?tag=Not%20A%20Tag", "tag"),
        ("?q=" + "x" * 101, "q"),
    ],
)
def test_bad_filters_are_422_naming_the_field(client, query, field):
    response = client.get(f"/api/cards{query}")
    assert response.status_code == 422
    assert field in str(response.json()["detail"])
    page = client.get(f"/cards{query}", headers={"accept": "text/html"})
    assert page.status_code == 422 and field in page.text


def test_tags_link_to_the_filtered_deck(client):
    assert 'href="/cards?tag=gru"' in client.get("/cards/second-card").text


# --- study more, review ahead -------------------------------------------------------------------


def set_limit(client, n):
    assert client.put("/api/settings", json={"daily_new_limit": n}).status_code == 200


def test_study_more_new_cards_today(client, app):
    set_limit(client, 0)
    first = client.get("/api/review/next").json()
    assert first["card"] is None and first["counts"]["new_waiting"] == 2
    response = client.post("/api/study/extend", json={"new_cards": 1})
    assert response.status_code == 200 and response.json() == {"extra_today": 1}
    body = client.get("/api/review/next").json()
    assert body["card"]["slug"] == "first-card" and body["counts"]["new_left"] == 1
    assert client.post("/api/study/extend", json={"new_cards": 2}).json() == {"extra_today": 3}


def test_the_extension_is_for_today_only(client, app):
    set_limit(client, 0)
    client.post("/api/study/extend", json={"new_cards": 2})
    with Session(app.state.engine) as session:
        user = session.exec(select(User)).one()
        user.extra_new_day = user.extra_new_day - timedelta(days=1)  # as if granted yesterday
        session.add(user)
        session.commit()
    assert client.get("/api/review/next").json()["counts"]["new_left"] == 0


@pytest.mark.parametrize("n", [0, -1, extend.MAX_EXTEND + 1, "5", None])
def test_extend_limits_are_422(client, app, n):
    response = client.post("/api/study/extend", json={"new_cards": n})
    assert response.status_code == 422
    assert "new_cards" in str(response.json()["detail"])
    assert rows(app, User)[0].extra_new_cards == 0


def test_at_most_a_hundred_extra_new_cards_a_day(client, app):
    for _ in range(2):
        assert client.post("/api/study/extend", json={"new_cards": 50}).status_code == 200
    refused = client.post("/api/study/extend", json={"new_cards": 1})
    assert refused.status_code == 422
    assert refused.json()["detail"] == (
        "new_cards: at most 100 extra new cards a day; 100 already added today"
    )


def test_review_ahead_takes_cards_due_soon_as_early_reviews(client, app):
    assert rate(client, card="first-card", rating=4).status_code == 200  # Easy: due in days
    normal = client.get("/api/review/next").json()
    assert normal["card"]["slug"] == "second-card"  # the new one, not the studied one
    due = rows(app, CardState)[0].due
    within_a_week = due <= datetime.now(UTC) + timedelta(days=7)
    assert normal["counts"]["due_ahead"] == int(within_a_week)
    ahead = client.get("/api/review/next?mode=ahead&days=30").json()
    assert ahead["card"]["slug"] == "first-card" and ahead["is_new"] is False
    before = rows(app, CardState)[0]
    assert rate(client, card="first-card", rating=3, key="key-ahead").status_code == 200
    after = next(s for s in rows(app, CardState) if s.card_slug == "first-card")
    assert after.reps == before.reps + 1 and after.due > before.due
    nothing = client.get("/api/review/next?mode=ahead&days=1").json()
    assert nothing["card"] is None


# --- backup --------------------------------------------------------------------------------------


def test_answers_and_marks_round_trip_exactly_and_merge_by_latest_change(client, app):
    rate(client, answer="my typed answer", answer_points=[1])
    client.put("/api/cards/first-card/flags", json={"flag": "orange", "suspended": True})
    client.put("/api/cards/second-card/note", json={"text": "second **note**"})
    exported = client.get("/api/export").json()
    assert exported["review_log"][0]["answer"] == "my typed answer"
    assert exported["review_log"][0]["answer_points"] == [1]
    assert {m["card"]: m["flag"] for m in exported["card_marks"]} == {
        "first-card": "orange",
        "second-card": None,
    }

    other = new_client(app)
    assert other.post("/api/import", json={"mode": "replace", "data": exported}).status_code == 200
    again = other.get("/api/export").json()
    strip = lambda d: {k: v for k, v in d.items() if k != "exported_at"}  # noqa: E731
    assert strip(again) == strip(exported)

    # Merge: the side that changed a card's marks last wins, as a whole.
    later = datetime.now(UTC) + timedelta(hours=1)
    newer = {
        **exported,
        "card_marks": [dict(exported["card_marks"][0], flag="blue", updated_at=later.isoformat())],
    }
    older = {
        **exported,
        "card_marks": [
            dict(exported["card_marks"][0], flag="red", updated_at="2020-01-01T00:00:00Z")
        ],
    }
    assert other.post("/api/import", json={"mode": "merge", "data": older}).status_code == 200
    assert other.get("/api/cards/first-card").json()["flag"] == "orange"
    result = other.post("/api/import", json={"mode": "merge", "data": newer}).json()
    assert result["card_marks"] == 1
    assert other.get("/api/cards/first-card").json()["flag"] == "blue"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["card_marks"].append(dict(d["card_marks"][0])), "more than one set of marks"),
        (lambda d: d["card_marks"][0].update(flag="purple"), "card_marks.0.flag"),
        (lambda d: d["card_marks"][0].update(note="x" * 5001), "card_marks.0.note"),
        (lambda d: d["card_marks"][0].update(card="no-such-card"), "no card called no-such-card"),
        (lambda d: d["review_log"][0].update(answer_points=[7]), "review_log.0.answer_points"),
        (lambda d: d["review_log"][0].update(answer="x" * 4001), "review_log.0.answer"),
    ],
)
def test_bad_marks_or_answers_in_a_file_are_refused_and_change_nothing(
    client, app, change, message
):
    rate(client, answer="a", answer_points=[0])
    client.put("/api/cards/first-card/flags", json={"flag": "red"})
    exported = client.get("/api/export").json()
    change(exported)
    before = client.get("/api/export").json()
    response = client.post("/api/import", json={"mode": "replace", "data": exported})
    assert response.status_code == 422
    assert message in response.json()["detail"]
    after = client.get("/api/export").json()
    assert {k: v for k, v in after.items() if k != "exported_at"} == {
        k: v for k, v in before.items() if k != "exported_at"
    }


def test_an_old_file_without_marks_or_answers_still_imports(client, app):
    rate(client)
    exported = client.get("/api/export").json()
    exported.pop("card_marks")
    for review in exported["review_log"]:
        review.pop("answer")
        review.pop("answer_points")
    other = new_client(app)
    assert other.post("/api/import", json={"mode": "replace", "data": exported}).status_code == 200
    assert other.get("/api/export").json()["review_log"][0]["answer"] is None


# --- the mock interview's checklist --------------------------------------------------------------


def test_the_mock_checklist_starts_ticked_from_the_detector_and_results_show_the_words(client):
    body = {"kind": "mock", "cards": ["first-card"], "size": 1, "time_limit_s": 120}
    mock = client.post("/api/quizzes", json=body)
    assert mock.status_code == 201, mock.text
    attempt = mock.json()["id"]
    said = "It is a sigmoid of x_t and h_{t-1}, applied per unit."
    answered = client.post(f"/api/quizzes/{attempt}/answers", json={"item": 0, "answer": said})
    assert answered.status_code == 200, answered.text
    page = client.get(f"/quiz/{attempt}").text
    boxes = re.findall(r'<input type="checkbox" name="ticked-0" value="(\d)"( checked)?>', page)
    assert [(v, bool(c)) for v, c in boxes] == [("0", True), ("1", True), ("2", False)]
    assert "heard: <q>sigmoid of x_t and h_{t-1}</q>" in page
    # The learner confirms (here: also ticks the third) and scores; results show the evidence.
    form = {"ticked-0": ["0", "1", "2"], "csrf_token": csrf(client)}
    scored = client.post(f"/quiz/{attempt}/checklist", data=form, follow_redirects=False)
    assert scored.status_code == 303
    results = client.get(f"/quiz/{attempt}/results").text
    assert "You said: <q>per unit</q>" in results and results.count("✓ covered") == 3
