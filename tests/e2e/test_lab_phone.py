"""Issue 14, item 7: on a phone every heatmap square is a 24 px target that a tap selects, and a
heatmap wider than the screen scrolls inside its own box, never the page."""

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import ConsoleErrors, screenshot
from tests.e2e.test_lab import open_lab

pytestmark = pytest.mark.e2e

GUTTER = 30  # heatmap.js: the unit numbers' column
T, H = 50, 16  # the adding-lstm preset's default input and hidden size


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_heatmap_squares_are_tappable_on_a_phone(browser: Browser, server: str, scheme: str):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, color_scheme=scheme
    )
    errors = ConsoleErrors()
    page = errors.watch(context.new_page())
    open_lab(page, server, "?preset=adding-lstm")
    f_map = page.locator('canvas[data-heatmap="f"]')
    box = f_map.bounding_box()
    assert (box["width"] - GUTTER) / T >= 24, box
    assert box["height"] / H >= 24, box
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width}px)"
    figure = page.locator('figure[data-quantity="f"]')
    assert figure.evaluate("f => f.scrollWidth > f.clientWidth"), "the heatmap scrolls in its box"

    # A tap on step 5, unit 3 (0-based) selects that square: the unit panel shows it.
    f_map.tap(position={"x": GUTTER + 5.5 * 24, "y": 3.5 * 24})
    expect(page.locator("[data-unit-number]")).to_have_text("4")
    screenshot(page, f"lab-phone-tap-{scheme}")
    context.close()
    assert not errors, list(errors)
