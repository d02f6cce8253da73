"""A recurrent layer plus its readout: predictions, task losses and their gradients.

Shapes: T time, N batch, D input, H hidden, O head outputs, V vocabulary size (D = O = V).
"""

import math

import numpy as np

from app.nn import head, sequence
from app.nn.losses import mse, softmax_cross_entropy
from app.nn.params import HEAD_B, HEAD_W, Weights
from app.nn.tasks import one_hot


def trainables(w: Weights) -> dict[str, np.ndarray]:
    """Every trained array under its file key; the same objects, so in-place updates stick."""
    out = dict(w.params)
    if w.head is not None:
        out[HEAD_W], out[HEAD_B] = w.head
    return out


def predict(w: Weights, x: np.ndarray, h0=None, c0=None, interventions=None):
    """x (T, N, D) → (trace, y (T, N, O)): the head applied at every step (to the held h_t
    where interventions, see sequence.forward, hold it)."""
    assert w.head is not None, "predict needs a head"
    trace, _ = sequence.forward(w.params, x, h0, c0, interventions)
    y, _ = head.forward(trace.h, *w.head)
    return trace, y


def adding_loss(w: Weights, x: np.ndarray, y: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
    """MSE of the head on the final hidden state. x (T, N, 2), y (N, 1).

    Returns (loss, grads by file key).
    """
    trace, cache = sequence.forward(w.params, x)
    pred, head_cache = head.forward(trace.h[-1], *w.head)  # (N, 1)
    loss, dpred = mse(pred, y)
    dhT, dw, db = head.backward(dpred, head_cache)
    g = sequence.backward(cache, dhT=dhT)
    return loss, {**g.params, HEAD_W: dw, HEAD_B: db}


def char_loss(
    w: Weights, ids: np.ndarray, labels: np.ndarray, h0=None, c0=None, eye=None
) -> tuple[float, dict[str, np.ndarray]]:
    """Mean next-character cross-entropy (nats) over every step. ids, labels (T, N) ints;
    eye: the (V, V) identity to one-hot with, in the training dtype (default float64).

    Returns (loss, grads by file key).
    """
    T, N = ids.shape
    x = one_hot(ids, w.D) if eye is None else eye[ids]
    trace, cache = sequence.forward(w.params, x, h0, c0)
    logits, head_cache = head.forward(trace.h, *w.head)  # (T, N, V)
    loss, dlogits = softmax_cross_entropy(logits.reshape(T * N, -1), labels.reshape(-1))
    dh, dw, db = head.backward(dlogits.reshape(T, N, -1), head_cache)
    g = sequence.backward(cache, dh=dh)
    return loss, {**g.params, HEAD_W: dw, HEAD_B: db}


def adding_mse(w: Weights, x: np.ndarray, y: np.ndarray) -> float:
    """Test MSE of the final-step prediction. x (T, N, 2), y (N, 1)."""
    _, pred = predict(w, x)
    return mse(pred[-1], y)[0]


def bits_per_char(w: Weights, ids: np.ndarray, chunk: int = 1000) -> float:
    """Mean -log₂ p(next character) over ids (L,), read as one stream from a zero state
    (the state carries across chunks, which only bound memory)."""
    h = c = None
    nats, count = 0.0, 0
    for start in range(0, len(ids) - 1, chunk):
        x_ids = ids[start : start + chunk + 1]
        trace, logits = predict(w, one_hot(x_ids[:-1, None], w.D), h, c)
        h = trace.h[-1]
        c = None if trace.c is None else trace.c[-1]
        loss, _ = softmax_cross_entropy(logits[:, 0], x_ids[1:])
        nats += loss * (len(x_ids) - 1)
        count += len(x_ids) - 1
    return nats / count / math.log(2)
