"""A learner's first minutes, in a real browser: home → deck → card → reveal → next."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e


def test_home_deck_card_reveal_next(page: Page, server: str):
    page.goto(server + "/")
    expect(page.locator("h1")).to_have_text("Prepare for LSTM and RNN interviews")
    screenshot(page, "01-home")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Deck").click()
    expect(page).to_have_url(server + "/cards")
    rows = page.locator("table.deck tbody tr")
    assert rows.count() >= 2
    screenshot(page, "02-deck")

    rows.first.locator("a").first.click()
    expect(page).to_have_url(re.compile(r"/cards/[a-z0-9-]+$"))
    answer = page.locator("#answer")
    expect(answer).to_be_hidden()
    screenshot(page, "03-card-question")

    page.get_by_role("button", name=re.compile("Show answer")).click()
    expect(answer).to_be_visible()
    expect(page.locator(".lab-callout a")).to_have_attribute("href", re.compile(r"^/lab\?preset="))
    assert (
        page.locator("#answer math").count() >= 1
        or page.locator("#answer .references a").count() >= 1
    )
    screenshot(page, "04-card-answer")

    first_url = page.url
    page.locator("a[data-next]").click()
    expect(page).not_to_have_url(first_url)
    expect(page.locator("#answer")).to_be_hidden()


def test_keyboard_alone_reveals_and_moves(page: Page, server: str):
    page.goto(server + "/cards")
    first = page.locator("table.deck tbody tr a").first.get_attribute("href")
    page.goto(server + first)
    page.keyboard.press("Tab")  # the first Tab on a page lands on the skip link
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")  # follow the skip link: focus moves to <main>
    page.keyboard.press("Space")
    expect(page.locator("#answer")).to_be_visible()
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("ArrowRight")
    expect(page).not_to_have_url(server + first)
    page.wait_for_load_state("domcontentloaded")  # module scripts have run: keys are handled
    page.keyboard.press("ArrowLeft")
    expect(page).to_have_url(server + first)
    page.wait_for_load_state("domcontentloaded")
    page.keyboard.press("Enter")
    expect(page.locator("#answer")).to_be_visible()


def test_follow_ups_are_collapsible(page: Page, server: str):
    page.goto(server + "/cards")
    page.locator("table.deck tbody tr a").first.click()
    expect(page).to_have_url(re.compile(r"/cards/[a-z0-9-]+$"))
    page.wait_for_load_state("domcontentloaded")  # module scripts have run: keys are handled
    page.keyboard.press("Space")
    expect(page.locator("#answer")).to_be_visible()
    follow_up = page.locator("details.follow-up").first
    expect(follow_up).not_to_have_attribute("open", "")
    follow_up.locator("summary").click()
    expect(follow_up).to_have_attribute("open", "")


def test_theme_toggle_is_remembered(page: Page, server: str):
    page.goto(server + "/")
    toggle = page.locator("[data-theme-toggle]")
    toggle.click()
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    toggle.click()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    page.reload()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    screenshot(page, "05-home-dark")
    toggle.click()  # back to following the system
    page.reload()
    assert page.evaluate("document.documentElement.dataset.theme") is None


def test_404_page(page: Page, server: str, console_errors):
    response = page.goto(server + "/cards/no-such-card")
    assert response.status == 404
    console_errors.clear()  # the browser logs the 404 status of the document itself
    expect(page.locator("h1")).to_have_text("Page not found")
    screenshot(page, "06-not-found")


@pytest.mark.parametrize("path", ["/", "/cards", "CARD"])
def test_usable_at_360_px(browser, server: str, path: str):
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2)
    page = context.new_page()
    if path == "CARD":
        page.goto(server + "/cards")
        path = page.locator("table.deck tbody tr a").first.get_attribute("href")
    page.goto(server + path)
    page.keyboard.press("Space")
    name = "home" if path == "/" else "deck" if path == "/cards" else "card"
    screenshot(page, f"07-phone-{name}")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 360px"
    context.close()


def test_every_card_page_weighs_under_60_kb(page: Page, server: str):
    """HTML, CSS and JS of a card page, as the browser fetched them (images excluded)."""
    page.goto(server + "/cards")
    hrefs = page.locator("table.deck tbody tr td a").evaluate_all("els => els.map(e => e.href)")
    assert len(hrefs) >= 2
    for href in hrefs:
        fresh = page.context.browser.new_context()  # empty cache: every asset is fetched
        card = fresh.new_page()
        sizes: dict[str, int] = {}
        card.on(
            "response",
            lambda r, sizes=sizes: sizes.update({r.url: len(r.body())}) if r.ok else None,
        )
        card.goto(href, wait_until="networkidle")
        text = {u: n for u, n in sizes.items() if not u.split("?")[0].endswith((".svg", ".png"))}
        total = sum(text.values())
        fresh.close()
        assert total < 60 * 1024, (href, total, text)
