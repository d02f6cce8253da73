"""The dashboard through HTTP: /api/progress numbers and the /progress page with its charts."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup

from tests.clock import set_now
from tests.history import build_history

NOW = datetime(2026, 6, 17, 10, 0, tzinfo=UTC)


@pytest.fixture
def fixed_now(app):
    """Freeze the dashboard's clock, so numbers that depend on `now` compare exactly."""
    set_now(app, lambda: NOW)
    return NOW


def rate(client, card, rating, key):
    body = {"card": card, "rating": rating, "duration_ms": 2500, "idempotency_key": key}
    assert client.post("/api/reviews", json=body).status_code == 200


def test_a_new_learner_sees_every_card_new_and_nothing_due(client):
    body = client.get("/api/progress").json()
    assert body["counts"] == {"new": 2, "learning": 0, "review": 0, "relearning": 0, "total": 2}
    assert body["due_today"] == 0 and body["streak_days"] == 0 and body["reviews_total"] == 0
    assert len(body["forecast"]) == 14 and all(d["count"] == 0 for d in body["forecast"])
    assert body["heatmap"]["total"] == 0 and body["heatmap"]["days"][-1]["day"] == body["today"]
    assert [r["days"] for r in body["retention"]] == [7, 30]
    assert body["retention"][0]["all"] == {"passed": 0, "total": 0, "rate": None}
    assert [m["slug"] for m in body["mastery"]] == ["first-card", "second-card"]
    assert body["mastery"][0]["lab_url"].startswith("/lab?preset=")
    assert body["readiness"] is None and body["quizzes"] == []


def test_reviews_show_up_in_counts_heatmap_streak_and_time(client, fixed_now):
    # At a fixed 10:00 UTC: the learning card due in 10 minutes stays inside the study day
    # (with the real clock, between 03:50 and 04:00 UTC it fell into the next one).
    rate(client, "first-card", 4, "key-000001")  # Easy: straight to review
    rate(client, "second-card", 3, "key-000002")  # Good: a 10-minute learning step
    body = client.get("/api/progress").json()
    assert body["counts"]["review"] == 1 and body["counts"]["learning"] == 1
    assert body["counts"]["new"] == 0
    assert body["reviews_total"] == 2 and body["reviews_today"] == 2
    assert body["time_studied_ms"] == 5000 and body["streak_days"] == 1
    assert body["heatmap"]["days"][-1]["count"] == 2 and body["heatmap"]["active_days"] == 1
    assert body["due_today"] == 1  # the learning card comes back in 10 minutes
    # Learning steps never count toward true retention.
    assert body["retention"][1]["all"]["total"] == 0


def test_interview_date_gives_readiness(client):
    day = (datetime.now(UTC) + timedelta(days=300)).date().isoformat()
    assert client.put("/api/settings", json={"interview_date": day}).status_code == 200
    rate(client, "first-card", 4, "key-000003")
    readiness = client.get("/api/progress").json()["readiness"]
    assert readiness["interview_date"] == day and readiness["total"] == 2
    assert readiness["ready"] == 0 and readiness["passed"] is False  # months away: faded
    assert 0 < readiness["mean_recall"] < 0.5  # the new card counts as 0


def test_a_seeded_year_gives_consistent_numbers(client, fixed_now):
    doc = build_history(["first-card", "second-card"], NOW, days=365, timezone="Asia/Tokyo")
    assert client.post("/api/import", json={"mode": "replace", "data": doc}).status_code == 200
    body = client.get("/api/progress").json()
    assert body["timezone"] == "Asia/Tokyo" and body["generated_at"].startswith("2026-06-17T10:00")
    assert body["reviews_total"] == len(doc["review_log"])
    assert body["time_studied_ms"] == sum(r["duration_ms"] for r in doc["review_log"])
    in_heatmap = sum(d["count"] for d in body["heatmap"]["days"])
    assert in_heatmap == body["heatmap"]["total"] <= body["reviews_total"]
    assert len(body["heatmap"]["days"]) == 25 * 7 + NOW.weekday() + 1
    assert body["streak_days"] >= 3  # the history studies its last days
    assert len(body["quizzes"]) == len(doc["quizzes"]) > 10
    # Cards in review come weakest first by recall to the percent ((re)learning ones before them).
    recalls = [round(m["recall"], 2) for m in body["mastery"] if m["stage"] == "review"]
    assert recalls == sorted(recalls)
    for window in body["retention"]:
        young, mature, both = window["young"], window["mature"], window["all"]
        assert both["total"] == young["total"] + mature["total"]
        assert both["passed"] == young["passed"] + mature["passed"]


def test_progress_is_in_openapi(client):
    paths = client.get("/openapi.json").json()["paths"]
    ok = paths["/api/progress"]["get"]["responses"]["200"]["content"]["application/json"]
    assert ok["schema"]["$ref"].endswith("/ProgressOut")


# The page -----------------------------------------------------------------------------------------


def svgs(html: str) -> dict[str, ET.Element]:
    soup = BeautifulSoup(html, "html.parser")
    return {svg["id"]: ET.fromstring(str(svg)) for svg in soup.select("svg.chart")}


def test_progress_page_with_no_data(client):
    response = client.get("/progress")
    assert response.status_code == 200
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.select_one('nav a[href="/progress"][aria-current="page"]')
    charts = svgs(response.text)
    assert set(charts) == {"forecast-chart", "heatmap-chart", "quiz-chart"}
    for svg in soup.select("svg.chart"):
        assert svg["role"] == "img" and soup.find(id=svg["aria-labelledby"]) is not None
        assert svg.find_parent("figure").select_one("details summary")
    assert "No finished quizzes yet" in response.text
    assert "No reviews in the last 26 weeks." in response.text
    assert not soup.select("[style]")
    rows = soup.select("table.mastery tbody tr")
    assert len(rows) == 2 and rows[0].select_one('a[href="/cards/first-card"]')
    form = soup.select_one("form[data-import-form]")
    assert form["action"] == "/api/import" and form["enctype"] == "multipart/form-data"
    assert form.select_one('input[type="file"][name="file"]')["id"] == "import-file"
    assert soup.select_one('label[for="import-file"]')
    assert [i["value"] for i in form.select('input[name="mode"]')] == ["merge", "replace"]
    for href in ("/api/export", "/export/deck.apkg", "/export/deck.tsv"):
        assert soup.select_one(f'a[href="{href}"][download]')


def test_progress_page_with_a_year_of_history(client, fixed_now):
    doc = build_history(
        ["first-card", "second-card"], NOW, days=365, interview=(NOW + timedelta(days=30)).date()
    )
    client.post("/api/import", json={"mode": "replace", "data": doc})
    response = client.get("/progress")
    soup = BeautifulSoup(response.text, "html.parser")
    charts = svgs(response.text)
    svg = "{http://www.w3.org/2000/svg}"
    lines = [p for p in charts["quiz-chart"].iter(f"{svg}path")]
    assert len(lines) == 2  # quizzes and mock interviews
    # The tables say what the charts show.
    forecast_rows = soup.select_one("#forecast-title").find_parent("section").select("tbody tr")
    assert len(forecast_rows) == 14 and forecast_rows[0].th.text == "Today"
    heat_rows = soup.select_one("#heatmap-title").find_parent("section").select("tbody tr")
    heat_total = sum(int(r.td.text) for r in heat_rows)
    api = client.get("/api/progress").json()
    assert heat_total == api["heatmap"]["total"]
    quiz_rows = soup.select_one("#quiz-title").find_parent("section").select("tbody tr")
    assert len(quiz_rows) == len(doc["quizzes"])
    assert "Interview on" in soup.select_one(".readiness-box h3").text
    assert soup.select_one("#readiness-bar")["max"] == "2"


def test_lab_predictions_are_counted_in_progress(client):
    assert client.get("/api/progress").json()["lab_predictions"] == {"made": 0, "correct": 0}
    run = client.post("/api/lab/run", json={"preset": "adding-lstm", "seed": 2}).json()
    body = {
        "preset": "adding-lstm",
        "seed": 2,
        "question_id": run["question"]["id"],
        "answer": "yes",
    }
    result = client.post("/api/lab/predictions", json=body).json()
    counted = client.get("/api/progress").json()["lab_predictions"]
    assert counted == {"made": 1, "correct": int(result["correct_answer"])}
    page = client.get("/progress").text
    assert f"{counted['correct']}/1" in page and "lab predictions right" in page
