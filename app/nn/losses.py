"""Losses, each returning (loss, ∂loss/∂input)."""

import numpy as np

from app.nn.activations import log_softmax


def mse(y: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean squared error over every entry: L = mean((y - target)²). y, target: same shape."""
    diff = y - target
    return float(np.mean(diff * diff)), (2.0 / diff.size) * diff


def softmax_cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy in nats. logits (M, V); labels (M,) integers in [0, V).

    Returns (L, dlogits (M, V)); dL/dz = (softmax(z) - onehot(label)) / M.
    """
    M = logits.shape[0]
    logp = log_softmax(logits)
    rows = np.arange(M)
    loss = -float(logp[rows, labels].mean())
    dlogits = np.exp(logp)
    dlogits[rows, labels] -= 1.0
    return loss, dlogits / M
