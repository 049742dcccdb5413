"""Adadelta (Zeiler, 2012)."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ._validate import check_non_negative
from .optimizer import Optimizer, _scalar_state

__all__ = ["Adadelta", "adadelta_update"]


def adadelta_update(param: np.ndarray, grad: np.ndarray, square_avg: np.ndarray, acc_delta: np.ndarray, *,
                    lr: float, rho: float, eps: float, weight_decay: float, maximize: bool) -> None:
    """One Adadelta step on arrays (in place).

    ``v = ρ·v + (1−ρ)·g²``; ``Δ = √(u + eps) / √(v + eps) · g``; ``u = ρ·u + (1−ρ)·Δ²``;
    ``param −= lr·Δ``.
    """
    g = np.negative(grad) if maximize else grad
    if weight_decay != 0:
        g = g + weight_decay * param
    square_avg *= rho
    tmp = g * g
    tmp *= 1 - rho
    square_avg += tmp
    np.add(square_avg, eps, out=tmp)
    np.sqrt(tmp, out=tmp)
    delta = acc_delta + eps
    np.sqrt(delta, out=delta)
    delta /= tmp
    delta *= g
    acc_delta *= rho
    np.multiply(delta, delta, out=tmp)
    tmp *= 1 - rho
    acc_delta += tmp
    delta *= lr
    param -= delta


class Adadelta(Optimizer):
    """Adadelta: an adaptive learning rate from running averages of squared gradients and updates.

    Args:
        params: tensors or parameter groups to optimize.
        lr: scale applied to the update (default 1.0).
        rho: decay rate of the running averages (default 0.9).
        eps: added inside the square roots (default 1e-6).
        weight_decay: L2 penalty (default 0).
        maximize: maximize the objective instead of minimizing it.

    Example::

        >>> opt = ember.optim.Adadelta(model.parameters(), rho=0.95)
    """

    def __init__(self, params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6, weight_decay: float = 0,
                 foreach: bool | None = None, *, capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        check_non_negative(lr=lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_non_negative(eps=eps, weight_decay=weight_decay)
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay, "maximize": maximize,
                    "capturable": capturable, "foreach": foreach, "differentiable": differentiable}
        super().__init__(params, defaults)

    def _init_state(self, p: Tensor, group: dict, state: dict) -> None:
        state["step"] = _scalar_state()
        state["square_avg"] = Tensor._make(np.zeros_like(p._data))
        state["acc_delta"] = Tensor._make(np.zeros_like(p._data))

    def _update_group(self, group: dict, params: list) -> None:
        hyper = {"lr": float(group["lr"]), "rho": float(group["rho"]), "eps": float(group["eps"]),
                 "weight_decay": float(group["weight_decay"]), "maximize": bool(group["maximize"])}
        for p in params:
            state = self._state_of(p, group)
            state["step"]._data += 1
            adadelta_update(p._data, p.grad._data, state["square_avg"]._data, state["acc_delta"]._data, **hyper)
