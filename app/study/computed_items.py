"""Quiz items computed by the lab's NumPy engine from a stored seed (pure; same seed, same item).

Each template runs a small seeded LSTM through `app.nn.sequence.forward` and asks about what the
engine computed. A template returns a `Computed`: the prompt (Markdown with LaTeX), how it is
answered (a number within a stated tolerance, or one of a few choices), the answer and a worked
explanation. The quiz builder renders and stores it, so a reload shows exactly the same numbers.
"""

import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.nn import model, sequence, tasks
from app.nn.lab import shipped_weights
from app.nn.losses import mse, softmax_cross_entropy
from app.nn.params import (
    B_HH,
    B_IH,
    GATES,
    W_CO,
    W_HH,
    W_IH,
    block,
    init_params,
    n_blocks,
    param_shapes,
)

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


# An inline formula: $...$ but not $$...$$.
INLINE_MATH = re.compile(r"(?<![$\\])\$(?!\$)(.+?)(?<!\\)\$")
WRAP_AT = 40  # LaTeX characters: a longer piece of a formula is split again at + and ·


def _split_top(expr: str, ops: tuple[str, ...], *, lead: bool, parens: bool = False) -> list[str]:
    """expr cut at each op outside braces (and parentheses if `parens`); the op starts the next
    piece (lead) or ends this one."""
    opening, closing = ("{(", "})") if parens else ("{", "}")
    pieces, depth, start, i = [], 0, 0, 0
    while i < len(expr):
        ch = expr[i]
        depth += (ch in opening) - (ch in closing)
        op = next((o for o in ops if depth == 0 and expr.startswith(o, i)), None)
        if op is None:
            i += 1
            continue
        cut = i if lead else i + len(op)
        pieces.append(expr[start:cut].strip())
        start, i = cut, i + len(op)
    pieces.append(expr[start:].strip())
    return [p for p in pieces if p]


def breakable(text: str) -> str:
    """Each inline formula split into several at its top-level ' = ' (and a still-long piece at
    ' + ' and ' \\cdot '), so a worked computation wraps on a phone instead of scrolling."""

    def split(match: re.Match) -> str:
        if len(match[1]) <= WRAP_AT:
            return match[0]
        out = []
        for piece in _split_top(match[1], (" = ",), lead=True):
            if len(piece) <= WRAP_AT:
                out.append(piece)
                continue
            # Cut at + outside parentheses first, then inside them, then at · likewise, each
            # only where a part is still too long.
            atoms = [piece]
            for op, parens in (
                (" + ", True),
                (" + ", False),
                (" \\cdot ", True),
                (" \\cdot ", False),
            ):
                atoms = [
                    part
                    for atom in atoms
                    for part in (
                        _split_top(atom, (op,), lead=False, parens=parens)
                        if len(atom) > WRAP_AT
                        else [atom]
                    )
                ]
            line = ""  # the atoms packed greedily into pieces of at most WRAP_AT characters
            for atom in atoms:
                if line and len(line) + 1 + len(atom) > WRAP_AT:
                    out.append(line)
                    line = atom
                else:
                    line = f"{line} {atom}" if line else atom
            out.append(line)
        return " ".join(f"${p}$" for p in out)

    return INLINE_MATH.sub(split, text)


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


def _draw(seed: int, make: Callable[[np.random.Generator], object | None], what: str):
    """The first case `make` accepts from the draws (seed, 0), (seed, 1), ...: seeds whose
    numbers would make an unclear item are skipped deterministically, as forget_case does."""
    for attempt in range(1000):
        case = make(np.random.default_rng([seed, attempt]))
        if case is not None:
            return case
    raise RuntimeError(f"{what}: no usable draw for seed {seed}")  # pragma: no cover


def _round2(value: float) -> float:
    return round(float(value), 2)


def _up2(value: float) -> float:
    """Rounded up to two decimals: a bound built from it stays a bound."""
    return math.ceil(float(value) * 100 - 1e-9) / 100


def _sigmoid(a: float) -> float:
    return 1.0 / (1.0 + math.exp(-a))


def _int(n: int) -> str:
    """A whole number with thousands separators, for LaTeX (a bare comma would add a space)."""
    return f"{n:,}".replace(",", "{,}")


def _sci(value: float) -> str:
    """Two significant figures, in LaTeX: 0.043 or 3.4 \\times 10^{-5}."""
    if value == 0 or abs(value) >= 1e-3:
        return f"{value:.2g}"
    mantissa, exponent = f"{value:.1e}".split("e")
    return f"{mantissa} \\times 10^{{{int(exponent)}}}"


def _product(factors: list[str]) -> str:
    return " \\cdot ".join(_paren(f) for f in factors)


# ---- parameter counts (PyTorch) ----------------------------------------------------------------

MODULES = {"lstm": "nn.LSTM", "gru": "nn.GRU", "rnn": "nn.RNN"}
CELL_NAMES = {"lstm": "LSTM", "gru": "GRU", "rnn": "Elman RNN"}


@dataclass(frozen=True, slots=True)
class CountCase:
    cell: str
    D: int
    H: int
    layers: int
    bidirectional: bool
    proj: int  # proj_size; 0: none (LSTM only)

    @property
    def call(self) -> str:
        args = [f"input_size={self.D}", f"hidden_size={self.H}"]
        if self.layers > 1:
            args.append(f"num_layers={self.layers}")
        if self.bidirectional:
            args.append("bidirectional=True")
        if self.proj:
            args.append(f"proj_size={self.proj}")
        return f"{MODULES[self.cell]}({', '.join(args)})"


def count_case(seed: int) -> CountCase:
    rng = np.random.default_rng(seed)
    cell = ("lstm", "gru", "rnn")[int(rng.integers(3))]
    D = int(rng.choice([8, 16, 32, 50, 64, 100, 128, 300]))
    H = int(rng.choice([16, 32, 64, 100, 128, 256, 512]))
    layers = int(rng.integers(1, 4))
    bidirectional = bool(rng.integers(2))
    proj = 0
    if cell == "lstm" and rng.random() < 0.35:
        proj = int(rng.choice([p for p in (8, 16, 32, 64, 128) if p < H]))
    return CountCase(cell, D, H, layers, bidirectional, proj)


def layer_counts(case: CountCase) -> list[tuple[int, int]]:
    """(D_l, parameters of one direction) per layer, from the engine's PyTorch shapes.

    The engine's layer has no projection; with proj_size = P, PyTorch's W_hh multiplies the
    projected h_{t-1}, so it is (G·H, P) instead of (G·H, H), and weight_hr_l{k} (P, H) is added.
    """
    G = n_blocks(case.cell)
    dirs = 2 if case.bidirectional else 1
    out = case.proj or case.H  # the size of the h each step emits
    rows = []
    for layer in range(case.layers):
        D_l = case.D if layer == 0 else out * dirs  # upper layers read every direction's h
        n = sum(math.prod(shape) for shape in param_shapes(case.cell, D_l, case.H).values())
        if case.proj:
            n += G * case.H * (case.proj - case.H) + case.proj * case.H
        rows.append((D_l, n))
    return rows


def param_count(seed: int) -> Computed:
    """How many parameters has a PyTorch recurrent layer of these sizes?"""
    case = count_case(seed)
    rows = layer_counts(case)
    dirs = 2 if case.bidirectional else 1
    total = dirs * sum(n for _, n in rows)
    G, H, P = n_blocks(case.cell), case.H, case.proj
    blocks = {"lstm": "i|f|g|o", "gru": "r|z|n", "rnn": "no gates"}[case.cell]
    prompt = (
        f"How many trainable parameters does `{case.call}` have (the sum of `p.numel()` over "
        "its `parameters()`)? Answer with the exact whole number."
    )
    h_cols = "P" if P else "H"
    per = (
        f"{CELL_NAMES[case.cell]}: $G = {G}$ row block{'s' if G > 1 else ''} ({blocks}). "
        "Per layer and direction: `weight_ih` is $G H \\times D_l$, `weight_hh` is "
        f"$G H \\times {h_cols}$, `bias_ih` and `bias_hh` are $G H$ each"
        + (f", and `weight_hr` (the projection) is $P \\times H$ with $P = {P}$" if P else "")
        + ". "
    )
    parts = []
    for layer, (D_l, n) in enumerate(rows):
        terms = [f"{G} \\cdot {H} \\cdot {D_l}", f"{G} \\cdot {H} \\cdot {P or H}"]
        terms.append(f"2 \\cdot {G} \\cdot {H}")
        if P:
            terms.append(f"{P} \\cdot {H}")
        where = (
            f"$D_l = {D_l}$ (the input)"
            if layer == 0
            else f"$D_l = {D_l}$ ({'both directions of ' if dirs == 2 else ''}the layer below's "
            f"{'projected ' if P else ''}$h$)"
        )
        parts.append(f"layer {layer + 1}, {where}: ${' + '.join(terms)} = {_int(n)}$")
    sum_text = " + ".join(_int(n) for _, n in rows)
    explanation = (
        per
        + "; ".join(parts)
        + f". Total: ${dirs} \\times ({sum_text}) = {_int(total)}$"
        + (" (two directions)." if dirs == 2 else ".")
        + f" PyTorch keeps two bias vectors, `bias_ih` and `bias_hh`, so the biases count "
        f"$2 G H = {2 * G * H}$ per layer and direction, not ${G * H}$."
    )
    return Computed(prompt, "number", total, explanation, tolerance=0.0)


# ---- weight shapes and gate rows ---------------------------------------------------------------

GATE_NAMES = {
    ("lstm", "i"): "the input gate $i$",
    ("lstm", "f"): "the forget gate $f$",
    ("lstm", "g"): "the candidate $g$",
    ("lstm", "o"): "the output gate $o$",
    ("gru", "r"): "the reset gate $r$",
    ("gru", "z"): "the update gate $z$",
    ("gru", "n"): "the candidate $n$",
}


def gate_rows(seed: int) -> Computed:
    """Which rows of a PyTorch LSTM's or GRU's weight matrix hold one gate, or its shape."""
    rng = np.random.default_rng(seed)
    cell = ("lstm", "gru")[int(rng.integers(2))]
    H = int(rng.choice([8, 16, 20, 32, 50, 64, 100, 128, 256]))
    G = n_blocks(cell)
    # D must differ from H and G·H, or two of the shapes offered below would coincide.
    D = int(rng.choice([d for d in (3, 10, 28, 40, 80, 300) if d not in (H, G * H)]))
    name = (W_IH, W_HH)[int(rng.integers(2))]
    module = f"`{MODULES[cell]}(input_size={D}, hidden_size={H})`"
    shapes = param_shapes(cell, D, H)  # the engine's PyTorch layout
    if rng.random() < 0.5:
        return _gate_rows_block(rng, cell, H, name, module, shapes)
    return _gate_rows_shape(rng, cell, H, name, module, shapes)


def _gate_rows_block(rng, cell: str, H: int, name: str, module: str, shapes: dict) -> Computed:
    """gate_rows, asking which rows hold one gate."""
    G, gates = n_blocks(cell), GATES[cell]
    order = "|".join(gates)
    gate = gates[int(rng.integers(G))]
    spans = [block(cell, g, H) for g in gates]
    choices = tuple(f"rows {s.start} to {s.stop - 1}: `{name}[{s.start}:{s.stop}]`" for s in spans)
    correct = gates.index(gate)
    whys = tuple(
        ("Right: " if g == gate else "")
        + f"rows {s.start} to {s.stop - 1} hold {GATE_NAMES[cell, g]}, block {k + 1} of "
        f"{order}."
        for k, (g, s) in enumerate(zip(gates, spans, strict=True))
    )
    prompt = (
        f"In {module}, `{name}` has shape {shapes[name]}. Which rows (counted from 0) hold "
        f"the weights of {GATE_NAMES[cell, gate]}?"
    )
    s = spans[correct]
    explanation = (
        f"PyTorch stacks the {G} blocks of {H} rows in the order {order}, so "
        f"{GATE_NAMES[cell, gate]} is block {correct + 1}: rows ${correct} \\cdot {H} = "
        f"{s.start}$ to ${correct + 1} \\cdot {H} - 1 = {s.stop - 1}$. The same rows hold it "
        f"in `{W_IH}`, `{W_HH}`, `{B_IH}` and `{B_HH}`."
    )
    return Computed(prompt, "choice", correct, explanation, choices=choices, whys=whys)


def _gate_rows_shape(rng, cell: str, H: int, name: str, module: str, shapes: dict) -> Computed:
    """gate_rows, asking for the matrix's shape."""
    G, order = n_blocks(cell), "|".join(GATES[cell])
    right = shapes[name]
    other = W_HH if name == W_IH else W_IH
    other_input = "hidden state" if name == W_IH else "input"
    cols = "D" if name == W_IH else "H"
    options = [
        (right, f"Right: {G}H rows ({order}, {H} each) by {cols} = {right[1]} columns."),
        (
            (right[1], right[0]),
            "Transposed: that is the layout of a Keras kernel; PyTorch's `nn.Linear` and "
            "recurrent weights are (out, in).",
        ),
        (
            shapes[other],
            f"That is `{other}`, whose columns match the {other_input}.",
        ),
        (
            (H, right[1]),
            "That is one block: the matrix stacks all gate blocks on top of each other.",
        ),
    ]
    rng.shuffle(options)
    correct = next(k for k, (shape, _) in enumerate(options) if shape == right)
    choices = tuple(f"({a}, {b})" for (a, b), _ in options)
    whys = tuple(why for _, why in options)
    prompt = f"What is the shape of `{name}` in {module}?"
    explanation = (
        f"`{name}` maps the {'input $x_t$' if cols == 'D' else 'previous state $h_{t-1}$'} "
        f"({right[1]} values) to all {G} blocks at once ({order}), {H} rows each: "
        f"$({G} \\cdot {H}, {right[1]}) = ({right[0]}, {right[1]})$."
    )
    return Computed(prompt, "choice", correct, explanation, choices=choices, whys=whys)


# ---- one GRU step ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GruCase:
    unit: int
    r: float
    z: float
    n: float
    h_prev: float
    h: float  # the engine's h_t


def gru_case(seed: int) -> GruCase:
    rng = np.random.default_rng(seed)
    D, H = 3, 4
    params = {k: v * 3.0 for k, v in init_params("gru", D, H, rng).items()}
    x = rng.uniform(-1.0, 1.0, size=(1, 1, D))
    h0 = rng.uniform(-0.9, 0.9, size=(1, H))
    trace, _ = sequence.forward(params, x, h0)
    unit = int(rng.integers(H))
    r, z, n = (float(trace.gate(name)[0, 0, unit]) for name in "rzn")
    return GruCase(unit, r, z, n, float(h0[0, unit]), float(trace.h[0, 0, unit]))


def gru_step(seed: int) -> Computed:
    """One step of a seeded GRU in PyTorch's convention: h_t from r, z, n and h_{t-1}."""
    case = gru_case(seed)
    shown = {k: _round2(getattr(case, k)) for k in ("r", "z", "n", "h_prev")}
    s = {k: _fmt(v, 2) for k, v in shown.items()}
    answer = round((1 - shown["z"]) * shown["n"] + shown["z"] * shown["h_prev"], 4)
    prompt = (
        f"A GRU (`nn.GRU`'s convention) is at one step. For unit {case.unit + 1}: reset gate "
        f"$r_t = {s['r']}$, update gate $z_t = {s['z']}$, candidate $n_t = {s['n']}$ and "
        f"previous state $h_{{t-1}} = {s['h_prev']}$. What is $h_t$? Answer to within ±0.01."
    )
    explanation = (
        "$h_t = (1 - z_t) \\, n_t + z_t \\, h_{t-1} = "
        f"(1 - {s['z']}) \\cdot {_paren(s['n'])} + {s['z']} \\cdot {_paren(s['h_prev'])} = "
        f"{_fmt(answer, 3)}$. In PyTorch $z_t = 1$ keeps the old state; $r_t$ has already done "
        "its work inside $n_t = \\tanh(W_{in} x_t + b_{in} + r_t \\odot (W_{hn} h_{t-1} + "
        "b_{hn}))$, so it does not appear again. "
        f"(The lab's engine, unrounded, gives $h_t = {_fmt(case.h, 4)}$.)"
    )
    return Computed(prompt, "number", answer, explanation, tolerance=0.01)


# ---- h_t = o_t tanh(c_t) -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OutputCase:
    unit: int
    o: float
    c: float
    h: float  # the engine's h_t


def output_case(seed: int) -> OutputCase:
    rng = np.random.default_rng(seed)
    D, H = 3, 4
    params = _lstm(rng, D, H, scale=3.0)
    x = rng.uniform(-1.0, 1.0, size=(1, 1, D))
    h0 = rng.uniform(-0.5, 0.5, size=(1, H))
    c0 = rng.uniform(-2.5, 2.5, size=(1, H))
    trace, _ = sequence.forward(params, x, h0, c0)
    unit = int(rng.integers(H))
    return OutputCase(
        unit,
        float(trace.gate("o")[0, 0, unit]),
        float(trace.c[0, 0, unit]),
        float(trace.h[0, 0, unit]),
    )


def hidden_output(seed: int) -> Computed:
    """An LSTM unit's output: h_t = o_t tanh(c_t) from its output gate and new cell state."""
    case = output_case(seed)
    o, c = _round2(case.o), _round2(case.c)
    tanh_c = math.tanh(c)
    answer = round(o * tanh_c, 4)
    so, sc = _fmt(o, 2), _fmt(c, 2)
    prompt = (
        f"In one step of an LSTM, unit {case.unit + 1} has output gate $o_t = {so}$ and new cell "
        f"state $c_t = {sc}$. What is the hidden state $h_t$ it passes to the next step and the "
        "layer above? Answer to within ±0.01."
    )
    explanation = (
        f"$h_t = o_t \\tanh(c_t) = {so} \\cdot \\tanh({sc}) = "
        f"{so} \\cdot {_paren(_fmt(tanh_c, 4))} = {_fmt(answer, 3)}$. "
        "The tanh squashes the unbounded cell state into $(-1, 1)$ and the output gate "
        "chooses how much of it to show; $c_t$ itself never leaves the layer. "
        f"(The lab's engine, unrounded, gives $h_t = {_fmt(case.h, 4)}$.)"
    )
    return Computed(prompt, "number", answer, explanation, tolerance=0.01)


# ---- gradient along the cell path --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PathCase:
    f: tuple[float, ...]  # one unit's forget gate at steps T-k+1 .. T (unrounded)
    engine: float  # ∂c_T/∂c_{T-k} from the engine's backward pass


def path_case(seed: int) -> PathCase:
    rng = np.random.default_rng(seed)
    D, H = 2, 3
    k = int(rng.integers(4, 9))
    params = _lstm(rng, D, H, scale=2.0)
    forget = block("lstm", "f", H)
    params[B_IH][forget] = rng.uniform(1.0, 4.0, size=H)
    params[B_HH][forget] = 0.0
    # With W_hh = 0 nothing flows back through h, so the cell path is the only path and the
    # engine's ∂c_T/∂c_0 is exactly the product of the forget gates.
    params[W_HH][:] = 0.0
    x = rng.uniform(-1.0, 1.0, size=(k, 1, D))
    trace, cache = sequence.forward(params, x)
    unit = int(rng.integers(H))
    dcT = np.zeros((1, H))
    dcT[0, unit] = 1.0
    grads = sequence.backward(cache, dcT=dcT)
    f = tuple(float(v) for v in trace.gate("f")[:, 0, unit])
    return PathCase(f, float(grads.c0[0, unit]))


def cell_path(seed: int) -> Computed:
    """How much of the gradient on c_T survives k steps back along the cell path?"""
    case = path_case(seed)
    k = len(case.f)
    shown = [_round2(v) for v in case.f]
    answer = round(math.prod(shown), 4)
    s = [_fmt(v, 2) for v in shown]
    prompt = (
        f"Over the last {k} steps of a sequence, one LSTM unit's forget gate took the values "
        f"{', '.join(s)} (steps $T-{k - 1}$ to $T$). Along the cell path alone "
        f"($c_T \\to c_{{T-1}} \\to \\dots \\to c_{{T-{k}}}$), what fraction of a gradient on "
        f"$c_T$ reaches $c_{{T-{k}}}$, that is $\\partial c_T / \\partial c_{{T-{k}}}$? "
        "Answer to within ±0.005."
    )
    explanation = (
        "On the cell path $c_t = f_t c_{t-1} + i_t g_t$ gives $\\partial c_t / \\partial c_{t-1} "
        f"= f_t$, so ${_product(s)} = {_fmt(answer, 4)}$. Each step multiplies by its forget "
        "gate, not by a weight matrix: the gradient fades only as far as the gates close. "
        "(The lab's engine, backpropagating with the unrounded gates, gives "
        f"{_fmt(case.engine, 4)}.)"
    )
    return Computed(prompt, "number", answer, explanation, tolerance=0.005)


# ---- the plain RNN's bound ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BoundCase:
    sigma: float  # largest singular value of W_hh, rounded up to 2 decimals (as shown)
    gammas: tuple[float, ...]  # per step, max over units of tanh'(a_t) = 1 - h_t², rounded up
    actual: float  # the engine's ‖∂h_T/∂h_{T-k}‖₂ for this sequence

    @property
    def bound(self) -> float:
        return math.prod(g * self.sigma for g in self.gammas)


def bound_case(seed: int) -> BoundCase:
    def make(rng: np.random.Generator) -> BoundCase | None:
        D, H = 2, 3
        k = int(rng.integers(3, 7))
        params = init_params("rnn", D, H, rng)
        params[W_IH] *= 5.0  # strong inputs: some steps saturate, their tanh' is small
        w = rng.normal(size=(H, H))
        params[W_HH] = w * (rng.uniform(0.7, 0.98) / np.linalg.norm(w, 2))
        x = rng.uniform(-1.0, 1.0, size=(k, 1, D))
        h0 = rng.uniform(-0.5, 0.5, size=(1, H))
        trace, cache = sequence.forward(params, x, h0)
        sigma = _up2(np.linalg.norm(params[W_HH], 2))
        gammas = tuple(_up2(v) for v in (1.0 - trace.h[:, 0] ** 2).max(axis=1))
        case = BoundCase(sigma, gammas, 0.0)
        if not 0.02 <= case.bound <= 0.9 or min(gammas) > 0.9:
            return None
        # The Jacobian ∂h_T/∂h_0 row by row: backward from each unit of h_T gives one row.
        rows = []
        for j in range(H):
            dhT = np.zeros((1, H))
            dhT[0, j] = 1.0
            rows.append(sequence.backward(cache, dhT=dhT).h0[0])
        return BoundCase(sigma, gammas, float(np.linalg.norm(np.array(rows), 2)))

    return _draw(seed, make, "bound_case")


def rnn_bound(seed: int) -> Computed:
    """A plain RNN's gradient bound from σ_max(W_hh) and each step's largest tanh'."""
    case = bound_case(seed)
    k, sg = len(case.gammas), _fmt(case.sigma, 2)
    gs = [_fmt(g, 2) for g in case.gammas]
    answer = round(case.bound, 4)
    rows = [f"| $T-{k - 1 - t}$ | {g} |".replace("$T-0$", "$T$") for t, g in enumerate(gs)]
    table = "\n".join(["| step | largest $\\tanh'(a_t)$ |", "|---|---|", *rows])
    prompt = (
        f"A tanh RNN, $h_t = \\tanh(W_{{ih}} x_t + b_{{ih}} + W_{{hh}} h_{{t-1}} + b_{{hh}})$, "
        f"has recurrent matrix $W_{{hh}}$ with largest singular value $\\sigma_{{max}} = {sg}$. "
        f"The table gives, for each of the last {k} steps, the largest derivative "
        "$\\tanh'(a_t) = 1 - h_t^2$ over the units (all numbers rounded up). What upper bound "
        f"do these give on $\\lVert \\partial h_T / \\partial h_{{T-{k}}} \\rVert_2$? "
        "Answer to within ±0.005.\n\n" + table
    )
    factors = " \\cdot ".join(f"({g} \\cdot {sg})" for g in gs)
    explanation = (
        "$\\partial h_t / \\partial h_{t-1} = \\mathrm{diag}(\\tanh'(a_t)) \\, W_{hh}$, "
        "whose norm is at most $\\gamma_t \\, \\sigma_{max}$ with $\\gamma_t$ the step's "
        f"largest $\\tanh'$. Over {k} steps the norms multiply: ${factors} = {_fmt(answer, 4)}$. "
        "Even with $\\tanh' \\le 1$ everywhere, $\\sigma_{max} < 1$ alone makes the bound "
        "shrink geometrically, so the gradient must vanish (Pascanu et al. 2013); saturated "
        "steps shrink it faster. The lab's engine, backpropagating through this sequence, "
        f"measures $\\lVert \\partial h_T / \\partial h_{{T-{k}}} \\rVert_2 = "
        f"{_sci(case.actual)}$, below the bound."
    )
    return Computed(prompt, "number", answer, explanation, tolerance=0.005)


# ---- truncated BPTT ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WindowCase:
    T: int
    k: int
    step: int  # the loss's step, 1-based
    reached: tuple[int, ...]  # 1-based steps whose h_t got gradient from it, by the engine


def window_case(seed: int) -> WindowCase:
    rng = np.random.default_rng(seed)
    k = int(rng.integers(3, 9))
    T = k * int(rng.integers(2, 5))  # whole windows: counting from either end agrees
    step = int(rng.integers(k + 1, T + 1))  # past the first window, so the cut matters
    D, H = 1, 3
    params = init_params("rnn", D, H, rng)
    x = rng.uniform(-1.0, 1.0, size=(T, 1, D))
    _, cache = sequence.forward(params, x)
    dh = np.zeros((T, 1, H))
    dh[step - 1, 0] = rng.normal(size=H)  # a loss at `step` only
    grads = sequence.backward(cache, dh=dh, truncate=k)
    norms = np.linalg.norm(grads.h[:, 0], axis=1)
    return WindowCase(T, k, step, tuple(int(t) + 1 for t in np.flatnonzero(norms)))


def tbptt_window(seed: int) -> Computed:
    """Truncated BPTT: which steps does the loss at one step send gradient to?"""
    case = window_case(seed)
    T, k, s = case.T, case.k, case.step
    start = (s - 1) // k * k + 1  # the first step of the window holding s
    ask_count = seed % 2 == 1
    windows = ", ".join(f"{a}–{a + k - 1}" for a in range(1, T + 1, k))
    prompt = (
        f"A {T}-step sequence is trained with truncated BPTT in windows of {k} steps "
        f"({windows}): the hidden state is carried from one window to the next but detached, "
        "as with `h = h.detach()` between chunks. Consider only the loss at step "
        f"{s}. "
        + (
            f"How many hidden states $h_t$ receive gradient from it (step {s} included)?"
            if ask_count
            else "Which is the earliest step whose hidden state $h_t$ receives gradient from it?"
        )
        + " Answer with a whole number."
    )
    answer = s - start + 1 if ask_count else start
    reached = f"steps {start} to {s} get" if s > start else f"only step {s} itself gets"
    explanation = (
        f"The window holding step {s} starts at $k \\lfloor (s - 1) / k \\rfloor + 1 = "
        f"{k} \\cdot \\lfloor {s - 1} / {k} \\rfloor + 1 = {start}$. Backpropagation runs from "
        f"step {s} back to that first step and stops at the detach, so {reached} gradient: "
        + (
            f"${s} - {start} + 1 = {answer}$ hidden state{'s' if answer != 1 else ''}."
            if ask_count
            else f"the earliest is {start}."
        )
        + " Steps after the loss get none from it either. A loss late in a window reaches back "
        "almost a whole window, one early in a window barely any: truncation limits how far back "
        "gradient flows, not how far the forward state carries information."
    )
    return Computed(prompt, "number", answer, explanation, tolerance=0.0)


# ---- the adding problem ------------------------------------------------------------------------


def adding_case(seed: int) -> tuple[np.ndarray, np.ndarray, float]:
    """(values rounded to 2 decimals (T,), marks (T,), the engine's unrounded target)."""
    rng = np.random.default_rng(seed)
    T = int(rng.integers(6, 11))
    x, y = tasks.adding_problem(1, T, rng)
    return np.round(x[:, 0, 0], 2), x[:, 0, 1].copy(), float(y[0, 0])


def adding_target(seed: int) -> Computed:
    """The adding problem's target for one marked sequence."""
    values, marks, _ = adding_case(seed)
    T = len(values)
    marked = [float(values[t]) for t in np.flatnonzero(marks)]
    answer = round(sum(marked), 2)
    rows = [f"| {t + 1} | {_fmt(float(values[t]), 2)} | {int(marks[t])} |" for t in range(T)]
    table = "\n".join(["| step | value | marker |", "|---|---|---|", *rows])
    prompt = (
        f"An adding-problem sequence of {T} steps: each step gives a value and a marker. What "
        "is the target the network must output at the end? Answer to within ±0.01.\n\n" + table
    )
    steps = [int(t) + 1 for t in np.flatnonzero(marks)]
    explanation = (
        f"The target is the sum of the two marked values (steps {steps[0]} and {steps[1]}): "
        f"${_fmt(marked[0], 2)} + {_fmt(marked[1], 2)} = {_fmt(answer, 2)}$. The unmarked values "
        "only distract; the network must hold the first marked value until the end, which is "
        "what makes the task a test of long-range memory (Hochreiter & Schmidhuber 1997)."
    )
    return Computed(prompt, "number", answer, explanation, tolerance=0.01)


def baseline_case(seed: int) -> np.ndarray:
    """Targets (N,) of a seeded adding-problem batch, rounded to 2 decimals as shown."""
    rng = np.random.default_rng(seed)
    N = int(rng.integers(4, 7))
    _, y = tasks.adding_problem(N, 10, rng)
    return np.round(y[:, 0], 2)


def adding_baseline(seed: int) -> Computed:
    """The adding problem's MSE when a model always predicts 1."""
    y = baseline_case(seed)
    answer, _ = mse(np.ones_like(y), y)  # the engine's loss
    answer = round(answer, 4)
    s = [_fmt(float(v), 2) for v in y]
    prompt = (
        f"A batch of {len(y)} adding-problem sequences has targets {', '.join(s)}. A model that "
        "ignores its input and always predicts 1: what is its mean squared error on this "
        "batch? Answer to within ±0.005."
    )
    squares = [f"({v} - 1)^2" for v in s]
    explanation = (
        f"$\\frac{{1}}{{{len(y)}}}({' + '.join(squares)}) = {_fmt(answer, 4)}$. Each target is "
        "the sum of two values drawn from $U[0, 1]$, so its mean is 1 and its variance "
        "$2 \\cdot \\tfrac{1}{12} = \\tfrac{1}{6}$: over many sequences, always predicting 1 "
        "scores an MSE near 0.167, and only an MSE well below that shows the network "
        "remembers the marked values."
    )
    return Computed(prompt, "number", answer, explanation, tolerance=0.005)


# ---- peephole output gate ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PeepCase:
    unit: int
    a: float  # W_io x_t + b_io + W_ho h_{t-1} + b_ho (without the peephole term)
    w_co: float
    c_prev: float
    c: float
    o: float  # the engine's o_t


def peep_case(seed: int) -> PeepCase:
    rng = np.random.default_rng(seed)
    D, H = 3, 4
    params = init_params("lstm", D, H, rng, peepholes=True)
    params = {k: v * 3.0 for k, v in params.items()}
    x = rng.uniform(-1.0, 1.0, size=(1, 1, D))
    h0 = rng.uniform(-0.5, 0.5, size=(1, H))
    c0 = rng.uniform(-1.5, 1.5, size=(1, H))
    trace, _ = sequence.forward(params, x, h0, c0)
    unit = int(rng.integers(H))
    w_co = float(params[W_CO][unit])
    c = float(trace.c[0, 0, unit])
    a = float(trace.pre_gate("o")[0, 0, unit]) - w_co * c  # the stored pre-activation has w_co c_t
    return PeepCase(unit, a, w_co, float(c0[0, unit]), c, float(trace.gate("o")[0, 0, unit]))


def peephole_output(seed: int) -> Computed:
    """A peephole LSTM's output gate from its pre-activation, peephole weight and c_t."""
    case = peep_case(seed)
    a, w, cp, c = (_round2(v) for v in (case.a, case.w_co, case.c_prev, case.c))
    z = a + w * c
    answer = round(_sigmoid(z), 4)
    sa, sw, scp, sc = (_fmt(v, 2) for v in (a, w, cp, c))
    prompt = (
        f"A peephole LSTM (Gers et al. 2002) is at one step. For unit {case.unit + 1}: the output "
        f"gate's input and recurrent terms sum to $W_{{io}} x_t + b_{{io}} + W_{{ho}} h_{{t-1}} + "
        f"b_{{ho}} = {sa}$, its peephole weight is $w_{{co}} = {sw}$, the previous cell state is "
        f"$c_{{t-1}} = {scp}$ and the new one $c_t = {sc}$. What is $o_t$? Answer to within ±0.01."
    )
    explanation = (
        f"The output gate peeks at the new cell state $c_t$ (the input and forget gates see "
        f"$c_{{t-1}}$): $o_t = \\sigma({sa} + {_paren(sw)} \\cdot {_paren(sc)}) = "
        f"\\sigma({_fmt(z, 4)}) = {_fmt(answer, 3)}$. "
        f"(The lab's engine, unrounded, gives $o_t = {_fmt(case.o, 4)}$.)"
    )
    return Computed(prompt, "number", answer, explanation, tolerance=0.01)


# ---- the character model's softmax -------------------------------------------------------------

CHAR_MODEL = "char-lstm"
# Sentences the model reads (its vocabulary covers them); written for this app.
CHAR_TEXTS = (
    "The forget gate decides what the cell keeps.",
    "An LSTM reads its input one character at a time.",
    "The output gate chooses how much of the cell to show.",
    "Gradients flow back along the cell state.",
    "A GRU merges the cell and the hidden state.",
)
SAFE = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:'-()?!")


@functools.cache
def _char_logits(text: str) -> tuple[np.ndarray, np.ndarray, str]:
    """(logits (T, V) after each character, ids (T,), vocab) from the trained char model."""
    w = shipped_weights(CHAR_MODEL)
    ids = tasks.encode(text, w.vocab)
    _, y = model.predict(w, tasks.one_hot(ids, w.D)[:, None, :])
    return y[:, 0], ids, w.vocab


@dataclass(frozen=True, slots=True)
class CharCase:
    prefix: str
    chars: tuple[str, ...]  # the model's five most likely next characters, most likely first
    logits: tuple[float, ...]  # their logits
    actual: int  # which of the five comes next in the text
    full_loss: float  # the engine's cross-entropy over the whole vocabulary


def char_case(seed: int) -> CharCase:
    def make(rng: np.random.Generator) -> CharCase | None:
        text = CHAR_TEXTS[int(rng.integers(len(CHAR_TEXTS)))]
        logits, ids, vocab = _char_logits(text)
        t = int(
            rng.integers(3, len(text) - 1)
        )  # predicting text[t + 1] after reading text[: t + 1]
        z = logits[t]
        top = np.argsort(-z, kind="stable")[:5]
        nxt = int(ids[t + 1])
        if nxt not in top or not all(vocab[j] in SAFE for j in top):
            return None
        loss, _ = softmax_cross_entropy(z[None], np.array([nxt]))
        return CharCase(
            text[: t + 1],
            tuple(vocab[j] for j in top),
            tuple(float(z[j]) for j in top),
            int(np.flatnonzero(top == nxt)[0]),
            loss,
        )

    return _draw(seed, make, "char_case")


def _char_label(ch: str) -> str:
    return "a space" if ch == " " else f"`{ch}`"


def char_softmax(seed: int) -> Computed:
    """Softmax and cross-entropy over the char model's top five logits at one step."""
    case = char_case(seed)
    shown = [_round2(v) for v in case.logits]
    loss, _ = softmax_cross_entropy(np.array([shown]), np.array([case.actual]))
    answer = round(loss, 4)
    rows = [
        f"| {_char_label(ch)} | {_fmt(v, 2)} |" for ch, v in zip(case.chars, shown, strict=True)
    ]
    table = "\n".join(["| next character | logit $z$ |", "|---|---|", *rows])
    nxt = _char_label(case.chars[case.actual])
    prompt = (
        "The lab's character model has read the text "
        f"“{case.prefix}” and gives these logits for its five most likely next characters. "
        "Take the softmax over these five only. The text actually continues with "
        f"{nxt}: what is the cross-entropy loss at this step, in nats? Answer to within ±0.01."
        "\n\n" + table
    )
    # Shifted by the largest logit (softmax is unchanged by it) so the powers stay small.
    top = shown[0]
    shifted = [v - top for v in shown]
    exps = [math.exp(v) for v in shifted]
    total = sum(exps)
    p = exps[case.actual] / total
    powers = " + ".join(f"e^{{{_fmt(v, 2)}}}" for v in shifted)
    values = " + ".join(_fmt(v, 4) for v in exps)
    explanation = (
        f"Subtract the largest logit, {_fmt(top, 2)}, from each (the softmax does not change): "
        f"${powers} = {values} = {_fmt(total, 4)}$. The probability of {nxt} is "
        f"$e^{{{_fmt(shifted[case.actual], 2)}}} / {_fmt(total, 4)} = {_fmt(p, 4)}$, so the "
        f"loss is $-\\ln {_fmt(p, 4)} = {_fmt(answer, 3)}$ nats. "
        "Softmax turns logits into probabilities; the cross-entropy charges $-\\ln$ of the "
        "probability given to what actually came next. "
        "(Over the model's whole vocabulary the engine's loss at this step is "
        f"{_fmt(case.full_loss, 3)} nats: the other characters take some probability too.)"
    )
    return Computed(prompt, "number", answer, explanation, tolerance=0.01)


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
        Template(
            "param-count",
            "Count a PyTorch layer's parameters",
            card_slugs=("hidden-state-size", "lstm-vs-gru", "lstm-architecture"),
            card_tags=("parameters", "pytorch", "architecture"),
            generate=param_count,
        ),
        Template(
            "gate-rows",
            "Find a gate in PyTorch's weights",
            card_slugs=("lstm-architecture", "what-are-grus", "gates-in-rnns"),
            card_tags=("architecture", "pytorch", "gates"),
            generate=gate_rows,
        ),
        Template(
            "gru-step",
            "Step a GRU",
            card_slugs=("what-are-grus", "lstm-vs-gru", "gates-in-rnns"),
            card_tags=("gru",),
            generate=gru_step,
        ),
        Template(
            "hidden-output",
            "Compute the hidden state",
            card_slugs=("output-function", "information-flow", "gating-mechanisms"),
            card_tags=("output-gate", "cell-state", "gates"),
            generate=hidden_output,
        ),
        Template(
            "cell-path",
            "Follow the gradient along the cell",
            card_slugs=("rnn-vs-lstm", "gating-mechanisms", "vanishing-gradient", "forget-gate"),
            card_tags=("gradient-flow", "vanishing-gradient", "forget-gate"),
            generate=cell_path,
        ),
        Template(
            "rnn-bound",
            "Bound a plain RNN's gradient",
            card_slugs=("vanishing-gradient", "long-sequences-rnn"),
            card_tags=("vanishing-gradient", "rnn"),
            generate=rnn_bound,
        ),
        Template(
            "tbptt-window",
            "Truncated BPTT windows",
            card_slugs=("backpropagation-through-time", "long-sequences-rnn", "lstm-disadvantages"),
            card_tags=("bptt", "training"),
            generate=tbptt_window,
        ),
        Template(
            "adding-target",
            "The adding problem's target",
            card_slugs=("what-are-lstms", "lstm-vs-feedforward"),
            card_tags=("long-term-dependencies", "fundamentals"),
            generate=adding_target,
        ),
        Template(
            "adding-baseline",
            "The adding problem's baseline",
            card_slugs=("what-are-lstms", "rnn-vs-lstm", "lstm-vs-feedforward"),
            card_tags=("long-term-dependencies", "fundamentals", "training"),
            generate=adding_baseline,
        ),
        Template(
            "peephole-output",
            "A peephole output gate",
            card_slugs=("peephole-connections",),
            card_tags=("peepholes", "gates"),
            generate=peephole_output,
        ),
        Template(
            "char-softmax",
            "The character model's loss",
            card_slugs=("output-function", "real-world-applications", "information-flow"),
            card_tags=("output-layer", "applications"),
            generate=char_softmax,
        ),
    )
}
