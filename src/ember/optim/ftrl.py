"""FTRL-Proximal (McMahan et al., 2013), the rule behind ``keras.optimizers.Ftrl``."""
from __future__ import annotations

import numpy as np

__all__ = ["ftrl_update"]


def ftrl_update(param: np.ndarray, grad: np.ndarray, accumulator: np.ndarray, linear: np.ndarray, *,
                lr: float, lr_power: float = -0.5, l1: float = 0.0, l2: float = 0.0, l2_shrinkage: float = 0.0,
                beta: float = 0.0, tmp: np.ndarray | None = None, tmp2: np.ndarray | None = None) -> None:
    """One FTRL-Proximal step on arrays (in place).

    With ``n' = n + g²`` and ``σ = (n'^(−p) − n^(−p)) / lr`` (``p`` = ``lr_power``):
    ``z += g + 2·l2_shrinkage·w − σ·w``; ``w = (clip(z, −l1, l1) − z) / (n'^(−p)/lr + 2·(l2 + β/(2·lr)))``;
    ``n = n'``.

    Args:
        tmp, tmp2: scratch arrays like ``param`` (allocated when not given).
    """
    tmp = np.empty_like(param) if tmp is None else tmp
    quad = np.empty_like(param) if tmp2 is None else tmp2
    np.power(accumulator, -lr_power, out=tmp)          # n^(−p)
    np.multiply(grad, grad, out=quad)
    accumulator += quad                                # n'
    np.power(accumulator, -lr_power, out=quad)         # n'^(−p)
    tmp -= quad
    tmp *= param
    tmp /= lr                                          # −σ·w
    linear += tmp
    linear += grad
    if l2_shrinkage:
        np.multiply(param, 2 * l2_shrinkage, out=tmp)
        linear += tmp
    quad /= lr
    quad += 2 * (l2 + beta / (2.0 * lr))
    np.clip(linear, -l1, l1, out=tmp)
    tmp -= linear
    np.divide(tmp, quad, out=param)
