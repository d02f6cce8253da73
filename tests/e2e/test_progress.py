"""The progress dashboard in a real browser, seeded with months of history through the import API:
both themes, a phone, axe, and the export -> import round trip through the page's own controls."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import ConsoleErrors, screenshot
from tests.history import build_history

pytestmark = pytest.mark.e2e

AXE = Axe()


@pytest.fixture
def open_context(browser: Browser) -> Iterator:
    """Opens contexts (each one a new guest user) and checks none logged a console error."""
    opened: list[tuple[BrowserContext, ConsoleErrors]] = []

    def open_(**options) -> Page:
        context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, **options})
        errors = ConsoleErrors()
        opened.append((context, errors))
        return errors.watch(context.new_page())

    yield open_
    for context, errors in opened:
        context.close()
        assert not errors, f"console errors: {errors}"


def seed(page: Page, server: str, **options) -> dict:
    """Give this browser's user months of reviews and quizzes, through POST /api/import."""
    slugs = [card["slug"] for card in page.request.get(server + "/api/cards").json()]
    now = datetime.now(UTC)
    doc = build_history(
        slugs,
        now,
        days=options.pop("days", 200),
        timezone="Europe/Paris",
        interview=(now + timedelta(days=24)).date(),
        **options,
    )
    response = page.request.post(server + "/api/import", data={"mode": "replace", "data": doc})
    assert response.ok, response.text()
    return doc


def no_serious_violations(page: Page) -> None:
    results = AXE.run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    report = [(v["id"], v["help"], [n["target"] for n in v["nodes"][:3]]) for v in serious]
    assert not serious, report


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_dashboard_with_months_of_history(open_context, server: str, scheme: str):
    page = open_context(color_scheme=scheme)
    doc = seed(page, server)
    page.goto(server + "/progress")
    expect(page.get_by_role("heading", name="Your progress", level=1)).to_be_visible()
    for name in (
        "Cards due on each of the next 14 days",
        "Reviews per day over the last 26 weeks",
        "Quiz and mock-interview scores over time",
    ):
        expect(page.get_by_role("img", name=name)).to_be_visible()
    expect(page.locator("#heatmap-chart rect.cell:not(.heat-0)").first).to_be_visible()
    expect(page.locator("#quiz-chart path.line")).to_have_count(2)
    expect(page.locator("table.mastery tbody tr")).to_have_count(len(doc["card_states"]))
    expect(page.locator(".readiness-box")).to_contain_text("Interview on")
    # The charts follow the theme: the bars' fill comes from the theme's CSS variable.
    fill = page.locator("#forecast-chart rect.bar").first.evaluate("e => getComputedStyle(e).fill")
    assert fill == ("rgb(0, 114, 178)" if scheme == "light" else "rgb(86, 180, 233)")
    screenshot(page, f"40-progress-{scheme}")

    # The text alternative, by keyboard.
    summary = page.get_by_text("Show the forecast as a table")
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#forecast-title").locator("xpath=..").locator("tbody tr")).to_have_count(
        14
    )
    no_serious_violations(page)


def test_dashboard_on_a_phone(open_context, server: str):
    page = open_context(viewport={"width": 360, "height": 740}, device_scale_factor=2)
    seed(page, server, days=120)
    page.goto(server + "/progress")
    expect(page.get_by_role("img", name="Reviews per day over the last 26 weeks")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    # Each chart shrinks to its box rather than being cut off.
    for chart in page.locator("svg.chart").all():
        box = chart.locator("xpath=..").bounding_box()["width"]
        assert abs(chart.bounding_box()["width"] - box) < 1
    screenshot(page, "42-progress-phone")


def test_empty_dashboard_is_accessible(open_context, server: str):
    page = open_context(color_scheme="dark")
    page.goto(server + "/progress")
    expect(page.get_by_text("Nothing due in the next 14 days")).to_be_visible()
    expect(page.get_by_text("No finished quizzes yet").first).to_be_visible()
    screenshot(page, "43-progress-empty-dark")
    no_serious_violations(page)


def test_export_then_import_through_the_page(open_context, server: str, tmp_path):
    first = open_context()
    seed(first, server, days=90)
    first.goto(server + "/progress")
    with first.expect_download() as download:
        first.get_by_role("link", name="Export progress (.json)").click()
    exported = tmp_path / "progress.json"
    download.value.save_as(exported)
    data = json.loads(exported.read_text())
    assert data["format"] == "memory-cell-progress" and data["review_log"]
    expected = first.request.get(server + "/api/progress").json()

    second = open_context(color_scheme="dark")
    second.goto(server + "/progress")
    assert second.request.get(server + "/api/progress").json()["reviews_total"] == 0
    # A file over the limit is stopped before it is sent, with the reason next to the field.
    big = tmp_path / "big.json"
    big.write_text(" " * 1_100_000)
    second.get_by_label("Progress file (.json, 1 MB at most)").set_input_files(big)
    expect(second.locator("#import-file-error")).to_contain_text("the limit is 1 MB")
    # A file of another kind is refused by the server, with the reason on the page.
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({**data, "version": 9}))
    second.get_by_label("Progress file (.json, 1 MB at most)").set_input_files(wrong)
    second.get_by_role("button", name="Import").click()
    expect(second.locator("#import-file-error")).to_contain_text("this file is version 9")
    assert second.request.get(server + "/api/progress").json()["reviews_total"] == 0

    second.get_by_label("Progress file (.json, 1 MB at most)").set_input_files(exported)
    second.get_by_label("Replace").check()
    second.get_by_role("button", name="Import").click()
    expect(second.get_by_role("status")).to_contain_text("Replaced your progress")
    screenshot(second, "44-progress-imported-dark")
    got = second.request.get(server + "/api/progress").json()
    for key in ("counts", "forecast", "heatmap", "retention", "quizzes", "reviews_total"):
        assert got[key] == expected[key], key
    assert got["streak_days"] == expected["streak_days"]
    no_serious_violations(second)
