"""Array helpers shared by the cells."""

import numpy as np


def dense(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """x (..., K) @ w (K, M) → (..., M) as a single 2-D BLAS call.

    NumPy's stacked matmul of a 3-D array by a transposed 2-D one can take a slow non-BLAS loop
    (30× slower for (64, 32, 106) @ (106, 256)); a reshape to 2-D avoids it.
    """
    return (x.reshape(-1, x.shape[-1]) @ w).reshape(*x.shape[:-1], w.shape[1])
