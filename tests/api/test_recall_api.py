"""POST /api/recall/check: key points covered with evidence, a suggested rating, and limits."""

from sqlmodel import Session, select

from app.models import User
from app.study.recall import MAX_ANSWER_CHARS


def check(client, answer, card="first-card", **extra):
    return client.post("/api/recall/check", json={"card": card, "answer": answer, **extra})


def test_covered_points_come_with_the_learners_words_and_a_suggestion(client):
    answer = "f_t = σ(W x_t + U h_{t-1} + b), applied element-wise. Gers added it in 2000."
    response = check(client, answer, duration_ms=20_000)
    assert response.status_code == 200
    body = response.json()
    assert [p["covered"] for p in body["key_points"]] == [True, True, True]
    assert body["key_points"][0]["evidence"] == "σ(W x_t + U h_{t-1}"
    assert body["key_points"][1]["evidence"] == "element-wise"
    assert body["key_points"][2]["text"] == "Added in 2000."
    assert "<math" in body["key_points"][0]["html"]
    assert body["covered"] == 3 and body["coverage"] == 1.0
    assert body["suggested_rating"] == 4 and body["suggested_label"] == "Easy"


def test_a_slow_full_answer_is_good_a_partial_one_hard_an_empty_one_again(client):
    full = "sigmoid of x_t and h_{t-1}; per unit; from 2000"
    assert check(client, full, duration_ms=300_000).json()["suggested_label"] == "Good"
    partial = check(client, "It works per unit.").json()
    assert partial["covered"] == 1 and partial["suggested_label"] == "Hard"
    assert partial["key_points"][0]["evidence"] is None
    assert check(client, "").json()["suggested_label"] == "Again"


def test_a_contradiction_is_not_credited(client):
    body = check(client, "It was already in the 1997 LSTM, added in 2000 they say.").json()
    assert body["key_points"][2]["covered"] is False


def test_unknown_card_is_404_naming_the_field(client):
    response = check(client, "anything", card="no-such-card")
    assert response.status_code == 404
    assert response.json()["detail"] == "card: no card is called 'no-such-card'."


def test_limits_are_422_naming_the_field_and_change_nothing(client, app):
    too_long = check(client, "x" * (MAX_ANSWER_CHARS + 1))
    assert too_long.status_code == 422
    detail = too_long.json()["detail"][0]
    assert detail["loc"] == ["body", "answer"] and "4000" in detail["msg"]
    for bad in ({"answer": "x"}, {"card": "first-card"}, {"card": "", "answer": "x"}):
        assert client.post("/api/recall/check", json=bad).status_code == 422
    assert check(client, "x", duration_ms=-1).status_code == 422
    with Session(app.state.engine) as session:
        assert session.exec(select(User)).all() == []  # a check is not a write: no guest made


def test_a_card_without_cues_is_a_409_saying_so(client, app):
    deck = app.state.deck
    card = deck.get("first-card")
    object.__setattr__(card, "cues", ())
    response = check(client, "sigmoid")
    assert response.status_code == 409
    assert "no recall cues" in response.json()["detail"]


def test_the_check_is_documented(client):
    schema = client.get("/openapi.json").json()
    assert "/api/recall/check" in schema["paths"]


def test_every_real_card_can_be_checked(real_client):
    cards = real_client.get("/api/cards").json()
    for card in cards:
        body = real_client.post(
            "/api/recall/check", json={"card": card["slug"], "answer": "I am not sure."}
        ).json()
        assert body["covered"] == 0 and body["suggested_rating"] == 1
        assert len(body["key_points"]) >= 3
