"""The GRU cell (PyTorch's nn.GRU layout, reset-after candidate): one step and a sequence.

Shapes: N batch, T time, D input, H hidden. Gate blocks follow params.GATES["gru"] = r|z|n:

    r = σ(W_ir x + b_ir + W_hr h_{t-1} + b_hr)        z = σ(W_iz x + b_iz + W_hz h_{t-1} + b_hz)
    n = tanh(W_in x + b_in + r ⊙ (W_hn h_{t-1} + b_hn))
    h_t = (1 - z) ⊙ n + z ⊙ h_{t-1}                    (z = 1 keeps the old state)

The stored pre-activation of n is the full argument of its tanh.
"""

from typing import NamedTuple

import numpy as np

from app.nn.interventions import Edit, hold
from app.nn.ops import dense
from app.nn.params import B_HH, B_IH, W_HH, W_IH, block


class StepWeights(NamedTuple):
    w_hh: np.ndarray  # (3H, H)
    w_hh_t: np.ndarray  # (H, 3H)
    b_hh: np.ndarray  # (3H,)


def slices(H: int) -> tuple[slice, slice, slice]:
    return tuple(block("gru", gate, H) for gate in "rzn")  # type: ignore[return-value]


def step_weights(params: dict[str, np.ndarray]) -> StepWeights:
    return StepWeights(params[W_HH], np.ascontiguousarray(params[W_HH].T), params[B_HH])


def step_forward(ax, h_prev, w: StepWeights, edit: Edit | None = None):
    """One step. ax (N, 3H) = x W_ih^T + b_ih; h_prev (N, H); edit: units held at this step
    (interventions.py), each replaced right after it is computed.

    Returns (h, cache): h (N, H); cache = (a, gates, hn, h_prev) with a, gates (N, 3H) the pre-
    and post-activations of r|z|n and hn (N, H) = W_hn h_{t-1} + b_hn.
    """
    H = h_prev.shape[1]
    R, Z, N = slices(H)
    ah = h_prev @ w.w_hh_t + w.b_hh  # W_hh h_{t-1} + b_hh, all three blocks
    a = ax + ah  # right for r and z; n is replaced below
    gates = np.empty_like(a)
    rz = slice(0, 2 * H)
    gates[:, rz] = 0.5 + 0.5 * np.tanh(0.5 * a[:, rz])  # r, z = σ(a)
    if edit is not None:
        hold(gates, edit.gate_cols, edit.gate_vals)  # held r, z (n is overwritten below)
    hn = ah[:, N]
    a[:, N] = ax[:, N] + gates[:, R] * hn  # reset after the matmul: W_in x + b_in + r ⊙ hn
    gates[:, N] = np.tanh(a[:, N])
    if edit is not None:
        hold(gates, edit.gate_cols, edit.gate_vals)  # held n (r, z: the same values again)
    n, z = gates[:, N], gates[:, Z]
    h = n + z * (h_prev - n)  # h = (1 - z) ⊙ n + z ⊙ h_{t-1}
    if edit is not None:
        hold(h, edit.h_units, edit.h_vals)  # held h_t: the readout and the next step see it
    return h, (a, gates, hn, h_prev)


def step_backward(dh, cache, w: StepWeights):
    """Backward through one step. dh (N, H) = ∂L/∂h_t.

    Returns (dax, dah, dh_prev): dax (N, 3H) = ∂L/∂(W_ih x + b_ih); dah (N, 3H) =
    ∂L/∂(W_hh h + b_hh); dh_prev (N, H).
    """
    _, gates, hn, h_prev = cache
    H = dh.shape[1]
    R, Z, N = slices(H)
    r, z, n = gates[:, R], gates[:, Z], gates[:, N]
    dax = np.empty_like(gates)
    dax[:, N] = dh * (1.0 - z) * (1.0 - n * n)  # ∂h/∂n = 1 - z; tanh' = 1 - n²
    dax[:, R] = dax[:, N] * hn * r * (1.0 - r)  # ∂a_n/∂r = hn
    dax[:, Z] = dh * (h_prev - n) * z * (1.0 - z)  # ∂h/∂z = h_{t-1} - n
    dah = dax.copy()
    dah[:, N] *= r  # hn enters a_n scaled by r
    dh_prev = dh * z + dah @ w.w_hh  # directly through z ⊙ h_{t-1}, and through W_hh
    return dax, dah, dh_prev


def forward(x, h0, params, edits=None):
    """The whole sequence. x (T, N, D); h0 (N, H); edits: None, or one Edit (or None) per step.

    Returns ((h, a, gates), cache): h (T, N, H); a, gates (T, N, 3H).
    """
    w = step_weights(params)
    ax = dense(x, params[W_IH].T) + params[B_IH]  # input part of every step at once
    T, N, H = x.shape[0], x.shape[1], h0.shape[1]
    # Each step's results go straight into these (no per-step lists to stack afterwards).
    h_all, hn_all = np.empty((T, N, H), dtype=ax.dtype), np.empty((T, N, H), dtype=ax.dtype)
    a_all, g_all = np.empty_like(ax), np.empty_like(ax)
    h = h0
    for t in range(T):
        edit = None if edits is None else edits[t]
        h, (a_all[t], g_all[t], hn_all[t], _) = step_forward(ax[t], h, w, edit)
        h_all[t] = h
    return (h_all, a_all, g_all), (x, h0, h_all, a_all, g_all, hn_all, w, params)


def backward(dh_out, dhT, cache, cut):
    """BPTT. dh_out (T, N, H) = ∂L/∂h_t from the loss at each step; dhT (N, H) from outside;
    cut[t] stops the gradient between steps t-1 and t.

    Returns (grads, dx, dh0, dh_tot) with dh_tot (T, N, H) the total ∂L/∂h_t.

    The factors that do not depend on the gradient flowing back are computed for all steps at
    once; the loop only chains them, in preallocated buffers (step_backward: the same, one step).
    """
    x, h0, h_all, _, g_all, hn_all, w, params = cache
    T, _, H = h_all.shape
    R, Z, N = slices(H)
    h_prev_all = np.empty_like(h_all)
    h_prev_all[0], h_prev_all[1:] = h0, h_all[:-1]
    r, z, n = g_all[..., R], g_all[..., Z], g_all[..., N]
    k_n = (1.0 - z) * (1.0 - n * n)  # ∂h/∂a_n = (1 - z) ⊙ tanh'(a_n)
    k_r = hn_all * r * (1.0 - r)  # ∂a_n/∂a_r = hn ⊙ σ'(a_r)
    k_z = (h_prev_all - n) * z * (1.0 - z)  # ∂h/∂a_z = (h_{t-1} - n) ⊙ σ'(a_z)
    dax_all = np.empty_like(g_all)
    dah_all = np.empty_like(g_all)
    dh_tot = np.empty_like(h_all)
    rz = slice(0, 2 * H)
    dh_next = dhT
    for t in reversed(range(T)):
        dh, dax, dah = dh_tot[t], dax_all[t], dah_all[t]
        np.add(dh_out[t], dh_next, out=dh)
        np.multiply(dh, k_n[t], out=dax[:, N])
        np.multiply(dax[:, N], k_r[t], out=dax[:, R])
        np.multiply(dh, k_z[t], out=dax[:, Z])
        dah[:, rz] = dax[:, rz]
        np.multiply(dax[:, N], r[t], out=dah[:, N])  # hn enters a_n scaled by r
        dh_next = dh * z[t]  # directly through z ⊙ h_{t-1}
        dh_next += dah @ w.w_hh  # and through W_hh
        if cut[t]:  # the state entering step t is treated as a constant
            dh_next = np.zeros_like(dh_next)
    dax2, dah2 = dax_all.reshape(-1, 3 * H), dah_all.reshape(-1, 3 * H)
    grads = {
        W_IH: dax2.T @ x.reshape(-1, x.shape[2]),  # Σ_t dax_t^T x_t
        W_HH: dah2.T @ h_prev_all.reshape(-1, H),  # Σ_t dah_t^T h_{t-1}
        B_IH: dax2.sum(0),
        B_HH: dah2.sum(0),
    }
    return grads, dense(dax_all, params[W_IH]), dh_next, dh_tot
