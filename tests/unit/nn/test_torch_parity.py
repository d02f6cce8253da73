"""Parity with torch.nn.LSTM / GRU / RNN in float64: forward (h, c, gates) and gradients."""

import numpy as np
import pytest

from app.nn import params as P
from app.nn import sequence as S
from tests.conftest import TORCH_MISSING

torch = pytest.importorskip("torch", reason=TORCH_MISSING)
pytestmark = pytest.mark.torch

T, N, D, H = 7, 3, 4, 5
TOL = 1e-10
MODULES = {"lstm": "LSTM", "gru": "GRU", "rnn": "RNN"}


def make(cell: str, seed: int = 0):
    torch.manual_seed(seed)
    module = getattr(torch.nn, MODULES[cell])(D, H).double()
    params = P.from_arrays({k: v.detach().numpy() for k, v in module.state_dict().items()}).params
    gen = np.random.default_rng(seed)
    x = gen.normal(size=(T, N, D))
    h0 = gen.normal(size=(N, H))
    c0 = gen.normal(size=(N, H))
    return module, params, x, h0, c0


def torch_gates(cell: str, sd: dict, x, h_prev_all, c_prev_all):
    """Gates recomputed with torch ops from the module's own weights, (T, N, G·H)."""
    a_x = x @ sd["weight_ih_l0"].T + sd["bias_ih_l0"]
    a_h = h_prev_all @ sd["weight_hh_l0"].T + sd["bias_hh_l0"]
    if cell == "lstm":
        i, f, g, o = (a_x + a_h).chunk(4, dim=-1)
        return torch.cat([i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid()], -1)
    if cell == "gru":
        xr, xz, xn = a_x.chunk(3, dim=-1)
        hr, hz, hn = a_h.chunk(3, dim=-1)
        r = (xr + hr).sigmoid()
        return torch.cat([r, (xz + hz).sigmoid(), (xn + r * hn).tanh()], -1)
    return (a_x + a_h).tanh()


@pytest.mark.parametrize("cell", list(MODULES))
def test_forward_matches_torch(cell):
    module, params, x, h0, c0 = make(cell)
    tx, th0, tc0 = (torch.from_numpy(a) for a in (x, h0, c0))
    with torch.no_grad():
        if cell == "lstm":
            out, (hn, cn) = module(tx, (th0[None], tc0[None]))
            # nn.LSTM keeps c per step to itself; an LSTMCell with the same weights gives it.
            step = torch.nn.LSTMCell(D, H).double()
            step.load_state_dict({k[:-3]: v for k, v in module.state_dict().items()})
            hc, cs = (th0, tc0), []
            for t in range(T):
                hc = step(tx[t], hc)
                cs.append(hc[1])
            c_all = torch.stack(cs)
        else:
            out, hn = module(tx, th0[None])
            c_all = None
        h_prev = torch.cat([th0[None], out[:-1]])
        c_prev = None if c_all is None else torch.cat([tc0[None], c_all[:-1]])
        gates = torch_gates(cell, module.state_dict(), tx, h_prev, c_prev)
    trace, _ = S.forward(params, x, h0, c0 if cell == "lstm" else None)
    np.testing.assert_allclose(trace.h, out.numpy(), rtol=0, atol=TOL)
    np.testing.assert_allclose(trace.h[-1], hn[0].numpy(), rtol=0, atol=TOL)
    np.testing.assert_allclose(trace.post, gates.numpy(), rtol=0, atol=TOL)
    if cell == "lstm":
        np.testing.assert_allclose(trace.c, c_all.numpy(), rtol=0, atol=TOL)
        np.testing.assert_allclose(trace.c[-1], cn[0].numpy(), rtol=0, atol=TOL)


def torch_grads(cell, module, x, h0, c0, wh, wh_T, wc, truncate=None):
    """Autograd through the module; with truncate, windows counted from the end with the state
    detached between them (S.cut_points)."""
    module.zero_grad()
    tx = torch.from_numpy(x).requires_grad_()
    th0 = torch.from_numpy(h0).requires_grad_()
    tc0 = torch.from_numpy(c0).requires_grad_()
    cut = S.cut_points(T, truncate)
    starts = [0, *[t for t in range(T) if cut[t]]]
    state = (th0[None], tc0[None]) if cell == "lstm" else th0[None]
    outs = []
    for a, b in zip(starts, [*starts[1:], T], strict=True):
        if a > 0:
            state = tuple(s.detach() for s in state) if cell == "lstm" else state.detach()
        out, state = module(tx[a:b], state)
        outs.append(out)
    out = torch.cat(outs)
    loss = (torch.from_numpy(wh) * out).sum()
    hT = state[0][0] if cell == "lstm" else state[0]
    loss = loss + (torch.from_numpy(wh_T) * hT).sum()
    if cell == "lstm":
        loss = loss + (torch.from_numpy(wc) * state[1][0]).sum()
    loss.backward()
    grads = {k: v.grad.numpy() for k, v in module.named_parameters()}
    return grads, tx.grad.numpy(), th0.grad.numpy(), tc0.grad.numpy() if cell == "lstm" else None


@pytest.mark.parametrize("cell", list(MODULES))
@pytest.mark.parametrize("truncate", [None, 1, 3])
def test_gradients_match_autograd(cell, truncate):
    module, params, x, h0, c0 = make(cell, seed=1)
    gen = np.random.default_rng(2)
    wh, wh_T, wc = gen.normal(size=(T, N, H)), gen.normal(size=(N, H)), gen.normal(size=(N, H))
    want, dx, dh0, dc0 = torch_grads(cell, module, x, h0, c0, wh, wh_T, wc, truncate)
    _, cache = S.forward(params, x, h0, c0 if cell == "lstm" else None)
    got = S.backward(cache, dh=wh, dhT=wh_T, dcT=wc if cell == "lstm" else None, truncate=truncate)
    assert set(got.params) == set(want)
    for name in want:
        np.testing.assert_allclose(got.params[name], want[name], rtol=0, atol=TOL, err_msg=name)
    np.testing.assert_allclose(got.x, dx, rtol=0, atol=TOL)
    np.testing.assert_allclose(got.h0, dh0, rtol=0, atol=TOL)
    if cell == "lstm":
        np.testing.assert_allclose(got.c0, dc0, rtol=0, atol=TOL)


@pytest.mark.parametrize("cell", list(MODULES))
def test_state_dict_npz_loads_as_is(cell, tmp_path):
    module, *_ = make(cell, seed=3)
    path = tmp_path / "model.npz"
    np.savez(path, **{k: v.numpy() for k, v in module.float().state_dict().items()})
    weights = P.load_weights(path)
    assert weights.cell == cell and weights.H == H and weights.D == D
    for k, v in module.state_dict().items():
        np.testing.assert_array_equal(weights.params[k], v.numpy().astype(np.float64))


@pytest.mark.parametrize("truncate", [None, 2])
def test_relu_rnn_matches_torch(truncate):
    """nn.RNN(nonlinearity="relu"): forward h and every gradient, with the same weights."""
    torch.manual_seed(4)
    module = torch.nn.RNN(D, H, nonlinearity="relu").double()
    params = P.from_arrays({k: v.detach().numpy() for k, v in module.state_dict().items()}).params
    gen = np.random.default_rng(4)
    x, h0 = gen.normal(size=(T, N, D)), gen.normal(size=(N, H))
    with torch.no_grad():
        out, _ = module(torch.from_numpy(x), torch.from_numpy(h0)[None])
    trace, cache = S.forward(params, x, h0, nonlinearity="relu")
    np.testing.assert_allclose(trace.h, out.numpy(), rtol=0, atol=TOL)
    assert (trace.h == 0).any() and (trace.pre < 0).any()  # the ReLU's flat half is exercised
    wh, wh_T = gen.normal(size=(T, N, H)), gen.normal(size=(N, H))
    want, dx, dh0, _ = torch_grads("rnn", module, x, h0, h0, wh, wh_T, None, truncate)
    got = S.backward(cache, dh=wh, dhT=wh_T, truncate=truncate)
    for name in want:
        np.testing.assert_allclose(got.params[name], want[name], rtol=0, atol=TOL, err_msg=name)
    np.testing.assert_allclose(got.x, dx, rtol=0, atol=TOL)
    np.testing.assert_allclose(got.h0, dh0, rtol=0, atol=TOL)
