"""Computed quiz items: real engine computations from a stored seed, answers within tolerance."""

import math
import re

import numpy as np
import pytest

from app.study import computed_items as ci

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
