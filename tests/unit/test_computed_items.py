"""Computed quiz items: real engine computations from a stored seed, answers within tolerance."""

import math
import re

import numpy as np
import pytest

from app.study import computed_items as ci
from tests.conftest import TORCH_MISSING

SEEDS = range(40)


def sigmoid(a: float) -> float:
    return 1.0 / (1.0 + math.exp(-a))


def numbers(prompt: str) -> dict[str, float]:
    """The values the learner is shown, read back from the prompt text."""
    found = re.findall(r"\$(f_t|i_t|g_t|c_\{t-1\}) = (-?\d+\.\d+)\$", prompt)
    return {name: float(value) for name, value in found}


@pytest.mark.parametrize("template", list(ci.TEMPLATES.values()), ids=list(ci.TEMPLATES))
def test_a_seed_gives_the_same_item_every_time(template):
    assert template.generate(123) == template.generate(123)
    assert template.generate(123) != template.generate(124)


@pytest.mark.parametrize("seed", SEEDS)
def test_cell_update_answer_is_the_cell_equation_on_the_numbers_shown(seed):
    item = ci.cell_update(seed)
    shown = numbers(item.prompt)
    assert set(shown) == {"f_t", "i_t", "g_t", "c_{t-1}"}
    expected = shown["f_t"] * shown["c_{t-1}"] + shown["i_t"] * shown["g_t"]
    assert item.correct == pytest.approx(expected, abs=1e-9)
    assert item.answer_type == "number" and item.tolerance == 0.01
    assert "±0.01" in item.prompt
    # Gates are in their ranges: sigmoids in (0, 1), the candidate in (-1, 1).
    assert 0 < shown["f_t"] <= 1 and 0 < shown["i_t"] <= 1 and -1 <= shown["g_t"] <= 1


@pytest.mark.parametrize("seed", SEEDS)
def test_cell_update_comes_from_the_engine(seed):
    case = ci.cell_case(seed)
    # The engine's own c_t obeys c_t = f c_{t-1} + i g with its unrounded gate values...
    assert case.c == pytest.approx(case.f * case.c_prev + case.i * case.g, abs=1e-12)
    # ...and the answer from the two-decimal numbers shown is within 0.02 of it.
    assert abs(ci.cell_update(seed).correct - case.c) < 0.02


@pytest.mark.parametrize("seed", SEEDS)
def test_forget_above_has_exactly_one_unit_above_point_nine(seed):
    item = ci.forget_above(seed)
    table = [
        [float(v) for v in row.split("|")[2:-1]]
        for row in item.prompt.splitlines()
        if re.match(r"^\| \d+ \|", row)
    ]
    a_f = np.array(table)  # (T, H) as shown to the learner
    assert a_f.shape == (ci.FORGET_STEPS, ci.FORGET_UNITS)
    stays_above = [all(sigmoid(a) > 0.9 for a in a_f[:, u]) for u in range(a_f.shape[1])]
    assert stays_above.count(True) == 1
    assert item.correct == stays_above.index(True)
    assert item.answer_type == "choice"
    assert len(item.choices) == len(item.whys) == ci.FORGET_UNITS
    assert "so it stays above 0.9" in item.whys[item.correct]
    assert all("below 0.9" in w for k, w in enumerate(item.whys) if k != item.correct)


def test_forget_table_is_the_engines_forget_pre_activation():
    a_f, winner = ci.forget_case(5)
    # Every entry is a real pre-activation: finite, and two decimals as shown.
    assert np.isfinite(a_f).all()
    assert np.allclose(a_f, np.round(a_f, 2))
    assert a_f[:, winner].min() > ci.LN9 + ci.MARGIN


# ---- every template -----------------------------------------------------------------------

ALL = list(ci.TEMPLATES.values())
MANY = range(30)


def shown_answer(item: ci.Computed) -> set[str]:
    """The ways the worked solution may write the keyed answer."""
    value = item.correct
    if item.answer_type == "choice":
        return {item.choices[value]}
    out = {f"{value:.{p}f}" for p in (2, 3, 4)}
    if item.tolerance == 0:
        out.add(ci._int(int(value)))
    return out


@pytest.mark.parametrize("template", ALL, ids=[t.name for t in ALL])
def test_every_template_is_deterministic_and_answerable(template):
    seen = set()
    for seed in MANY:
        item = template.generate(seed)
        assert item == template.generate(seed)  # same seed, same item
        seen.add(item.prompt)
        assert item.answer_type in ("number", "choice")
        assert item.explanation
        if item.answer_type == "number":
            assert math.isfinite(item.correct)
            assert item.tolerance is not None and item.tolerance >= 0
            # The prompt states the tolerance it is marked with.
            if item.tolerance:
                assert f"±{item.tolerance:g}" in item.prompt
            else:
                assert "whole number" in item.prompt
                assert item.correct == int(item.correct)
        else:
            assert 0 <= item.correct < len(item.choices) == len(item.whys)
            assert len(set(item.choices)) == len(item.choices)  # no two options alike
    assert len(seen) >= len(MANY) * 0.6  # seeds give different items


@pytest.mark.parametrize("template", ALL, ids=[t.name for t in ALL])
def test_the_worked_solution_shows_the_items_own_result(template):
    for seed in MANY:
        item = template.generate(seed)
        text = item.explanation + " ".join(item.whys)
        if item.answer_type == "number":
            assert any(s in text for s in shown_answer(item)), (seed, item.correct, text)


@pytest.mark.parametrize("template", ALL, ids=[t.name for t in ALL])
def test_answers_are_marked_within_the_stated_tolerance(template):
    from app.study import quiz

    for seed in range(5):
        item = quiz.computed_item(template, seed, None)
        if item.answer_type == quiz.AnswerType.CHOICE:
            assert quiz.is_correct(item, item.correct) is True
            assert quiz.is_correct(item, (item.correct + 1) % len(item.choices)) is False
            continue
        right, tol = float(item.correct), item.tolerance
        assert quiz.is_correct(item, right) is True
        assert quiz.is_correct(item, right + tol) is True  # at the edge: accepted
        assert quiz.is_correct(item, right - tol) is True
        assert quiz.is_correct(item, right + tol + 0.0001) is False
        assert quiz.is_correct(item, right - max(2 * tol, 1)) is False


def test_at_least_ten_templates_cover_at_least_twelve_cards():
    from pathlib import Path

    from app.content import load_deck
    from app.nn.presets import PRESET_NAMES

    deck = load_deck(Path(__file__).resolve().parents[2] / "questions", PRESET_NAMES)
    slugs = {c.slug for c in deck}
    assert len(ci.TEMPLATES) >= 10
    covered = {s for t in ci.TEMPLATES.values() for s in t.card_slugs}
    assert covered <= slugs, covered - slugs  # every mapping names a real card
    assert len(covered) >= 12
    for t in ci.TEMPLATES.values():
        card = deck.get(t.card_slugs[0])
        assert card is not None and set(card.tags) & set(t.card_tags), t.name


# ---- per template: the engine's computation agrees with the keyed answer ------------------


def decimals(text: str) -> list[float]:
    return [float(v) for v in re.findall(r"-?\d+\.\d+", text)]


@pytest.mark.parametrize("seed", MANY)
def test_gru_step_is_pytorchs_update_on_the_numbers_shown(seed):
    case = ci.gru_case(seed)
    # The engine's own h_t obeys PyTorch's h = (1 - z) n + z h_{t-1} with its unrounded values.
    assert case.h == pytest.approx((1 - case.z) * case.n + case.z * case.h_prev, abs=1e-12)
    item = ci.gru_step(seed)
    _r, z, n, h_prev = (float(v) for v in re.findall(r"= (-?\d+\.\d+)\$", item.prompt))
    assert item.correct == pytest.approx((1 - z) * n + z * h_prev, abs=1e-9)
    assert abs(item.correct - case.h) < 0.02
    for v in (z, n, h_prev):
        assert ci._fmt(v, 2) in item.explanation


@pytest.mark.parametrize("seed", MANY)
def test_hidden_output_is_o_times_tanh_c(seed):
    case = ci.output_case(seed)
    assert case.h == pytest.approx(case.o * math.tanh(case.c), abs=1e-12)
    item = ci.hidden_output(seed)
    o, c = (float(v) for v in re.findall(r"= (-?\d+\.\d+)\$", item.prompt))
    assert item.correct == pytest.approx(o * math.tanh(c), abs=1e-4)
    assert abs(item.correct - case.h) < 0.02
    assert ci._fmt(o, 2) in item.explanation and ci._fmt(c, 2) in item.explanation


@pytest.mark.parametrize("seed", MANY)
def test_cell_path_is_the_engines_backward_pass(seed):
    case = ci.path_case(seed)
    # With W_hh = 0 the engine's ∂c_T/∂c_{T-k} is exactly the product of the forget gates.
    assert case.engine == pytest.approx(math.prod(case.f), rel=1e-12)
    item = ci.cell_path(seed)
    shown = [float(v) for v in item.prompt.split("values ")[1].split(" (steps")[0].split(", ")]
    assert len(shown) == len(case.f)
    assert item.correct == pytest.approx(math.prod(shown), abs=1e-4)
    assert abs(item.correct - case.engine) < 0.03
    assert all(ci._fmt(v, 2) in item.explanation for v in shown)


@pytest.mark.parametrize("seed", MANY)
def test_rnn_bound_holds_for_the_engines_jacobian(seed):
    case = ci.bound_case(seed)
    # The shown numbers are rounded up, so the keyed bound is at least the exact one, which the
    # engine's measured Jacobian norm never exceeds.
    assert case.actual <= case.bound + 1e-12
    item = ci.rnn_bound(seed)
    assert item.correct == pytest.approx(case.bound, abs=1e-4)
    rows = re.findall(r"^\| \$T[^|]*\| (\d\.\d\d) \|$", item.prompt, flags=re.M)
    sigma = float(re.search(r"\\sigma_\{max\} = (\d\.\d\d)", item.prompt)[1])
    assert item.correct == pytest.approx(math.prod(float(g) * sigma for g in rows), abs=1e-4)
    assert all(g in item.explanation for g in rows)


@pytest.mark.parametrize("seed", MANY)
def test_tbptt_window_agrees_with_the_engines_truncated_backward(seed):
    case = ci.window_case(seed)
    item = ci.tbptt_window(seed)
    start = (case.step - 1) // case.k * case.k + 1
    # The engine's gradient reaches exactly the steps from the window's start to the loss.
    assert case.reached == tuple(range(start, case.step + 1))
    expected = len(case.reached) if "How many" in item.prompt else case.reached[0]
    assert item.correct == expected
    assert f"= {start}$" in item.explanation


@pytest.mark.parametrize("seed", MANY)
def test_adding_target_is_the_sum_of_the_marked_values(seed):
    _values, marks, engine = ci.adding_case(seed)
    assert marks.sum() == 2
    item = ci.adding_target(seed)
    table = re.findall(r"^\| \d+ \| (\d\.\d\d) \| ([01]) \|$", item.prompt, flags=re.M)
    marked = [float(v) for v, m in table if m == "1"]
    assert item.correct == pytest.approx(sum(marked), abs=1e-9)
    assert abs(item.correct - engine) <= 0.01 + 1e-9  # the engine's target, unrounded
    assert all(ci._fmt(v, 2) in item.explanation for v in marked)


@pytest.mark.parametrize("seed", MANY)
def test_adding_baseline_is_the_mse_of_predicting_one(seed):
    item = ci.adding_baseline(seed)
    targets = [float(v) for v in item.prompt.split("targets ")[1].split(". A model")[0].split(", ")]
    assert len(targets) == len(ci.baseline_case(seed))
    expected = sum((y - 1) ** 2 for y in targets) / len(targets)
    assert item.correct == pytest.approx(expected, abs=1e-4)
    assert all(f"({ci._fmt(y, 2)} - 1)^2" in item.explanation for y in targets)


@pytest.mark.parametrize("seed", MANY)
def test_peephole_output_gate_sees_the_new_cell_state(seed):
    case = ci.peep_case(seed)
    assert case.o == pytest.approx(sigmoid(case.a + case.w_co * case.c), abs=1e-12)
    item = ci.peephole_output(seed)
    a, w, _c_prev, c = (float(v) for v in re.findall(r"= (-?\d+\.\d+)\$", item.prompt))
    assert item.correct == pytest.approx(sigmoid(a + w * c), abs=1e-4)
    assert abs(item.correct - case.o) < 0.02
    assert f"\\sigma({ci._fmt(a, 2)} + {ci._paren(ci._fmt(w, 2))}" in item.explanation


@pytest.mark.parametrize("seed", MANY)
def test_char_softmax_is_the_cross_entropy_over_the_top_five(seed):
    case = ci.char_case(seed)
    text = next(t for t in ci.CHAR_TEXTS if t.startswith(case.prefix))
    assert case.chars[case.actual] == text[len(case.prefix)]  # the text's real next character
    assert list(case.logits) == sorted(case.logits, reverse=True)
    top = np.array(case.logits)
    restricted = -(top[case.actual] - top.max() - math.log(np.exp(top - top.max()).sum()))
    # Over the whole vocabulary the right character gets less probability than over five.
    assert restricted <= case.full_loss + 1e-12
    item = ci.char_softmax(seed)
    shown = [float(v) for v in re.findall(r"^\| .+ \| (-?\d+\.\d\d) \|$", item.prompt, flags=re.M)]
    assert len(shown) == 5
    z = np.array(shown)
    expected = -(z[case.actual] - z.max() - math.log(np.exp(z - z.max()).sum()))
    assert item.correct == pytest.approx(expected, abs=1e-4)
    assert ci._fmt(shown[0], 2) in item.explanation


@pytest.mark.parametrize("seed", MANY)
def test_gate_rows_name_the_engines_block(seed):
    from app.nn.params import GATES, block, param_shapes

    item = ci.gate_rows(seed)
    module = re.search(r"`nn\.(LSTM|GRU)\(input_size=(\d+), hidden_size=(\d+)\)`", item.prompt)
    cell, D, H = module[1].lower(), int(module[2]), int(module[3])
    name = re.search(r"`(weight_[ih]h_l0)`", item.prompt)[1]
    if "Which rows" in item.prompt:
        gate = next(g for g in GATES[cell] if ci.GATE_NAMES[cell, g] in item.prompt)
        s = block(cell, gate, H)
        assert item.choices[item.correct].startswith(f"rows {s.start} to {s.stop - 1}:")
        assert str(s.start) in item.explanation and str(s.stop - 1) in item.explanation
    else:
        assert item.choices[item.correct] == str(param_shapes(cell, D, H)[name])
        assert str(param_shapes(cell, D, H)[name]) in item.explanation


# ---- parameter counts ---------------------------------------------------------------------


def test_param_count_on_known_layers():
    # nn.LSTM(10, 20): 4·20·(10 + 20 + 2) = 2,560; nn.GRU(10, 20): 3·20·32 = 1,920.
    assert ci.layer_counts(ci.CountCase("lstm", 10, 20, 1, False, 0)) == [(10, 2560)]
    assert ci.layer_counts(ci.CountCase("gru", 10, 20, 1, False, 0)) == [(10, 1920)]
    # Bidirectional, two layers: the second reads 2H = 40 inputs.
    case = ci.CountCase("rnn", 10, 20, 2, True, 0)
    assert ci.layer_counts(case) == [(10, 20 * 32), (40, 20 * 62)]


@pytest.mark.parametrize("seed", range(60))
def test_param_count_matches_pytorch(seed):
    torch = pytest.importorskip("torch", reason=TORCH_MISSING)
    case = ci.count_case(seed)
    kwargs = {"num_layers": case.layers, "bidirectional": case.bidirectional}
    if case.proj:
        kwargs["proj_size"] = case.proj
    module = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[case.cell]
    layer = module(case.D, case.H, **kwargs)
    assert ci.param_count(seed).correct == sum(p.numel() for p in layer.parameters())


def test_param_count_seeds_cover_projections_and_every_cell():
    cases = [ci.count_case(seed) for seed in range(60)]
    assert {c.cell for c in cases} == {"lstm", "gru", "rnn"}
    assert any(c.proj for c in cases) and any(c.bidirectional for c in cases)
    assert any(c.layers > 1 for c in cases)


def test_long_formulas_are_cut_where_they_can_wrap_and_short_ones_are_kept():
    chain = "$c_t = f_t c_{t-1} + i_t g_t = 0.58 \\cdot (-0.35) + 0.10 \\cdot 1.00 = -0.103$"
    assert ci.breakable(chain) == (
        "$c_t$ $= f_t c_{t-1} + i_t g_t$ $= 0.58 \\cdot (-0.35) + 0.10 \\cdot 1.00$ $= -0.103$"
    )
    assert ci.breakable("so $c_t = -0.1002$.") == "so $c_t = -0.1002$."
    # Never inside braces: a fraction or a subscript stays whole.
    frac = "$\\frac{1}{5}((0.91 - 1)^2 + (0.43 - 1)^2 + (1.74 - 1)^2 + (1.43 - 1)^2) = 0.2189$"
    pieces = re.findall(r"\$([^$]+)\$", ci.breakable(frac))
    assert len(pieces) > 2 and all(p.count("{") == p.count("}") for p in pieces)
    assert all(len(p) <= ci.WRAP_AT for p in pieces)


@pytest.mark.parametrize("template", ALL, ids=[t.name for t in ALL])
def test_every_item_renders_to_mathml(template):
    from app.study import quiz

    for seed in range(20):
        item = quiz.computed_item(template, seed, None)
        assert "<math" in item.explanation.html or "<math" in item.prompt.html
        assert "$" not in item.explanation.html.replace("\\$", "")
