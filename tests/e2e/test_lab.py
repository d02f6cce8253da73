"""The gate lab in a real browser: run, explain, scrub, gradients, train live, upload, predict,
links from all 20 cards, reduced motion, and axe in both colour schemes."""

import io
import re

import numpy as np
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from app.nn.params import init_params
from tests.e2e.conftest import ConsoleErrors, screenshot

pytestmark = pytest.mark.e2e

AXE = Axe()


def open_lab(page: Page, server: str, query: str = "", predict: bool = False) -> None:
    """Open the lab (and, with `predict`, choose to predict before looking)."""
    page.goto(f"{server}/lab{query}")
    # Results show at once; "predict before you look" is an optional card beside them.
    shown = page.locator("canvas[data-heatmap]:visible, [data-grad-chart] svg:visible")
    expect(shown.first).to_be_visible()
    if predict:
        page.get_by_role("button", name="Predict first").click()


def explain_text(page: Page) -> str:
    return page.locator("[data-explain]").inner_text()


def test_run_a_preset_and_read_the_equation_behind_a_cell(page: Page, server: str):
    open_lab(page, server, "?preset=adding-lstm")
    expect(page.locator("canvas[data-heatmap]")).to_have_count(6)  # i f g o c h
    expect(page.locator(".heatmap figcaption").first).to_contain_text("input gate")
    expect(page.locator(".legend").first).to_contain_text("0 closed")
    # Focus the forget-gate heatmap: its equation, with the real numbers.
    page.locator('canvas[data-heatmap="f"]').focus()
    page.keyboard.press("ArrowRight")
    text = explain_text(page)
    assert re.search(r"= σ\(−?\d+\.\d{3}\) = \d\.\d{3}", text), text
    assert "Unit 1, step 12" in text  # the default step is the first marker (11) + 1
    # Hover a cell of the cell state: c_t = f·c_{t−1} + i·g with numbers.
    c_map = page.locator('canvas[data-heatmap="c"]')
    c_map.hover(position={"x": c_map.bounding_box()["width"] * 0.6, "y": 5})
    expect(page.locator("[data-explain]")).to_contain_text("under the pointer")
    text = explain_text(page)
    assert re.search(r"c\s*t = f\s*t · c\s*t−1 \+ i\s*t · g\s*t\s*= .+ · .+ \+ .+ · .+ = ", text), (
        text
    )
    screenshot(page, "lab-01-gates")
    # The URL holds the view: a link reproduces it.
    expect(page).to_have_url(re.compile(r"gate=f.*step=12"))
    expect(page.locator("[data-permalink]")).to_have_attribute("href", re.compile("step=12"))


def test_keys_and_scrubber_move_the_diagram(page: Page, server: str):
    open_lab(page, server, "?preset=adding-lstm&gate=i&step=5&unit=4")
    diagram = page.locator("[data-diagram] svg desc")
    expect(diagram).to_contain_text("Step 5, unit 4")
    expect(page.locator('[data-gate-picker] [aria-pressed="true"]')).to_have_text("i")
    page.locator("#lab-step").focus()
    page.keyboard.press("End")
    expect(diagram).to_contain_text("Step 50, unit 4")
    expect(page.locator("[data-step-out]")).to_have_text("50")
    page.locator('canvas[data-heatmap="i"]').focus()
    page.keyboard.press("Home")
    page.keyboard.press("ArrowDown")
    expect(diagram).to_contain_text("Step 1, unit 5")
    expect(page.locator("[data-unit-number]")).to_have_text("5")
    # Space plays (and the step advances on its own), Space again pauses.
    page.keyboard.press("Space")
    expect(page.locator("[data-play]")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("[data-step-out]")).not_to_have_text("1", timeout=3000)
    page.keyboard.press("Space")
    expect(page.locator("[data-play]")).to_have_attribute("aria-pressed", "false")
    # Clicking a unit plots it over time.
    f_map = page.locator('canvas[data-heatmap="f"]')
    box = f_map.bounding_box()
    f_map.click(position={"x": box["width"] * 0.5, "y": box["height"] / 16 * 9.5})
    expect(page.locator("[data-unit-number]")).to_have_text("10")
    expect(page.locator("[data-unit-plot] svg desc")).to_contain_text("f ")


def test_table_alternative_has_the_same_numbers(page: Page, server: str):
    open_lab(page, server, "?preset=adding-gru&gate=z&step=3&unit=2")
    page.get_by_text("Values as a table").first.click()
    table = page.locator("[data-table] table")
    expect(table.locator("caption")).to_contain_text("update gate")
    expect(table.locator("tbody tr")).to_have_count(16)
    selected = table.locator("td.is-selected")
    expect(selected).to_have_count(1)
    value = selected.inner_text()
    expect(page.locator("[data-explain]")).to_contain_text(f"= {value}")


def test_gradients_view_with_the_forget_bias_slider(page: Page, server: str):
    open_lab(page, server, "?preset=adding-lstm&tab=gradients")
    chart = page.locator("[data-grad-chart] svg")
    expect(chart.locator("path.series")).to_have_count(3)
    legend = page.locator("[data-grad-chart] .chart-legend")  # labels live in the legend
    expect(legend).to_contain_text("LSTM, forget bias 1")
    first = chart.locator("desc").text_content()
    slider = page.get_by_label(re.compile("LSTM forget-gate bias"))
    slider.focus()
    for _ in range(4):
        page.keyboard.press("ArrowRight")  # 1 → 2 in steps of 0.25
    expect(legend).to_contain_text("LSTM, forget bias 2")
    assert chart.locator("desc").text_content() != first
    expect(page).to_have_url(re.compile(r"fb=2"))
    screenshot(page, "lab-02-gradients")


def test_truncated_preset_shows_the_cut(page: Page, server: str):
    open_lab(page, server, "?preset=truncated-bptt")
    expect(page.locator("[data-grad-chart] .chart-legend")).to_contain_text("truncated to 10")
    page.locator("#view-gradients").get_by_text("Values as a table").click()
    expect(page.locator("[data-grad-table] tbody tr")).to_have_count(50)


def test_train_live_updates_the_loss_curve_and_survives_a_reload(page: Page, server: str):
    page.goto(server + "/lab?tab=train")
    expect(page.locator("[data-train-heatmaps] canvas[data-heatmap]")).to_have_count(6)
    expect(page.locator("[data-controls]")).to_be_hidden()  # training has its own controls
    page.get_by_role("button", name="Start").click()
    step = page.locator("[data-train-step]")
    expect(step).not_to_have_text("0", timeout=5000)
    page.wait_for_timeout(2000)
    loss = page.locator("[data-loss-chart] path.series").first
    points = loss.get_attribute("d").count("L")
    assert points >= 2, "the loss curve should have several chunks after ~2 s"
    screenshot(page, "lab-03-train")
    page.get_by_role("button", name="Pause").click()
    page.wait_for_timeout(800)  # the chunk in flight finishes
    steps = int(step.inner_text())
    assert steps > 0
    page.reload()
    expect(page.locator("[data-train-step]")).to_have_text(str(steps), timeout=5000)
    expect(page.get_by_role("button", name="Resume")).to_be_visible()
    page.get_by_role("button", name="Reset").click()
    expect(page.locator("[data-train-step]")).to_have_text("0")


def npz_file(name: str, arrays) -> list[dict]:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return [{"name": name, "mimeType": "application/octet-stream", "buffer": buffer.getvalue()}]


def test_upload_your_own_weights(page: Page, server: str, console_errors: ConsoleErrors):
    open_lab(page, server)
    page.get_by_label("Upload .npz").check()
    bad = init_params("lstm", 2, 6, np.random.default_rng(0))
    bad["weight_hh_l0"] = bad["weight_hh_l0"][:, :4]
    page.set_input_files("#lab-weights", files=npz_file("bad.npz", bad))
    error = page.locator("#lab-weights-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("weight_hh_l0")
    expect(page.locator("#lab-weights")).to_have_attribute("aria-invalid", "true")
    # The browser logs the refused request itself; that is the expected 422, not a page error.
    console_errors[:] = [e for e in console_errors if "422" not in e]

    good = init_params("gru", 3, 10, np.random.default_rng(1))
    page.set_input_files("#lab-weights", files=npz_file("mine.npz", good))
    expect(page.locator("[data-summary]")).to_contain_text(
        "Your weights (mine.npz): GRU, H = 10, D = 3"
    )
    expect(page.locator("canvas[data-heatmap]")).to_have_count(4)  # r z n h
    expect(error).to_be_hidden()
    screenshot(page, "lab-04-upload")


def test_predict_then_see(page: Page, server: str):
    open_lab(page, server, "?preset=adding-lstm&seed=1", predict=True)
    panel = page.locator("[data-predict]")
    expect(panel).to_contain_text("Will its")
    # No peeking before committing: the results are blurred and out of reach.
    expect(page.locator(".lab.is-predicting")).to_have_count(1)
    assert page.locator(".lab-main").evaluate("e => e.inert")
    screenshot(page, "lab-05-predict")
    panel.get_by_role("button", name="Yes").click()
    verdict = page.locator("[data-predict-verdict]")
    expect(verdict).to_contain_text(re.compile("^(Right|Not this time)"))
    expect(page.locator("[data-predict-stats]")).to_contain_text("1 made")
    expect(page.locator(".lab.is-predicting")).to_have_count(0)
    expect(page.locator(".heatmap.is-highlighted .heatmap-title")).to_contain_text("forget gate")
    screenshot(page, "lab-06-predicted")
    # The answer counts in this learner's progress.
    stats = page.request.get(server + "/api/lab/predictions").json()
    assert stats["made"] == 1


def test_reduced_motion_steps_instead_of_playing(browser: Browser, server: str):
    context = browser.new_context(reduced_motion="reduce")
    errors = ConsoleErrors()
    page = errors.watch(context.new_page())
    open_lab(page, server, "?preset=adding-rnn&step=1")
    expect(page.locator("[data-play]")).to_be_hidden()
    page.locator('canvas[data-heatmap="h"]').focus()
    page.keyboard.press("Space")
    expect(page.locator("[data-step-out]")).to_have_text("2")
    context.close()
    assert not errors, list(errors)


def test_every_cards_lab_link_renders_without_console_errors(
    page: Page, server: str, console_errors: ConsoleErrors
):
    page.goto(server + "/cards")
    cards = page.locator("table.deck tbody tr a").evaluate_all("links => links.map(a => a.href)")
    cards = [href for href in dict.fromkeys(cards) if "/cards/" in href]
    assert len(cards) == 20
    for href in cards:
        page.goto(href)
        link = page.locator(".lab-callout a")
        lab_url = link.get_attribute("href")
        assert re.match(r"^/lab\?preset=[a-z0-9-]+&card=[a-z0-9-]+$", lab_url), lab_url
        question = page.locator("h1").inner_text()
        page.goto(server + lab_url)
        expect(page.locator(".lab-card-question")).to_have_text(question)
        expect(page.locator(".lab-look-for")).to_contain_text("What to look for")
        # Results show at once, in the gates or the gradients view.
        shown = page.locator("canvas[data-heatmap]:visible, [data-grad-chart] svg:visible")
        expect(shown.first).to_be_visible()
        expect(page.locator("[data-status]")).to_contain_text("Ran ")
        assert not console_errors, (lab_url, list(console_errors))


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("view", ["predict", "gates", "gradients", "train"])
def test_axe_on_the_lab(browser: Browser, server: str, scheme: str, view: str):
    context = browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    card = "&card=what-are-lstms" if view == "predict" else ""
    open_lab(page, server, f"?preset=adding-lstm{card}", predict=view == "predict")
    if view in ("gradients", "train"):
        page.get_by_role("tab", name="Gradients" if view == "gradients" else "Train live").click()
        page.locator(
            "[data-grad-chart] svg, [data-train-heatmaps] canvas[data-heatmap]"
        ).first.wait_for()
    if view == "gates":
        page.get_by_text("Values as a table").first.click()
    results = AXE.run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    if scheme == "dark":
        screenshot(page, f"lab-axe-{view}-dark")
    context.close()
    report = [(v["id"], v["help"], [n["target"] for n in v["nodes"][:3]]) for v in serious]
    assert not serious, report


def test_lab_on_a_phone(browser: Browser, server: str):
    context = browser.new_context(viewport={"width": 360, "height": 780}, color_scheme="dark")
    errors = ConsoleErrors()
    page = errors.watch(context.new_page())
    open_lab(page, server, "?preset=char-lstm&card=output-function")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways on a phone ({width}px)"
    expect(page.locator("[data-top5] li")).to_have_count(5)
    screenshot(page, "lab-07-phone")
    context.close()
    assert not errors, list(errors)


def test_a_busy_lab_says_so_and_retries(page: Page, server: str, console_errors: ConsoleErrors):
    """A 503 from a full lab (issue 13, item 2): the page says it is busy and tries again after
    the server's Retry-After, then shows the run."""
    refused = []

    def busy_once(route):
        if not refused:
            refused.append(route.request.url)
            route.fulfill(
                status=503,
                # 3 s, not 1: expect() polls about once a second, and a one-second "busy" window
                # can fall between two polls.
                headers={"Retry-After": "3", "Content-Type": "application/json"},
                body='{"detail": "the lab is busy; try again in a moment"}',
            )
        else:
            route.continue_()

    page.route("**/api/lab/run", busy_once)
    page.goto(f"{server}/lab?preset=adding-gru")
    expect(page.locator("[data-status]")).to_contain_text("The lab is busy, retrying…")
    screenshot(page, "lab-busy")
    ready = page.locator("[data-predict]:not([hidden]), [data-results]:not([hidden]) canvas")
    expect(ready.first).to_be_visible(timeout=10_000)
    expect(page.locator("[data-status]")).not_to_contain_text("busy")
    assert refused
    screenshot(page, "lab-busy-retried")
    # The browser logs the refused request itself; that one 503 is this test's doing.
    expected = [e for e in console_errors if "status of 503" in e]
    assert len(expected) == 1
    console_errors.remove(expected[0])
