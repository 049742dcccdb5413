"""Lion: evolved sign momentum (Chen et al., 2023), the rule behind ``keras.optimizers.Lion``."""
from __future__ import annotations

import numpy as np

from ._math import decay_weights, ema, grad_term

__all__ = ["lion_update"]


def lion_update(param: np.ndarray, grad: np.ndarray, exp_avg: np.ndarray, *, lr: float, beta1: float = 0.9,
                beta2: float = 0.99, weight_decay: float = 0.0, maximize: bool = False,
                gbuf: np.ndarray | None = None, tmp: np.ndarray | None = None,
                tmp2: np.ndarray | None = None) -> None:
    """One Lion step on arrays (in place).

    ``c = β1·m + (1−β1)·g``; ``param −= lr·sign(c)``; ``m = β2·m + (1−β2)·g``. Weight decay,
    when given, is decoupled: ``param *= 1 − lr·weight_decay`` first.

    Args:
        gbuf, tmp, tmp2: scratch arrays like ``param`` (allocated when not given).
    """
    tmp = np.empty_like(param) if tmp is None else tmp
    scaled = np.empty_like(param) if tmp2 is None else tmp2
    decay_weights(param, lr, weight_decay)
    g = grad_term(grad, param, 0.0, maximize, gbuf if gbuf is not None else np.empty_like(param))
    np.multiply(exp_avg, beta1, out=tmp)          # c = β1·m + (1−β1)·g, as Keras writes it
    np.multiply(g, 1 - beta1, out=scaled)
    tmp += scaled
    np.sign(tmp, out=tmp)
    tmp *= lr
    param -= tmp
    ema(exp_avg, g, beta2, tmp)
