"""RMSprop (Hinton, Lecture 6e), with momentum and the centered variant (Graves, 2013)."""
from __future__ import annotations

import numpy as np

from ._math import ema, ema_square, grad_term
from ._validate import check_non_negative
from .optimizer import Optimizer

__all__ = ["RMSprop", "rmsprop_update"]


def rmsprop_update(param: np.ndarray, grad: np.ndarray, square_avg: np.ndarray,
                   momentum_buffer: np.ndarray | None = None, grad_avg: np.ndarray | None = None, *,
                   lr: float, alpha: float, eps: float, weight_decay: float = 0.0, momentum: float = 0.0,
                   centered: bool = False, maximize: bool = False, eps_inside_sqrt: bool = False,
                   velocity_includes_lr: bool = False, gbuf: np.ndarray | None = None,
                   tmp: np.ndarray | None = None) -> None:
    """One RMSprop step on arrays (in place).

    ``v = α·v + (1−α)·g²``; ``d = √(v − ḡ²) + eps`` when centered (``ḡ = α·ḡ + (1−α)·g``),
    else ``√v + eps``; then ``buf = momentum·buf + g/d; param −= lr·buf`` (with a
    ``momentum_buffer``) or ``param −= lr·g/d`` (torch).

    Keras's form: with ``eps_inside_sqrt`` the denominator is ``√(v − ḡ² + eps)``, and with
    ``velocity_includes_lr`` the momentum buffer accumulates ``lr·g/d`` (``param −= buf``).

    Args:
        gbuf, tmp: scratch arrays like ``param`` (allocated when not given).
    """
    tmp = np.empty_like(param) if tmp is None else tmp
    g = grad_term(grad, param, weight_decay, maximize, gbuf if gbuf is not None else np.empty_like(param))
    ema_square(square_avg, g, alpha, tmp)
    if centered:
        ema(grad_avg, g, alpha, tmp)
        np.multiply(grad_avg, grad_avg, out=tmp)
        np.subtract(square_avg, tmp, out=tmp)
        if eps_inside_sqrt:
            tmp += eps
        np.sqrt(tmp, out=tmp)
    elif eps_inside_sqrt:
        np.add(square_avg, eps, out=tmp)
        np.sqrt(tmp, out=tmp)
    else:
        np.sqrt(square_avg, out=tmp)
    if not eps_inside_sqrt:
        tmp += eps
    np.divide(g, tmp, out=tmp)
    buf = momentum_buffer
    if velocity_includes_lr or buf is None:
        tmp *= lr
        if buf is None:
            param -= tmp
            return
    buf *= momentum
    buf += tmp
    if velocity_includes_lr:
        param -= buf
    else:
        np.multiply(buf, lr, out=tmp)
        param -= tmp


class RMSprop(Optimizer):
    """RMSprop: divides the gradient by a running root-mean-square of recent gradients.

    Args:
        params: tensors or parameter groups to optimize.
        lr: learning rate (default 1e-2).
        alpha: smoothing constant of the squared-gradient average (default 0.99).
        eps: added to the denominator (default 1e-8).
        weight_decay: L2 penalty (default 0).
        momentum: momentum factor (default 0).
        centered: normalize by an estimate of the gradient's variance instead of its second moment.
        maximize: maximize the objective instead of minimizing it.

    Example::

        >>> opt = ember.optim.RMSprop(model.parameters(), lr=0.01, centered=True)
    """

    _rule = staticmethod(rmsprop_update)
    _scalars = ("step",)
    _scratch = ("gbuf", "tmp")

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False,
                 capturable: bool = False, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        check_non_negative(lr=lr, eps=eps, momentum=momentum, weight_decay=weight_decay, alpha=alpha)
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps, "centered": centered,
                    "weight_decay": weight_decay, "capturable": capturable, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable}
        super().__init__(params, defaults)

    def _slots(self, group: dict) -> tuple:
        return (("square_avg",) + (("momentum_buffer",) if group["momentum"] > 0 else ())
                + (("grad_avg",) if group["centered"] else ()))

    def _advance(self, group: dict, scalars: dict, fresh: bool) -> dict:
        scalars["step"] += 1
        return {}
