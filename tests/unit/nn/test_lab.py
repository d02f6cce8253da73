"""The functions the web layer calls: shapes, limits, determinism, JSON-ability."""

import json

import numpy as np
import pytest

from app.nn import lab
from app.nn.presets import PRESETS

GATE_NAMES = {"lstm": {"i", "f", "g", "o"}, "gru": {"r", "z", "n"}, "rnn": set()}


def shape(a) -> tuple[int, ...]:
    return np.array(a).shape


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_run_preset_returns_t_by_h_lists(name):
    out = lab.run_preset(name)
    json.dumps(out)  # plain JSON values only
    p = PRESETS[name]
    T, H = out["T"], out["H"]
    assert out["cell"] == p.cell and p.hidden == H
    assert set(out["gates"]) == GATE_NAMES[p.cell]
    for g in out["gates"].values():
        assert shape(g) == (T, H)
    assert shape(out["h"]) == (T, H)
    assert ("c" in out) == (p.cell == "lstm")
    assert len(out["outputs"]) == T


def test_adding_preset_predicts_the_sum():
    out = lab.run_preset("adding-lstm", seed=3)
    assert out["T"] == 50 and shape(out["input"]) == (50, 2) and shape(out["outputs"]) == (50, 1)
    assert abs(out["prediction"] - out["target"]) < 0.1
    x = [[0.0, 0.0] for _ in range(20)]
    x[2], x[15] = [0.3, 1.0], [0.4, 1.0]
    out = lab.run_preset("adding-gru", input=x)
    assert out["T"] == 20 and out["target"] == pytest.approx(0.7)
    assert abs(out["prediction"] - 0.7) < 0.1


def test_char_preset_top5():
    out = lab.run_preset("char-lstm", text="The cell state")
    assert out["T"] == len("The cell state") and out["input"] is None
    assert len(out["top5"]) == out["T"]
    for row in out["top5"]:
        probs = [p for _, p in row]
        assert len(row) == 5 and probs == sorted(probs, reverse=True) and sum(probs) <= 1 + 1e-12
    assert shape(out["outputs"])[1] == out["D"]  # logits over the vocabulary


def test_gradient_presets_carry_their_series():
    van = lab.run_preset("vanishing-gradients")["gradient_norms"]
    assert [s["cell"] for s in van] == ["rnn", "gru", "lstm", "lstm"]
    fb = lab.run_preset("forget-bias", forget_bias=4.0)["gradient_norms"]
    assert [s["forget_bias"] for s in fb] == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert fb[-1]["norms"][0] > fb[0]["norms"][0]  # more bias, more gradient 49 steps back
    full, cut = lab.run_preset("truncated-bptt", truncate=7)["gradient_norms"]
    assert cut["truncate"] == 7 and full["truncate"] is None
    assert all(n == 0 for n in cut["norms"][:-7]) and all(n > 0 for n in full["norms"])
    assert cut["norms"][-7:] == full["norms"][-7:]


def test_gradient_norms():
    out = lab.gradient_norms("rnn", T=30, H=8, seed=1)
    assert len(out["norms"]) == 30 and out["norms"][-1] == pytest.approx(1.0)
    assert out["steps_back"][0] == 29 and out["steps_back"][-1] == 0
    assert out["norms"][0] < 1e-3  # the plain RNN at init forgets


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: lab.run_preset("nope"), "unknown preset"),
        (lambda: lab.run_preset("adding-lstm", input=[[0.0, 0.0]] * 501), "T ≤ 500"),
        (lambda: lab.run_preset("adding-lstm", input=[[0.0, 0.0, 0.0]]), "D = 2"),
        (lambda: lab.run_preset("adding-lstm", input=[[0.0] * 257]), "D ≤ 256"),
        (lambda: lab.run_preset("adding-lstm", input=[[float("nan"), 0.0]]), "NaN"),
        (lambda: lab.run_preset("adding-lstm", input="abc"), "T × D"),
        (lambda: lab.run_preset("char-lstm", text="x" * 501), "T ≤ 500"),
        (lambda: lab.run_preset("char-lstm", text="\x00"), "vocabulary"),
        (lambda: lab.gradient_norms("lstm", H=129), "H ≤ 128"),
        (lambda: lab.gradient_norms("lstm", T=501), "T ≤ 500"),
        (lambda: lab.gradient_norms("tanh"), "unknown cell"),
        (lambda: lab.new_training_state(H=129), "H ≤ 128"),
        (lambda: lab.train_chunk(lab.new_training_state(), steps=201), "steps ≤ 200"),
        (lambda: lab.train_chunk(lab.new_training_state(T=100, H=64), 200), "steps × T × \\(batch"),
        (lambda: lab.new_training_state(T=200, H=64, batch=64), "one training step"),
        (lambda: lab.train_chunk({"H": 4}, 1), "malformed training state"),
    ],
)
def test_limits_raise_value_errors_that_name_them(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_train_chunk_is_deterministic_across_chunkings():
    state = lab.new_training_state("lstm", H=8, T=10, batch=16, seed=4)
    one = lab.train_chunk(json.loads(json.dumps(state)), 20)
    two = lab.train_chunk(json.loads(json.dumps(state)), 10)
    two = lab.train_chunk(json.loads(json.dumps(two)), 10)
    assert one["step"] == two["step"] == 20
    assert one["params"] == two["params"] and one["adam"] == two["adam"]
    assert one["losses"][10:] == two["losses"] and np.isfinite(one["test_mse"])


def test_train_chunk_learns():
    state = lab.new_training_state("gru", H=8, T=10, batch=32, lr=2e-2)
    first = lab.train_chunk(state, 20)
    for _ in range(5):
        state = lab.train_chunk(state, 100)
    assert state["test_mse"] < first["test_mse"] < 0.5
    assert state["test_mse"] < 0.05


def test_tampered_state_is_refused():
    state = lab.new_training_state(H=4)
    state["params"]["weight_hh_l0"][0][0] = float("nan")
    with pytest.raises(ValueError, match="weight_hh_l0"):
        lab.train_chunk(state, 1)


def test_gradient_preset_overrides_are_checked():
    assert lab.run_preset("vanishing-gradients", forget_bias=2.0)["cell"] == "rnn"
    with pytest.raises(ValueError, match=r"\|forget_bias\| ≤ 10"):
        lab.run_preset("forget-bias", forget_bias=float("inf"))
    with pytest.raises(ValueError, match="truncate = 0"):
        lab.run_preset("truncated-bptt", truncate=0)
