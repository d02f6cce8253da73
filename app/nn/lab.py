"""What the web layer calls: run a preset, measure gradient norms, train a small model live.

Every function takes and returns plain JSON-able values (lists, dicts, floats, ints, str).
Limits (LabError names the one exceeded): T ≤ MAX_T steps, H ≤ MAX_H hidden units,
D ≤ MAX_D inputs, a training chunk ≤ MAX_CHUNK steps with batch ≤ MAX_BATCH and
train_work(...) ≤ MAX_TRAIN_WORK (so one chunk stays well under a second).
Bad shipped weights raise params.WeightsError (also a ValueError).
"""

import math
from functools import cache
from pathlib import Path

import numpy as np

from app.nn import head, model, optim, sequence, tasks, units
from app.nn.activations import softmax
from app.nn.gradients import hidden_grad_norms
from app.nn.interventions import Intervention, InterventionError, plan
from app.nn.params import (
    GATES,
    HEAD_B,
    HEAD_W,
    Weights,
    from_arrays,
    init_head,
    init_params,
    load_weights,
)
from app.nn.presets import PRESETS, Preset
from app.nn.sample import sample

MAX_T = 500
MAX_H = 128
MAX_D = 256
MAX_CHUNK = 200
MAX_BATCH = 64
# A training chunk's cost in multiply-adds, which is what its time follows (bench/README.md,
# "Live training budget"): per Adam step and time step, each of the N sequences goes forward
# and back through G gate blocks of H × (H + D) weights, plus the Python work of one time step,
# worth about STEP_OVERHEAD multiply-adds. The budget keeps a chunk near a quarter of a second.
STEP_OVERHEAD = 10_000
MAX_TRAIN_WORK = 120_000_000
TRAIN_D = 2  # the adding problem's input: a value and a marker
MAX_SAMPLE = 500  # characters one sample request generates

WEIGHTS_DIR = Path(__file__).parent / "weights"
DEFAULT_T = 50
DEFAULT_TEXT = "The forget gate decides what the cell keeps."
TOP_K = 5


class LabError(ValueError):
    """A request the lab refuses: unknown preset, malformed input or a limit exceeded."""


def _limit(name: str, value: int, limit: int, low: int = 1) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise LabError(f"{name} must be an integer, got {value!r}")
    if value < low:
        raise LabError(f"{name} = {value} is below the minimum {name} ≥ {low}")
    if value > limit:
        raise LabError(f"{name} = {value} exceeds the limit {name} ≤ {limit}")
    return value


def _preset(name: str) -> Preset:
    if name not in PRESETS:
        raise LabError(f"unknown preset {name!r}; known: {sorted(PRESETS)}")
    return PRESETS[name]


@cache
def shipped_weights(name: str) -> Weights:
    """The preset's trained weights, loaded once (treat as read-only)."""
    p = _preset(name)
    if p.weights is None:
        raise LabError(f"preset {name!r} has no trained weights")
    return load_weights(WEIGHTS_DIR / p.weights, p.cell)


def _sequence_input(input: object, D: int) -> np.ndarray:
    """A T × D nested list of finite numbers → x (T, 1, D) float64."""
    try:
        x = np.array(input, dtype=np.float64)
    except (TypeError, ValueError):
        raise LabError("input must be a T × D list of numbers") from None
    if x.ndim != 2:
        raise LabError(f"input must be a T × D list of numbers, got {x.ndim} dimensions")
    _limit("T", x.shape[0], MAX_T)
    _limit("D", x.shape[1], MAX_D)
    if x.shape[1] != D:
        raise LabError(f"input has D = {x.shape[1]} columns; this model takes D = {D}")
    if not np.isfinite(x).all():
        raise LabError("input contains NaN or infinity")
    return x[:, None, :]


def _adding_input(input: object, seed: int) -> np.ndarray:
    if input is None:
        x, _ = tasks.adding_problem(1, DEFAULT_T, np.random.default_rng(seed))
        return x
    return _sequence_input(input, 2)


def _trace_dict(trace: sequence.Trace, include_pre: bool = False) -> dict:
    """Per-step arrays of the first sequence as T × H lists (pre-activations on request)."""
    gates = (
        {} if trace.cell == "rnn" else {g: trace.gate(g)[:, 0].tolist() for g in GATES[trace.cell]}
    )
    out = {
        "cell": trace.cell,
        "T": trace.h.shape[0],
        "H": trace.h.shape[2],
        "gates": gates,
        "h": trace.h[:, 0].tolist(),
    }
    if trace.c is not None:
        out["c"] = trace.c[:, 0].tolist()
    if include_pre:
        out["pre"] = {g: trace.pre_gate(g)[:, 0].tolist() for g in GATES[trace.cell]}
    return out


def interventions_of(raw: list[dict] | None, cell: str, T: int, H: int) -> list[Intervention]:
    """Dicts {quantity, unit, from_step, to_step, value} → checked Interventions (LabError names
    the bad field, e.g. "interventions[0].value = 1.5 must be in [0, 1] for f")."""
    if not raw:
        return []
    try:
        ivs = [
            Intervention(
                str(d["quantity"]),
                int(d["unit"]),
                int(d["from_step"]),
                int(d["to_step"]),
                float(d["value"]),
            )
            for d in raw
        ]
        plan(ivs, cell, T, H)
    except InterventionError as exc:
        raise LabError(str(exc)) from None
    except (KeyError, TypeError, ValueError) as exc:
        raise LabError(
            f"interventions: each needs quantity, unit, from_step, to_step, value ({exc})"
        ) from None
    return ivs


def readout_grad_norms(w: Weights, x: np.ndarray) -> list[float]:
    """‖∂ŷ_T/∂h_t‖ for t = 0..T-1 of a one-output readout ŷ = W h + b at the last step: how much
    each step's hidden state can still move the final answer. x (T, 1, D)."""
    trace, cache = sequence.forward(w.params, x)
    g = sequence.backward(cache, dhT=np.broadcast_to(w.head[0][0], trace.h[0].shape).copy())
    return np.linalg.norm(g.h[:, 0], axis=1).tolist()  # ∂ŷ_T/∂h_T = W, then BPTT


def _baseline(out: dict, include_pre: bool) -> dict:
    """The keys of an untouched run that the page compares an intervened run with."""
    keys = ("gates", "c", "h", "outputs", "prediction", "top5") + (("pre",) if include_pre else ())
    return {k: out[k] for k in keys if k in out}


def run_preset(
    name: str,
    input: list[list[float]] | None = None,
    text: str | None = None,
    seed: int | None = None,
    *,
    forget_bias: float | None = None,
    truncate: int | None = None,
    include_pre: bool = False,
    interventions: list[dict] | None = None,
    baseline: bool = False,
    grad_norms: bool = False,
) -> dict:
    """Run a preset on one sequence and return everything the lab draws.

    input: T × D numbers (adding and gradient presets: D = 2, value and marker); text: a string
    (character presets); seed: picks the default input (and, for gradient presets, the random
    init). forget_bias: the LSTM forget-gate bias of forget-bias and truncated-bptt (default: the
    preset's); truncate: the window of truncated-bptt (default 10). include_pre: also return the
    gate pre-activations.

    Returns {"preset", "cell", "T", "H", "D", "input": T × D (None for text), "gates":
    {gate: T × H} (LSTM i, f, g, o; GRU r, z, n; RNN none), "c": T × H (LSTM only), "h": T × H,
    "outputs": T × O} (+ "pre": {gate: T × H}, the RNN's one block named "a", on request), and
    per task: adding: "prediction" (the last output), "target" (None unless exactly two steps
    are marked); char: "text", "top5": per step five [character, probability] pairs for the
    next character; gradients: "gradient_norms": a list of series as gradient_norms() returns
    them (vanishing-gradients: RNN, GRU, LSTM, LSTM with forget bias 1; forget-bias: the LSTM
    at forget bias 0, 1, 2, 3 and the requested one; truncated-bptt: full, then truncated).

    interventions (trained presets): units held at values over steps, as interventions.py
    defines; the run returned is the intervened one, and with baseline=True "baseline" holds the
    untouched run's gates, c, h, outputs (and prediction or top5). grad_norms (adding presets):
    also "grad_norms" = ‖∂ŷ_T/∂h_t‖ per step of the untouched run.
    """
    p = _preset(name)
    if p.task == "gradients" and interventions:
        raise LabError(
            "interventions: the gradient presets have no trained readout; hold a unit of a "
            "trained preset (adding or char) instead"
        )
    if p.task != "adding" and grad_norms:
        raise LabError("grad_norms: only the adding-problem presets have a readout to measure")
    if baseline and not interventions:
        raise LabError("baseline: send it together with interventions")
    seed = 0 if seed is None else _limit("seed", seed, 2**32 - 1, low=0)
    if p.task == "char":
        return _run_char(p, name, text, interventions, include_pre=include_pre, baseline=baseline)
    x = _adding_input(input, seed)
    if p.task == "adding":
        return _run_adding(
            p,
            name,
            x,
            interventions,
            include_pre=include_pre,
            baseline=baseline,
            grad_norms=grad_norms,
        )
    return _run_gradients(p, name, x, seed, forget_bias, truncate, include_pre)


def _char_input(w: Weights, text: str | None) -> tuple[np.ndarray, str]:
    """(one-hot x (T, 1, D), the text) of a character model's input; the default text if None."""
    text = DEFAULT_TEXT if text is None else text
    if not isinstance(text, str) or not text:
        raise LabError("text must be a non-empty string")
    _limit("T", len(text), MAX_T)
    try:
        ids = tasks.encode(text, w.vocab)
    except ValueError as exc:
        raise LabError(f"text: {exc}") from None
    return tasks.one_hot(ids[:, None], w.D), text


def _run_char(
    p: Preset, name: str, text: str | None, interventions, *, include_pre: bool, baseline: bool
) -> dict:
    """A character preset on `text`: gates, states and the top-5 next characters per step."""
    w = shipped_weights(name)
    x, text = _char_input(w, text)
    ivs = interventions_of(interventions, p.cell, len(text), w.H)

    def char_run(held: list[Intervention]) -> dict:
        trace, logits = model.predict(w, x, interventions=held)
        return {
            **_trace_dict(trace, include_pre),
            "outputs": logits[:, 0].tolist(),
            "top5": top_k(logits[:, 0], w.vocab),
        }

    out = {"preset": name, **char_run(ivs), "D": w.D, "input": None, "text": text}
    if baseline:
        out["baseline"] = _baseline(char_run([]), include_pre)
    return out


def _run_adding(
    p: Preset,
    name: str,
    x: np.ndarray,
    interventions,
    *,
    include_pre: bool,
    baseline: bool,
    grad_norms: bool,
) -> dict:
    """An adding-problem preset on `x`: gates, states, the prediction and its target."""
    w = shipped_weights(name)
    ivs = interventions_of(interventions, p.cell, x.shape[0], w.H)

    def adding_run(held: list[Intervention]) -> dict:
        trace, y = model.predict(w, x, interventions=held)
        return {
            **_trace_dict(trace, include_pre),
            "outputs": y[:, 0].tolist(),
            "prediction": float(y[-1, 0, 0]),
        }

    out = {"preset": name, **adding_run(ivs), "D": 2}
    out["input"] = x[:, 0].tolist()
    out["target"] = adding_target(x)
    if baseline:
        out["baseline"] = _baseline(adding_run([]), include_pre)
    if grad_norms:
        out["grad_norms"] = readout_grad_norms(w, x)
    return out


def _run_gradients(
    p: Preset, name: str, x: np.ndarray, seed: int, forget_bias, truncate, include_pre: bool
) -> dict:
    """A gradient preset: a seeded random init of the preset's cell, and the norms that matter."""
    fb = p.forget_bias if forget_bias is None else float(forget_bias)
    if not math.isfinite(fb) or abs(fb) > 10:
        raise LabError(f"forget_bias = {fb} is outside the limit |forget_bias| ≤ 10")
    k = p.truncate if truncate is None else truncate
    fb_cell = fb if p.cell == "lstm" else 0.0
    params = init_params(p.cell, 2, p.hidden, np.random.default_rng(seed), forget_bias=fb_cell)
    trace, _ = sequence.forward(params, x)
    common = {"H": p.hidden, "seed": seed, "input": x[:, 0].tolist()}
    if name == "vanishing-gradients":
        runs = [("rnn", 0.0, None), ("gru", 0.0, None), ("lstm", 0.0, None), ("lstm", 1.0, None)]
    elif name == "forget-bias":
        runs = [("lstm", b, None) for b in sorted({0.0, 1.0, 2.0, 3.0, fb})]
    else:  # truncated-bptt
        runs = [("lstm", fb, None), ("lstm", fb, k)]
    series = [gradient_norms(c, **common, forget_bias=b, truncate=t) for c, b, t in runs]
    return {
        "preset": name,
        **_trace_dict(trace, include_pre),
        "D": 2,
        "input": x[:, 0].tolist(),
        "outputs": trace.h[:, 0].tolist(),  # no head: the hidden state is the output
        "gradient_norms": series,
    }


def adding_target(x: np.ndarray) -> float | None:
    """The adding problem's true answer for x (T × 1 × 2): the sum of the two marked values;
    None unless exactly two steps are marked."""
    marked = x[:, 0, 1] == 1.0
    return float(x[marked, 0, 0].sum()) if marked.sum() == 2 else None


def top_k(logits: np.ndarray, vocab: str, k: int = TOP_K) -> list:
    """logits (T, V) → per step the k most probable next characters as [character, p] pairs."""
    probs = softmax(logits)
    top = np.argsort(-probs, axis=1, kind="stable")[:, :k]
    return [[[vocab[j], float(pr[j])] for j in row] for row, pr in zip(top, probs, strict=True)]


def gradient_norms(
    cell: str = "rnn",
    *,
    T: int = DEFAULT_T,
    H: int = 32,
    seed: int = 0,
    forget_bias: float = 0.0,
    truncate: int | None = None,
    input: list[list[float]] | None = None,
) -> dict:
    """‖∂L/∂h_t‖ per step for a loss L = u · h_T at the last step (u a seeded unit vector), for a
    seeded PyTorch-style random init of `cell` (H units) on one input (T × 2; default: a seeded
    adding-problem sequence of length T).

    Returns {"label", "cell", "T", "H", "forget_bias", "truncate",
    "norms": [‖∂L/∂h_t‖ for t = 0..T-1], "steps_back": [T-1-t for t = 0..T-1]}; norms[-1] is 1.
    """
    if cell not in GATES:
        raise LabError(f"unknown cell {cell!r}; expected one of {sorted(GATES)}")
    _limit("H", H, MAX_H)
    seed = _limit("seed", seed, 2**32 - 1, low=0)
    if input is None:
        _limit("T", T, MAX_T, low=2)
        x, _ = tasks.adding_problem(1, T, np.random.default_rng(seed))
    else:
        x = _sequence_input(input, 2)
    T = x.shape[0]
    if truncate is not None:
        _limit("truncate", truncate, MAX_T)
    if cell != "lstm" and forget_bias:
        raise LabError("forget_bias applies to the LSTM only")
    if not math.isfinite(forget_bias) or abs(forget_bias) > 10:
        raise LabError(f"forget_bias = {forget_bias} is outside the limit |forget_bias| ≤ 10")
    rng = np.random.default_rng(seed)
    params = init_params(cell, 2, H, rng, forget_bias=forget_bias)
    norms = hidden_grad_norms(params, x, rng, truncate)
    label = cell.upper() + (f", forget bias {forget_bias:g}" if cell == "lstm" else "")
    label += f", truncated to {truncate}" if truncate is not None else ""
    return {
        "label": label,
        "cell": cell,
        "T": T,
        "H": H,
        "forget_bias": forget_bias,
        "truncate": truncate,
        "norms": norms.tolist(),
        "steps_back": list(range(T - 1, -1, -1)),
    }


# --- live training of a small adding-problem model ---------------------------------------------

TEST_N = 256  # the live model's fixed test set


def train_work(cell: str, steps: int, T: int, N: int, H: int, D: int = TRAIN_D) -> int:
    """The cost of `steps` Adam steps: steps × T × (N × G × H × (H + D) + STEP_OVERHEAD)."""
    return steps * T * (N * len(GATES.get(cell, GATES["lstm"])) * H * (H + D) + STEP_OVERHEAD)


def new_training_state(
    cell: str = "lstm",
    *,
    H: int = 16,
    T: int = 20,
    batch: int = 32,
    lr: float = 1e-2,
    clip: float = 1.0,
    seed: int = 0,
    peepholes: bool = False,
    forget_bias: float = 1.0,
) -> dict:
    """A fresh adding-problem model and Adam state, as a JSON-able dict for train_chunk."""
    if cell not in GATES:
        raise LabError(f"unknown cell {cell!r}; expected one of {sorted(GATES)}")
    _limit("H", H, MAX_H)
    _limit("T", T, MAX_T, low=2)
    _limit("batch", batch, MAX_BATCH)
    seed = _limit("seed", seed, 2**32 - 1, low=0)
    if not (0 < lr <= 1 and 0 < clip <= 100):
        raise LabError("lr must be in (0, 1] and clip in (0, 100]")
    if train_work(cell, 1, T, batch, H) > MAX_TRAIN_WORK:
        raise LabError(
            f"config: one training step at H = {H}, T = {T}, batch = {batch} costs "
            f"{train_work(cell, 1, T, batch, H):,} multiply-adds, over the limit per chunk of "
            f"{MAX_TRAIN_WORK:,}; lower H, T or batch"
        )
    fb = forget_bias if cell == "lstm" else 0.0
    rng = np.random.default_rng(seed)
    params = init_params(cell, 2, H, rng, peepholes=peepholes and cell == "lstm", forget_bias=fb)
    hw, hb = init_head(1, H, rng)
    arrays = {**params, HEAD_W: hw, HEAD_B: hb}
    return {
        "cell": cell,
        "H": H,
        "T": T,
        "batch": batch,
        "lr": lr,
        "clip": clip,
        "seed": seed,
        "step": 0,
        "params": {k: v.tolist() for k, v in arrays.items()},
        "adam": {"t": 0, "m": {}, "v": {}},
        "losses": [],
        "test_mse": None,
    }


def _state_weights(state: dict) -> tuple[Weights, optim.Adam]:
    try:
        w = from_arrays({k: np.array(v, dtype=np.float64) for k, v in state["params"].items()})
        adam = state["adam"]
        opt = optim.Adam(lr=float(state["lr"]), t=int(adam["t"]))
        for moment in ("m", "v"):
            for k, v in adam[moment].items():
                a = np.array(v, dtype=np.float64)
                if k not in state["params"] or a.shape != np.shape(state["params"][k]):
                    raise LabError(f"adam.{moment}[{k!r}] does not match the parameters")
                getattr(opt, moment)[k] = a
    except (KeyError, TypeError) as exc:
        raise LabError(f"malformed training state: missing or bad {exc}") from None
    if w.head is None or w.O != 1 or w.D != 2:
        raise LabError("the training state must hold an adding-problem model (D = 2, O = 1)")
    return w, opt


def train_chunk(state: dict, steps: int = 50) -> dict:
    """Train the state's model for `steps` (≤ MAX_CHUNK) Adam steps; return the new state.

    Batch k is drawn from default_rng([seed, k]), so training in chunks of any size gives
    bit-identical results. The returned state has "losses" (this chunk, one per step) and
    "test_mse" (on a fixed test set of TEST_N sequences).
    """
    _limit("steps", steps, MAX_CHUNK)
    try:
        H, T, N = int(state["H"]), int(state["T"]), int(state["batch"])
        seed, step, clip = int(state["seed"]), int(state["step"]), float(state["clip"])
    except (KeyError, TypeError, ValueError) as exc:
        raise LabError(f"malformed training state: missing or bad {exc}") from None
    _limit("H", H, MAX_H)
    _limit("T", T, MAX_T, low=2)
    _limit("batch", N, MAX_BATCH)
    work = train_work(str(state.get("cell")), steps, T, N, H)
    if work > MAX_TRAIN_WORK:
        raise LabError(
            f"steps: {steps} steps cost {work:,} multiply-adds (steps × T × (batch × G × H × "
            f"(H + D) + {STEP_OVERHEAD:,})); the limit per chunk is {MAX_TRAIN_WORK:,}, i.e. at "
            f"most {MAX_TRAIN_WORK // train_work(str(state.get('cell')), 1, T, N, H)} steps here"
        )
    if not (0 < float(state["lr"]) <= 1 and 0 < clip <= 100):
        raise LabError("lr must be in (0, 1] and clip in (0, 100]")
    w, opt = _state_weights(state)
    if w.H != H:
        raise LabError(f"the state says H = {H} but its weights have H = {w.H}")
    params = model.trainables(w)
    losses = []
    for k in range(step, step + steps):
        x, y = tasks.adding_problem(N, T, np.random.default_rng([seed, k]))
        loss, grads = model.adding_loss(w, x, y)
        grads, _ = optim.clip_by_global_norm(grads, clip)
        opt.step(params, grads)
        losses.append(loss)
    x_test, y_test = tasks.adding_problem(TEST_N, T, np.random.default_rng([seed, 2**31]))
    return {
        **state,
        "step": step + steps,
        "params": {k: v.tolist() for k, v in params.items()},
        "adam": {
            "t": opt.t,
            "m": {k: v.tolist() for k, v in opt.m.items()},
            "v": {k: v.tolist() for k, v in opt.v.items()},
        },
        "losses": losses,
        "test_mse": model.adding_mse(w, x_test, y_test),
    }


def live_predict(state: dict, input: list[list[float]] | None = None, seed: int = 0) -> dict:
    """Run the live-trained model like run_preset runs an adding preset."""
    w, _ = _state_weights(state)
    x = _adding_input(input, seed)
    _limit("T", x.shape[0], MAX_T)
    trace, _ = sequence.forward(w.params, x)
    y, _ = head.forward(trace.h, *w.head)
    return {**_trace_dict(trace), "D": 2, "input": x[:, 0].tolist(), "outputs": y[:, 0].tolist()}


# --- units that track a feature, and sampling -----------------------------------------------------


def find_units(
    w: Weights,
    x: np.ndarray,
    text: str | None,
    *,
    quantity: str = "h",
    feature: str | None = None,
    target: list[float] | None = None,
    nonlinearity: str = "tanh",
) -> dict:
    """Every unit of w ranked by |r|, the Pearson correlation of its h (or c) series on x (T, 1, D)
    with the target: a named feature of the text (char models) or of the adding input, or T
    numbers.

    Returns {"quantity", "feature", "T", "target": T numbers, "units": [{"unit", "r", "series":
    T numbers}] best first}.
    """
    T = x.shape[0]
    if (feature is None) == (target is None):
        raise LabError("feature: send either a feature name or a target list of T numbers")
    if quantity not in ("h", "c"):
        raise LabError(f"quantity: must be h or c, got {quantity!r}")
    if quantity == "c" and w.cell != "lstm":
        raise LabError(f"quantity: only the LSTM has a cell state c; this is a {w.cell.upper()}")
    if feature is not None:
        named = units.CHAR_FEATURES if text is not None else units.ADDING_FEATURES
        if feature not in named:
            raise LabError(f"feature: {feature!r} is not one of {', '.join(named)} for this input")
        if text is not None:
            y = units.char_feature(feature, text)
        else:
            y = units.adding_feature(feature, x[:, 0])
    else:
        y = np.array(target, dtype=np.float64)
        if y.shape != (T,) or not np.isfinite(y).all():
            raise LabError(f"target: must be a list of T = {T} finite numbers, one per step")
    if np.ptp(y) == 0:
        raise LabError(
            "target: it is constant over these steps, so no unit can correlate with it; "
            "choose an input where it changes"
        )
    trace, _ = sequence.forward(w.params, x, nonlinearity=nonlinearity)
    series = (trace.h if quantity == "h" else trace.c)[:, 0]  # (T, H)
    return {
        "quantity": quantity,
        "feature": feature,
        "T": T,
        "target": y.tolist(),
        "units": [
            {"unit": u, "r": r, "series": series[:, u].tolist()}
            for u, r in units.rank_units(series, y)
        ],
    }


def preset_input(name: str, input, text: str | None, seed: int | None):
    """(weights, x (T, 1, D), text or None) of a trained preset on the given input."""
    p = _preset(name)
    if p.task == "gradients":
        raise LabError(f"preset: {name!r} has no trained weights; choose an adding or char preset")
    w = shipped_weights(name)
    seed = 0 if seed is None else _limit("seed", seed, 2**32 - 1, low=0)
    if p.task == "char":
        x, text = _char_input(w, text)
        return w, x, text
    return w, _adding_input(input, seed), None


def sample_text(w: Weights, prime: str, length: int, temperature: float, seed: int) -> dict:
    """sample.sample with the lab's limits: a char model, 1 ≤ len(prime) ≤ MAX_T, 1 ≤ length ≤
    MAX_SAMPLE, temperature in [0, 2]."""
    if w.vocab is None or w.head is None:
        raise LabError("weights: sampling needs a character model (with a vocab and a readout)")
    if not isinstance(prime, str) or not prime:
        raise LabError("prime: type at least one character to start from")
    _limit("prime length", len(prime), MAX_T)
    _limit("length", length, MAX_SAMPLE)
    if not (isinstance(temperature, (int, float)) and 0 <= temperature <= 2):
        raise LabError(f"temperature = {temperature} must be in [0, 2]")
    seed = _limit("seed", seed, 2**32 - 1, low=0)
    try:
        return sample(w, prime, length, float(temperature), seed)
    except ValueError as exc:
        raise LabError(f"prime: {exc}") from None
