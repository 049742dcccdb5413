"""LAMB: layer-wise adaptive moments (You et al., 2020), the rule behind ``keras.optimizers.Lamb``."""
from __future__ import annotations

import math

import numpy as np

from ._math import bias_correction, ema, ema_square, f32

__all__ = ["lamb_update"]


def lamb_update(param: np.ndarray, grad: np.ndarray, exp_avg: np.ndarray, exp_avg_sq: np.ndarray, *,
                step: float, lr: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-7,
                float32_scalars: bool = False, tmp: np.ndarray | None = None) -> None:
    """One LAMB step on a whole tensor (in place): Adam's direction scaled by a trust ratio.

    ``u = (m/(1−β1^t)) / (√(v/(1−β2^t)) + eps)``; ``r = ‖param‖/‖u‖`` (1 when either norm is
    0); ``param −= lr·r·u``. The norms are over the whole tensor, so the rule needs whole
    tensors.

    Args:
        tmp: a scratch array like ``param`` (allocated when not given).
    """
    tmp = np.empty_like(param) if tmp is None else tmp
    ema(exp_avg, grad, beta1, tmp)
    ema_square(exp_avg_sq, grad, beta2, tmp)
    bc1 = bias_correction(beta1, step, float32_scalars)
    bc2 = bias_correction(beta2, step, float32_scalars)
    np.multiply(exp_avg_sq, 1 / bc2, out=tmp)
    np.sqrt(tmp, out=tmp)
    tmp += eps
    np.divide(exp_avg, tmp, out=tmp)
    tmp *= 1 / bc1
    w_norm, u_norm = math.sqrt(float(np.vdot(param, param))), math.sqrt(float(np.vdot(tmp, tmp)))
    ratio = w_norm / u_norm if w_norm > 0 and u_norm > 0 else 1.0
    tmp *= f32(ratio) * f32(lr) if float32_scalars else ratio * lr
    param -= tmp
