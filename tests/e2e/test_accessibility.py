"""axe-core on every page, in both themes: no serious or critical violation."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser

pytestmark = pytest.mark.e2e

AXE = Axe()

# "CARD" stands for the first card's page; "#revealed" means: after revealing the answer.
PAGES = [
    "/",
    "/cards",
    "CARD",
    "CARD#revealed",
    "/cards/no-such-card",
    "/settings",
    "/review",
    "/review#revealed",
]


def card_path(browser: Browser, server: str) -> str:
    page = browser.new_page()
    page.goto(server + "/cards")
    href = page.locator("table.deck tbody tr a").first.get_attribute("href")
    page.close()
    return href


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_no_serious_violations(browser: Browser, server: str, path: str, scheme: str):
    if path.startswith("CARD"):
        path = card_path(browser, server) + path[4:]
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    page.goto(server + path.split("#")[0])
    if path.startswith("/review"):
        page.locator("[data-question]:not(:empty), [data-summary]:not([hidden])").first.wait_for()
    if path.endswith("#revealed"):
        page.keyboard.press("Space")
        for summary in page.locator("details summary").all():
            if summary.is_visible():
                summary.click()
    results = AXE.run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    context.close()
    report = [(v["id"], v["help"], [n["target"] for n in v["nodes"][:3]]) for v in serious]
    assert not serious, report
