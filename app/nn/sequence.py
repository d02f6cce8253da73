"""Forward and backward (BPTT, full or truncated) over a whole batch of sequences, any cell.

Shapes: T time, N batch, D input, H hidden, G gate blocks (LSTM 4, GRU 3, RNN 1).
"""

from dataclasses import dataclass

import numpy as np

from app.nn import gru, lstm, rnn
from app.nn.interventions import Intervention, plan
from app.nn.params import GATES, W_HH, W_IH, block


@dataclass
class Trace:
    """Everything a forward pass computed.

    h (T, N, H) hidden state per step; c (T, N, H) cell state per step (LSTM) or None;
    pre, post (T, N, G·H) gate pre- and post-activations in GATES[cell] order (the RNN's single
    block is a = the argument of φ (tanh or ReLU), post = h).
    """

    cell: str
    h: np.ndarray
    c: np.ndarray | None
    pre: np.ndarray
    post: np.ndarray

    def gate(self, name: str) -> np.ndarray:
        """Post-activation of one gate, (T, N, H)."""
        return self.post[..., block(self.cell, name, self.h.shape[2])]

    def pre_gate(self, name: str) -> np.ndarray:
        """Pre-activation of one gate, (T, N, H) (for peephole and GRU n: the full argument)."""
        return self.pre[..., block(self.cell, name, self.h.shape[2])]


@dataclass
class Grads:
    """Gradients from backward: params by name; x (T, N, D); h0, c0 (N, H) (c0 None unless
    LSTM); h (T, N, H) = the total ∂L/∂h_t that reached each step (zero before a cut)."""

    params: dict[str, np.ndarray]
    x: np.ndarray
    h0: np.ndarray
    c0: np.ndarray | None
    h: np.ndarray


def cell_of(params: dict[str, np.ndarray]) -> str:
    """The cell a parameter dict describes, from W_hh's rows (4H LSTM, 3H GRU, H RNN)."""
    rows, H = params[W_HH].shape
    return {len(g) * H: c for c, g in GATES.items()}[rows]


def cut_points(T: int, truncate: int | None) -> list[bool]:
    """cut[t] is True where truncated BPTT stops the gradient between steps t-1 and t.

    truncate = k cuts the sequence into windows of k steps counted back from the end (windows
    [T-k, T), [T-2k, T-k), ..., the first one shorter if k does not divide T). A loss at the
    last step reaches back exactly k steps; losses at every step see their own window, as when
    PyTorch runs the windows one after another with h.detach() between them. None: full BPTT.
    """
    if truncate is None:
        return [False] * T
    if truncate < 1:
        raise ValueError(f"truncate must be at least 1, got {truncate}")
    return [t > 0 and (T - t) % truncate == 0 for t in range(T)]


def forward(
    params,
    x,
    h0=None,
    c0=None,
    interventions: list[Intervention] | None = None,
    *,
    nonlinearity: str = "tanh",
):
    """Run the cell over x (T, N, D) from h0, c0 (N, H) (zeros when None).

    interventions: units held at values over steps (interventions.py; InterventionError, a
    ValueError, names a bad one); the trace is then the intervened run.
    nonlinearity: the RNN's φ, "tanh" or "relu" (nn.RNN's argument); other cells take only tanh.

    Returns (trace, cache) for backward; the cache is None for an intervened run (a held value
    has no gradient, which the cells' backward does not model).
    """
    cell = cell_of(params)
    T, N, D = x.shape
    H = params[W_HH].shape[1]
    if params[W_IH].shape[1] != D:
        raise ValueError(f"x has D = {D} inputs; {W_IH} expects {params[W_IH].shape[1]}")
    edits = plan(interventions, cell, T, H) if interventions else None
    h0 = np.zeros((N, H), dtype=x.dtype) if h0 is None else h0
    if cell != "rnn" and nonlinearity != "tanh":
        raise ValueError(f"nonlinearity {nonlinearity!r} applies to the RNN only")
    if cell == "lstm":
        c0 = np.zeros((N, H), dtype=x.dtype) if c0 is None else c0
        (h, c, a, post), cache = lstm.forward(x, h0, c0, params, edits)
        trace = Trace(cell, h, c, a, post)
    elif cell == "gru":
        (h, a, post), cache = gru.forward(x, h0, params, edits)
        trace = Trace(cell, h, None, a, post)
    else:
        (h, a), cache = rnn.forward(x, h0, params, edits, nonlinearity)
        trace = Trace(cell, h, None, a, h)
    return trace, (None if edits else (cell, cache))


def backward(cache, dh=None, dhT=None, dcT=None, truncate: int | None = None) -> Grads:
    """Backpropagation through time.

    dh (T, N, H): ∂L/∂h_t of a loss on every step (None: zeros). dhT, dcT (N, H): ∂L/∂h_T,
    ∂L/∂c_T of a loss on the final state (None: zeros). truncate: see cut_points.
    """
    cell, inner = cache
    h_all = inner[3] if cell == "lstm" else inner[2]
    T = h_all.shape[0]
    zeros = np.zeros_like(h_all[0])
    dh = np.zeros_like(h_all) if dh is None else dh
    dhT = zeros if dhT is None else dhT
    cut = cut_points(T, truncate)
    if cell == "lstm":
        dcT = zeros if dcT is None else dcT
        grads, dx, dh0, dc0, dh_tot = lstm.backward(dh, dhT, dcT, inner, cut)
        return Grads(grads, dx, dh0, dc0, dh_tot)
    step = gru if cell == "gru" else rnn
    grads, dx, dh0, dh_tot = step.backward(dh, dhT, inner, cut)
    return Grads(grads, dx, dh0, None, dh_tot)
