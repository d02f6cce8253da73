"""Reviewing in a real browser, by keyboard alone: settings, reveal, rate, undo, summary."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e


def set_new_limit(page: Page, server: str, limit: int) -> None:
    page.goto(server + "/settings")
    page.get_by_label("New cards a day").fill(str(limit))
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")


def test_review_session_by_keyboard(page: Page, server: str):
    set_new_limit(page, server, 2)
    screenshot(page, "10-settings")
    page.goto(server + "/review")
    question = page.locator("[data-question]")
    expect(question).not_to_be_empty()
    first = question.inner_text()
    expect(page.locator("[data-counts]")).to_contain_text("2 new left today")
    screenshot(page, "11-review-question")

    page.keyboard.press("Space")
    expect(page.locator("[data-answer]")).to_be_visible()
    expect(page.locator('[data-interval="1"]')).to_have_text("1 min")
    expect(page.locator(".hint")).to_contain_text("Hard means you recalled it, with effort")
    screenshot(page, "12-review-answer")

    page.keyboard.press("3")  # Good: a new card goes to its 10-minute learning step
    expect(question).not_to_have_text(first)
    second = question.inner_text()

    page.keyboard.press("Control+z")  # undo: the first card comes back
    expect(question).to_have_text(first)
    expect(page.locator("[data-counts]")).to_contain_text("undid Good")

    page.keyboard.press("Space")
    page.keyboard.press("4")  # Easy: graduates for days
    expect(question).to_have_text(second)
    page.keyboard.press("Enter")
    page.keyboard.press("4")
    summary = page.locator("[data-summary]")
    expect(summary).to_be_visible()
    expect(page.locator("[data-sum-count]")).to_have_text("2")
    expect(page.locator("[data-sum-accuracy]")).to_have_text("100%")
    expect(page.locator("[data-next-due]")).to_contain_text("The next card is due")
    screenshot(page, "13-review-summary")

    page.goto(server + "/")
    expect(page.locator(".done-today")).to_be_visible()
    page.goto(server + "/cards")
    expect(page.locator(".badge.stage-review")).to_have_count(2)


def test_review_works_at_360_px_with_buttons_in_two_rows(browser, server: str):
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2)
    page = context.new_page()
    page.goto(server + "/review")
    expect(page.locator("[data-question]")).not_to_be_empty()
    page.locator("[data-reveal]").click()
    expect(page.locator("[data-rating='4']")).to_be_visible()
    screenshot(page, "14-phone-review")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    page.locator("[data-rating='1']").click()  # Again, by touch
    expect(page.locator("[data-counts]")).to_contain_text(re.compile(r"\d+ new left today"))
    context.close()
