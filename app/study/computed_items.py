"""Quiz items computed by the lab's NumPy engine from a stored seed (pure; same seed, same item).

Each template runs a small seeded LSTM through `app.nn.sequence.forward` and asks about what the
engine computed. A template returns a `Computed`: the prompt (Markdown with LaTeX), how it is
answered (a number within a stated tolerance, or one of a few choices), the answer and a worked
explanation. The quiz builder renders and stores it, so a reload shows exactly the same numbers.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.nn import sequence
from app.nn.params import B_HH, B_IH, block, init_params

# σ(a) > 0.9 exactly when a > ln 9: the threshold the forget-gate item turns on.
LN9 = math.log(9.0)


@dataclass(frozen=True, slots=True)
class Computed:
    prompt: str  # Markdown with $LaTeX$
    answer_type: str  # "number" | "choice"
    correct: float | int  # the number, or the index of the right choice
    explanation: str  # Markdown: the worked solution
    tolerance: float | None = None  # numbers: accepted within ± this
    choices: tuple[str, ...] = ()  # choices: the option texts (Markdown)
    whys: tuple[str, ...] = ()  # choices: why each option is right or wrong (Markdown)


@dataclass(frozen=True, slots=True)
class Template:
    name: str
    title: str
    # The card a mistake sends back to review: the first of `card_slugs` in the deck, else the
    # first card carrying one of `card_tags` (so a smaller deck still links somewhere sensible).
    card_slugs: tuple[str, ...]
    card_tags: tuple[str, ...]
    generate: Callable[[int], Computed]


def _lstm(rng: np.random.Generator, D: int, H: int, scale: float) -> dict[str, np.ndarray]:
    """PyTorch-initialised LSTM parameters, widened by `scale` so gates spread over (0, 1)."""
    return {k: v * scale for k, v in init_params("lstm", D, H, rng).items()}


def _fmt(value: float, places: int) -> str:
    text = f"{value:.{places}f}"
    return "0." + "0" * places if text == "-0." + "0" * places else text


def _paren(text: str) -> str:
    return f"({text})" if text.startswith("-") else text


@dataclass(frozen=True, slots=True)
class CellCase:
    """One unit at one step of a seeded LSTM, as the engine computed it (unrounded)."""

    unit: int
    f: float
    i: float
    g: float
    c_prev: float
    c: float  # the engine's c_t


def cell_case(seed: int) -> CellCase:
    rng = np.random.default_rng(seed)
    D, H = 3, 4
    params = _lstm(rng, D, H, scale=3.0)
    x = rng.uniform(-1.0, 1.0, size=(1, 1, D))  # (T=1, N=1, D)
    h0 = rng.uniform(-0.5, 0.5, size=(1, H))
    c0 = rng.uniform(-1.5, 1.5, size=(1, H))
    trace, _ = sequence.forward(params, x, h0, c0)
    unit = int(rng.integers(H))
    f, i, g = (float(trace.gate(name)[0, 0, unit]) for name in "fig")
    return CellCase(unit, f, i, g, float(c0[0, unit]), float(trace.c[0, 0, unit]))


def cell_update(seed: int) -> Computed:
    """One step of a seeded LSTM: from its f, i, g and c_{t-1} for one unit, what is c_t?"""
    case = cell_case(seed)
    unit = case.unit
    # The learner computes from the numbers shown (two decimals), so the answer is computed from
    # exactly those; the engine's unrounded c_t is within 0.02 of it (a unit test checks this).
    shown = {
        k: round(v, 2) for k, v in {"f": case.f, "i": case.i, "g": case.g, "c": case.c_prev}.items()
    }
    answer = round(shown["f"] * shown["c"] + shown["i"] * shown["g"], 4)
    engine_c = case.c
    s = {k: _fmt(v, 2) for k, v in shown.items()}
    prompt = (
        f"In one step of an LSTM, unit {unit + 1} has forget gate $f_t = {s['f']}$, input gate "
        f"$i_t = {s['i']}$, candidate $g_t = {s['g']}$ and previous cell state "
        f"$c_{{t-1}} = {s['c']}$. What is its new cell state $c_t$? "
        "Answer to within ±0.01."
    )
    explanation = (
        "$c_t = f_t \\, c_{t-1} + i_t \\, g_t = "
        f"{s['f']} \\cdot {_paren(s['c'])} + {s['i']} \\cdot {_paren(s['g'])} = "
        f"{_fmt(answer, 3)}$. The forget gate scales the old memory and the input gate scales "
        "what is written; the output gate plays no part in $c_t$. "
        f"(The lab's engine, with the unrounded gate values, gives $c_t = {_fmt(engine_c, 4)}$.)"
    )
    return Computed(prompt, "number", answer, explanation, tolerance=0.01)


FORGET_UNITS, FORGET_STEPS = 4, 6
MARGIN = 0.1  # every unit's lowest pre-activation is at least this far from ln 9


def forget_case(seed: int) -> tuple[np.ndarray, int]:
    """(a_f (T, H) rounded to two decimals as shown, the unit whose forget gate stays above 0.9).

    Seeds whose table would be ambiguous (no unit, two units, or a lowest value within MARGIN of
    ln 9) are skipped deterministically by drawing again from (seed, attempt).
    """
    D, H, T = 2, FORGET_UNITS, FORGET_STEPS
    for attempt in range(1000):
        rng = np.random.default_rng([seed, attempt])
        params = _lstm(rng, D, H, scale=2.0)
        forget = block("lstm", "f", H)
        params[B_IH][forget] = rng.uniform(1.0, 4.0, size=H)  # spread the units' resting levels
        params[B_HH][forget] = 0.0
        x = rng.uniform(-1.0, 1.0, size=(T, 1, D))
        trace, _ = sequence.forward(params, x)
        a_f = np.round(trace.pre_gate("f")[:, 0, :], 2)  # (T, H), as shown
        lowest = a_f.min(axis=0)
        above = lowest > LN9 + MARGIN
        clear = np.abs(lowest - LN9) > MARGIN
        if above.sum() == 1 and clear.all():
            return a_f, int(np.argmax(above))
    raise RuntimeError(f"forget_case: no unambiguous table for seed {seed}")  # pragma: no cover


def forget_above(seed: int) -> Computed:
    """A seeded LSTM on a short input: which unit's forget gate stays above 0.9 at every step?

    The prompt shows the forget-gate pre-activations a_f (what the engine computed), so the
    learner has to know that σ(a) > 0.9 exactly when a > ln 9 ≈ 2.197.
    """
    a_f, winner = forget_case(seed)
    H, T = a_f.shape[1], a_f.shape[0]
    header = "| step | " + " | ".join(f"unit {u + 1}" for u in range(H)) + " |"
    rule = "|---|" + "---|" * H
    rows = [
        f"| {t + 1} | " + " | ".join(_fmt(float(a_f[t, u]), 2) for u in range(H)) + " |"
        for t in range(T)
    ]
    prompt = (
        f"An LSTM with {H} units reads a {T}-step input. The table gives each unit's forget-gate "
        "pre-activation $a_f$ at each step, so $f_t = \\sigma(a_f)$. Which unit's forget gate "
        "stays above 0.9 at every step?\n\n" + "\n".join([header, rule, *rows])
    )
    whys = []
    for u in range(H):
        t = int(np.argmin(a_f[:, u]))
        a = float(a_f[t, u])
        f = 1.0 / (1.0 + math.exp(-a))
        verdict = "so it stays above 0.9" if u == winner else "below 0.9"
        whys.append(
            f"Its lowest $a_f$ is {_fmt(a, 2)} (step {t + 1}): "
            f"$\\sigma({_fmt(a, 2)}) = {_fmt(f, 3)}$, {verdict}."
        )
    explanation = (
        "$\\sigma(a) > 0.9$ exactly when $a > \\ln 9 \\approx 2.197$, so look for the unit whose "
        f"smallest $a_f$ is above 2.197: unit {winner + 1}. A forget gate that stays near 1 "
        "keeps its cell state across steps: that unit carries memory through the sequence."
    )
    choices = tuple(f"Unit {u + 1}" for u in range(H))
    return Computed(prompt, "choice", winner, explanation, choices=choices, whys=tuple(whys))


TEMPLATES: dict[str, Template] = {
    t.name: t
    for t in (
        Template(
            "cell-update",
            "Compute the cell state",
            card_slugs=("memory-cell-computation", "lstm-architecture"),
            card_tags=("memory-cell", "cell-state", "gates"),
            generate=cell_update,
        ),
        Template(
            "forget-above",
            "Read the forget gate",
            card_slugs=("forget-gate",),
            card_tags=("forget-gate", "gates", "cell-state"),
            generate=forget_above,
        ),
    )
}
