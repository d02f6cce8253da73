"""'Practice: computed' in a real browser: started from /quiz by keyboard, every item answered
by keyboard with its worked solution shown at once, at desktop and phone widths in both themes,
with axe on the builder, an item and its feedback."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e

AXE = Axe()
SIZE = 10


def serious(page: Page) -> list:
    results = AXE.run(page)
    found = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"][:3]]) for v in found]


def overflow(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize(
    ("scheme", "width"), [("light", 1366), ("dark", 1366), ("light", 390), ("dark", 390)]
)
def test_computed_practice_by_keyboard_shows_each_worked_solution(
    browser: Browser, server: str, scheme: str, width: int
):
    context = browser.new_context(
        viewport={"width": width, "height": 900}, color_scheme=scheme, device_scale_factor=1
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    problems: dict[str, list] = {}
    name = f"computed-practice-{scheme}-{width}"

    page.goto(server + "/quiz")
    section = page.locator("section.practice-computed")
    expect(section.get_by_role("heading", name="Practice: computed")).to_be_visible()
    problems["builder"] = serious(page)
    screenshot(page, f"40-{name}-builder")
    section.get_by_role("button", name="Start computed practice").focus()
    page.keyboard.press("Enter")

    expect(page.locator("[data-item-form]")).to_be_visible()
    expect(page.locator(".quiz-title .badge")).to_have_text("Practice")
    expect(page.locator(".nav-item")).to_have_count(SIZE)
    prompts = set()
    for k in range(SIZE):
        label = page.locator("[data-item-label]")
        expect(label).to_contain_text(f"Item {k + 1} of {SIZE}")
        expect(label).to_contain_text("Computed")
        prompts.add(page.locator("[data-prompt]").inner_text())
        if k == 0:
            problems["item"] = serious(page)
        if page.locator("[data-number-field]").is_visible():
            number = page.locator("[data-number]")
            expect(number).to_be_focused()
            expect(page.locator("[data-tolerance]")).to_have_text(
                re.compile(r"within ±0\.0\d+|only the exact answer")
            )
            page.keyboard.type("1")
        else:
            page.keyboard.press("1")
            expect(page.locator(".choice input").first).to_be_checked()
        page.keyboard.press("Enter")
        feedback = page.locator("[data-feedback]")
        expect(feedback).to_be_visible()
        # The worked solution: the computation with this item's numbers, as MathML.
        solution = feedback.locator(".explanation")
        expect(solution).to_be_visible()
        expect(solution.locator("math").first).to_be_attached()
        assert overflow(page) <= 0, f"item {k + 1} is wider than the screen"
        if k == 0:
            problems["feedback"] = serious(page)
            screenshot(page, f"41-{name}-solution")
        if k < SIZE - 1:
            page.keyboard.press("Enter")  # next item
    assert len(prompts) == SIZE  # no item twice

    page.locator("[data-finish]").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Quiz results")).to_be_visible()
    expect(page.locator("ol.results > li")).to_have_count(SIZE)
    expect(page.locator("ol.results .explanation math").first).to_be_attached()
    assert overflow(page) <= 0
    problems["results"] = serious(page)
    screenshot(page, f"42-{name}-results")
    context.close()
    assert not errors, errors
    assert not any(problems.values()), {k: v for k, v in problems.items() if v}
