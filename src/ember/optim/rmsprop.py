"""RMSprop (Hinton, Lecture 6e), with momentum and the centered variant (Graves, 2013)."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ._validate import check_non_negative
from .optimizer import Optimizer, _scalar_state

__all__ = ["RMSprop", "rmsprop_update"]


def rmsprop_update(param: np.ndarray, grad: np.ndarray, square_avg: np.ndarray, grad_avg: np.ndarray | None,
                   buf: np.ndarray | None, *, lr: float, alpha: float, eps: float, weight_decay: float,
                   momentum: float, centered: bool, maximize: bool) -> None:
    """One RMSprop step on arrays (in place).

    ``v = α·v + (1−α)·g²``; ``avg = √(v − ḡ²) + eps`` when centered (``ḡ = α·ḡ + (1−α)·g``),
    else ``√v + eps``; then ``buf = momentum·buf + g/avg; param −= lr·buf`` (momentum > 0)
    or ``param −= lr·g/avg``.
    """
    g = np.negative(grad) if maximize else grad
    if weight_decay != 0:
        g = g + weight_decay * param
    square_avg *= alpha
    tmp = g * g
    tmp *= 1 - alpha
    square_avg += tmp
    if centered:
        np.subtract(g, grad_avg, out=tmp)
        tmp *= 1 - alpha
        grad_avg += tmp
        np.multiply(grad_avg, grad_avg, out=tmp)
        np.subtract(square_avg, tmp, out=tmp)
        np.sqrt(tmp, out=tmp)
    else:
        np.sqrt(square_avg, out=tmp)
    tmp += eps
    np.divide(g, tmp, out=tmp)
    if momentum > 0:
        buf *= momentum
        buf += tmp
        param -= buf * lr
    else:
        tmp *= lr
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

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False,
                 capturable: bool = False, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        check_non_negative(lr=lr, eps=eps, momentum=momentum, weight_decay=weight_decay, alpha=alpha)
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps, "centered": centered,
                    "weight_decay": weight_decay, "capturable": capturable, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable}
        super().__init__(params, defaults)

    def _init_state(self, p: Tensor, group: dict, state: dict) -> None:
        state["step"] = _scalar_state()
        state["square_avg"] = Tensor._make(np.zeros_like(p._data))
        if group["momentum"] > 0:
            state["momentum_buffer"] = Tensor._make(np.zeros_like(p._data))
        if group["centered"]:
            state["grad_avg"] = Tensor._make(np.zeros_like(p._data))

    def _update_group(self, group: dict, params: list) -> None:
        momentum, centered = float(group["momentum"]), bool(group["centered"])
        hyper = {"lr": float(group["lr"]), "alpha": float(group["alpha"]), "eps": float(group["eps"]),
                 "weight_decay": float(group["weight_decay"]), "momentum": momentum, "centered": centered,
                 "maximize": bool(group["maximize"])}
        for p in params:
            state = self._state_of(p, group)
            state["step"]._data += 1
            buf = _ensure(state, "momentum_buffer", p)._data if momentum > 0 else None
            grad_avg = _ensure(state, "grad_avg", p)._data if centered else None
            rmsprop_update(p._data, p.grad._data, state["square_avg"]._data, grad_avg, buf, **hyper)


def _ensure(state: dict, key: str, p: Tensor) -> Tensor:
    """The state buffer ``key``, created (zeros) when momentum/centered was switched on after the first step."""
    if key not in state:
        state[key] = Tensor._make(np.zeros_like(p._data))
    return state[key]
