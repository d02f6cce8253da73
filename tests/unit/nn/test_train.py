"""Training is seeded and deterministic; the CLI writes weights and metrics."""

import json

import numpy as np
import pytest

from app.nn import train
from app.nn.params import load_weights

TINY = train.Recipe(steps=6, batch=8, lr=1e-2, clip=1.0, T=12)


@pytest.fixture
def tiny(monkeypatch):
    monkeypatch.setitem(train.RECIPES, "adding-gru", TINY)
    monkeypatch.setitem(train.RECIPES, "adding-peephole", TINY)
    monkeypatch.setattr(
        train,
        "adding_test_set",
        lambda: train.tasks.adding_problem(20, 12, np.random.default_rng(0)),
    )


def test_same_seed_same_weights(tiny, tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for d in (a, b, c):
        d.mkdir()
    train.train("adding-peephole", 0, a, log=lambda s: None)
    train.train("adding-peephole", 0, b, log=lambda s: None)
    train.train("adding-peephole", 1, c, log=lambda s: None)
    wa, wb, wc = (load_weights(d / "adding-peephole.npz") for d in (a, b, c))
    for k, v in wa.arrays().items():
        np.testing.assert_array_equal(v, wb.arrays()[k])
    assert not np.array_equal(wa.params["weight_hh_l0"], wc.params["weight_hh_l0"])


def test_cli_writes_weights_and_metrics(tiny, tmp_path, capsys):
    assert train.main(["adding-gru", "--seed", "3", "--out", str(tmp_path)]) == 0
    m = json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))["adding-gru"]
    assert m["seed"] == 3 and m["steps"] == TINY.steps and m["test_mse"] >= 0
    assert load_weights(tmp_path / "adding-gru.npz").cell == "gru"
    assert "adding-gru" in capsys.readouterr().out
