"""The sequence functions agree with the step functions and with one sequence at a time."""

import numpy as np
import pytest
from nn_testing import CELL_OPTIONS

from app.nn import gru, lstm, rnn
from app.nn import params as P
from app.nn import sequence as S

T, N, D, H = 6, 3, 2, 5


def setup(cell, peepholes, rng):
    p = P.init_params(cell, D, H, rng, peepholes=peepholes)
    return p, rng.normal(size=(T, N, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H))


@pytest.mark.parametrize(("cell", "peepholes"), CELL_OPTIONS)
def test_sequence_equals_step_by_step(cell, peepholes, rng):
    p, x, h0, c0 = setup(cell, peepholes, rng)
    c0 = c0 if cell == "lstm" else None
    trace, _ = S.forward(p, x, h0, c0)
    h, c = h0, c0
    for t in range(T):
        if cell == "lstm":
            ax = x[t] @ p[P.W_IH].T + p[P.B_IH] + p[P.B_HH]
            (h, c), (a, gates, _, _) = lstm.step_forward(ax, h, c, lstm.step_weights(p))
            np.testing.assert_allclose(trace.c[t], c, rtol=0, atol=1e-14)
        elif cell == "gru":
            h, (a, gates, _, _) = gru.step_forward(
                x[t] @ p[P.W_IH].T + p[P.B_IH], h, gru.step_weights(p)
            )
        else:
            ax = x[t] @ p[P.W_IH].T + p[P.B_IH] + p[P.B_HH]
            h, (a, gates) = rnn.step_forward(ax, h, rnn.step_weights(p))
        np.testing.assert_allclose(trace.h[t], h, rtol=0, atol=1e-14)
        np.testing.assert_allclose(trace.pre[t], a, rtol=0, atol=1e-14)
        np.testing.assert_allclose(trace.post[t], gates, rtol=0, atol=1e-14)


@pytest.mark.parametrize(("cell", "peepholes"), CELL_OPTIONS)
def test_batch_equals_one_sequence_at_a_time(cell, peepholes, rng):
    p, x, h0, c0 = setup(cell, peepholes, rng)
    c0 = c0 if cell == "lstm" else None
    dh = rng.normal(size=(T, N, H))
    trace, cache = S.forward(p, x, h0, c0)
    g = S.backward(cache, dh=dh, truncate=4)
    total = {k: np.zeros_like(v) for k, v in p.items()}
    for n in range(N):
        one = slice(n, n + 1)
        tr, ca = S.forward(p, x[:, one], h0[one], None if c0 is None else c0[one])
        np.testing.assert_allclose(tr.h, trace.h[:, one], rtol=0, atol=1e-14)
        np.testing.assert_allclose(tr.post, trace.post[:, one], rtol=0, atol=1e-14)
        gn = S.backward(ca, dh=dh[:, one], truncate=4)
        np.testing.assert_allclose(gn.x, g.x[:, one], rtol=0, atol=1e-13)
        np.testing.assert_allclose(gn.h0, g.h0[one], rtol=0, atol=1e-13)
        for k in total:
            total[k] += gn.params[k]
    for k in total:  # parameter gradients are sums over the batch
        np.testing.assert_allclose(g.params[k], total[k], rtol=0, atol=1e-12)


def test_trace_names_the_gates(rng):
    p, x, h0, c0 = setup("lstm", False, rng)
    trace, _ = S.forward(p, x, h0, c0)
    i, f, g, o = (trace.gate(k) for k in "ifgo")
    c_prev = np.concatenate([c0[None], trace.c[:-1]])
    np.testing.assert_allclose(trace.c, f * c_prev + i * g, atol=1e-15)
    np.testing.assert_allclose(trace.h, o * np.tanh(trace.c), atol=1e-15)
    assert ((i > 0) & (i < 1)).all() and ((g > -1) & (g < 1)).all()


def test_gru_update_gate_keeps_the_state_when_one(rng):
    p, x, h0, _ = setup("gru", False, rng)
    p[P.B_IH][P.block("gru", "z", H)] = 50.0  # z = σ(50) = 1 to double precision
    trace, _ = S.forward(p, x, h0)
    np.testing.assert_allclose(trace.h[-1], h0, atol=1e-12)


def test_cut_points():
    assert S.cut_points(5, None) == [False] * 5
    assert S.cut_points(7, 3) == [False, True, False, False, True, False, False]
    assert S.cut_points(6, 3) == [False, False, False, True, False, False]
    assert S.cut_points(3, 1) == [False, True, True]
    with pytest.raises(ValueError, match="at least 1"):
        S.cut_points(3, 0)


def test_wrong_input_size_is_refused(rng):
    p, *_ = setup("rnn", False, rng)
    with pytest.raises(ValueError, match="D = 3"):
        S.forward(p, np.zeros((T, N, 3)))


def test_float32_stays_float32(rng):
    p = P.init_params("lstm", D, H, rng, dtype=np.float32)
    trace, cache = S.forward(p, rng.normal(size=(T, N, D)).astype(np.float32))
    g = S.backward(cache, dh=np.ones_like(trace.h))
    assert trace.h.dtype == np.float32 and all(v.dtype == np.float32 for v in g.params.values())
