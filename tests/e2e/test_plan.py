"""The plan to the interview on the home page and /progress in a real browser: it shows the days,
follows a review, says where the learner stands; both themes, 1366 and 390 px, axe clean."""

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import ConsoleErrors, screenshot

pytestmark = pytest.mark.e2e

AXE = Axe()


@pytest.fixture
def open_page(browser: Browser) -> Iterator:
    opened: list[tuple] = []

    def open_(width: int, scheme: str) -> Page:
        context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
        errors = ConsoleErrors()
        opened.append((context, errors))
        return errors.watch(context.new_page())

    yield open_
    for context, errors in opened:
        context.close()
        assert not errors, f"console errors: {errors}"


def no_serious_violations(page: Page) -> None:
    results = AXE.run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    report = [(v["id"], v["help"], [n["target"] for n in v["nodes"][:3]]) for v in serious]
    assert not serious, report


def today_reviews(page: Page) -> int:
    row = page.locator("table.plan-table tbody tr").first
    expect(row.locator("th")).to_have_text("Today")
    return int(row.locator("td").first.inner_text().split()[0])


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1366, 390])
def test_the_plan_on_the_home_page(open_page, server: str, width: int, scheme: str):
    page = open_page(width, scheme)
    page.goto(server + "/")
    interview = date.today() + timedelta(days=12)
    response = page.request.put(
        server + "/api/settings",
        data={"interview_date": interview.isoformat(), "daily_new_limit": 1, "timezone": "UTC"},
    )
    assert response.ok, response.text()
    page.goto(server + "/")
    plan = page.locator("section.plan")
    expect(plan.get_by_role("heading", name="Your plan to the interview")).to_be_visible()
    expect(plan.locator(".plan-standing")).to_contain_text("On plan")
    # 20 new cards over the 10 days before the final window: the limit is raised to 2, and said.
    expect(plan.get_by_role("note")).to_contain_text("raised to 2 a day (your setting is 1)")
    expect(plan.locator("tr.plan-interview")).to_contain_text("Interview")
    before = today_reviews(page)
    assert before == 4  # two new cards, each asked twice today
    no_serious_violations(page)
    screenshot(page, f"45-plan-home-{width}-{scheme}")

    # A review from the review screen, by keyboard: the plan follows it.
    page.goto(server + "/review")
    question = page.locator("[data-question]")
    expect(question).not_to_be_empty()
    expect(page.locator("[data-counts]")).to_contain_text("limit raised to 2 a day")
    first = question.inner_text()
    page.keyboard.press("Space")
    expect(page.locator("[data-answer]")).to_be_visible()
    page.keyboard.press("3")  # Good: the card's 10-minute step is still planned for today
    expect(question).not_to_have_text(first)
    page.goto(server + "/")
    assert today_reviews(page) == before - 1
    # The cards are links to their pages.
    first = page.locator("table.plan-table tbody tr").first.get_by_role("link").first
    expect(first).to_have_attribute("href", re.compile(r"^/cards/[a-z0-9-]+$"))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_plan_on_the_progress_page(open_page, server: str, scheme: str):
    page = open_page(1366, scheme)
    page.goto(server + "/")
    interview = date.today() + timedelta(days=5)
    page.request.put(server + "/api/settings", data={"interview_date": interview.isoformat()})
    page.goto(server + "/progress")
    box = page.locator(".readiness-box")
    expect(box.get_by_role("heading", name="Your plan to the interview")).to_be_visible()
    expect(box.locator(".plan-standing")).to_contain_text("On plan")
    no_serious_violations(page)
    screenshot(page, f"46-plan-progress-{scheme}")
