"""Helpers shared by the lab engine's tests (imported by name: this folder is on sys.path)."""

import numpy as np

# (cell, peepholes) for every cell and option the engine supports.
CELL_OPTIONS = [("lstm", False), ("lstm", True), ("gru", False), ("rnn", False)]


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """‖a - b‖ / max(‖a‖, ‖b‖), 0 when both are zero."""
    scale = max(np.linalg.norm(a), np.linalg.norm(b))
    return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)


def numeric_grad(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Centred differences (f(x + ε) - f(x - ε)) / 2ε of a scalar f() in each entry of x."""
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        ix = it.multi_index
        old = x[ix]
        x[ix] = old + eps
        fp = f()
        x[ix] = old - eps
        fm = f()
        x[ix] = old
        grad[ix] = (fp - fm) / (2 * eps)
    return grad
