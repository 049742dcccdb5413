"""Schedule-free AdamW (Defazio et al., 2024), the rule behind ``keras.optimizers.ScheduleFreeAdamW``."""
from __future__ import annotations

import numpy as np

from ._math import ema, f32

__all__ = ["schedule_free_adamw_update"]


def schedule_free_adamw_update(param: np.ndarray, grad: np.ndarray, momentum: np.ndarray, velocity: np.ndarray,
                               *, step: float, lr: float, beta1: float = 0.9, beta2: float = 0.999,
                               eps: float = 1e-8, warmup_steps: float = 0, tmp: np.ndarray | None = None,
                               tmp2: np.ndarray | None = None) -> None:
    """One schedule-free AdamW step on arrays (in place), ``step`` being the 1-based step count,
    with Keras's float32 constants.

    ``param`` is ``y = (1−β1)·z + β1·x``: an interpolation between ``z`` (``momentum``, where
    the gradient steps go; the caller starts it as a copy of the weights) and their running
    average ``x``. With ``lr_t = lr·min(1, t/warmup_steps)`` and ``c = 1/t``:
    ``v ← β2·v + (1−β2)·g²``; ``z ← z − lr_t·g / (√(v/(1−β2^t)) + eps)``;
    ``x ← (1−c)·x + c·z``; ``y ← (1−β1)·z + β1·x``, where ``x`` is recovered from ``y`` and ``z``.

    Args:
        tmp, tmp2: scratch arrays like ``param`` (allocated when not given).
    """
    tmp = np.empty_like(param) if tmp is None else tmp
    tmp2 = np.empty_like(param) if tmp2 is None else tmp2
    t, b1 = f32(step), f32(beta1)
    lr = f32(lr) * min(t / f32(warmup_steps), f32(1)) if warmup_steps > 0 else f32(lr)
    bias_correction2 = f32(1) - np.power(f32(beta2), t)
    np.multiply(grad, grad, out=tmp2)
    ema(velocity, tmp2, f32(beta2), tmp)  # Keras takes 1 − β2 from the float32 β2
    np.divide(velocity, bias_correction2, out=tmp)
    np.sqrt(tmp, out=tmp)
    tmp += f32(eps)
    np.multiply(grad, lr, out=tmp2)
    tmp2 /= tmp                                   # the gradient step on z
    momentum -= tmp2
    # x_old = (y − (1−β1)·z) / β1 with the NEW z: on Keras's torch backend ``momentum.value``
    # is the tensor that ``assign_sub`` then updates in place, so Keras reads z after its step
    np.multiply(momentum, f32(1) - b1, out=tmp)
    param -= tmp
    param /= b1
    weight = f32(1) / t
    param *= f32(1) - weight
    np.multiply(momentum, weight, out=tmp)
    param += tmp                                  # x_new
    param *= b1
    np.multiply(momentum, f32(1) - b1, out=tmp)
    param += tmp                                  # y_new
