"""What the lab's API computes: a preset or uploaded weights run on one input, gradient norms,
and every float rounded to a few significant digits so the JSON stays small.

Pure: no FastAPI, no database. The engine (app.nn.lab) does the NumPy work and enforces its
limits (LabError names the one exceeded); this module adds uploaded weights and picks inputs.
"""

from dataclasses import dataclass

import numpy as np

from app.nn import head, lab, npz, sequence, tasks
from app.nn.activations import softmax
from app.nn.params import GATES, VOCAB, W_IH, Weights, WeightsError, check_layout, from_arrays
from app.nn.presets import PRESETS

LabError = lab.LabError
SIG_DIGITS = 5
# An upload's arrays unpacked: an H = 128, D = 256 LSTM with a 256-way head in float64 is 1.8 MB.
MAX_UNPACKED = 4 * 2**20
MAX_MEMBERS = 16  # a state_dict has at most 10 arrays (weights, peepholes, head, vocab)
MAX_EXACT_POW10 = 22  # 10^22 is the largest power of ten a double holds exactly
# The adding-problem preset of each cell: what choosing a cell without a preset runs.
ADDING_PRESET = {
    ("lstm", False): "adding-lstm",
    ("lstm", True): "adding-peephole",
    ("gru", False): "adding-gru",
    ("rnn", False): "adding-rnn",
}


# --- rounding -----------------------------------------------------------------------------------


def round_sig(a: np.ndarray, digits: int = SIG_DIGITS) -> np.ndarray:
    """Every element rounded to `digits` significant digits.

    Where the power of ten is exact in a double (10^0 .. 10^22), dividing the rounded integer
    by it gives the double nearest the decimal, so json.dumps prints it short ("0.41235", not
    "0.41235000000000005"). Further out (|x| below about 1e-18 or above 1e26: an input of
    1e-305, a vanished gradient) 10^exp is inexact or overflows to inf, and inf / inf is NaN;
    those few are rounded by NumPy's correctly rounded decimal formatting instead.
    """
    a = np.asarray(a, dtype=np.float64)
    out = a.copy()
    ok = np.isfinite(a) & (a != 0)
    if not ok.any():
        return out
    v = a[ok]
    exp = digits - 1 - np.floor(np.log10(np.abs(v))).astype(np.int64)
    r = np.empty_like(v)
    up = (exp >= 0) & (exp <= MAX_EXACT_POW10)  # |v| < 10^digits: scale up, round, scale down
    scale = 10.0 ** exp[up]
    r[up] = np.round(v[up] * scale) / scale
    down = (exp < 0) & (exp >= -MAX_EXACT_POW10)
    scale = 10.0 ** -exp[down]
    r[down] = np.round(v[down] / scale) * scale
    for k in np.flatnonzero(~(up | down)):  # rare: values far from the lab's usual scale
        r[k] = float(np.format_float_scientific(v[k], precision=digits - 1, unique=False))
    # Near the largest double, rounding up overflows to infinity: keep those as they are.
    out[ok] = np.where(np.isfinite(r), r, v)
    return out


def shown(x: float, decimals: int = 3) -> str:
    """x as the page shows it: the API's value (SIG_DIGITS significant digits), then `decimals`
    places, as the browser's toFixed prints it. Question texts use this, so a number in a
    question and the same number in the page's summary are rounded once, the same way."""
    return f"{float(round_sig(np.array([x]))[0]):.{decimals}f}"


def rounded(value: object) -> object:
    """The structure with every float rounded, each regular list of numbers as a float64 array
    (for orjson, which writes NumPy arrays itself); other values as they are. LabError if the
    run produced NaN or infinity.

    Every float in it (each regular list of numbers as one array) is gathered into one flat
    array and rounded in one NumPy call: a run holds a dozen small arrays, and rounding each on
    its own cost six times as long in NumPy's per-call overhead as the arithmetic."""
    arrays: list[np.ndarray] = []
    skeleton = _gather(value, arrays)
    if not arrays:
        return value
    flat = np.concatenate([a.ravel() for a in arrays])
    if not np.isfinite(flat).all():
        raise LabError("the model produced NaN or infinity")
    done = np.split(round_sig(flat), np.cumsum([a.size for a in arrays])[:-1])
    return _fill(skeleton, [d.reshape(a.shape) for d, a in zip(done, arrays, strict=True)])


class _Slot(int):
    """Where `_gather` took an array out: its index in the list of arrays."""


class _Scalar(_Slot):
    """A single float taken out (put back as a float, not a list)."""


def _gather(value: object, arrays: list[np.ndarray]) -> object:
    if isinstance(value, dict):
        return {k: _gather(v, arrays) for k, v in value.items()}
    if isinstance(value, float):
        arrays.append(np.array([value]))
        return _Scalar(len(arrays) - 1)
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        arrays.append(value)
        return _Slot(len(arrays) - 1)
    if isinstance(value, list) and value:
        array = _as_array(value)
        if array is None:
            return [_gather(v, arrays) for v in value]
        arrays.append(array)
        return _Slot(len(arrays) - 1)
    return value


def _fill(skeleton: object, done: list[np.ndarray]) -> object:
    if isinstance(skeleton, _Scalar):
        return float(done[skeleton][0])
    if isinstance(skeleton, _Slot):
        return done[skeleton]  # an array: the JSON encoder writes NumPy arrays itself
    if isinstance(skeleton, dict):
        return {k: _fill(v, done) for k, v in skeleton.items()}
    if isinstance(skeleton, list):
        return [_fill(v, done) for v in skeleton]
    return skeleton


def _as_array(value: list) -> np.ndarray | None:
    """A (nested) list of numbers with a regular shape as one float64 array, else None."""
    first = value[0]
    while isinstance(first, list) and first:
        first = first[0]
    if isinstance(first, bool) or not isinstance(first, (int, float)):
        return None
    try:
        return np.array(value, dtype=np.float64)
    except (ValueError, TypeError):
        return None


# --- presets -------------------------------------------------------------------------------------


def resolve_preset(preset: str | None, cell: str | None, peepholes: bool | None) -> str:
    """The preset to run: the one named, or the adding-problem preset of the cell named.

    Raises LabError naming the field when the cell or peepholes contradict the preset.
    """
    if preset is None:
        key = (cell or "lstm", bool(peepholes))
        if key not in ADDING_PRESET:
            raise LabError("peepholes: only the LSTM has peephole connections")
        return ADDING_PRESET[key]
    if preset not in PRESETS:
        raise LabError(f"preset: unknown preset {preset!r}; known: {sorted(PRESETS)}")
    p = PRESETS[preset]
    if cell is not None and cell != p.cell:
        raise LabError(f"cell: preset {preset!r} runs a {p.cell} cell, not {cell}")
    if peepholes is not None and peepholes != p.peepholes:
        raise LabError(f"peepholes: preset {preset!r} has peepholes = {str(p.peepholes).lower()}")
    return preset


def check_rows(input: list[list[float]]) -> None:
    """Every row of a T × D input must hold the same D numbers."""
    D = len(input[0]) if input else 0
    for t, row in enumerate(input):
        if len(row) != D:
            raise LabError(
                f"input: row {t + 1} has D = {len(row)} values; row 1 has D = {D} (every row "
                "needs the same number)"
            )


def random_adding_input(T: int, seed: int) -> list[list[float]]:
    """The seeded adding-problem sequence the engine uses by default, at any length T."""
    x, _ = tasks.adding_problem(1, T, np.random.default_rng(seed))
    return x[:, 0].tolist()


def run_preset(
    preset: str,
    *,
    input: list[list[float]] | None = None,
    text: str | None = None,
    seed: int | None = None,
    T: int | None = None,
    forget_bias: float | None = None,
    truncate: int | None = None,
    include_pre: bool = False,
    interventions: list[dict] | None = None,
    baseline: bool = False,
    grad_norms: bool = False,
) -> dict:
    """lab.run_preset, plus a random input of length T when asked for one."""
    p = PRESETS[preset]
    if p.task == "char" and input is not None:
        raise LabError(f"input: preset {preset!r} reads text; send `text` instead")
    if p.task != "char" and text is not None:
        raise LabError(f"text: preset {preset!r} reads a number sequence; send `input` instead")
    if input is not None:
        check_rows(input)
    if p.task != "char" and input is None and T is not None:
        input = random_adding_input(T, seed or 0)
    try:
        out = lab.run_preset(
            preset,
            input=input,
            text=text,
            seed=seed,
            forget_bias=forget_bias,
            truncate=truncate,
            include_pre=include_pre,
            interventions=interventions,
            baseline=baseline,
            grad_norms=grad_norms,
        )
    except LabError as exc:
        # Name the field the learner typed into when the engine's message does not.
        field = "text" if text is not None else "input" if input is not None else None
        named = ("interventions", "baseline", "grad_norms")
        if field and not str(exc).startswith((field, *named)):
            raise LabError(f"{field}: {exc}") from None
        raise
    out["peepholes"] = p.peepholes
    out["seed"] = 0 if seed is None else seed
    if p.task == "gradients":
        out["forget_bias"] = p.forget_bias if forget_bias is None else forget_bias
    out["source"] = "preset"
    return out


# --- uploaded weights ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    weights: Weights
    filename: str


def read_npz(data: bytes, filename: str = "weights.npz") -> Upload:
    """Parse an uploaded .npz (a PyTorch state_dict saved with np.savez) and validate it.

    Nothing is inflated before it is known to fit: the member names come from the zip's
    directory, each member's dtype and shape from its .npy header, and the layout (H ≤ MAX_H,
    D ≤ MAX_D, the cell's own shapes) and the total unpacked size (≤ MAX_UNPACKED) are checked
    on those; only then is each array decompressed, by a read bounded to its stated size.
    Raises WeightsError with a message that names the key or member (or says what the file is).
    """
    try:
        names = npz.member_names(data, MAX_MEMBERS)
        if any(n.endswith("data.pkl") for n in names):
            raise WeightsError(
                "this is a torch.save file, not an .npz: save the arrays with "
                "np.savez(path, **{k: v.numpy() for k, v in model.state_dict().items()})"
            )
        if not names:
            raise WeightsError("the .npz file holds no arrays")
        _hint_prefix([n.removesuffix(".npy") for n in names])
        members = npz.read_headers(data, MAX_MEMBERS)
        check_layout({m.key: m.shape for m in members}, max_H=lab.MAX_H, max_D=lab.MAX_D)
        floats = ("f2", "f4", "f8")
        npz.check_plain(members, {m.key: floats for m in members} | {VOCAB: ("u4",)}, MAX_UNPACKED)
        arrays = npz.read_arrays(data, members)
    except npz.NpzError as exc:
        raise WeightsError(str(exc)) from None
    return Upload(from_arrays(arrays), filename)


def _hint_prefix(keys: list[str]) -> None:
    """A state_dict of a whole model names the layer's keys 'lstm.weight_ih_l0': say so."""
    if W_IH in keys:
        return
    prefixed = [k for k in keys if k.endswith("." + W_IH)]
    if prefixed:
        prefix = prefixed[0][: -len(W_IH)]
        raise WeightsError(
            f"missing key {W_IH!r}; found {prefixed[0]!r}: save the recurrent layer's own "
            f"state_dict (e.g. model.{prefix.rstrip('.')}.state_dict()), one layer only"
        )


def _check_claims(w, *, cell: str | None, nonlinearity: str | None, peepholes: bool | None):
    """What the request says about the model must match the uploaded weights."""
    if cell is not None and cell != w.cell:
        raise LabError(f"cell: the uploaded weights hold a {w.cell} cell, not {cell}")
    if nonlinearity is not None and w.cell != "rnn":
        raise LabError(
            f"nonlinearity: only an RNN (nn.RNN) has a choice of nonlinearity; the uploaded "
            f"weights hold a {w.cell} cell, so leave it out"
        )
    if peepholes is not None and peepholes != w.peepholes:
        raise LabError(
            f"peepholes: the uploaded weights have peepholes = {str(w.peepholes).lower()}"
        )


def _readout(w, h: np.ndarray, x: np.ndarray, source_text: str | None) -> dict:
    """The outputs (the head's, or h without one), the input, and per kind of model its top-5
    next characters or its adding-problem answer and the true sum."""
    out: dict = {}
    y = head.forward(h, *w.head)[0] if w.head is not None else None
    # No readout: the hidden state is the output.
    out["outputs"] = (y if y is not None else h)[:, 0].tolist()
    if source_text is not None:
        out["input"], out["text"] = None, source_text
        if y is not None:
            out["top5"] = top_k(y[:, 0], w.vocab or "")
    else:
        out["input"] = x[:, 0].tolist()
        if w.D == 2 and w.O == 1:  # an adding-problem model: its answer and the true sum
            out["prediction"] = float(y[-1, 0, 0])
            out["target"] = lab.adding_target(x)
    return out


def run_weights(
    upload: Upload,
    *,
    cell: str | None = None,
    peepholes: bool | None = None,
    input: list[list[float]] | None = None,
    text: str | None = None,
    seed: int | None = None,
    T: int | None = None,
    include_pre: bool = False,
    nonlinearity: str | None = None,
    interventions: list[dict] | None = None,
    baseline: bool = False,
) -> dict:
    """Run uploaded weights on one sequence: typed text (a model with a vocab), the given T × D
    input, or a seeded random input of length T (the adding problem when D = 2, else N(0, 1)).

    nonlinearity: the RNN's φ as built in PyTorch, nn.RNN(nonlinearity=...): "tanh" (also
    PyTorch's default, used when left out) or "relu". The .npz cannot say which, so it is asked
    for, never guessed from the numbers. interventions and baseline as lab.run_preset.
    """
    w = upload.weights
    _check_claims(w, cell=cell, nonlinearity=nonlinearity, peepholes=peepholes)
    seed = 0 if seed is None else seed
    x, source_text = _upload_input(w, input, text, seed, T)
    phi = nonlinearity or "tanh"
    if baseline and not interventions:
        raise LabError("baseline: send it together with interventions")
    held = lab.interventions_of(interventions, w.cell, x.shape[0], w.H)
    if baseline:
        base = run_weights(
            upload,
            input=x[:, 0].tolist() if source_text is None else None,
            text=source_text,
            include_pre=include_pre,
            nonlinearity=nonlinearity,
        )
        keys = ("gates", "c", "h", "outputs", "prediction", "top5", "pre")
        base = {k: base[k] for k in keys if k in base}
    trace, _ = sequence.forward(w.params, x, nonlinearity=phi, interventions=held)
    out = {
        "preset": None,
        "source": "upload",
        "filename": upload.filename,
        "peepholes": w.peepholes,
        "nonlinearity": phi if w.cell == "rnn" else None,
        "seed": seed,
        **trace_lists(trace, include_pre),
        "D": w.D,
    }
    out.update(_readout(w, trace.h, x, source_text))
    if baseline:
        out["baseline"] = base
    return out


def upload_input(upload: Upload, input, text, seed: int | None, T: int | None = None):
    """(weights, x (T, 1, D), text or None) for uploaded weights, as run_weights picks them."""
    x, source_text = _upload_input(upload.weights, input, text, seed or 0, T)
    return upload.weights, x, source_text


def _upload_input(w: Weights, input, text, seed: int, T: int | None):
    if text is not None:
        if w.vocab is None:
            raise LabError("text: the uploaded weights have no vocab; send `input` instead")
        try:
            ids = tasks.encode(text, w.vocab)
        except ValueError as exc:
            raise LabError(f"text: {exc}") from None
        return tasks.one_hot(ids[:, None], w.D), text
    if input is not None:
        check_rows(input)
        x = np.array(input, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != w.D:
            raise LabError(f"input: each row must hold D = {w.D} numbers for these weights")
        return x[:, None, :], None
    T = lab.DEFAULT_T if T is None else T
    rng = np.random.default_rng(seed)
    if w.vocab is not None:
        ids = rng.integers(0, w.D, size=T)
        return tasks.one_hot(ids[:, None], w.D), "".join(w.vocab[i] for i in ids)
    if w.D == 2:
        x, _ = tasks.adding_problem(1, T, rng)
        return x, None
    return rng.normal(size=(T, 1, w.D)), None


def trace_lists(trace: sequence.Trace, include_pre: bool = False) -> dict:
    """The first sequence's gates, c and h as T × H lists (the engine's response layout)."""
    H = trace.h.shape[2]
    gates = (
        {} if trace.cell == "rnn" else {g: trace.gate(g)[:, 0].tolist() for g in GATES[trace.cell]}
    )
    out = {"cell": trace.cell, "T": trace.h.shape[0], "H": H, "gates": gates}
    out["h"] = trace.h[:, 0].tolist()
    if trace.c is not None:
        out["c"] = trace.c[:, 0].tolist()
    if include_pre:
        out["pre"] = {g: trace.pre_gate(g)[:, 0].tolist() for g in GATES[trace.cell]}
    return out


def top_k(logits: np.ndarray, vocab: str, k: int = lab.TOP_K) -> list:
    """Per step the k most probable next characters as [character, probability] pairs."""
    probs = softmax(logits)
    top = np.argsort(-probs, axis=1, kind="stable")[:, :k]
    return [[[vocab[j], float(p[j])] for j in row] for row, p in zip(top, probs, strict=True)]


# --- gradients ----------------------------------------------------------------------------------


def gradient_series(
    series: list[dict], *, T: int, H: int, seed: int, input: list[list[float]] | None
) -> list[dict]:
    """lab.gradient_norms for each requested (cell, forget_bias, truncate) on one shared input."""
    out = []
    for k, s in enumerate(series):
        fb = s.get("forget_bias") or 0.0
        if s["cell"] != "lstm" and fb:
            raise LabError(f"series[{k}].forget_bias: applies to the LSTM only; leave it out")
        try:
            out.append(
                lab.gradient_norms(
                    s["cell"],
                    T=T,
                    H=H,
                    seed=seed,
                    forget_bias=float(fb),
                    truncate=s.get("truncate"),
                    input=input,
                )
            )
        except LabError as exc:
            raise LabError(f"series[{k}]: {exc}") from None
    return out
