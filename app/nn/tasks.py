"""The lab's tasks: the adding problem and a character corpus built from the deck's text."""

import hashlib
from pathlib import Path

import numpy as np


def adding_problem(N: int, T: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """N sequences of the adding problem (Hochreiter & Schmidhuber 1997, as set by Le et al. 2015).

    Channel 0 holds values ~ U[0, 1]; channel 1 marks two steps with 1, one in each half of the
    sequence; the target is the sum of the two marked values. Predicting 1 always scores
    MSE ≈ 1/6, so any MSE well below 0.167 means the network learnt to remember.

    Returns x (T, N, 2) and y (N, 1), float64.
    """
    if T < 2:
        raise ValueError(f"the adding problem needs T >= 2, got {T}")
    x = np.zeros((T, N, 2))
    x[:, :, 0] = rng.uniform(0.0, 1.0, size=(T, N))
    first = rng.integers(0, T // 2, size=N)
    second = rng.integers(T // 2, T, size=N)
    cols = np.arange(N)
    x[first, cols, 1] = 1.0
    x[second, cols, 1] = 1.0
    y = (x[first, cols, 0] + x[second, cols, 0])[:, None]
    return x, y


# --- characters --------------------------------------------------------------------------------


def read_corpus(folder: Path) -> str:
    """Every `*.md` file of `folder` in name order, joined by blank lines."""
    paths = sorted(folder.glob("*.md"))
    if not paths:
        raise FileNotFoundError(f"no .md files in {folder}")
    return "\n\n".join(p.read_text(encoding="utf-8").strip() for p in paths) + "\n"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def split_corpus(text: str, heldout: float = 0.1) -> tuple[str, str]:
    """(train, held-out): the held-out part is the last `heldout` fraction of the characters."""
    cut = round(len(text) * (1.0 - heldout))
    return text[:cut], text[cut:]


def make_vocab(text: str) -> str:
    """The distinct characters of text, in code-point order."""
    return "".join(sorted(set(text)))


def encode(text: str, vocab: str) -> np.ndarray:
    """Character ids (len(text),) int64; raises ValueError naming a character not in vocab."""
    index = {ch: k for k, ch in enumerate(vocab)}
    missing = sorted({ch for ch in text if ch not in index})
    if missing:
        raise ValueError(f"characters not in the model's vocabulary: {''.join(missing)!r}")
    return np.fromiter((index[ch] for ch in text), dtype=np.int64, count=len(text))


def one_hot(ids: np.ndarray, V: int) -> np.ndarray:
    """ids (...) → (..., V) float64 rows of the identity."""
    return np.eye(V)[ids]


def char_batch(
    ids: np.ndarray, N: int, T: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """N random windows of T + 1 characters: inputs (T, N) and next-character labels (T, N)."""
    starts = rng.integers(0, len(ids) - T - 1, size=N)
    windows = ids[starts[None, :] + np.arange(T + 1)[:, None]]  # (T + 1, N)
    return windows[:-1], windows[1:]
