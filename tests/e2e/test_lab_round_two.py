"""The lab's second round in a real browser: hold a value ("what if"), the change view, links
that keep it; and the lab defects of issue 14 (hover moves the diagram, one bracket, one
rounding, a legend for the gradient chart)."""

import itertools
import re
import time

import numpy as np
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from app.nn.params import init_params
from tests.e2e.conftest import screenshot
from tests.e2e.test_lab import explain_text, npz_file, open_lab

pytestmark = pytest.mark.e2e

AXE = Axe()


def open_view(page: Page, server: str, query: str) -> None:
    """Open the lab on any view and wait for its run."""
    page.goto(f"{server}/lab{query}")
    expect(page.locator("[data-status]")).to_contain_text("Ran ")


def hover_cell(page: Page, quantity: str, t: int, u: int, T: int, H: int) -> None:
    canvas = page.locator(f'canvas[data-heatmap="{quantity}"]')
    box = canvas.bounding_box()
    gutter = 30
    x = gutter + (t + 0.5) * (box["width"] - gutter) / T
    y = (u + 0.5) * box["height"] / H
    canvas.hover(position={"x": x, "y": y})


def test_hold_the_forget_gate_and_see_the_prediction_change(page: Page, server: str):
    open_lab(page, server, "?preset=adding-lstm&gate=f&unit=4&step=12")
    whatif = page.locator("[data-whatif]")
    expect(whatif.locator("[data-hold-what]")).to_contain_text("f (forget gate) of unit 4")
    expect(page.locator("#hold-from")).to_have_value("12")
    expect(page.locator("#hold-to")).to_have_value("50")
    slider = page.locator("#hold-value")
    expect(slider).to_have_attribute("min", "0")
    expect(slider).to_have_attribute("max", "1")
    slider.fill("0")
    whatif.get_by_role("button", name="Hold this value").click()
    readout = whatif.locator("[data-hold-readout]")
    expect(readout).to_contain_text(
        re.compile(r"Prediction at the last step: \d\.\d{3} → \d\.\d{3}")
    )
    expect(whatif.locator("[data-holds] li")).to_contain_text("steps 12–50, held at 0.00")
    # The equation shows what the cell computed, then the value it was held at.
    text = explain_text(page)
    assert re.search(r"= σ\(\d\.\d{3}\) = 0\.9\d\d", text), text
    assert "held at 0.000" in text, text
    # The heatmaps now show the change from the untouched run, and the link keeps the hold.
    expect(page.locator('input[name="heatview"][value="change"]')).to_be_checked()
    expect(page.locator(".heatmap figcaption").first).to_contain_text("change (held − untouched)")
    expect(page).to_have_url(re.compile(r"hold=f\.4\.12\.50\.0"))
    screenshot(page, "lab-10-what-if")
    # A shared link reproduces it; Remove brings the untouched run back.
    page.goto(page.url)
    expect(page.locator("[data-hold-readout]")).to_contain_text("→")
    page.locator("[data-holds]").get_by_role("button").click()
    expect(page.locator("[data-hold-readout]")).to_be_hidden()
    expect(page.locator("[data-view-toggle]")).to_be_hidden()


def test_char_model_readout_shows_the_next_character_before_and_after(page: Page, server: str):
    open_lab(page, server, "?preset=char-lstm-small&text=The%20cats&gate=h&unit=3&step=8")
    page.locator("#hold-value").fill("1")
    page.locator("#hold-from").fill("1")
    page.get_by_role("button", name="Hold this value").click()
    expect(page.locator("[data-hold-readout]")).to_contain_text("Next character after step 8:")
    values = page.locator('input[name="heatview"][value="values"]')
    values.check(force=True)
    expect(page.locator(".heatmap figcaption").first).not_to_contain_text("change")


def test_an_out_of_range_hold_is_refused_by_the_page(page: Page, server: str):
    open_lab(page, server, "?preset=adding-gru&gate=z&unit=2&step=3")
    page.locator("#hold-to").fill("99")
    page.get_by_role("button", name="Hold this value").click()
    expect(page.locator("[data-hold-error]")).to_contain_text("1 ≤ from ≤ to ≤ 50")


# --- issue 14, item 13: hover moves the diagram and outline; one bracket; one rounding --------


def test_hover_moves_the_diagram_not_only_the_value_panel(page: Page, server: str):
    open_lab(page, server, "?preset=adding-lstm&gate=c&unit=1&step=1")
    diagram = page.locator("[data-diagram] svg desc")
    expect(diagram).to_contain_text("Step 1, unit 1")
    hover_cell(page, "c", 29, 6, 50, 16)
    expect(page.locator("[data-explain]")).to_contain_text("Unit 7, step 30")
    expect(diagram).to_contain_text("Step 30, unit 7")
    page.mouse.move(5, 5)  # leaving restores the selection
    expect(diagram).to_contain_text("Step 1, unit 1")


def test_no_doubled_brackets_in_the_hidden_state_equation(page: Page, server: str):
    # Unit 8 of adding-lstm holds a negative cell state (c ≈ −3) at the last step.
    open_lab(page, server, "?preset=adding-lstm&gate=h&unit=8&step=50")
    text = explain_text(page)
    assert "tanh(−" in text, text
    assert "((" not in text, text


def test_the_question_and_the_summary_round_the_sum_once(page: Page, server: str):
    # Seed 0's marked values add up to 1.20747…: rounded twice it read 1.207 in one place and
    # 1.208 in the other.
    open_lab(page, server, "?preset=adding-rnn&seed=0", predict=True)
    question = page.locator("[data-predict-question]")
    expect(question).to_contain_text("add up to")
    number = re.search(r"add up to (\d\.\d{3})", question.inner_text()).group(1)
    expect(page.locator("[data-summary]")).to_contain_text(f"add up to {number}")


# --- issue 14, item 8: the gradient chart's labels never collide ------------------------------


@pytest.mark.parametrize("width", [1366, 390])
def test_gradient_chart_has_a_legend_not_overlapping_labels(page: Page, server: str, width: int):
    page.set_viewport_size({"width": width, "height": 800})
    open_lab(page, server, "?preset=truncated-bptt&k=10&fb=3&tab=gradients")
    legend = page.locator("[data-grad-chart] .chart-legend li")
    expect(legend.first).to_be_visible()
    labels = legend.all_inner_texts()
    assert "LSTM, forget bias 3, truncated to 10" in labels and len(labels) >= 2
    assert page.locator("[data-grad-chart] svg .end-label").count() == 0
    boxes = [item.bounding_box() for item in legend.all()]
    for a, b in itertools.pairwise(boxes):
        overlap_x = a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
        overlap_y = a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]
        assert not (overlap_x and overlap_y), (a, b)


# --- find units, text view, sample, compare, tour, links -------------------------------------


def test_find_units_draws_bands_under_the_text_and_selects_a_unit(page: Page, server: str):
    text = 'She said "the cell keeps it" and left.'
    open_lab(page, server, f"?preset=char-lstm&text={text}")
    page.get_by_role("tab", name="Find units").click()
    page.get_by_label("Feature").select_option("inside-quotes")
    bands = page.locator("[data-unit-bands] .band-unit")
    expect(bands).to_have_count(8)
    axis = page.locator("[data-unit-bands] .band-axis .band-cell")
    expect(axis).to_have_count(len(text))
    first = bands.first.get_by_role("button")
    label = first.inner_text()
    expect(bands.first.locator(".band-r")).to_contain_text("r = ")
    page.get_by_text("Values as a table").filter(visible=True).click()
    expect(page.locator("[data-units-table] tbody tr")).to_have_count(64)
    expect(page).to_have_url(re.compile(r"feature=inside-quotes"))
    screenshot(page, "lab-11-find-units")
    first.click()
    expect(first).to_have_attribute("aria-pressed", "true")
    unit = label.split()[-1]
    expect(page.locator("[data-unit-number]")).to_have_text(unit)  # selected everywhere


def test_text_view_puts_the_characters_under_the_columns(page: Page, server: str):
    open_lab(page, server, "?preset=char-lstm-small")
    page.get_by_role("button", name="brackets").click()
    expect(page.locator("#lab-text")).to_have_value("f(g(x), [h(y), (z)])")
    page.get_by_label(re.compile("Text view")).check()
    expect(page).to_have_url(re.compile(r"tv=1"))
    canvas = page.locator('canvas[data-heatmap="h"]')
    expect(canvas).to_be_visible()
    # The view redraws its heatmaps: a canvas just put in may not be laid out yet (width 0, a CI
    # failure), so read the width until the redraw has settled.
    deadline = time.monotonic() + 5
    width = 0
    while width < 30 + 20 * 14 - 1 and time.monotonic() < deadline:
        page.wait_for_timeout(50)
        width = canvas.evaluate("c => c.getBoundingClientRect().width")
    assert width >= 30 + 20 * 14 - 1  # one readable column per character


def test_sample_colours_each_character_and_opens_its_step(page: Page, server: str):
    open_view(page, server, "?preset=char-lstm&tab=sample")
    page.get_by_label("Start text").fill("The cell ")
    page.locator("#sample-length").fill("40")
    page.get_by_label(re.compile("Temperature")).fill("0")
    page.locator("#view-sample").get_by_role("button", name="Sample", exact=True).click()
    chars = page.locator("[data-sample-output] .sample-char")
    expect(chars).to_have_count(40)
    assert "probability" in chars.first.get_attribute("aria-label")
    expect(page).to_have_url(re.compile(r"prime=The\+cell"))
    screenshot(page, "lab-12-sample")
    chars.nth(4).click()
    expect(page.get_by_role("tab", name="Gates")).to_have_attribute("aria-selected", "true")
    expect(page.locator("[data-step-out]")).to_have_text(str(len("The cell ") + 4))


def test_compare_cells_shows_three_readouts_and_gradients(page: Page, server: str):
    open_view(page, server, "?preset=adding-lstm&tab=compare")
    legend = page.locator("[data-compare-readout] .chart-legend li")
    expect(legend).to_have_count(3)
    expect(page.locator("[data-compare-grads] svg path.series")).to_have_count(3)
    expect(page.locator("[data-compare-status]")).to_contain_text("Final predictions: LSTM")
    screenshot(page, "lab-13-compare")
    page.get_by_role("button", name="Train the RNN live at T = 50").click()
    expect(page.get_by_role("tab", name="Train live")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#train-cell")).to_have_value("rnn")
    expect(page.locator("#train-T")).to_have_value("50")
    expect(page.locator("[data-train-note]")).to_be_visible()


def test_the_tour_walks_a_cards_question_and_is_part_of_the_link(page: Page, server: str):
    open_view(page, server, "?card=what-are-lstms")
    tour = page.locator("[data-tour]")
    expect(tour.locator("[data-tour-pos]")).to_have_text("Step 1 of 4")
    expect(tour.locator("li:visible")).to_contain_text("What to look for")
    tour.get_by_role("button", name="Next").click()
    expect(tour.locator("[data-tour-pos]")).to_have_text("Step 2 of 4")
    expect(page.locator("[data-explain]")).to_contain_text("Unit 4, step 11")
    expect(page).to_have_url(re.compile(r"tour=2"))
    # Keyboard: Next is a button, reachable and pressed with Enter.
    tour.get_by_role("button", name="Next").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    expect(tour.locator("[data-tour-pos]")).to_have_text("Step 4 of 4")
    expect(page.locator("[data-hold-readout]")).to_contain_text("→")
    expect(page).to_have_url(re.compile(r"hold=f\.4\.12\.50\.0"))
    screenshot(page, "lab-14-tour")
    page.goto(page.url)  # a shared link opens the same step
    expect(page.locator("[data-tour] [data-tour-pos]")).to_have_text("Step 4 of 4")
    page.locator("[data-tour]").get_by_role("button", name="Back").click()
    expect(page.locator("[data-hold-readout]")).to_be_hidden()


# --- the quality bar: axe (every rule, both themes) and 390 px --------------------------------

VIEWS = {
    "what-if": "?preset=adding-lstm&gate=f&unit=4&step=12&hold=f.4.12.50.0&view=change",
    "units": "?preset=char-lstm&tab=units&feature=inside-quotes&text=Say%20%22yes%22%20now.",
    "sample": "?preset=char-lstm&tab=sample",
    "compare": "?preset=adding-lstm&tab=compare",
    "tour": "?card=what-are-lstms&tour=2",
    "text-view": "?preset=char-lstm-small&tv=1",
}
READY = {
    "what-if": "[data-hold-readout]:not([hidden])",
    "units": "[data-unit-bands] .band-unit",
    "sample": "[data-sample-form]",
    "compare": "[data-compare-grads] svg",
    "tour": "[data-tour-pos]",
    "text-view": 'canvas[data-heatmap="h"]',
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("view", list(VIEWS))
def test_axe_and_phone_width_on_the_new_views(browser, server: str, scheme: str, view: str):
    for width in (1366, 390):
        context = browser.new_context(color_scheme=scheme, viewport={"width": width, "height": 800})
        page = context.new_page()
        open_view(page, server, VIEWS[view])
        page.locator(READY[view]).first.wait_for()
        if view == "sample":
            page.locator("#view-sample").get_by_role("button", name="Sample", exact=True).click()
            page.locator("[data-sample-output] .sample-char").first.wait_for()
        results = AXE.run(page)
        violations = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]])
            for v in results.response["violations"]
        ]
        scroll = page.evaluate("document.documentElement.scrollWidth")
        context.close()
        assert not violations, (width, violations)
        assert scroll <= width, f"{view} scrolls sideways at {width}px ({scroll}px)"


# --- issue 14, item 4: uploaded weights get their own T × D input editor ----------------------


def test_an_uploaded_d5_model_runs_on_a_typed_t_by_d_input(page: Page, server: str):
    open_lab(page, server, "?preset=adding-lstm")
    expect(page.locator("#lab-sequence")).to_be_visible()  # the adding preset's own input
    page.get_by_label("Upload .npz").check()
    arrays = init_params("lstm", 5, 12, np.random.default_rng(3))  # nn.LSTM(5, 12)
    page.set_input_files("#lab-weights", files=npz_file("lstm5.npz", arrays))
    summary = page.locator("[data-summary]")
    expect(summary).to_contain_text("H = 12, D = 5, T = 50")
    expect(page.locator("#lab-sequence")).to_be_hidden()  # not the adding problem's box
    matrix = page.get_by_label("Input: T rows of D numbers")
    expect(matrix).to_be_visible()
    assert len(matrix.input_value().splitlines()) == 50  # the seeded random input, shown
    expect(page.locator("[data-matrix-d]")).to_have_text("D = 5")
    # A pasted CSV of 3 rows × 5 numbers runs (Run, and Ctrl+Enter).
    matrix.fill("0.1, 0.2, 0.3, 0.4, 0.5\n1,0,0,0,0\n-1 0.5 0 0 2")
    page.get_by_role("button", name="Run", exact=True).click()
    expect(summary).to_contain_text("D = 5, T = 3")
    matrix.fill("1,2,3\n4,5,6")
    matrix.press("Control+Enter")
    expect(page.locator("#lab-matrix-error")).to_contain_text(
        "Row 1 has 3 numbers; these weights take D = 5"
    )
    # New random: a seeded random T × 5 input again.
    page.get_by_role("button", name="New random").click()
    expect(summary).to_contain_text("D = 5, T = 50")
    screenshot(page, "lab-15-upload-input")


# --- issue 14, item 5: "predict before you look" is optional, asked once, with an off switch --


def test_results_show_at_once_and_the_prediction_card_is_asked_once(browser, server: str):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(f"{server}/lab?preset=adding-gru&seed=4")
    expect(page.locator('canvas[data-heatmap="z"]')).to_be_visible()  # no question first
    card = page.locator("[data-predict]")
    expect(card).to_be_visible()
    assert card.evaluate("e => !!e.closest('.lab-side')")  # beside the results
    expect(page.locator(".lab.is-predicting")).to_have_count(0)
    card.get_by_role("button", name="Not now").click()
    expect(card).to_be_hidden()
    # New random input, another tab, a reload: never asked again for this preset.
    page.get_by_role("button", name="New random").click()
    expect(page.locator("[data-status]")).to_contain_text("Ran ")
    expect(card).to_be_hidden()
    other = context.new_page()
    other.goto(f"{server}/lab?preset=adding-gru&seed=9")
    expect(other.locator('canvas[data-heatmap="z"]')).to_be_visible()
    other.wait_for_timeout(300)
    expect(other.locator("[data-predict]")).to_be_hidden()
    # Another preset is still offered once; the settings switch turns it off everywhere.
    other.goto(f"{server}/lab?preset=adding-lstm")
    expect(other.locator("[data-predict]")).to_be_visible()
    other.goto(f"{server}/settings")
    other.get_by_label(re.compile("predict before you look")).uncheck()
    other.get_by_role("button", name="Save settings").click()
    other.goto(f"{server}/lab?preset=adding-lstm")
    expect(other.locator('canvas[data-heatmap="i"]')).to_be_visible()
    other.wait_for_timeout(300)
    expect(other.locator("[data-predict]")).to_be_hidden()
    context.close()


def test_a_cards_link_shows_its_heatmap_above_the_fold(browser, server: str):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(f"{server}/lab?card=what-are-lstms")
    heatmap = page.locator('canvas[data-heatmap="i"]')
    expect(heatmap).to_be_visible()
    expect(page.locator("[data-explain]")).to_contain_text("Unit 4, step 11")
    page.wait_for_timeout(300)
    box = heatmap.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 768, box
    expect(page.locator("[data-inputs]")).not_to_have_attribute("open", "")
    screenshot(page, "lab-16-card-link")
    context.close()


def test_find_units_on_uploaded_weights_sends_the_file(page: Page, server: str):
    # Uploaded weights go to /api/lab/units as the form the API takes (the .npz and a config).
    open_lab(page, server, "?preset=adding-lstm")
    page.get_by_label("Upload .npz").check()
    arrays = init_params("lstm", 2, 6, np.random.default_rng(5))  # nn.LSTM(2, 6)
    page.set_input_files("#lab-weights", files=npz_file("lstm2.npz", arrays))
    expect(page.locator("[data-summary]")).to_contain_text("H = 6, D = 2")
    page.get_by_role("tab", name="Find units").click()
    with page.expect_request("**/api/lab/units") as sent:
        page.get_by_label("Feature").select_option("running-sum")
    assert "multipart/form-data" in sent.value.headers["content-type"]
    expect(page.locator("[data-unit-bands] .band-unit")).to_have_count(6)
    expect(page.locator("[data-units-error]")).to_be_hidden()
