"""RAdam: Adam with a rectified adaptive learning rate (Liu et al., 2020)."""
from __future__ import annotations

import math

import numpy as np

from ._validate import check_betas, check_non_negative
from .adam import adam_moments, divide_by_denominator
from .optimizer import Optimizer, step_and_betas

__all__ = ["RAdam", "radam_update"]


def radam_update(param: np.ndarray, grad: np.ndarray, exp_avg: np.ndarray, exp_avg_sq: np.ndarray, *,
                 step: float, lr: float, beta1: float, beta2: float, eps: float, weight_decay: float = 0.0,
                 decoupled_weight_decay: bool = False, maximize: bool = False, gbuf: np.ndarray | None = None,
                 tmp: np.ndarray | None = None) -> None:
    """One RAdam step on arrays (in place), ``step`` being the 1-based step count.

    Adam's moments; ``ρ∞ = 2/(1−β2) − 1``, ``ρ_t = ρ∞ − 2t·β2^t/(1−β2^t)``. While
    ``ρ_t ≤ 5`` the step is momentum SGD, ``param −= lr · m/(1−β1^t)``; afterwards
    ``param −= lr · r_t · √(1−β2^t)/(1−β1^t) · m/(√v + eps)`` with the rectification
    ``r_t = √((ρ_t−4)(ρ_t−2)ρ∞ / ((ρ∞−4)(ρ∞−2)ρ_t))``.

    Args:
        gbuf, tmp: scratch arrays like ``param`` (allocated when not given).
    """
    tmp = np.empty_like(param) if tmp is None else tmp
    adam_moments(param, grad, exp_avg, exp_avg_sq, lr=lr, beta1=beta1, beta2=beta2, weight_decay=weight_decay,
                 decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, gbuf=gbuf, tmp=tmp)
    bc1, bc2 = 1 - beta1 ** step, 1 - beta2 ** step
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * step * (beta2 ** step) / bc2
    if rho_t > 5.0:
        rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
        divide_by_denominator(param, exp_avg, exp_avg_sq, 1.0, eps, lr * rect * bc2 ** 0.5 / bc1, tmp)
    else:
        np.multiply(exp_avg, lr / bc1, out=tmp)
        param -= tmp


class RAdam(Optimizer):
    """RAdam: Adam whose adaptive learning rate is switched on gradually, by its variance.

    Args:
        params: tensors or parameter groups to optimize.
        lr: learning rate (default 1e-3).
        betas: decay rates of the moment averages (default (0.9, 0.999)).
        eps: added to the denominator (default 1e-8).
        weight_decay: weight decay (default 0), L2 unless ``decoupled_weight_decay``.
        decoupled_weight_decay: decay the weights directly, as AdamW does.
        maximize: maximize the objective instead of minimizing it.

    Example::

        >>> opt = ember.optim.RAdam(model.parameters(), lr=1e-3)
    """

    _rule = staticmethod(radam_update)
    _scalars = ("step",)
    _scratch = ("gbuf", "tmp")

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False) -> None:
        check_non_negative(lr=lr, eps=eps)
        betas = check_betas(betas)
        check_non_negative(weight_decay=weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable,
                    "decoupled_weight_decay": decoupled_weight_decay, "differentiable": differentiable}
        super().__init__(params, defaults)

    def _slots(self, group: dict) -> tuple:
        return ("exp_avg", "exp_avg_sq")

    def _advance(self, group: dict, scalars: dict, fresh: bool) -> dict:
        return step_and_betas(group, scalars)
