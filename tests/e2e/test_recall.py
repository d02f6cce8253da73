"""Active recall and deck control in a real browser: typed recall by keyboard alone on the review
screen and the card page, suspend / flag / note, and the deck's search and filters."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e

STRONG = (
    "An LSTM keeps a cell state that is updated additively, with multiplicative gates. "
    "It was designed because gradients vanish in backpropagation through time. "
    "The forget gate came later, added by Gers in 2000."
)


def fresh(browser: Browser, width: int = 1280, theme: str | None = None) -> Page:
    context = browser.new_context(
        viewport={"width": width, "height": 900}, color_scheme=theme or "light"
    )
    return context.new_page()


def set_new_limit(page: Page, server: str, limit: int) -> None:
    page.goto(server + "/settings")
    page.get_by_label("New cards a day").fill(str(limit))
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")


def test_typed_recall_on_the_review_screen_by_keyboard_alone(page: Page, server: str):
    set_new_limit(page, server, 1)
    page.goto(server + "/review")
    expect(page.locator("[data-question]")).to_contain_text("What are LSTMs?")
    page.locator("body").press("a")  # opens the answer box
    box = page.get_by_label("Your answer, before you look")
    expect(box).to_be_focused()
    page.keyboard.type(STRONG)
    screenshot(page, "70-recall-typed")
    page.keyboard.press("Control+Enter")  # reveals and checks
    result = page.locator("[data-recall-result]")
    expect(result).to_be_visible()
    expect(result.locator("[data-recall-summary]")).to_contain_text("You covered 3 of 5 key points")
    expect(result.locator("[data-recall-summary]")).to_contain_text("Suggested rating: Good")
    expect(result.locator("q").first).to_contain_text("updated additively")
    good = page.locator('[data-rating="3"]')
    expect(good).to_have_class(re.compile("suggested"))
    expect(good).to_be_focused()
    screenshot(page, "71-recall-checked")

    # Untick a point by keyboard: the suggestion follows (2 of 5 is "some": Hard).
    page.locator("#recall-point-0").focus()
    page.keyboard.press("Space")
    expect(result.locator("[data-recall-summary]")).to_contain_text("2 of 5")
    expect(page.locator('[data-rating="2"]')).to_have_class(re.compile("suggested"))
    page.keyboard.press("2")
    # Rated: the next card (here the same one, back from its short learning step) starts clean.
    expect(page.locator("[data-recall-result]")).to_be_hidden()
    expect(page.locator("[data-recall-open]")).to_be_visible()
    expect(page.locator("[data-undo]")).to_be_enabled()

    # The answer is on the card's history, with what was left ticked.
    page.goto(server + "/cards/what-are-lstms")
    page.keyboard.press("Space")
    history = page.locator("section[aria-labelledby=history-title]")
    expect(history).to_contain_text("Hard")
    expect(history).to_contain_text("2 of 5 key points covered")
    history.locator("summary").first.click()
    expect(history).to_contain_text("updated additively")


def test_typed_recall_on_the_card_page_and_space_still_reveals(page: Page, server: str):
    page.goto(server + "/cards/forget-gate")
    page.locator("body").press("a")
    expect(page.get_by_label("Your answer, before you look")).to_be_focused()
    page.keyboard.type("f_t is a sigmoid that multiplies c_{t-1}: 1 keeps, 0 clears.")
    page.keyboard.press("Escape")  # leaves the box; Space now reveals
    page.keyboard.press("Space")
    summary = page.locator("[data-recall-summary]")
    expect(summary).to_contain_text("You covered 1 of 5 key points")
    expect(page.locator("#recall-point-0")).to_be_checked()
    expect(page.locator("#recall-point-1")).not_to_be_checked()
    screenshot(page, "72-card-recall")

    other = page.context.new_page()
    other.goto(server + "/cards/peephole-connections")
    other.keyboard.press("Space")  # no typed answer: the plain reveal
    expect(other.locator("[data-answer]")).to_be_visible()
    expect(other.locator("[data-recall-result]")).to_be_hidden()
    other.close()


def test_suspend_flag_and_note(page: Page, server: str):
    page.goto(server + "/cards/rnn-vs-lstm")
    page.keyboard.press("Control+2")
    expect(page.locator("[data-marks-badges]")).to_contain_text("Orange flag")
    expect(page.locator('[data-flag="orange"]')).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("!")
    expect(page.locator("[data-marks-status]")).to_contain_text("Suspended")
    expect(page.locator("[data-marks-badges]")).to_contain_text("Suspended")

    page.keyboard.press("Space")
    page.get_by_role("button", name="Add a note").click()
    note = page.get_by_role("textbox", name=re.compile("Your note"))
    note.fill("Remember **diag(f)**. <script>alert(1)</script>")
    page.get_by_role("button", name="Save note").click()
    body = page.locator("[data-note-body]")
    expect(body.locator("strong")).to_have_text("diag(f)")
    expect(body).to_contain_text("<script>alert(1)</script>")  # shown as text, never run
    screenshot(page, "73-card-marks-note")

    page.reload()
    expect(page.locator("[data-marks-badges]")).to_contain_text("Orange flag")
    expect(page.locator("[data-note-body] strong")).to_have_text("diag(f)")

    # A suspended card is in no queue and no quiz; the deck filter finds it.
    page.goto(server + "/cards?suspended=true")
    rows = page.locator("table.deck tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("difference between vanilla RNNs and LSTMs")
    page.goto(server + "/cards?flag=orange")
    expect(page.locator("table.deck tbody tr")).to_have_count(1)

    # Unsuspend from the card page again, by keyboard.
    page.goto(server + "/cards/rnn-vs-lstm")
    page.keyboard.press("!")
    expect(page.locator("[data-marks-status]")).to_contain_text("Unsuspended")


def test_search_filters_and_tag_links(page: Page, server: str):
    page.goto(server + "/cards")
    page.get_by_label("Search questions and answers").fill("peephole")
    page.get_by_label("Sort by").select_option("lapses")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"q=peephole.*sort=lapses"))
    rows = page.locator("table.deck tbody tr")
    expect(rows.first).to_be_visible()
    count = rows.count()
    assert 0 < count < 20
    expect(page.locator("p.lead")).to_contain_text(f"{count} of 20 cards match")
    screenshot(page, "74-deck-search")

    page.goto(server + "/cards/what-are-grus")
    page.locator(".tags a", has_text="gru").first.click()
    expect(page).to_have_url(re.compile(r"/cards\?tag=gru"))
    expect(page.get_by_label("Tag")).to_have_value("gru")
    assert page.locator("table.deck tbody tr").count() >= 2

    page.goto(server + "/cards?q=zzzz-nothing")
    expect(page.locator(".empty")).to_contain_text("No card matches")


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("width", [1366, 390])
def test_screens_in_both_themes_and_widths(browser: Browser, server: str, theme: str, width: int):
    page = fresh(browser, width, theme)
    page.goto(server + "/cards/forget-gate")
    page.locator("body").press("a")
    expect(page.get_by_label("Your answer, before you look")).to_be_focused()
    page.keyboard.type("A sigmoid multiplies c_{t-1}; it was added in 2000 by Gers.")
    page.keyboard.press("Control+Enter")
    expect(page.locator("[data-recall-summary]")).to_contain_text("key points")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page is {overflow}px wider than the window"
    screenshot(page, f"75-card-recall-{theme}-{width}")
    page.goto(server + "/cards?sort=recall")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    screenshot(page, f"76-deck-{theme}-{width}")
    page.context.close()
