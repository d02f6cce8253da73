"""How far back a gradient reaches: ‖∂L/∂h_t‖ per step for a loss at the last step."""

import numpy as np

from app.nn import sequence


def hidden_grad_norms(
    params: dict[str, np.ndarray],
    x: np.ndarray,
    rng: np.random.Generator,
    truncate: int | None = None,
) -> np.ndarray:
    """‖∂L/∂h_t‖ for t = 0 .. T-1, for the first sequence of x (T, N, D).

    L = u · h_T with u a random unit vector drawn from rng, so ‖∂L/∂h_T‖ = 1 and each norm
    reads as "how much of a unit gradient survives T - 1 - t steps back". The LSTM's gradient
    reaches h_t through both h_{t+1} and c_{t+1}; both paths are included. With truncate = k
    the norms are exactly zero more than k - 1 steps before the end.
    """
    trace, cache = sequence.forward(params, x[:, :1])
    u = rng.normal(size=trace.h.shape[2])
    dhT = (u / np.linalg.norm(u))[None].astype(trace.h.dtype)  # ∂L/∂h_T = u, (1, H)
    g = sequence.backward(cache, dhT=dhT, truncate=truncate)
    return np.linalg.norm(g.h[:, 0], axis=1)
