"""The readout layer (PyTorch's nn.Linear(H, O), stored as head.weight, head.bias)."""

import numpy as np

from app.nn.ops import dense


def forward(h: np.ndarray, w: np.ndarray, b: np.ndarray):
    """y = h W^T + b. h (..., H); w (O, H); b (O,). Returns (y (..., O), cache)."""
    return dense(h, w.T) + b, (h, w)


def backward(dy: np.ndarray, cache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dy (..., O) → (dh (..., H), dw (O, H), db (O,))."""
    h, w = cache
    dy2 = dy.reshape(-1, dy.shape[-1])
    return dense(dy, w), dy2.T @ h.reshape(-1, h.shape[-1]), dy2.sum(0)
