"""What fuzzing the API found, kept as plain tests on SQLite and PostgreSQL: inputs a fuzzer sends
and a person rarely does get a 4xx that the OpenAPI document lists, never a server error."""

import pytest
from sqlmodel import Session, select

from app.models import LoginAttempt, User
from app.schemas import MAX_ROW_ID


@pytest.mark.parametrize("path", ["/api/auth/register", "/api/auth/login"])
def test_a_nul_character_in_a_username_is_refused_not_a_database_error(client, app, path):
    # PostgreSQL cannot hold NUL in text, not even as a query parameter.
    response = client.post(path, json={"username": "ada\x00", "password": "a long passphrase 1"})
    assert response.status_code in (401, 422), response.text
    with Session(app.state.engine) as session:
        assert session.exec(select(User).where(User.username.is_not(None))).all() == []
        keys = session.exec(select(LoginAttempt.key)).all()
    assert all("\x00" not in key for key in keys)


@pytest.mark.parametrize("attempt", [MAX_ROW_ID + 1, 2**63, 0])
def test_an_id_beyond_the_integer_column_is_a_422_naming_the_limit(client, attempt):
    response = client.get(f"/api/quizzes/{attempt}")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "attempt_id"]


def test_the_largest_id_is_simply_not_found(client):
    assert client.get(f"/api/quizzes/{MAX_ROW_ID}").status_code == 404


def test_a_body_that_is_not_json_is_a_documented_400(client):
    response = client.post(
        "/api/reviews", content=b"\xff\xfe{", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    operation = client.get("/openapi.json").json()["paths"]["/api/reviews"]["post"]
    assert {"400", "422"} <= set(operation["responses"])


def test_422_is_documented_as_either_the_field_list_or_one_message(client):
    """FastAPI's validation list (a bad field type) and a handler's message (a rule) share 422."""
    document = client.get("/openapi.json").json()
    listed = client.post("/api/reviews", json={"card": "first-card", "rating": "x"})
    message = client.post("/api/auth/register", json={"username": "-x-", "password": "p" * 20})
    assert listed.status_code == message.status_code == 422
    assert isinstance(listed.json()["detail"], list) and isinstance(message.json()["detail"], str)
    for item in document["paths"].values():
        for operation in item.values():
            if "422" in operation["responses"]:
                schema = operation["responses"]["422"]["content"]["application/json"]["schema"]
                refs = {s["$ref"].rsplit("/", 1)[1] for s in schema["anyOf"]}
                assert refs == {"HTTPValidationError", "ErrorOut"}
