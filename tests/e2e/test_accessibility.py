"""axe-core on every page, in both themes: no violation of any rule, whatever its impact.

Every page of `tests/e2e/site.py` is checked as a learner with a history sees it (a review, a
finished quiz, one in progress, a mock interview), including the error pages (404, the 403 of a
form sent without its token, and the error page every other failure, 500 included, renders).
"""

from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext

from tests.e2e.site import ERROR_PAGES, PAGES, learner, open_page

pytestmark = pytest.mark.e2e

AXE = Axe()


@pytest.fixture(scope="module", params=["light", "dark"])
def themed(request, browser: Browser, server: str) -> Iterator[tuple[BrowserContext, dict, str]]:
    context = browser.new_context(
        color_scheme=request.param, viewport={"width": 1280, "height": 900}
    )
    yield context, learner(context, server), request.param
    context.close()


@pytest.mark.parametrize("name", list(PAGES))
def test_no_axe_violations(themed, server: str, name: str):
    context, ids, scheme = themed
    page = context.new_page()
    try:
        status = open_page(page, server, name, ids)
        if name in ERROR_PAGES:
            assert status == ERROR_PAGES[name]
        results = AXE.run(page)
        found = results.response["violations"]
        report = [
            (v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"][:3]]) for v in found
        ]
        assert not found, f"{name} ({scheme}): {report}"
    finally:
        page.close()


def test_every_cards_answer_passes_axe(browser: Browser, server: str):
    """The review screen reveals whichever card is due, so every card's answer (tables, maths,
    figures) is checked, not only the one the site tour opens."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        found = {}
        for card in context.request.get(server + "/api/cards").json():
            page.goto(f"{server}/cards/{card['slug']}")
            page.keyboard.press("Space")
            page.locator("[data-answer]:not([hidden])").first.wait_for()
            for summary in page.locator("details:not([open]) > summary").all():
                if summary.is_visible():
                    summary.click()
            violations = AXE.run(page).response["violations"]
            if violations:
                found[card["slug"]] = [
                    (v["id"], [n["target"] for n in v["nodes"][:3]]) for v in violations
                ]
        assert not found, found
    finally:
        context.close()
