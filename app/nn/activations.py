"""Elementwise nonlinearities and their derivatives written in terms of their outputs."""

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    """σ(x) = 1 / (1 + e^{-x}), any shape.

    Computed as (1 + tanh(x/2)) / 2: the same value to within an ulp of 1 in absolute terms
    (relative accuracy fades only where σ < 1e-8, irrelevant for a gate), it never overflows
    (no warnings for x = -1000) and it lets a cell push all its gates through one tanh call.
    """
    return 0.5 + 0.5 * np.tanh(0.5 * x)


def dsigmoid(s: np.ndarray) -> np.ndarray:
    """σ'(x) from s = σ(x): σ' = s (1 - s)."""
    return s * (1.0 - s)


def dtanh(y: np.ndarray) -> np.ndarray:
    """tanh'(x) from y = tanh(x): 1 - y²."""
    return 1.0 - y * y


def softmax(z: np.ndarray) -> np.ndarray:
    """Softmax over the last axis; shifts by the row maximum so exp never overflows."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def log_softmax(z: np.ndarray) -> np.ndarray:
    """log softmax over the last axis, stable for large logits."""
    s = z - z.max(axis=-1, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=-1, keepdims=True))
