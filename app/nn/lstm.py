"""The LSTM cell (PyTorch's nn.LSTM layout, optional peepholes): one step and a whole sequence.

Shapes: N batch, T time, D input, H hidden. Gate blocks along the last axis follow
params.GATES["lstm"] = i|f|g|o. Per step, with a_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh:

    i = σ(a_i + w_ci ⊙ c_{t-1})   f = σ(a_f + w_cf ⊙ c_{t-1})   g = tanh(a_g)
    c_t = f ⊙ c_{t-1} + i ⊙ g     o = σ(a_o + w_co ⊙ c_t)       h_t = o ⊙ tanh(c_t)

The w_c* peephole terms (Gers, Schraudolph & Schmidhuber 2002) are present only when the
weight_c*_l0 parameters are; the stored pre-activations include them.
"""

from typing import NamedTuple

import numpy as np

from app.nn.interventions import Edit, hold
from app.nn.ops import dense
from app.nn.params import B_HH, B_IH, W_CF, W_CI, W_CO, W_HH, W_IH, block


class StepWeights(NamedTuple):
    """What a step needs besides its input, prepared once per sequence."""

    w_hh: np.ndarray  # (4H, H)
    w_hh_t: np.ndarray  # (H, 4H), W_hh transposed once rather than every step
    half: np.ndarray  # (4H,) 1/2 on the σ blocks, 1 on g: σ(a) = 1/2 + tanh(a/2)/2
    shift: np.ndarray  # (4H,) 1/2 on the σ blocks, 0 on g
    peep: tuple[np.ndarray, np.ndarray, np.ndarray] | None  # (w_ci, w_cf, w_co), each (H,)
    s: tuple[slice, slice, slice, slice]  # the i, f, g, o blocks (built once: steps are hot)


def slices(H: int) -> tuple[slice, slice, slice, slice]:
    return tuple(block("lstm", gate, H) for gate in "ifgo")  # type: ignore[return-value]


def step_weights(params: dict[str, np.ndarray]) -> StepWeights:
    w_hh = params[W_HH]
    H = w_hh.shape[1]
    half = np.full(4 * H, 0.5, dtype=w_hh.dtype)
    shift = np.full(4 * H, 0.5, dtype=w_hh.dtype)
    _, _, G, _ = slices(H)
    half[G], shift[G] = 1.0, 0.0
    peep = (params[W_CI], params[W_CF], params[W_CO]) if W_CI in params else None
    return StepWeights(w_hh, np.ascontiguousarray(w_hh.T), half, shift, peep, slices(H))


def step_forward(ax, h_prev, c_prev, w: StepWeights, edit: Edit | None = None, out=None):
    """One step. ax (N, 4H) = x W_ih^T + b_ih + b_hh; h_prev, c_prev (N, H); edit: units held at
    this step (interventions.py), each replaced right after it is computed; out: None, or the
    buffers (a, gates, c, tc, h) to write this step into (the sequence's preallocated slices).

    Returns ((h, c), cache) with h, c (N, H); cache = (a, gates, c_prev, tanh c), where a and
    gates (N, 4H) are the pre- and post-activations of i|f|g|o.
    """
    I, F, G, O = w.s
    if out is None:
        N, H4 = ax.shape
        a, gates = np.empty_like(ax), np.empty_like(ax)
        c, tc, h = (np.empty((N, H4 // 4), dtype=ax.dtype) for _ in range(3))
    else:
        a, gates, c, tc, h = out
    np.matmul(h_prev, w.w_hh_t, out=a)
    a += ax  # a = W_ih x + b + W_hh h_{t-1}
    if w.peep is None:
        # One tanh for all four gates: σ(a) = (1 + tanh(a/2))/2 (in place: the step is hot).
        np.multiply(a, w.half, out=gates)
        np.tanh(gates, out=gates)
        gates *= w.half
        gates += w.shift
        if edit is not None:
            hold(gates, edit.gate_cols, edit.gate_vals)  # held i, f, g, o before c and h use them
        np.multiply(gates[:, F], c_prev, out=c)
        c += gates[:, I] * gates[:, G]  # c = f ⊙ c_{t-1} + i ⊙ g
    else:
        w_ci, w_cf, w_co = w.peep
        a[:, I] += w_ci * c_prev  # i peeps at c_{t-1}
        a[:, F] += w_cf * c_prev  # f peeps at c_{t-1}
        ifg = slice(0, G.stop)
        gates[:, ifg] = np.tanh(a[:, ifg] * w.half[ifg]) * w.half[ifg] + w.shift[ifg]
        if edit is not None:
            hold(gates, edit.gate_cols, edit.gate_vals)  # held i, f, g (o is overwritten below)
        np.multiply(gates[:, F], c_prev, out=c)
        c += gates[:, I] * gates[:, G]  # c = f ⊙ c_{t-1} + i ⊙ g
        if edit is not None:
            hold(c, edit.c_units, edit.c_vals)  # held c_t, before o peeps at it
        a[:, O] += w_co * c  # o peeps at c_t, the cell it is about to expose
        gates[:, O] = 0.5 + 0.5 * np.tanh(0.5 * a[:, O])  # o = σ(a_o)
        if edit is not None:
            hold(gates, edit.gate_cols, edit.gate_vals)  # held o (i, f, g: the same values again)
    if edit is not None and w.peep is None:
        hold(c, edit.c_units, edit.c_vals)  # held c_t, before h = o ⊙ tanh(c) reads it
    np.tanh(c, out=tc)
    np.multiply(gates[:, O], tc, out=h)  # h = o ⊙ tanh(c)
    if edit is not None:
        hold(h, edit.h_units, edit.h_vals)  # held h_t: the readout and the next step see it
    return (h, c), (a, gates, c_prev, tc)


def step_backward(dh, dc, cache, w: StepWeights):
    """Backward through one step. dh, dc (N, H): ∂L/∂h_t and ∂L/∂c_t from above and later steps.

    Returns (da, dh_prev, dc_prev): da (N, 4H) = ∂L/∂a (a = the gate pre-activations, so it is
    also ∂L/∂b_ih = ∂L/∂b_hh row by row); dh_prev, dc_prev (N, H).
    """
    _, gates, c_prev, tc = cache
    I, F, G, O = w.s
    i, f, g, o = gates[:, I], gates[:, F], gates[:, G], gates[:, O]
    da = np.empty_like(gates)
    da[:, O] = dh * tc * o * (1.0 - o)  # ∂h/∂o = tanh c; σ' = o(1-o)
    dc = dc + dh * o * (1.0 - tc * tc)  # ∂h/∂c = o ⊙ (1 - tanh² c)
    if w.peep is not None:
        dc = dc + da[:, O] * w.peep[2]  # o saw c_t through w_co
    da[:, I] = dc * g * i * (1.0 - i)  # ∂c/∂i = g
    da[:, F] = dc * c_prev * f * (1.0 - f)  # ∂c/∂f = c_{t-1}
    da[:, G] = dc * i * (1.0 - g * g)  # ∂c/∂g = i; tanh' = 1 - g²
    dc_prev = dc * f  # ∂c/∂c_{t-1} = f
    if w.peep is not None:
        dc_prev += da[:, I] * w.peep[0] + da[:, F] * w.peep[1]  # i and f saw c_{t-1}
    dh_prev = da @ w.w_hh  # a depends on h_{t-1} through W_hh
    return da, dh_prev, dc_prev


def forward(x, h0, c0, params, edits=None):
    """The whole sequence. x (T, N, D); h0, c0 (N, H); edits: None, or one Edit (or None) per
    step from interventions.plan.

    Returns ((h, c, a, gates), cache): h, c (T, N, H) per step; a, gates (T, N, 4H).
    """
    T, N, _ = x.shape
    w = step_weights(params)
    H = w.w_hh.shape[1]
    # The input part of every step at once: x W_ih^T + b_ih + b_hh, (T, N, 4H).
    ax = dense(x, params[W_IH].T) + (params[B_IH] + params[B_HH])
    # Every step writes into its slice of these (no per-step arrays to stack afterwards).
    a_all, g_all = np.empty_like(ax), np.empty_like(ax)
    h_all, c_all, tc_all = (np.empty((T, N, H), dtype=ax.dtype) for _ in range(3))
    h, c = h0, c0
    for t in range(T):
        edit = None if edits is None else edits[t]
        out = (a_all[t], g_all[t], c_all[t], tc_all[t], h_all[t])
        (h, c), _ = step_forward(ax[t], h, c, w, edit, out)
    cache = (x, h0, c0, h_all, c_all, a_all, g_all, tc_all, w, params)
    return (h_all, c_all, a_all, g_all), cache


def backward(dh_out, dhT, dcT, cache, cut):
    """BPTT. dh_out (T, N, H) = ∂L/∂h_t from the loss at each step; dhT, dcT (N, H) = ∂L/∂ of
    the final state from outside the sequence; cut[t] stops the gradient between steps t-1 and t.

    Returns (grads, dx, dh0, dc0, dh_tot): grads by parameter name; dx (T, N, D); dh0, dc0
    (N, H); dh_tot (T, N, H) = the total ∂L/∂h_t (loss at t plus everything from later steps).

    The factors that do not depend on the gradient flowing back (derivatives of the gates and of
    tanh c) are computed for all steps at once; the loop over steps only chains them, writing
    into preallocated buffers (step_backward is the same step, written for one step alone).
    """
    x, h0, c0, h_all, c_all, _, g_all, tc_all, w, params = cache
    T, N, H = h_all.shape
    I, F, G, O = w.s
    c_prev_all = np.empty_like(c_all)
    c_prev_all[0], c_prev_all[1:] = c0, c_all[:-1]
    i, f, g, o = g_all[..., I], g_all[..., F], g_all[..., G], g_all[..., O]
    k_o = tc_all * o * (1.0 - o)  # ∂h/∂a_o = tanh c ⊙ σ'(a_o), σ' = o(1-o)
    k_c = o * (1.0 - tc_all * tc_all)  # ∂h/∂c = o ⊙ (1 - tanh² c)
    k_i = g * i * (1.0 - i)  # ∂c/∂a_i = g ⊙ σ'(a_i)
    k_f = c_prev_all * f * (1.0 - f)  # ∂c/∂a_f = c_{t-1} ⊙ σ'(a_f)
    k_g = i * (1.0 - g * g)  # ∂c/∂a_g = i ⊙ tanh'(a_g)
    da_all = np.empty_like(g_all)
    dh_tot = np.empty_like(h_all)
    dc = np.empty((N, H), dtype=h_all.dtype)
    dh_next, dc_next = dhT, dcT
    for t in reversed(range(T)):
        dh, da = dh_tot[t], da_all[t]
        np.add(dh_out[t], dh_next, out=dh)
        np.multiply(dh, k_o[t], out=da[:, O])
        np.multiply(dh, k_c[t], out=dc)
        dc += dc_next  # ∂L/∂c_t: through h_t and through c_{t+1}
        if w.peep is not None:
            dc += da[:, O] * w.peep[2]  # o saw c_t through w_co
        np.multiply(dc, k_i[t], out=da[:, I])
        np.multiply(dc, k_f[t], out=da[:, F])
        np.multiply(dc, k_g[t], out=da[:, G])
        dc_next = dc * f[t]  # ∂c_t/∂c_{t-1} = f
        if w.peep is not None:
            dc_next += da[:, I] * w.peep[0] + da[:, F] * w.peep[1]  # i and f saw c_{t-1}
        dh_next = da @ w.w_hh  # a depends on h_{t-1} through W_hh
        if cut[t]:  # the state entering step t is treated as a constant
            dh_next, dc_next = np.zeros_like(dh_next), np.zeros_like(dc_next)
    h_prev_all = np.empty_like(h_all)
    h_prev_all[0], h_prev_all[1:] = h0, h_all[:-1]
    da2 = da_all.reshape(-1, 4 * H)
    db = da2.sum(0)
    grads = {
        W_IH: da2.T @ x.reshape(-1, x.shape[2]),  # Σ_t da_t^T x_t
        W_HH: da2.T @ h_prev_all.reshape(-1, H),  # Σ_t da_t^T h_{t-1}
        B_IH: db,  # both biases enter a the same way
        B_HH: db.copy(),
    }
    if w.peep is not None:
        grads[W_CI] = (da_all[..., I] * c_prev_all).sum((0, 1))
        grads[W_CF] = (da_all[..., F] * c_prev_all).sum((0, 1))
        grads[W_CO] = (da_all[..., O] * c_all).sum((0, 1))
    dx = dense(da_all, params[W_IH])  # (T, N, D)
    return grads, dx, dh_next, dc_next, dh_tot
