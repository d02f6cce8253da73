"""Issue 14 on the quiz and progress pages: phone layout (item 7) and the learner's clock (item
11), each at the width where the defect was seen."""

from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, BrowserContext

from tests.e2e.conftest import screenshot
from tests.e2e.site import learner, open_page

pytestmark = pytest.mark.e2e

# The on-screen size of every visible SVG text: its font size times the chart's scale.
TEXT_SIZES = """() => [...document.querySelectorAll('svg text')]
  .filter((t) => t.getClientRects().length && getComputedStyle(t).display !== 'none')
  .map((t) => [t.textContent, t.getScreenCTM().a * parseFloat(getComputedStyle(t).fontSize)])"""


@pytest.fixture(scope="module")
def phone(browser: Browser, server: str) -> Iterator[tuple[BrowserContext, dict]]:
    context = browser.new_context(viewport={"width": 390, "height": 800}, device_scale_factor=2)
    ids = learner(context, server)
    yield context, ids
    context.close()


@pytest.mark.parametrize("name", ["progress", "quiz-history"])
def test_chart_text_is_at_least_11_px_at_390(phone, server: str, name: str):
    context, ids = phone
    page = context.new_page()
    open_page(page, server, name, ids)
    sizes = page.evaluate(TEXT_SIZES)
    assert sizes, f"{name}: no chart text found"
    small = [(text, round(px, 1)) for text, px in sizes if px < 11]
    screenshot(page, f"trust-{name}-390")
    page.close()
    assert not small, f"{name}: chart text under 11 px at 390 px: {small[:5]}"


def test_history_is_one_column_at_390_without_sideways_scrolling(phone, server: str):
    """It was 447-504 px wide at 390 px."""
    context, ids = phone
    page = context.new_page()
    open_page(page, server, "quiz-history", ids)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = page.locator("table.history").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    page.close()


def test_quiz_times_show_on_the_learners_clock(browser: Browser, server: str):
    """Results and history printed UTC while the review summary was local."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, timezone_id="Asia/Tokyo")
    try:
        ids = learner(context, server)
        settings = context.request.put(server + "/api/settings", data={"timezone": "Asia/Tokyo"})
        assert settings.ok, settings.text()
        attempt = context.request.get(f"{server}/api/quizzes/{ids['quiz']}").json()
        started = datetime.fromisoformat(attempt["started_at"]).astimezone(ZoneInfo("Asia/Tokyo"))
        page = context.new_page()
        open_page(page, server, "quiz-results", ids)
        eyebrow = page.locator(".eyebrow").first.inner_text()
        assert "UTC" not in eyebrow.upper()
        assert started.strftime("%H:%M") in eyebrow, eyebrow
        open_page(page, server, "quiz-history", ids)
        row = page.locator(f'a[href="/quiz/{ids["quiz"]}/results"]').locator("xpath=ancestor::tr")
        assert started.strftime("%-d %b %Y %H:%M") in row.inner_text()
        assert "UTC" not in page.locator("table.history thead").inner_text()
    finally:
        context.close()
