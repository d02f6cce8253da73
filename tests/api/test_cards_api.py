"""The public card API: the deck, one card, 404s with a message, and the OpenAPI document."""


def test_list_cards_in_deck_order_with_status(client):
    response = client.get("/api/cards")
    assert response.status_code == 200
    cards = response.json()
    assert [c["slug"] for c in cards] == ["first-card", "second-card"]
    first = cards[0]
    assert first["number"] == 1
    assert first["question"]["markdown"] == "What does the forget gate multiply?"
    assert first["url"] == "/cards/first-card"
    assert first["lab_url"] == "/lab?preset=forget-bias&card=first-card"
    assert first["status"] == {
        "stage": "new",
        "due": None,
        "retrievability": None,
        "reps": 0,
        "lapses": 0,
    }


def test_one_card_has_answer_points_references_lab_and_neighbours(client):
    card = client.get("/api/cards/first-card").json()
    assert card["short_answer"]["markdown"].startswith("It scales the previous cell state")
    assert "<math" in card["full_answer"]["html"]
    assert len(card["key_points"]) == 3
    assert (
        card["misconceptions"][0]["claim"]["markdown"]
        == "The forget gate deletes the hidden state."
    )
    assert card["follow_ups"][0]["question"]["markdown"] == "Why initialise its bias to one?"
    assert card["references"][0]["url"] == "https://doi.org/10.1162/089976600300015015"
    assert card["lab"]["preset"] == "forget-bias"
    assert card["previous"] is None and card["next"] == "second-card"


def test_card_json_never_contains_quiz_answers(client):
    body = client.get("/api/cards/first-card").text
    assert "quiz" not in body and '"correct"' not in body


def test_unknown_card_is_a_json_404_with_a_message(client):
    response = client.get("/api/cards/no-such-card")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"detail": "No card is called 'no-such-card'."}


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json()["detail"] == "Not Found"


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cards": 2}


def test_healthz_reports_an_unreachable_database(client, app):
    app.state.engine.dispose()
    app.state.engine = __import__("app.db", fromlist=["make_engine"]).make_engine(
        "sqlite:////nonexistent-dir/x.db"
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_openapi_documents_the_card_routes_with_models(client):
    schema = client.get("/openapi.json").json()
    assert "/api/cards" in schema["paths"] and "/api/cards/{slug}" in schema["paths"]
    ok = schema["paths"]["/api/cards/{slug}"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"]["$ref"].endswith("/CardOut")
    assert client.get("/docs").status_code == 200
