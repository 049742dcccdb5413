"""Stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""
from __future__ import annotations

import numpy as np

from ._math import grad_term
from ._validate import check_non_negative
from .optimizer import Optimizer

__all__ = ["SGD", "sgd_update"]


def sgd_update(param: np.ndarray, grad: np.ndarray, momentum_buffer: np.ndarray | None = None, *,
               lr: float, momentum: float = 0.0, dampening: float = 0.0, weight_decay: float = 0.0,
               nesterov: bool = False, maximize: bool = False, first: bool = False,
               velocity_includes_lr: bool = False, gbuf: np.ndarray | None = None,
               tmp: np.ndarray | None = None) -> None:
    """One SGD step on arrays, in place on ``param`` and ``momentum_buffer``.

    torch's form, with ``g = ±grad + weight_decay·param``: ``buf = g`` on the ``first`` step,
    then ``buf = momentum·buf + (1 − dampening)·g``; ``param −= lr·(g + momentum·buf)``
    (Nesterov) or ``param −= lr·buf``. Without momentum (``momentum_buffer`` None):
    ``param −= lr·g``.

    With ``velocity_includes_lr`` (Keras's form) the buffer is a velocity that carries the
    learning rate: ``v = momentum·v − lr·g``, then ``param += v``, or with Nesterov
    ``param += momentum·v − lr·g``. Both agree while the rate is constant.

    Args:
        gbuf, tmp: scratch arrays like ``param`` (allocated when not given).
    """
    tmp = np.empty_like(param) if tmp is None else tmp
    d = grad_term(grad, param, weight_decay, maximize, gbuf if gbuf is not None else np.empty_like(param))
    buf = momentum_buffer
    if buf is None:
        np.multiply(d, lr, out=tmp)
        param -= tmp
    elif velocity_includes_lr:
        np.multiply(d, lr, out=tmp)
        buf *= momentum
        buf -= tmp
        if nesterov:
            param -= tmp
            np.multiply(buf, momentum, out=tmp)
            param += tmp
        else:
            param += buf
    else:
        if first:
            np.copyto(buf, d)
        elif dampening == 0:
            buf *= momentum
            buf += d
        else:
            buf *= momentum
            np.multiply(d, 1 - dampening, out=tmp)
            buf += tmp
        if nesterov:
            np.multiply(buf, momentum, out=tmp)
            tmp += d
            tmp *= lr
        else:
            np.multiply(buf, lr, out=tmp)
        param -= tmp


class SGD(Optimizer):
    """Stochastic gradient descent (optionally with momentum; Nesterov: Sutskever et al., 2013).

    Args:
        params: tensors or parameter groups to optimize.
        lr: learning rate (default 1e-3).
        momentum: momentum factor (default 0).
        dampening: dampening applied to the gradient in the momentum average (default 0).
        weight_decay: L2 penalty added to the gradient (default 0).
        nesterov: use Nesterov momentum (needs momentum > 0 and dampening = 0).
        maximize: maximize the objective instead of minimizing it.

    Example::

        >>> opt = ember.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        >>> opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    _rule = staticmethod(sgd_update)
    _scratch = ("gbuf", "tmp")

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, differentiable: bool = False, fused: bool | None = None) -> None:
        check_non_negative(lr=lr, momentum=momentum, weight_decay=weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening, "weight_decay": weight_decay,
                    "nesterov": nesterov, "maximize": maximize, "foreach": foreach,
                    "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)

    def _slots(self, group: dict) -> tuple:
        return ("momentum_buffer",) if group["momentum"] != 0 else ()

    def _advance(self, group: dict, scalars: dict, fresh: bool) -> dict:
        return {"first": fresh}
