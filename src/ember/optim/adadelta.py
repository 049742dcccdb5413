"""Adadelta (Zeiler, 2012)."""
from __future__ import annotations

import numpy as np

from ._math import grad_term
from ._validate import check_non_negative
from .optimizer import Optimizer

__all__ = ["Adadelta", "adadelta_update"]


def adadelta_update(param: np.ndarray, grad: np.ndarray, square_avg: np.ndarray, acc_delta: np.ndarray, *,
                    lr: float, rho: float, eps: float, weight_decay: float = 0.0, maximize: bool = False,
                    gbuf: np.ndarray | None = None, tmp: np.ndarray | None = None,
                    tmp2: np.ndarray | None = None, tmp3: np.ndarray | None = None) -> None:
    """One Adadelta step on arrays (in place); torch's and Keras's rule alike.

    ``v = ρ·v + (1−ρ)·g²``; ``Δ = √(u + eps) / √(v + eps) · g``; ``u = ρ·u + (1−ρ)·Δ²``;
    ``param −= lr·Δ``.

    Thirteen passes: ``(1−ρ)·Δ²`` is ``(1−ρ)·g²`` (kept from v's update) times the ratio
    ``(u + eps) / (v + eps)``, before its square root gives ``Δ``.

    Args:
        gbuf, tmp, tmp2, tmp3: scratch arrays like ``param`` (allocated when not given).
    """
    tmp = np.empty_like(param) if tmp is None else tmp
    delta = np.empty_like(param) if tmp2 is None else tmp2
    share = np.empty_like(param) if tmp3 is None else tmp3
    g = grad_term(grad, param, weight_decay, maximize, gbuf if gbuf is not None else np.empty_like(param))
    np.multiply(g, g, out=share)
    share *= 1 - rho                   # (1−ρ)·g²
    square_avg *= rho
    square_avg += share
    np.add(square_avg, eps, out=tmp)
    np.add(acc_delta, eps, out=delta)
    delta /= tmp                       # the ratio (u + eps) / (v + eps)
    share *= delta                     # (1−ρ)·Δ²
    np.sqrt(delta, out=delta)
    delta *= g                         # Δ
    acc_delta *= rho
    acc_delta += share
    if lr != 1:
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

    _rule = staticmethod(adadelta_update)
    _scalars = ("step",)
    _scratch = ("gbuf", "tmp", "tmp2", "tmp3")

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

    def _slots(self, group: dict) -> tuple:
        return ("square_avg", "acc_delta")

    def _advance(self, group: dict, scalars: dict, fresh: bool) -> dict:
        scalars["step"] += 1
        return {}
