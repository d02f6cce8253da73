"""Centred-difference gradient checks in float64 for every parameter and initial state."""

import numpy as np
import pytest
from nn_testing import CELL_OPTIONS, numeric_grad, rel_error

from app.nn import params as P
from app.nn import sequence as S

T, N, D, H = 5, 2, 3, 4
TOL = 1e-6


def make(cell: str, peepholes: bool, rng: np.random.Generator, forget_bias: float = 0.0):
    # Larger than default weights so every gate is away from its linear regime.
    p = {
        k: 2.0 * v
        for k, v in P.init_params(
            cell, D, H, rng, peepholes=peepholes, forget_bias=forget_bias
        ).items()
    }
    x = rng.normal(size=(T, N, D))
    h0 = rng.normal(size=(N, H))
    c0 = rng.normal(size=(N, H)) if cell == "lstm" else None
    # L = Σ_t Σ wh_t ⊙ h_t + Σ wc ⊙ c_T: a loss on every step and on the final cell state.
    wh = rng.normal(size=(T, N, H))
    wc = rng.normal(size=(N, H)) if cell == "lstm" else None
    return p, x, h0, c0, wh, wc


def loss_of(p, x, h0, c0, wh, wc) -> float:
    trace, _ = S.forward(p, x, h0, c0)
    loss = float((wh * trace.h).sum())
    if wc is not None:
        loss += float((wc * trace.c[-1]).sum())
    return loss


def check_all(p, x, h0, c0, g: S.Grads, f) -> None:
    for name, value in p.items():
        err = rel_error(g.params[name], numeric_grad(f, value))
        assert err < TOL, f"{name}: relative error {err:.2e}"
    for name, value, grad in (("x", x, g.x), ("h0", h0, g.h0), ("c0", c0, g.c0)):
        if value is None:
            assert grad is None
            continue
        err = rel_error(grad, numeric_grad(f, value))
        assert err < TOL, f"{name}: relative error {err:.2e}"


@pytest.mark.parametrize(("cell", "peepholes"), CELL_OPTIONS)
def test_full_bptt_matches_centred_differences(cell, peepholes, rng):
    p, x, h0, c0, wh, wc = make(cell, peepholes, rng)
    _, cache = S.forward(p, x, h0, c0)
    g = S.backward(cache, dh=wh, dcT=wc)
    check_all(p, x, h0, c0, g, lambda: loss_of(p, x, h0, c0, wh, wc))


def test_forget_bias_init_and_gradients(rng):
    p, x, h0, c0, wh, wc = make("lstm", False, rng, forget_bias=1.0)
    f = P.block("lstm", "f", H)
    np.testing.assert_array_equal(p[P.B_IH][f] + p[P.B_HH][f], 2.0)  # make() doubles it
    _, cache = S.forward(p, x, h0, c0)
    check_all(p, x, h0, c0, S.backward(cache, dh=wh, dcT=wc), lambda: loss_of(p, x, h0, c0, wh, wc))


def frozen_loss(p, x, h0, c0, wh, wc, k: int, frozen: dict[int, tuple]) -> float:
    """The loss with the state entering each cut step held at its recorded value: its exact
    gradient is, by definition, the truncated-BPTT gradient."""
    cut = S.cut_points(x.shape[0], k)
    starts = [0, *[t for t in range(x.shape[0]) if cut[t]]]
    loss = 0.0
    for a, b in zip(starts, [*starts[1:], x.shape[0]], strict=True):
        hs, cs = (h0, c0) if a == 0 else frozen[a]
        trace, _ = S.forward(p, x[a:b], hs, cs)
        loss += float((wh[a:b] * trace.h).sum())
        if wc is not None and b == x.shape[0]:
            loss += float((wc * trace.c[-1]).sum())
    return loss


@pytest.mark.parametrize(("cell", "peepholes"), CELL_OPTIONS)
@pytest.mark.parametrize("k", [1, 2, 3])
def test_truncated_bptt_matches_centred_differences_of_detached_loss(cell, peepholes, k, rng):
    p, x, h0, c0, wh, wc = make(cell, peepholes, rng)
    trace, cache = S.forward(p, x, h0, c0)
    frozen = {
        t: (trace.h[t - 1].copy(), None if trace.c is None else trace.c[t - 1].copy())
        for t in range(1, T)
    }
    g = S.backward(cache, dh=wh, dcT=wc, truncate=k)
    check_all(p, x, h0, c0, g, lambda: frozen_loss(p, x, h0, c0, wh, wc, k, frozen))


@pytest.mark.parametrize(("cell", "peepholes"), CELL_OPTIONS)
def test_truncation_stops_a_last_step_loss_exactly_k_steps_back(cell, peepholes, rng):
    p, x, h0, c0, _, _ = make(cell, peepholes, rng)
    _, cache = S.forward(p, x, h0, c0)
    dh = np.zeros((T, N, H))
    dh[-1] = 1.0
    g = S.backward(cache, dh=dh, truncate=2)
    norms = np.linalg.norm(g.h, axis=(1, 2))
    assert (norms[-2:] > 0).all() and (norms[:-2] == 0).all()
    assert not g.h0.any()
    full = S.backward(cache, dh=dh)
    assert (np.linalg.norm(full.h, axis=(1, 2)) > 0).all()
    np.testing.assert_array_equal(full.h[-2:], g.h[-2:])


def test_relu_rnn_matches_centred_differences(rng):
    p, x, h0, _, wh, _ = make("rnn", False, rng)

    def f() -> float:
        return float((wh * S.forward(p, x, h0, nonlinearity="relu")[0].h).sum())

    trace, cache = S.forward(p, x, h0, nonlinearity="relu")
    # Both halves of the ReLU are crossed, none within ε of the kink (where it has no derivative).
    assert (trace.pre > 0).any() and (trace.pre < 0).any() and np.abs(trace.pre).min() > 1e-4
    check_all(p, x, h0, None, S.backward(cache, dh=wh), f)


def test_nonlinearity_is_the_rnns_only():
    p = P.init_params("lstm", D, H, np.random.default_rng(0))
    with pytest.raises(ValueError, match="RNN only"):
        S.forward(p, np.zeros((T, N, D)), nonlinearity="relu")
