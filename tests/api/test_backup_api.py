"""Export and import of a learner's progress, and the deck for Anki."""

import base64
import copy
import io
import json
import sqlite3
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.models import CardState, QuizAnswer, QuizAttempt, ReviewLog
from app.services import backup
from tests.clock import set_now
from tests.history import build_history

NOW = datetime(2026, 6, 17, 10, 0, tzinfo=UTC)
SLUGS = ["first-card", "second-card"]


@pytest.fixture
def fixed_now(app):
    set_now(app, lambda: NOW)


@pytest.fixture
def history() -> dict:
    return build_history(
        SLUGS, NOW, days=365, timezone="America/New_York", interview=NOW.date() + timedelta(days=9)
    )


def new_client(app) -> TestClient:
    """Another browser: no cookie yet, so a fresh guest user on its first request."""
    return TestClient(app, base_url="http://127.0.0.1")


def import_(client, data, mode="replace"):
    return client.post("/api/import", json={"mode": mode, "data": data})


def progress_numbers(client) -> dict:
    body = client.get("/api/progress").json()
    body.pop("generated_at")
    return body


def counts(app) -> dict:
    with Session(app.state.engine) as session:
        return {
            model.__name__: session.exec(select(func.count()).select_from(model)).one()
            for model in (CardState, ReviewLog, QuizAttempt, QuizAnswer)
        }


def without_export_time(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != "exported_at"}


# Export and round trip ----------------------------------------------------------------------------


def test_export_of_a_new_learner(client):
    response = client.get("/api/export")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    doc = response.json()
    assert doc["format"] == "memory-cell-progress" and doc["version"] == 1
    assert doc["settings"]["timezone"] == "UTC"
    assert doc["card_states"] == doc["review_log"] == doc["quizzes"] == []


def test_export_then_import_into_a_fresh_user_gives_the_same_dashboard(
    app, client, history, fixed_now
):
    assert import_(client, history).status_code == 200
    before = progress_numbers(client)
    assert before["reviews_total"] > 10 and before["readiness"] is not None
    exported = client.get("/api/export").json()
    assert len(exported["review_log"]) == len(history["review_log"])

    with new_client(app) as fresh:
        assert progress_numbers(fresh)["reviews_total"] == 0
        result = import_(fresh, exported)
        assert result.status_code == 200, result.text
        assert result.json()["reviews_added"] == len(exported["review_log"])
        assert progress_numbers(fresh) == before
        again = fresh.get("/api/export").json()
        assert without_export_time(again) == without_export_time(exported)


def test_review_and_undo_still_work_after_an_import(app, client, history):
    import_(client, history)
    slug = history["review_log"][-1]["card"]
    before = client.get("/api/export").json()
    body = {"card": slug, "rating": 3, "duration_ms": 1000, "idempotency_key": "after-import-1"}
    assert client.post("/api/reviews", json=body).status_code == 200
    undo = {"idempotency_key": "after-import-1"}
    assert client.post("/api/reviews/undo", json=undo).status_code == 200
    after = client.get("/api/export").json()
    assert after["card_states"] == before["card_states"]
    # Undo of an imported review (named by its id) restores the state the file recorded before it.
    with Session(app.state.engine) as session:
        logs = session.exec(select(ReviewLog).where(ReviewLog.card_slug == slug)).all()
        review_id = max(logs, key=lambda log: (log.reviewed_at, log.id)).id
    assert client.post("/api/reviews/undo", json={"review_id": review_id}).json()["card"] == slug
    state = next(s for s in client.get("/api/export").json()["card_states"] if s["card"] == slug)
    assert state["reps"] == before_state(before, slug)["reps"] - 1


def before_state(doc, slug):
    return next(s for s in doc["card_states"] if s["card"] == slug)


# Merge --------------------------------------------------------------------------------------------


def test_merging_the_same_file_twice_adds_nothing_the_second_time(client, history):
    first = import_(client, history, mode="merge").json()
    assert first["reviews_added"] == len(history["review_log"])
    assert first["settings_changed"] is False
    second = import_(client, history, mode="merge").json()
    assert second["reviews_added"] == second["quizzes_added"] == second["card_states"] == 0
    assert client.get("/api/progress").json()["reviews_total"] == len(history["review_log"])


def test_merge_keeps_settings_unites_logs_and_takes_the_newer_card_state(client, history):
    client.put("/api/settings", json={"timezone": "Europe/Paris", "daily_new_limit": 4})
    # This learner reviewed "first-card" today, after everything in the file.
    body = {"card": "first-card", "rating": 4, "duration_ms": 900, "idempotency_key": "merge-key-1"}
    client.post("/api/reviews", json=body)
    mine = before_state(client.get("/api/export").json(), "first-card")
    result = import_(client, history, mode="merge").json()
    doc = client.get("/api/export").json()
    assert doc["settings"]["timezone"] == "Europe/Paris" and doc["settings"]["daily_new_limit"] == 4
    assert len(doc["review_log"]) == len(history["review_log"]) + 1
    assert before_state(doc, "first-card") == mine  # ours is newer than the file's
    assert before_state(doc, "second-card") == before_state(
        history_as_exported(history), "second-card"
    )
    assert result["card_states"] == 1


def history_as_exported(history):
    # Through pydantic, as an export writes it (times in Z form).
    return json.loads(backup.validate(copy.deepcopy(history)).model_dump_json())


def test_replace_takes_the_files_settings_and_drops_what_was_there(client, history):
    body = {"card": "first-card", "rating": 4, "duration_ms": 900, "idempotency_key": "gone-key-1"}
    client.post("/api/reviews", json=body)
    import_(client, history)
    doc = client.get("/api/export").json()
    assert doc["settings"]["timezone"] == "America/New_York"
    assert len(doc["review_log"]) == len(history["review_log"])


# Refusals change nothing --------------------------------------------------------------------------


def refused_cases(history):
    wrong_version = {**history, "version": 2}
    not_ours = {**history, "format": "anki-backup"}
    bad_rating = copy.deepcopy(history)
    bad_rating["review_log"][3]["rating"] = 5
    naive = copy.deepcopy(history)
    naive["review_log"][0]["reviewed_at"] = "2026-01-01T10:00:00"
    unknown = copy.deepcopy(history)
    unknown["review_log"][1]["card"] = "no-such-card"
    twice = copy.deepcopy(history)
    twice["card_states"].append(copy.deepcopy(twice["card_states"][0]))
    extra = {**history, "surprise": 1}
    return [
        (wrong_version, 422, "version: this file is version 2; this server reads version 1"),
        (not_ours, 422, "format: this is not a Memory Cell progress file"),
        (bad_rating, 422, "Rating (review_log.3.rating) can be at most 4."),
        (naive, 422, "review_log.0.reviewed_at needs a time zone offset"),
        (unknown, 422, "no card called no-such-card"),
        (twice, 422, "card_states: more than one state for"),
        (extra, 422, "Surprise is not a field this request accepts."),
        ([1, 2], 422, "format: this is not a Memory Cell progress file"),
    ]


@pytest.mark.parametrize("case", range(8))
@pytest.mark.parametrize("mode", ["replace", "merge"])
def test_a_bad_file_is_refused_with_a_message_and_changes_nothing(app, client, history, case, mode):
    import_(client, history)
    before, rows = client.get("/api/export").json(), counts(app)
    data, status, message = refused_cases(history)[case]
    response = import_(client, data, mode=mode)
    assert response.status_code == status
    assert message in response.json()["detail"]
    assert without_export_time(client.get("/api/export").json()) == without_export_time(before)
    assert counts(app) == rows


def test_malformed_and_oversized_bodies_are_refused(app, client, history):
    import_(client, history)
    rows = counts(app)
    headers = {"Content-Type": "application/json"}
    response = client.post("/api/import", content=b'{"mode": "replace", "data": {', headers=headers)
    assert response.status_code == 400 and "isn't valid JSON" in response.json()["detail"]
    response = client.post("/api/import", json={"mode": "overwrite", "data": history})
    assert response.status_code == 422 and "mode: must be 'replace' or 'merge'" in response.text
    response = client.post("/api/import", json=history)  # the file without its wrapper
    assert response.status_code == 422 and '"mode"' in response.json()["detail"]
    big = {"mode": "replace", "data": {**history, "padding": "x" * backup.MAX_BYTES}}
    response = client.post("/api/import", json=big)
    assert response.status_code == 413 and "1 MB" in response.json()["detail"]
    assert counts(app) == rows


def test_a_failure_while_writing_rolls_everything_back(app, client, history, monkeypatch):
    import_(client, history)
    before, rows = client.get("/api/export").json(), counts(app)
    other = build_history(SLUGS, NOW, days=60, seed=99)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(backup, "_add_quiz", broken)  # fails after deleting and rewriting reviews
    with pytest.raises(RuntimeError):
        import_(client, other)
    assert counts(app) == rows
    assert without_export_time(client.get("/api/export").json()) == without_export_time(before)


# The form upload on the page ----------------------------------------------------------------------


def upload(client, content: bytes, mode="merge", html=True):
    headers = {"Accept": "text/html"} if html else {}
    files = {"file": ("progress.json", content, "application/json")}
    return client.post(
        "/api/import", files=files, data={"mode": mode}, headers=headers, follow_redirects=False
    )


def test_uploading_a_file_from_the_page_redirects_with_a_message(client, history):
    response = upload(client, json.dumps(history).encode())
    assert response.status_code == 303 and response.headers["location"] == "/progress#backup"
    page = client.get("/progress").text
    assert "Merged the file into your progress" in page and 'role="status"' in page
    assert "Merged the file" not in client.get("/progress").text  # shown once


def test_a_bad_upload_shows_the_error_next_to_the_field(app, client):
    rows = counts(app)
    response = upload(client, b'{"format": "memory-cell-progress", "version": 7}')
    # The page with the error comes back at once; the message never rides in the cookie.
    assert response.status_code == 200
    cookie = response.headers.get("set-cookie", "mc_session=e30=.x")  # e30= is "{}"
    payload = base64.b64decode(cookie.split("=", 1)[1].split(".", 1)[0]).decode()
    assert "import" not in payload and "version 7" not in payload
    page = response.text
    assert "Nothing was imported. version: this file is version 7" in page
    assert 'aria-invalid="true"' in page
    assert counts(app) == rows


def test_an_upload_from_a_script_gets_json(client, history):
    response = upload(client, json.dumps(history).encode(), mode="replace", html=False)
    assert response.status_code == 200 and response.json()["mode"] == "replace"
    response = upload(client, b"not json", html=False)
    assert response.status_code == 400


def test_import_is_documented_in_openapi(client):
    operation = client.get("/openapi.json").json()["paths"]["/api/import"]["post"]
    body = operation["requestBody"]["content"]
    schema = body["application/json"]["schema"]
    assert schema["properties"]["mode"]["enum"] == ["replace", "merge"]
    assert "$ref" not in json.dumps(schema)  # inlined, so it resolves
    assert set(body) == {"application/json", "multipart/form-data"}
    assert {"400", "413", "422"} <= set(operation["responses"])


# Anki ---------------------------------------------------------------------------------------------


def test_apkg_holds_one_note_per_card_of_the_real_deck(real_client, tmp_path):
    response = real_client.get("/export/deck.apkg")
    assert response.status_code == 200
    assert 'filename="memory-cell.apkg"' in response.headers["content-disposition"]
    deck_size = len(real_client.get("/api/cards").json())
    assert deck_size == 20
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert set(archive.namelist()) == {"collection.anki2", "media"}
        (tmp_path / "collection.anki2").write_bytes(archive.read("collection.anki2"))
    db = sqlite3.connect(tmp_path / "collection.anki2")
    try:
        (notes,) = db.execute("SELECT count(*) FROM notes").fetchone()
        (cards,) = db.execute("SELECT count(*) FROM cards").fetchone()
        fields = [row[0].split("\x1f") for row in db.execute("SELECT flds FROM notes")]
        tags = [row[0] for row in db.execute("SELECT tags FROM notes")]
        guids = {row[0] for row in db.execute("SELECT guid FROM notes")}
    finally:
        db.close()
    assert notes == cards == deck_size == len(guids)
    assert all(len(f) == 4 and all(f) for f in fields)  # question, short, full, key points
    everything = "".join("".join(f) for f in fields)
    assert "\\(" in everything and "<math" not in everything and "$" not in everything
    assert all(t.strip() for t in tags)


def test_tsv_has_anki_headers_and_one_note_per_line(real_client):
    response = real_client.get("/export/deck.tsv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/tab-separated-values")
    lines = response.text.splitlines()
    headers = [line for line in lines if line.startswith("#")]
    assert headers[:2] == ["#separator:tab", "#html:true"]
    assert "#tags column:5" in headers and "#guid column:6" in headers
    notes = [line for line in lines if not line.startswith("#")]
    assert len(notes) == len(real_client.get("/api/cards").json())
    assert all(len(line.split("\t")) == 6 for line in notes)
    assert not any(line.startswith('"') for line in notes)
    assert "\\[" in response.text or "\\(" in response.text
