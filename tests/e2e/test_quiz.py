"""Quizzes and mock interviews in a real browser: a practice quiz by keyboard alone, the clock's
warning and close, a mock interview, history, a phone-sized item, and axe on every page."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e

AXE = Axe()


def start_quiz(context: BrowserContext, server: str, **body) -> dict:
    body = {"size": 5, "time_limit_s": 60, "mode": "practice", **body}
    response = context.request.post(server + "/api/quizzes", data=body)
    assert response.status == 201, response.text()
    return response.json()


def answer_by_keyboard(page: Page) -> None:
    """Answer the item on screen with keys only: a number, T, or option 2."""
    if page.locator("[data-number-field]").is_visible():
        expect(page.locator("[data-number]")).to_be_focused()
        page.keyboard.type("0.5")
    elif page.locator(".choice kbd", has_text="T").count():
        page.keyboard.press("t")
        expect(page.locator(".choice input").first).to_be_checked()
    else:
        page.keyboard.press("2")
        expect(page.locator(".choice input").nth(1)).to_be_checked()
    page.keyboard.press("Enter")


def test_practice_quiz_by_keyboard(page: Page, server: str):
    page.goto(server + "/quiz")
    expect(page.get_by_role("heading", name="Timed quiz")).to_be_visible()
    screenshot(page, "30-quiz-builder")
    page.get_by_label("5", exact=True).check()
    page.get_by_label("Practice: feedback after each item").check()
    page.get_by_role("button", name="Start the quiz").focus()
    page.keyboard.press("Enter")

    expect(page.locator("[data-item-form]")).to_be_visible()
    expect(page.locator("[data-timer]")).to_have_text(re.compile(r"^(4:5\d|5:00)$"))
    expect(page.locator(".nav-item")).to_have_count(5)
    screenshot(page, "31-quiz-item")
    for k in range(5):
        expect(page.locator("[data-item-label]")).to_contain_text(f"Item {k + 1} of 5")
        answer_by_keyboard(page)
        feedback = page.locator("[data-feedback]")
        expect(feedback).to_be_visible()
        expect(feedback.locator(".verdict")).to_have_text(
            re.compile(r"^(✓ Correct\.|✗ Not quite\.)$")
        )
        expect(feedback.locator(".item-links a").first).to_have_attribute(
            "href", re.compile(r"^/cards/.+")
        )
        if k == 0:
            screenshot(page, "32-quiz-feedback")
        if k < 4:
            page.keyboard.press("Enter")  # next item
    expect(page.locator("[data-next]")).to_be_hidden()
    page.locator("[data-finish]").focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Quiz results")).to_be_visible()
    items = page.locator("ol.results > li")
    expect(items).to_have_count(5)
    expect(page.locator(".stat-label", has_text="time used")).to_be_visible()
    screenshot(page, "33-quiz-results")

    page.goto(server + "/quiz/history")
    expect(page.locator("table.history tbody tr")).to_have_count(1)
    expect(page.locator(".trend svg")).to_be_visible()
    screenshot(page, "34-quiz-history")


def test_the_countdown_warns_then_closes_the_quiz(browser: Browser, server: str):
    context = browser.new_context()
    page = context.new_page()
    attempt = start_quiz(context, server, size=5, time_limit_s=5, mode="exam")
    page.clock.install()
    page.goto(f"{server}/quiz/{attempt['id']}")
    expect(page.locator("[data-item-form]")).to_be_visible()
    expect(page.locator("[data-warning]")).to_be_hidden()
    page.clock.run_for(12_000)  # 25 s quiz: 13 s left
    expect(page.locator("[data-warning]")).to_be_visible()
    expect(page.locator("[data-announce]")).to_have_text("15 seconds left.")
    page.clock.run_for(14_000)  # past zero on the page's clock
    expect(page.locator("[data-timer]")).to_have_text("0:00")
    expect(page.locator("[data-announce]")).to_contain_text("Time is up.")
    expect(page.locator("[data-submit]")).to_be_disabled()
    context.close()


def test_mock_interview(page: Page, server: str):
    page.goto(server + "/mock")
    screenshot(page, "35-mock-builder")
    page.get_by_label("3", exact=True).check()
    page.get_by_role("button", name="Start the interview").click()

    box = page.get_by_label("Your answer")
    expect(box).to_be_focused()
    expect(page.locator("[data-progress]")).to_have_text("Question 1 of 3")
    expect(page.locator("[data-timer]")).to_have_text(re.compile(r"^(1:5\d|2:00)$"))
    page.keyboard.type("The forget gate scales the previous cell state, unit by unit.")
    screenshot(page, "36-mock-question")
    page.keyboard.press("Control+Enter")
    expect(page.locator("[data-progress]")).to_have_text("Question 2 of 3")
    expect(box).to_have_value("")
    page.keyboard.type("Gates are sigmoids; the candidate is a tanh.")
    page.reload()  # the draft and the clock survive a reload
    expect(page.locator("[data-progress]")).to_have_text("Question 2 of 3")
    expect(page.get_by_label("Your answer")).to_have_value(
        "Gates are sigmoids; the candidate is a tanh."
    )
    page.get_by_label("Your answer").press("Control+Enter")
    expect(page.locator("[data-progress]")).to_have_text("Question 3 of 3")
    page.get_by_role("button", name="Skip this question").click()

    expect(page.get_by_role("heading", name="Score your interview")).to_be_visible()
    expect(page.locator(".your-text").first).to_contain_text("forget gate scales")
    # The three cards are drawn at random, and a typed answer may already tick a point it
    # covers (the recall detector's suggestion): start from none, then tick two.
    for box in page.locator(".checklist input[type='checkbox']").all():
        box.uncheck()
    page.locator("input[name='ticked-0']").first.check()
    page.locator("input[name='ticked-1']").first.check()
    screenshot(page, "37-mock-review")
    page.get_by_role("button", name="Score my interview").click()

    expect(page.get_by_role("heading", name="Interview results")).to_be_visible()
    expect(page.locator(".checklist-result .is-right")).to_have_count(2)
    screenshot(page, "38-mock-results")
    page.goto(server + "/quiz/history")
    expect(page.locator("table.history tbody tr").first).to_contain_text("Mock interview")


def test_a_computed_item_fits_a_phone(browser: Browser, server: str):
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2)
    page = context.new_page()
    # Ten computed items come from ten different templates, so at least one shows a table.
    attempt = start_quiz(context, server, kinds=["computed"], size=10)
    page.goto(f"{server}/quiz/{attempt['id']}")
    expect(page.locator("[data-item-form]")).to_be_visible()
    for _ in range(10):  # show the first item with a table
        if page.locator(".quiz-prompt table").count():
            break
        page.locator("[data-skip]").click()
    expect(page.locator(".quiz-prompt table")).to_be_visible()
    screenshot(page, "39-quiz-phone")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    context.close()


def serious(page: Page) -> list:
    results = AXE.run(page)
    found = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"][:3]]) for v in found]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_quiz_pages_have_no_serious_axe_violations(browser: Browser, server: str, scheme: str):
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    problems = {}

    def check(name: str) -> None:
        problems[name] = serious(page)

    page.goto(server + "/quiz")
    check("builder")
    attempt = start_quiz(context, server, mode="practice")
    page.goto(f"{server}/quiz/{attempt['id']}")
    expect(page.locator("[data-item-form]")).to_be_visible()
    check("item")
    answer_by_keyboard(page)
    expect(page.locator("[data-feedback]")).to_be_visible()
    check("feedback")
    context.request.post(f"{server}/api/quizzes/{attempt['id']}/finish")
    page.goto(f"{server}/quiz/{attempt['id']}/results")
    check("results")
    page.goto(server + "/quiz/history")
    check("history")

    page.goto(server + "/mock")
    check("mock builder")
    mock = start_quiz(context, server, kind="mock", size=2, time_limit_s=120)
    page.goto(f"{server}/quiz/{mock['id']}")
    expect(page.get_by_label("Your answer")).to_be_visible()
    check("mock question")
    for k in range(2):
        body = {"item": k, "answer": "An answer."}
        context.request.post(f"{server}/api/quizzes/{mock['id']}/answers", data=body)
    page.goto(f"{server}/quiz/{mock['id']}")
    expect(page.get_by_role("heading", name="Score your interview")).to_be_visible()
    check("mock review")
    context.request.post(f"{server}/api/quizzes/{mock['id']}/finish")
    page.goto(f"{server}/quiz/{mock['id']}/results")
    check("mock results")
    context.close()
    assert not any(problems.values()), {k: v for k, v in problems.items() if v}
