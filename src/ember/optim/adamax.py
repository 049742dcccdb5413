"""Adamax: Adam with the infinity norm (Kingma & Ba, 2015, section 7.1)."""
from __future__ import annotations

import numpy as np

from ._math import bias_correction, ema, grad_term
from ._validate import check_betas, check_non_negative
from .optimizer import Optimizer, step_and_betas

__all__ = ["Adamax", "adamax_update"]


def adamax_update(param: np.ndarray, grad: np.ndarray, exp_avg: np.ndarray, exp_inf: np.ndarray, *,
                  step: float, lr: float, beta1: float, beta2: float, eps: float, weight_decay: float = 0.0,
                  maximize: bool = False, eps_after_max: bool = False, float32_scalars: bool = False,
                  gbuf: np.ndarray | None = None, tmp: np.ndarray | None = None) -> None:
    """One Adamax step on arrays (in place), ``step`` being the 1-based step count.

    ``m = β1·m + (1−β1)·g``; ``u = max(β2·u, |g| + eps)``; ``param −= lr/(1−β1^t) · m/u``
    (torch). Keras's form (``eps_after_max``, ``float32_scalars``): ``u = max(β2·u, |g|)``;
    ``param −= lr/(1−β1^t) · m/(u + eps)``.

    Args:
        gbuf, tmp: scratch arrays like ``param`` (allocated when not given).
    """
    tmp = np.empty_like(param) if tmp is None else tmp
    g = grad_term(grad, param, weight_decay, maximize, gbuf if gbuf is not None else np.empty_like(param))
    ema(exp_avg, g, beta1, tmp)
    np.abs(g, out=tmp)
    if not eps_after_max:
        tmp += eps
    exp_inf *= beta2
    np.maximum(exp_inf, tmp, out=exp_inf)
    clr = lr / bias_correction(beta1, step, float32_scalars)
    if clr == 0:
        return
    np.multiply(exp_inf, 1 / clr, out=tmp)     # param −= m / ((u [+ eps]) / clr)
    if eps_after_max:
        tmp += eps / clr
    np.divide(exp_avg, tmp, out=tmp)
    param -= tmp


class Adamax(Optimizer):
    """Adamax: a variant of Adam based on the infinity norm of past gradients.

    Args:
        params: tensors or parameter groups to optimize.
        lr: learning rate (default 2e-3).
        betas: decay rates of the first moment and of the infinity norm (default (0.9, 0.999)).
        eps: added to ``|g|`` (default 1e-8).
        weight_decay: L2 penalty (default 0).
        maximize: maximize the objective instead of minimizing it.

    Example::

        >>> opt = ember.optim.Adamax(model.parameters(), lr=2e-3)
    """

    _rule = staticmethod(adamax_update)
    _scalars = ("step",)
    _scratch = ("gbuf", "tmp")

    def __init__(self, params, lr: float = 2e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        check_non_negative(lr=lr, eps=eps)
        betas = check_betas(betas)
        check_non_negative(weight_decay=weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def _slots(self, group: dict) -> tuple:
        return ("exp_avg", "exp_inf")

    def _advance(self, group: dict, scalars: dict, fresh: bool) -> dict:
        return step_and_betas(group, scalars)
