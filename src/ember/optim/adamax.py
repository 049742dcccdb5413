"""Adamax: Adam with the infinity norm (Kingma & Ba, 2015, section 7.1)."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ._validate import check_betas, check_non_negative
from .optimizer import Optimizer, _scalar_state

__all__ = ["Adamax", "adamax_update"]


def adamax_update(param: np.ndarray, grad: np.ndarray, exp_avg: np.ndarray, exp_inf: np.ndarray, *,
                  step: float, lr: float, beta1: float, beta2: float, eps: float, weight_decay: float,
                  maximize: bool) -> None:
    """One Adamax step on arrays (in place), ``step`` being the 1-based step count.

    ``m = β1·m + (1−β1)·g``; ``u = max(β2·u, |g| + eps)``; ``param −= lr/(1−β1^t) · m/u``.
    """
    g = np.negative(grad) if maximize else grad
    if weight_decay != 0:
        g = g + weight_decay * param
    tmp = g - exp_avg
    tmp *= 1 - beta1
    exp_avg += tmp
    exp_inf *= beta2
    np.abs(g, out=tmp)
    tmp += eps
    np.maximum(exp_inf, tmp, out=exp_inf)
    np.divide(exp_avg, exp_inf, out=tmp)
    tmp *= lr / (1 - beta1 ** step)
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

    def __init__(self, params, lr: float = 2e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        check_non_negative(lr=lr, eps=eps)
        betas = check_betas(betas)
        check_non_negative(weight_decay=weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def _init_state(self, p: Tensor, group: dict, state: dict) -> None:
        state["step"] = _scalar_state()
        state["exp_avg"] = Tensor._make(np.zeros_like(p._data))
        state["exp_inf"] = Tensor._make(np.zeros_like(p._data))

    def _update_group(self, group: dict, params: list) -> None:
        beta1, beta2 = (float(b) for b in group["betas"])
        hyper = {"lr": float(group["lr"]), "beta1": beta1, "beta2": beta2, "eps": float(group["eps"]),
                 "weight_decay": float(group["weight_decay"]), "maximize": bool(group["maximize"])}
        for p in params:
            state = self._state_of(p, group)
            step_t = state["step"]._data
            step_t += 1
            adamax_update(p._data, p.grad._data, state["exp_avg"]._data, state["exp_inf"]._data,
                          step=float(step_t), **hyper)
