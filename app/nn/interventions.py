"""Interventions ("what if"): hold one unit's gate, candidate, cell or hidden state at a value.

An intervention (quantity Q, unit u, steps [t0, t1), value v) means: at each step t0 ≤ t < t1 the
quantity is computed as usual, then unit u's value is replaced by v, and everything computed
after it, in that step and in later steps, uses the replaced value. For gates and candidates the
replaced value is the activation (the stored pre-activation stays what was computed); c_t[u] is
replaced after the update c_t = f ⊙ c_{t-1} + i ⊙ g and before o (peephole) and h_t = o ⊙ tanh(c_t)
read it; h_t[u] after h_t is computed, so the readout and the next step see v.

`plan` turns a list of interventions into one `Edit` per step (None where nothing is held), which
the cells' step_forward applies; the steps without an edit run the usual code unchanged.

Shapes: T time, N batch, H hidden, G gate blocks (LSTM 4, GRU 3, RNN 1).
"""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from app.nn.params import GATES

MAX_INTERVENTIONS = 8
# What each cell can hold: its gates (GATES order), then the states it has.
QUANTITIES: dict[str, tuple[str, ...]] = {
    "lstm": ("i", "f", "g", "o", "c", "h"),
    "gru": ("r", "z", "n", "h"),
    "rnn": ("h",),
}
# The range of each activation: σ gates in [0, 1], tanh candidates in [-1, 1]; states are free.
RANGES: dict[str, tuple[float, float]] = {
    "i": (0.0, 1.0),
    "f": (0.0, 1.0),
    "o": (0.0, 1.0),
    "r": (0.0, 1.0),
    "z": (0.0, 1.0),
    "g": (-1.0, 1.0),
    "n": (-1.0, 1.0),
}
MAX_ABS_STATE = 100.0  # |v| bound for c and h (tanh keeps h in [-1, 1]; c may grow, not this far)


class InterventionError(ValueError):
    """An intervention the engine refuses; the message names the field and the limit."""


@dataclass(frozen=True, slots=True)
class Intervention:
    quantity: str
    unit: int
    from_step: int
    to_step: int
    value: float


class Edit(NamedTuple):
    """What one step holds. gate_cols (k,) index the (G·H) post-activation columns, gate_vals
    (k,) their values; c_units, c_vals and h_units, h_vals likewise over the H units. Empty
    arrays where nothing is held."""

    gate_cols: np.ndarray
    gate_vals: np.ndarray
    c_units: np.ndarray
    c_vals: np.ndarray
    h_units: np.ndarray
    h_vals: np.ndarray


def _check(k: int, iv: Intervention, cell: str, T: int, H: int) -> None:
    where = f"interventions[{k}]"
    allowed = QUANTITIES[cell]
    if iv.quantity not in allowed:
        raise InterventionError(
            f"{where}.quantity must be one of {', '.join(allowed)} for the {cell.upper()}, "
            f"got {iv.quantity!r}"
        )
    if not 0 <= iv.unit < H:
        raise InterventionError(f"{where}.unit = {iv.unit} must be in 0..{H - 1} (H = {H})")
    if not 0 <= iv.from_step < iv.to_step <= T:
        raise InterventionError(
            f"{where}: from_step = {iv.from_step}, to_step = {iv.to_step} must satisfy "
            f"0 ≤ from_step < to_step ≤ T = {T}"
        )
    low, high = RANGES.get(iv.quantity, (-MAX_ABS_STATE, MAX_ABS_STATE))
    if not (np.isfinite(iv.value) and low <= iv.value <= high):
        raise InterventionError(
            f"{where}.value = {iv.value} must be in [{low:g}, {high:g}] for {iv.quantity}"
        )


def plan(interventions: list[Intervention], cell: str, T: int, H: int) -> list[Edit | None]:
    """One Edit per step (None: nothing held at that step). Later interventions on the same
    quantity, unit and step win. Raises InterventionError naming the bad field."""
    if len(interventions) > MAX_INTERVENTIONS:
        raise InterventionError(
            f"interventions holds {len(interventions)} entries; the limit is {MAX_INTERVENTIONS}"
        )
    for k, iv in enumerate(interventions):
        _check(k, iv, cell, T, H)
    gates = GATES[cell] if cell != "rnn" else ()
    per_step: list[dict[tuple[str, int], float]] = [{} for _ in range(T)]
    for iv in interventions:
        for t in range(iv.from_step, iv.to_step):
            per_step[t][(iv.quantity, iv.unit)] = float(iv.value)
    edits: list[Edit | None] = []
    for held in per_step:
        if not held:
            edits.append(None)
            continue
        cols, gvals, cu, cv, hu, hv = [], [], [], [], [], []
        for (q, u), v in held.items():
            if q == "c":
                cu.append(u)
                cv.append(v)
            elif q == "h":
                hu.append(u)
                hv.append(v)
            else:  # column of unit u in gate block q of the (G·H) post-activations
                cols.append(gates.index(q) * H + u)
                gvals.append(v)
        ints = lambda a: np.array(a, dtype=np.intp)  # noqa: E731
        floats = lambda a: np.array(a, dtype=np.float64)  # noqa: E731
        edits.append(Edit(ints(cols), floats(gvals), ints(cu), floats(cv), ints(hu), floats(hv)))
    return edits


def hold(a: np.ndarray, idx: np.ndarray, vals: np.ndarray) -> None:
    """a[:, idx] = vals in place (every sequence of the batch); a (N, K), idx, vals (k,)."""
    if idx.size:
        a[:, idx] = vals
