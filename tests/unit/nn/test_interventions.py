"""Interventions: parity with an independent step-by-step PyTorch implementation (float64,
1e-10) for every quantity of every cell, causality, and the limits."""

import numpy as np
import pytest
from nn_testing import CELL_OPTIONS

from app.nn import params as P
from app.nn import sequence as S
from app.nn.interventions import MAX_INTERVENTIONS, Intervention, InterventionError
from tests.conftest import TORCH_MISSING

T, N, D, H = 8, 2, 3, 5
TOL = 1e-10
# A value inside each quantity's range that differs from what the cell computes.
VALUES = {"i": 0.9, "f": 0.05, "g": -0.7, "o": 0.2, "c": 1.7, "h": -0.4, "r": 0.95, "z": 0.1}
VALUES["n"] = 0.6
QUANTITIES = {"lstm": "ifgoch", "gru": "rznh", "rnn": "h"}


def setup(cell, peepholes, seed=0):
    rng = np.random.default_rng(seed)
    params = P.init_params(cell, D, H, rng, peepholes=peepholes)
    x = rng.normal(size=(T, N, D))
    h0 = rng.normal(size=(N, H)) * 0.5
    c0 = rng.normal(size=(N, H)) * 0.5
    return params, x, h0, c0


def torch_reference(torch, cell, params, x, h0, c0, held):
    """The intervened run written out step by step with torch ops, independent of the engine.

    held: {(quantity, t): [(unit, value), ...]}. Returns (h, c or None, post) as NumPy arrays,
    post (T, N, G·H) in GATES order (RNN: h).
    """
    p = {k: torch.from_numpy(v) for k, v in params.items()}
    tx, h, c = torch.from_numpy(x), torch.from_numpy(h0).clone(), torch.from_numpy(c0).clone()

    def put(q, t, v):
        v = v.clone()
        for u, value in held.get((q, t), []):
            v[:, u] = value
        return v

    hs, cs, posts = [], [], []
    for t in range(x.shape[0]):
        ax = tx[t] @ p["weight_ih_l0"].T + p["bias_ih_l0"]
        ah = h @ p["weight_hh_l0"].T + p["bias_hh_l0"]
        if cell == "lstm":
            ai, af, ag, ao = (ax + ah).chunk(4, dim=-1)
            if "weight_ci_l0" in p:
                ai = ai + p["weight_ci_l0"] * c
                af = af + p["weight_cf_l0"] * c
            i = put("i", t, torch.sigmoid(ai))
            f = put("f", t, torch.sigmoid(af))
            g = put("g", t, torch.tanh(ag))
            c = put("c", t, f * c + i * g)
            if "weight_co_l0" in p:
                ao = ao + p["weight_co_l0"] * c
            o = put("o", t, torch.sigmoid(ao))
            h = put("h", t, o * torch.tanh(c))
            posts.append(torch.cat([i, f, g, o], -1))
            cs.append(c)
        elif cell == "gru":
            xr, xz, xn = ax.chunk(3, dim=-1)
            hr, hz, hn = ah.chunk(3, dim=-1)
            r = put("r", t, torch.sigmoid(xr + hr))
            z = put("z", t, torch.sigmoid(xz + hz))
            n = put("n", t, torch.tanh(xn + r * hn))
            h = put("h", t, (1 - z) * n + z * h)
            posts.append(torch.cat([r, z, n], -1))
        else:
            h = put("h", t, torch.tanh(ax + ah))
            posts.append(h)
        hs.append(h)
    c_all = torch.stack(cs).numpy() if cs else None
    return torch.stack(hs).numpy(), c_all, torch.stack(posts).numpy()


def held_map(interventions):
    held = {}
    for iv in interventions:
        for t in range(iv.from_step, iv.to_step):
            held.setdefault((iv.quantity, t), []).append((iv.unit, iv.value))
    return held


def cases():
    for cell, peep in CELL_OPTIONS:
        for q in QUANTITIES[cell]:
            yield pytest.param(cell, peep, q, id=f"{cell}{'-peep' if peep else ''}-{q}")


@pytest.mark.torch
@pytest.mark.parametrize(("cell", "peepholes", "quantity"), list(cases()))
def test_matches_torch_step_by_step(cell, peepholes, quantity):
    torch = pytest.importorskip("torch", reason=TORCH_MISSING)
    params, x, h0, c0 = setup(cell, peepholes)
    ivs = [Intervention(quantity, 2, 2, 6, VALUES[quantity])]
    trace, cache = S.forward(params, x, h0, c0 if cell == "lstm" else None, ivs)
    h, c, post = torch_reference(torch, cell, params, x, h0, c0, held_map(ivs))
    assert cache is None
    np.testing.assert_allclose(trace.h, h, rtol=0, atol=TOL)
    np.testing.assert_allclose(trace.post, post, rtol=0, atol=TOL)
    if cell == "lstm":
        np.testing.assert_allclose(trace.c, c, rtol=0, atol=TOL)
    # The held value is what the trace shows, and the run differs from the untouched one.
    shown = trace.h if quantity == "h" else trace.c if quantity == "c" else trace.gate(quantity)
    assert np.all(shown[2:6, :, 2] == VALUES[quantity])
    baseline, _ = S.forward(params, x, h0, c0 if cell == "lstm" else None)
    assert np.abs(baseline.h[6:] - trace.h[6:]).max() > 1e-6


@pytest.mark.torch
@pytest.mark.parametrize(("cell", "peepholes"), CELL_OPTIONS)
def test_several_interventions_match_torch(cell, peepholes):
    torch = pytest.importorskip("torch", reason=TORCH_MISSING)
    params, x, h0, c0 = setup(cell, peepholes, seed=3)
    qs = QUANTITIES[cell]
    ivs = [Intervention(q, k % H, k % 3, T - k % 2, VALUES[q]) for k, q in enumerate(qs * 2)][
        :MAX_INTERVENTIONS
    ]
    trace, _ = S.forward(params, x, h0, c0 if cell == "lstm" else None, ivs)
    h, c, post = torch_reference(torch, cell, params, x, h0, c0, held_map(ivs))
    np.testing.assert_allclose(trace.h, h, rtol=0, atol=TOL)
    np.testing.assert_allclose(trace.post, post, rtol=0, atol=TOL)
    if c is not None:
        np.testing.assert_allclose(trace.c, c, rtol=0, atol=TOL)


@pytest.mark.parametrize(("cell", "peepholes", "quantity"), list(cases()))
def test_nothing_before_from_step_changes(cell, peepholes, quantity):
    params, x, h0, c0 = setup(cell, peepholes, seed=5)
    c0 = c0 if cell == "lstm" else None
    base, _ = S.forward(params, x, h0, c0)
    t0 = 4
    held, _ = S.forward(params, x, h0, c0, [Intervention(quantity, 1, t0, T, VALUES[quantity])])
    # Steps before t0 are bit-identical: the intervention cannot reach back in time.
    assert np.array_equal(held.h[:t0], base.h[:t0])
    assert np.array_equal(held.post[:t0], base.post[:t0])
    assert np.array_equal(held.pre[:t0], base.pre[:t0])
    if cell == "lstm":
        assert np.array_equal(held.c[:t0], base.c[:t0])
    assert not np.array_equal(held.h[t0:], base.h[t0:])


def test_empty_list_is_the_plain_run():
    params, x, h0, c0 = setup("lstm", False)
    base, _ = S.forward(params, x, h0, c0)
    same, cache2 = S.forward(params, x, h0, c0, [])
    assert np.array_equal(base.h, same.h) and cache2 is not None


def test_forget_gate_held_at_zero_forgets():
    """f = 0 at step t wipes the unit's memory: c_t = i ⊙ g exactly."""
    params, x, h0, c0 = setup("lstm", False)
    trace, _ = S.forward(params, x, h0, c0, [Intervention("f", 0, 3, 4, 0.0)])
    i, g = trace.gate("i")[3, :, 0], trace.gate("g")[3, :, 0]
    np.testing.assert_allclose(trace.c[3, :, 0], i * g, rtol=0, atol=1e-15)


@pytest.mark.parametrize(
    ("cell", "iv", "field"),
    [
        ("lstm", Intervention("z", 0, 0, 1, 0.5), "quantity"),
        ("gru", Intervention("c", 0, 0, 1, 0.5), "quantity"),
        ("rnn", Intervention("i", 0, 0, 1, 0.5), "quantity"),
        ("lstm", Intervention("i", H, 0, 1, 0.5), "unit"),
        ("lstm", Intervention("i", -1, 0, 1, 0.5), "unit"),
        ("lstm", Intervention("i", 0, 3, 3, 0.5), "from_step"),
        ("lstm", Intervention("i", 0, 0, T + 1, 0.5), "to_step"),
        ("lstm", Intervention("i", 0, 0, 1, 1.5), "value"),
        ("lstm", Intervention("g", 0, 0, 1, -1.01), "value"),
        ("gru", Intervention("n", 0, 0, 1, 2.0), "value"),
        ("gru", Intervention("z", 0, 0, 1, -0.1), "value"),
        ("lstm", Intervention("c", 0, 0, 1, float("nan")), "value"),
        ("lstm", Intervention("h", 0, 0, 1, 1e9), "value"),
    ],
)
def test_refused_with_the_field_named(cell, iv, field):
    params, x, h0, _ = setup(cell, False)
    with pytest.raises(InterventionError, match=field):
        S.forward(params, x, h0, None, [iv])


def test_at_most_eight():
    params, x, h0, c0 = setup("lstm", False)
    ivs = [Intervention("h", 0, 0, 1, 0.0)] * (MAX_INTERVENTIONS + 1)
    with pytest.raises(InterventionError, match="limit is 8"):
        S.forward(params, x, h0, c0, ivs)
