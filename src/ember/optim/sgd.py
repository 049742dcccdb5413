"""Stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ._validate import check_non_negative
from .optimizer import Optimizer

__all__ = ["SGD", "sgd_update"]


def sgd_update(param: np.ndarray, grad: np.ndarray, buf: np.ndarray | None, *, lr: float, momentum: float,
               dampening: float, weight_decay: float, nesterov: bool, maximize: bool) -> np.ndarray | None:
    """One SGD step on arrays, in place on ``param`` (and ``buf``); returns the momentum buffer.

    With ``g = ±grad + weight_decay·param``:
    ``buf = g`` on the first step, then ``buf = momentum·buf + (1 − dampening)·g``;
    the update direction is ``g + momentum·buf`` (Nesterov) or ``buf``; ``param −= lr·direction``.
    """
    d = np.negative(grad) if maximize else grad
    if weight_decay != 0:
        d = d + weight_decay * param
    if momentum != 0:
        if buf is None:
            buf = d.copy()
        else:
            buf *= momentum
            buf += d if dampening == 0 else (1 - dampening) * d
        d = d + momentum * buf if nesterov else buf
    param -= d * lr
    return buf


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

    def _update_group(self, group: dict, params: list) -> None:
        lr, momentum = float(group["lr"]), float(group["momentum"])
        hyper = {"lr": lr, "momentum": momentum, "dampening": float(group["dampening"]),
                 "weight_decay": float(group["weight_decay"]), "nesterov": bool(group["nesterov"]),
                 "maximize": bool(group["maximize"])}
        for p in params:
            if momentum == 0:
                sgd_update(p._data, p.grad._data, None, **hyper)
                continue
            state = self.state[p]
            old = state.get("momentum_buffer")
            buf = sgd_update(p._data, p.grad._data, None if old is None else old._data, **hyper)
            if old is None:
                state["momentum_buffer"] = Tensor._make(buf)
