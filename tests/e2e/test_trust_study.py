"""Issue 14 items 6, 10 and 15 in a real browser, each at the width where it was seen (1366 px,
a new guest per test)."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture
def guest(browser: Browser, console_errors) -> Iterator[tuple[BrowserContext, Page]]:
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = console_errors.watch(context.new_page())
    yield context, page
    context.close()


def start(context: BrowserContext, server: str, **body) -> dict:
    body = {"size": 5, "time_limit_s": 60, "mode": "exam", **body}
    response = context.request.post(server + "/api/quizzes", data=body)
    assert response.status == 201, response.text()
    return response.json()


def answer_on_screen(page: Page) -> None:
    if page.locator("[data-number-field]").is_visible():
        page.keyboard.type("12345")
    elif page.locator(".choice kbd", has_text="T").count():
        page.keyboard.press("t")
    else:
        page.keyboard.press("1")
    page.keyboard.press("Enter")


def test_exam_mode_marks_answered_items_neutrally(guest, server: str):
    """14.6: in exam mode the item bar showed ✓ for every answered item, right or wrong."""
    context, page = guest
    quiz = start(context, server, mode="exam", kinds=["mcq", "true_false"])
    page.goto(f"{server}/quiz/{quiz['id']}")
    page.locator("[data-item-form]").wait_for()
    answer_on_screen(page)
    first = page.locator("[data-item-nav] button").first
    expect(first).to_have_attribute("aria-label", "Item 1, answered")
    expect(first).not_to_contain_text("✓")
    expect(first).to_contain_text("•")
    screenshot(page, "trust-exam-item-bar-1366")


def test_practice_feedback_numbers_options_as_the_keys_do(guest, server: str):
    """14.15: feedback named options A-D while the learner chose with 1-4."""
    context, page = guest
    quiz = start(context, server, mode="practice", kinds=["mcq"])
    page.goto(f"{server}/quiz/{quiz['id']}")
    page.locator("[data-item-form]").wait_for()
    answer_on_screen(page)
    feedback = page.locator("[data-feedback]")
    expect(feedback).to_be_visible()
    heads = feedback.locator(".whys li > p:first-child strong").all_inner_texts()
    assert heads[:4] == ["1.", "2.", "3.", "4."], heads
    expect(feedback).not_to_contain_text(re.compile(r"\bA\. "))


def test_header_names_the_learner_and_time_zones_are_searchable(guest, server: str, console_errors):
    """14.15: the header shows who is logged in (or Guest); the zone list has a search."""
    _, page = guest
    page.goto(server + "/settings")
    expect(page.locator(".site-header .who")).to_have_text(re.compile(r"^Guest"))
    zone = page.get_by_label("Time zone")
    expect(zone).to_have_attribute("list", "timezone-list")
    assert page.locator("#timezone-list option").count() > 300
    zone.fill("Asia/Tokyo")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(page.get_by_label("Time zone")).to_have_value("Asia/Tokyo")
    zone = page.get_by_label("Time zone")
    zone.fill("Mars/Olympus")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#timezone-error")).to_contain_text("is not a time zone this app knows")
    console_errors.clear()  # the browser logs the refused form's 422 status itself


def test_a_card_just_failed_in_a_quiz_shows_its_step_not_100_percent(guest, server: str):
    """14.10: right after a session every card read "predicted recall now 100%", even cards just
    failed in a quiz; cards in (re)learning now show their step and when they are due."""
    context, page = guest
    request = context.request
    slug = request.get(server + "/api/cards").json()[0]["slug"]
    for key, rating in (("trust-good-01", 4), ("trust-again-1", 1)):  # graduate, then forget
        review = {"card": slug, "rating": rating, "idempotency_key": key}
        assert request.post(server + "/api/reviews", data=review).ok
    page.goto(f"{server}/cards/{slug}")
    recall = page.locator(".card-status .recall, .recall").first
    expect(recall).to_contain_text(re.compile(r"Relearning, step 1, due in \d+ min"))
    expect(recall).not_to_contain_text("%")
    page.goto(server + "/")
    weakest = page.locator("section[aria-labelledby='weak-title']")
    expect(weakest).to_contain_text("Relearning")
    screenshot(page, "trust-home-weakest-1366")
