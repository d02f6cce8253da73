"""Parameter names, shapes, initialisation, validation and .npz load/save.

The layout is PyTorch's single-layer `nn.LSTM` / `nn.GRU` / `nn.RNN` (tanh) state dict, so

    np.savez(path, **{k: v.numpy() for k, v in model.state_dict().items()})

loads as is. Shape letters: D input size, H hidden size, O head (readout) outputs.

    weight_ih_l0  (G·H, D)   row blocks in GATES[cell] order
    weight_hh_l0  (G·H, H)
    bias_ih_l0    (G·H,)
    bias_hh_l0    (G·H,)
    weight_ci_l0, weight_cf_l0, weight_co_l0  (H,)   LSTM peepholes (not in PyTorch), optional
    head.weight   (O, H), head.bias (O,)             readout layer, optional
    vocab         (V,) uint32 code points            character models only, optional

G is 4 for the LSTM (i|f|g|o), 3 for the GRU (r|z|n) and 1 for the Elman RNN.
"""

import math
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from os import PathLike
from typing import Literal

import numpy as np

Cell = Literal["lstm", "gru", "rnn"]

# The gate order, written once: every slice of a (.., G·H) array goes through block().
GATES: dict[str, tuple[str, ...]] = {
    "lstm": ("i", "f", "g", "o"),
    "gru": ("r", "z", "n"),
    "rnn": ("a",),
}
CELLS: tuple[str, ...] = tuple(GATES)

W_IH, W_HH, B_IH, B_HH = "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"
W_CI, W_CF, W_CO = "weight_ci_l0", "weight_cf_l0", "weight_co_l0"
PEEPHOLES: tuple[str, ...] = (W_CI, W_CF, W_CO)
HEAD_W, HEAD_B = "head.weight", "head.bias"
VOCAB = "vocab"


class WeightsError(ValueError):
    """A weights file or parameter dict is unusable; the message names the key."""


def n_blocks(cell: str) -> int:
    """G: how many H-row blocks the cell stacks in weight_ih_l0."""
    if cell not in GATES:
        raise ValueError(f"unknown cell {cell!r}; expected one of {CELLS}")
    return len(GATES[cell])


def block(cell: str, gate: str, H: int) -> slice:
    """The slice of a (.., G·H) array that holds `gate`, e.g. block("lstm", "f", H) = H:2H."""
    k = GATES[cell].index(gate)
    return slice(k * H, (k + 1) * H)


def param_shapes(cell: str, D: int, H: int, peepholes: bool = False) -> dict[str, tuple[int, ...]]:
    """Name → shape of every recurrent parameter (no head)."""
    G = n_blocks(cell)
    shapes: dict[str, tuple[int, ...]] = {
        W_IH: (G * H, D),
        W_HH: (G * H, H),
        B_IH: (G * H,),
        B_HH: (G * H,),
    }
    if peepholes:
        if cell != "lstm":
            raise ValueError("peepholes exist only for the LSTM")
        shapes.update({k: (H,) for k in PEEPHOLES})
    return shapes


@dataclass
class Weights:
    """A single-layer recurrent network, an optional readout and an optional vocabulary.

    params: name → array in the PyTorch layout above (peephole keys present iff peepholes).
    head: (head.weight (O, H), head.bias (O,)) or None. vocab: the characters of a char model.
    """

    cell: str
    params: dict[str, np.ndarray]
    head: tuple[np.ndarray, np.ndarray] | None = None
    vocab: str | None = None

    @property
    def H(self) -> int:
        return int(self.params[W_HH].shape[1])

    @property
    def D(self) -> int:
        return int(self.params[W_IH].shape[1])

    @property
    def O(self) -> int:  # noqa: E743 - the shape letter
        return 0 if self.head is None else int(self.head[0].shape[0])

    @property
    def peepholes(self) -> bool:
        return W_CI in self.params

    def arrays(self) -> dict[str, np.ndarray]:
        """Every array under its file key (the inverse of from_arrays)."""
        out = dict(self.params)
        if self.head is not None:
            out[HEAD_W], out[HEAD_B] = self.head
        if self.vocab is not None:
            out[VOCAB] = np.array([ord(ch) for ch in self.vocab], dtype=np.uint32)
        return out


def init_params(
    cell: str,
    D: int,
    H: int,
    rng: np.random.Generator,
    *,
    peepholes: bool = False,
    forget_bias: float = 0.0,
    dtype: type = np.float64,
) -> dict[str, np.ndarray]:
    """PyTorch's initialisation: every entry ~ U(-1/√H, 1/√H).

    forget_bias (LSTM only) sets the forget block of bias_ih_l0 to forget_bias and of bias_hh_l0
    to 0, so the effective forget bias b_if + b_hf is exactly forget_bias. A positive value makes
    f start near 1, so the cell remembers by default (Gers et al. 2000 initialise it positive;
    Jozefowicz et al. 2015 recommend 1 or 2).
    """
    k = 1.0 / math.sqrt(H)
    params = {
        name: rng.uniform(-k, k, size=shape).astype(dtype)
        for name, shape in param_shapes(cell, D, H, peepholes).items()
    }
    if forget_bias and cell != "lstm":
        raise ValueError("forget_bias applies to the LSTM only")
    if cell == "lstm" and forget_bias:
        f = block("lstm", "f", H)
        params[B_IH][f] = forget_bias
        params[B_HH][f] = 0.0
    return params


def init_head(O: int, H: int, rng: np.random.Generator, dtype: type = np.float64):
    """nn.Linear(H, O)'s initialisation: U(-1/√H, 1/√H) for weight (O, H) and bias (O,)."""
    k = 1.0 / math.sqrt(H)
    return rng.uniform(-k, k, size=(O, H)).astype(dtype), rng.uniform(-k, k, size=O).astype(dtype)


def _float_array(key: str, value: object, dtype: type) -> np.ndarray:
    a = np.asarray(value)
    if not np.issubdtype(a.dtype, np.floating):
        raise WeightsError(f"key {key!r} has dtype {a.dtype}; expected a floating-point array")
    if not np.isfinite(a).all():
        bad = "NaN" if np.isnan(a).any() else "infinity"
        raise WeightsError(f"key {key!r} contains {bad}")
    return a.astype(dtype)


def _check_shape(key: str, a: np.ndarray, shape: tuple[int, ...]) -> None:
    if a.shape != shape:
        raise WeightsError(f"key {key!r} has shape {a.shape}; expected {shape}")


def _head(arrays: Mapping[str, object], H: int, dtype: type) -> tuple | None:
    """The optional readout: head.weight (O × H) and head.bias (O), both or neither."""
    if HEAD_W not in arrays and HEAD_B not in arrays:
        return None
    for key in (HEAD_W, HEAD_B):
        if key not in arrays:
            raise WeightsError(f"missing key {key!r} (a head needs weight and bias)")
    hw = _float_array(HEAD_W, arrays[HEAD_W], dtype)
    if hw.ndim != 2 or hw.shape[1] != H:
        raise WeightsError(f"key {HEAD_W!r} has shape {hw.shape}; expected (O, {H})")
    hb = _float_array(HEAD_B, arrays[HEAD_B], dtype)
    _check_shape(HEAD_B, hb, (hw.shape[0],))
    return hw, hb


def _vocab(arrays: Mapping[str, object], D: int, head: tuple | None) -> str | None:
    """The optional character vocabulary: unique Unicode code points, one per input and per
    head row."""
    if VOCAB not in arrays:
        return None
    v = np.asarray(arrays[VOCAB])
    if v.dtype != np.uint32 or v.ndim != 1:
        raise WeightsError(f"key {VOCAB!r} must be a 1-D uint32 array of code points")
    if (v >= 0x110000).any() or ((v >= 0xD800) & (v < 0xE000)).any():
        raise WeightsError(f"key {VOCAB!r} holds a value that is not a Unicode scalar")
    if len(np.unique(v)) != len(v):
        raise WeightsError(f"key {VOCAB!r} repeats a character")
    vocab = "".join(map(chr, v.tolist()))
    if len(vocab) != D:
        raise WeightsError(f"key {W_IH!r} has {D} inputs; vocab has {len(vocab)}")
    if head is None or head[0].shape[0] != len(vocab):
        raise WeightsError(f"key {HEAD_W!r} must have one row per vocab character")
    return vocab


def from_arrays(
    arrays: Mapping[str, object], cell: str | None = None, dtype: type = np.float64
) -> Weights:
    """Validate a name → array mapping and build Weights (arrays are copied to `dtype`).

    The cell is inferred from weight_hh_l0 (4H, 3H or H rows for LSTM, GRU, RNN); pass `cell`
    to insist on one. Raises WeightsError naming the key for a missing or unexpected key, a wrong
    shape, a non-float dtype, NaN or infinity.
    """
    for key in (W_IH, W_HH, B_IH, B_HH):
        if key not in arrays:
            raise WeightsError(f"missing key {key!r}")
    w_hh = _float_array(W_HH, arrays[W_HH], dtype)
    if w_hh.ndim != 2 or w_hh.shape[1] == 0 or w_hh.shape[0] % w_hh.shape[1]:
        raise WeightsError(f"key {W_HH!r} has shape {w_hh.shape}; expected (G·H, H), G in 4, 3, 1")
    H = w_hh.shape[1]
    by_blocks = {len(g): c for c, g in GATES.items()}
    inferred = by_blocks.get(w_hh.shape[0] // H)
    if inferred is None:
        raise WeightsError(
            f"key {W_HH!r} has shape {w_hh.shape}; expected 4H (LSTM), 3H (GRU) or H (RNN) rows"
        )
    if cell is not None and cell != inferred:
        raise WeightsError(f"key {W_HH!r} has shape {w_hh.shape}: a {inferred} cell, not {cell}")
    cell = inferred
    w_ih = _float_array(W_IH, arrays[W_IH], dtype)
    if w_ih.ndim != 2:
        raise WeightsError(f"key {W_IH!r} has shape {w_ih.shape}; expected ({w_hh.shape[0]}, D)")
    peepholes = any(k in arrays for k in PEEPHOLES)
    if peepholes and cell != "lstm":
        raise WeightsError(
            f"key {next(k for k in PEEPHOLES if k in arrays)!r}: peepholes need an LSTM"
        )
    for key in PEEPHOLES if peepholes else ():
        if key not in arrays:
            raise WeightsError(f"missing key {key!r} (peepholes need all three)")
    params: dict[str, np.ndarray] = {}
    for key, shape in param_shapes(cell, w_ih.shape[1], H, peepholes).items():
        params[key] = _float_array(key, arrays[key], dtype)
        _check_shape(key, params[key], shape)

    head = _head(arrays, H, dtype)
    vocab = _vocab(arrays, w_ih.shape[1], head)

    known = {*params, HEAD_W, HEAD_B, VOCAB}
    for key in arrays:
        if key not in known:
            raise WeightsError(f"unexpected key {key!r} (single-layer {cell} layout expected)")
    return Weights(cell, params, head, vocab)


def check_layout(shapes: Mapping[str, tuple[int, ...]], *, max_H: int, max_D: int) -> None:
    """Before any array is read: the keys and shapes a file's headers claim must describe one
    single-layer cell with H ≤ max_H and D ≤ max_D, a head of at most max_D outputs and a vocab
    of at most max_D characters. WeightsError naming the key and the limit. (from_arrays then
    checks the values themselves: dtype, NaN, infinity, the vocab.)"""
    for key in (W_IH, W_HH, B_IH, B_HH):
        if key not in shapes:
            raise WeightsError(f"missing key {key!r}")
    w_hh = shapes[W_HH]
    by_blocks = {len(g): c for c, g in GATES.items()}
    if len(w_hh) != 2 or w_hh[1] == 0 or w_hh[0] % w_hh[1] or w_hh[0] // w_hh[1] not in by_blocks:
        raise WeightsError(
            f"key {W_HH!r} has shape {w_hh}; expected (G·H, H): 4H (LSTM), 3H (GRU) or H (RNN) rows"
        )
    H = w_hh[1]
    if max_H < H:
        raise WeightsError(f"H = {H} exceeds the limit H ≤ {max_H} (key {W_HH!r})")
    cell = by_blocks[w_hh[0] // H]
    w_ih = shapes[W_IH]
    if len(w_ih) != 2 or w_ih[0] != w_hh[0] or w_ih[1] == 0:
        raise WeightsError(f"key {W_IH!r} has shape {w_ih}; expected ({w_hh[0]}, D)")
    D = w_ih[1]
    if max_D < D:
        raise WeightsError(f"D = {D} exceeds the limit D ≤ {max_D} (key {W_IH!r})")
    peepholes = [k for k in PEEPHOLES if k in shapes]
    if peepholes and cell != "lstm":
        raise WeightsError(f"key {peepholes[0]!r}: peepholes need an LSTM")
    expected: dict[str, tuple[int, ...]] = param_shapes(cell, D, H, bool(peepholes))
    O = (shapes.get(HEAD_W) or (0,))[0]
    expected |= {HEAD_W: (O, H), HEAD_B: (O,)}
    for key, limit in ((HEAD_W, O), (VOCAB, (shapes.get(VOCAB) or (0,))[0])):
        if limit > max_D:
            raise WeightsError(f"key {key!r} has {limit} rows; the limit is {max_D}")
    for key, shape in shapes.items():
        if key == VOCAB:
            if len(shape) != 1:
                raise WeightsError(f"key {VOCAB!r} must be a 1-D uint32 array of code points")
        elif key not in expected:
            raise WeightsError(f"unexpected key {key!r} (single-layer {cell} layout expected)")
        elif shape != expected[key]:
            raise WeightsError(f"key {key!r} has shape {shape}; expected {expected[key]}")


def load_weights(path: str | PathLike[str], cell: str | None = None) -> Weights:
    """Read and validate an .npz file (float16/32/64 arrays are loaded as float64)."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    except (ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise WeightsError(f"{path}: not a readable .npz of plain arrays ({exc})") from None
    try:
        return from_arrays(arrays, cell)
    except WeightsError as exc:
        raise WeightsError(f"{path}: {exc}") from None


def save_weights(path: str | PathLike[str], weights: Weights, dtype: type = np.float32) -> None:
    """Write the .npz (floats as `dtype`, float32 by default to keep shipped files small)."""
    arrays = {
        k: (v.astype(dtype) if np.issubdtype(v.dtype, np.floating) else v)
        for k, v in weights.arrays().items()
    }
    np.savez_compressed(path, **arrays)
