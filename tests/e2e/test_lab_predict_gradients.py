"""Issue 14, item 5: on the Gradients tab, as on the Gates tab, the optional "predict before you
look" card stands beside the results it is about, not above them."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e


def test_the_prediction_card_stands_beside_the_gradient_chart(page: Page, server: str):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{server}/lab?preset=vanishing-gradients")
    chart = page.locator("[data-grad-chart] svg.chart-svg")
    expect(chart).to_be_visible()
    card = page.locator("[data-predict]")
    expect(card).to_be_visible()
    chart_box, card_box = chart.bounding_box(), card.bounding_box()
    assert card_box["x"] >= chart_box["x"] + chart_box["width"], (chart_box, card_box)
    assert card_box["y"] < chart_box["y"] + chart_box["height"], "beside, not below"
    screenshot(page, "lab-predict-gradients")
    # Dismissed, the card leaves and the chart takes the whole width again.
    card.get_by_role("button", name="Not now").click()
    expect(card).to_be_hidden()
    assert chart.bounding_box()["width"] > chart_box["width"]
