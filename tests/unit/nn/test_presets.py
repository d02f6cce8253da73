"""The preset registry and the shipped weights, re-checked against their recorded metrics."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app.nn import model, tasks, train
from app.nn.params import load_weights
from app.nn.presets import PRESET_NAMES, PRESETS

WEIGHTS = Path(train.__file__).parent / "weights"
NAMES = {
    "adding-lstm",
    "adding-peephole",
    "adding-gru",
    "adding-rnn",
    "char-lstm",
    "char-lstm-small",
    "vanishing-gradients",
    "forget-bias",
    "truncated-bptt",
}


@pytest.fixture(scope="module")
def metrics() -> dict:
    return json.loads((WEIGHTS / "metrics.json").read_text(encoding="utf-8"))


def test_the_nine_names_are_fixed():
    assert PRESET_NAMES == NAMES
    assert all(p.name == name for name, p in PRESETS.items())


def test_presets_import_without_numpy():
    code = "import sys, app.nn.presets; print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_every_trained_preset_has_a_recipe_and_a_small_valid_file():
    trained = {n for n, p in PRESETS.items() if p.weights}
    assert trained == set(train.RECIPES)
    for name in trained:
        p = PRESETS[name]
        path = WEIGHTS / p.weights
        assert path.stat().st_size < 200_000, name
        w = load_weights(path, p.cell)
        assert (w.H, w.peepholes) == (p.hidden, p.peepholes), name
        assert (w.vocab is not None) == (p.task == "char"), name
    assert all(PRESETS[n].weights is None for n in NAMES - trained)


@pytest.mark.parametrize("name", ["adding-lstm", "adding-peephole", "adding-gru", "adding-rnn"])
def test_adding_presets_reproduce_their_recorded_mse(name, metrics):
    w = load_weights(WEIGHTS / PRESETS[name].weights)
    mse = model.adding_mse(w, *train.adding_test_set())
    assert mse == pytest.approx(metrics[name]["test_mse"], rel=1e-9)


def test_gated_cells_solve_the_adding_problem(metrics):
    x, y = train.adding_test_set()
    for name in ("adding-lstm", "adding-peephole", "adding-gru"):
        assert model.adding_mse(load_weights(WEIGHTS / PRESETS[name].weights), x, y) < 0.01, name


def test_the_plain_rnn_is_recorded_honestly(metrics):
    # Whatever it reached with the same budget; predicting 1 always scores about 1/6.
    assert 0 <= metrics["adding-rnn"]["test_mse"] < 0.2
    assert metrics["adding-rnn"]["steps"] == metrics["adding-lstm"]["steps"]


@pytest.mark.parametrize(("name", "ceiling"), [("char-lstm", 3.0), ("char-lstm-small", 3.3)])
def test_char_models_reproduce_their_recorded_bpc(name, ceiling, metrics):
    m = metrics[name]
    w = load_weights(WEIGHTS / PRESETS[name].weights)
    assert len(w.vocab) == m["vocab_size"]
    bpc = model.bits_per_char(w, tasks.encode(m["heldout_text"], w.vocab))
    assert bpc == pytest.approx(m["heldout_bpc"], rel=1e-6)
    assert bpc < ceiling  # a uniform guess over the vocabulary would be log2(V) ≈ 6.7


def test_the_bigger_char_model_is_better(metrics):
    assert metrics["char-lstm"]["heldout_bpc"] < metrics["char-lstm-small"]["heldout_bpc"]


def test_adding_test_set_is_fixed():
    a, b = train.adding_test_set(), train.adding_test_set()
    np.testing.assert_array_equal(a[0], b[0])
    assert a[0].shape == (50, 1000, 2)
