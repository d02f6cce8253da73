"""Adam with global-norm gradient clipping. Parameters and gradients are name → array dicts."""

import math
from dataclasses import dataclass, field

import numpy as np


def global_norm(grads: dict[str, np.ndarray]) -> float:
    """‖g‖ over every array together: √(Σ_k ‖g_k‖²)."""
    return math.sqrt(sum(float(np.vdot(g, g)) for g in grads.values()))


def clip_by_global_norm(
    grads: dict[str, np.ndarray], max_norm: float
) -> tuple[dict[str, np.ndarray], float]:
    """Scale every gradient by min(1, max_norm / ‖g‖) (Pascanu et al. 2013), which keeps its
    direction. Returns (clipped grads, the norm before clipping); like torch.nn.utils.
    clip_grad_norm_ it adds 1e-6 to the norm in the denominator."""
    norm = global_norm(grads)
    scale = max_norm / (norm + 1e-6)
    if scale >= 1.0:
        return grads, norm
    return {k: g * scale for k, g in grads.items()}, norm


@dataclass
class Adam:
    """Adam (Kingma & Ba 2015) as torch.optim.Adam computes it (no weight decay).

    m, v: first and second moment per parameter name; t: steps taken.
    """

    lr: float = 1e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    t: int = 0
    m: dict[str, np.ndarray] = field(default_factory=dict)
    v: dict[str, np.ndarray] = field(default_factory=dict)

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Update every params[k] in place from grads[k]."""
        self.t += 1
        c1 = 1.0 - self.beta1**self.t  # bias corrections: m and v start at zero
        c2 = 1.0 - self.beta2**self.t
        for k, g in grads.items():
            m = self.m.setdefault(k, np.zeros_like(g))
            v = self.v.setdefault(k, np.zeros_like(g))
            m *= self.beta1
            m += (1.0 - self.beta1) * g  # m = β1 m + (1 - β1) g
            v *= self.beta2
            v += (1.0 - self.beta2) * g * g  # v = β2 v + (1 - β2) g²
            # p -= lr m̂ / (√v̂ + ε), with m̂ = m / c1, v̂ = v / c2 (torch's operation order)
            params[k] -= (self.lr / c1) * m / (np.sqrt(v) / math.sqrt(c2) + self.eps)
