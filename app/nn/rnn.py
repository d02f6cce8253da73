"""The Elman RNN cell (PyTorch's nn.RNN, tanh or ReLU): one step and a whole sequence.

Shapes: N batch, T time, D input, H hidden. h_t = φ(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh) with
φ = tanh (PyTorch's default) or ReLU (nn.RNN(nonlinearity="relu")).
"""

from typing import NamedTuple

import numpy as np

from app.nn.interventions import Edit, hold
from app.nn.ops import dense
from app.nn.params import B_HH, B_IH, W_HH, W_IH

NONLINEARITIES: tuple[str, ...] = ("tanh", "relu")


class StepWeights(NamedTuple):
    w_hh: np.ndarray  # (H, H)
    w_hh_t: np.ndarray  # (H, H)
    relu: bool = False  # φ = ReLU instead of tanh


def step_weights(params: dict[str, np.ndarray], nonlinearity: str = "tanh") -> StepWeights:
    if nonlinearity not in NONLINEARITIES:
        raise ValueError(f"unknown nonlinearity {nonlinearity!r}; expected one of {NONLINEARITIES}")
    return StepWeights(
        params[W_HH], np.ascontiguousarray(params[W_HH].T), relu=nonlinearity == "relu"
    )


def step_forward(ax, h_prev, w: StepWeights, edit: Edit | None = None):
    """One step. ax (N, H) = x W_ih^T + b_ih + b_hh; h_prev (N, H); edit: units of h held.

    Returns (h, cache): h (N, H); cache = (a, h) with a (N, H) the pre-activation.
    """
    a = ax + h_prev @ w.w_hh_t  # a = W_ih x + b + W_hh h_{t-1}
    h = np.maximum(a, 0.0) if w.relu else np.tanh(a)  # h = φ(a)
    if edit is not None:
        hold(h, edit.h_units, edit.h_vals)  # held h_t: the readout and the next step see it
    return h, (a, h)


def step_backward(dh, cache, w: StepWeights):
    """Backward through one step. dh (N, H) = ∂L/∂h_t. Returns (da, dh_prev), both (N, H)."""
    a, h = cache
    # ReLU' = 1 where a > 0, else 0 (PyTorch's choice at a = 0); tanh' = 1 - h².
    da = dh * (a > 0) if w.relu else dh * (1.0 - h * h)
    return da, da @ w.w_hh


def forward(x, h0, params, edits=None, nonlinearity: str = "tanh"):
    """The whole sequence. x (T, N, D); h0 (N, H); edits: None, or one Edit (or None) per step;
    nonlinearity: φ, tanh or relu. Returns ((h, a), cache), h, a (T, N, H)."""
    w = step_weights(params, nonlinearity)
    ax = dense(x, params[W_IH].T) + (params[B_IH] + params[B_HH])
    hs, As = [], []
    h = h0
    for t in range(x.shape[0]):
        edit = None if edits is None else edits[t]
        h, (a, _) = step_forward(ax[t], h, w, edit)
        hs.append(h)
        As.append(a)
    h_all, a_all = np.stack(hs), np.stack(As)
    return (h_all, a_all), (x, h0, h_all, a_all, w, params)


def backward(dh_out, dhT, cache, cut):
    """BPTT; arguments and results as gru.backward."""
    x, h0, h_all, a_all, w, params = cache
    T, _, H = h_all.shape
    da_all = np.empty_like(h_all)
    dh_tot = np.empty_like(h_all)
    dh_next = dhT
    for t in reversed(range(T)):
        dh_tot[t] = dh_out[t] + dh_next
        da_all[t], dh_next = step_backward(dh_tot[t], (a_all[t], h_all[t]), w)
        if cut[t]:
            dh_next = np.zeros_like(dh_next)
    h_prev_all = np.concatenate([h0[None], h_all[:-1]])
    da2 = da_all.reshape(-1, H)
    grads = {
        W_IH: da2.T @ x.reshape(-1, x.shape[2]),
        W_HH: da2.T @ h_prev_all.reshape(-1, H),
        B_IH: da2.sum(0),
        B_HH: da2.sum(0),
    }
    return grads, dense(da_all, params[W_IH]), dh_next, dh_tot
