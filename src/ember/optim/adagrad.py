"""Adagrad (Duchi, Hazan & Singer, 2011), with learning-rate decay."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ._validate import check_non_negative
from .optimizer import Optimizer, _scalar_state

__all__ = ["Adagrad", "adagrad_update"]


def adagrad_update(param: np.ndarray, grad: np.ndarray, state_sum: np.ndarray, *, step: float, lr: float,
                   lr_decay: float, weight_decay: float, eps: float, maximize: bool) -> None:
    """One Adagrad step on arrays (in place), ``step`` being the 1-based step count.

    ``s += g²``; ``param −= lr / (1 + (t−1)·lr_decay) · g / (√s + eps)``.
    """
    g = np.negative(grad) if maximize else grad
    if weight_decay != 0:
        g = g + weight_decay * param
    clr = lr / (1 + (step - 1) * lr_decay)
    tmp = g * g
    state_sum += tmp
    np.sqrt(state_sum, out=tmp)
    tmp += eps
    np.divide(g, tmp, out=tmp)
    tmp *= clr
    param -= tmp


class Adagrad(Optimizer):
    """Adagrad: per-coordinate learning rates shrinking with the sum of squared gradients.

    Args:
        params: tensors or parameter groups to optimize.
        lr: learning rate (default 1e-2).
        lr_decay: learning-rate decay per step (default 0).
        weight_decay: L2 penalty (default 0).
        initial_accumulator_value: starting value of the squared-gradient sums (default 0).
        eps: added to the denominator (default 1e-10).
        maximize: maximize the objective instead of minimizing it.

    As in torch, the state (``step`` and ``sum``) exists from construction on.

    Example::

        >>> opt = ember.optim.Adagrad(model.parameters(), lr=0.1, lr_decay=1e-3)
    """

    def __init__(self, params, lr: float = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False, fused: bool | None = None) -> None:
        check_non_negative(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                           initial_accumulator_value=initial_accumulator_value, eps=eps)
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, group, self.state[p])

    def _init_state(self, p: Tensor, group: dict, state: dict) -> None:
        # torch fills the accumulator from the optimizer-wide default, not the group's value
        state["step"] = _scalar_state()
        state["sum"] = Tensor._make(np.full_like(p._data, self.defaults["initial_accumulator_value"]))

    def _update_group(self, group: dict, params: list) -> None:
        hyper = {"lr": float(group["lr"]), "lr_decay": float(group["lr_decay"]),
                 "weight_decay": float(group["weight_decay"]), "eps": float(group["eps"]),
                 "maximize": bool(group["maximize"])}
        for p in params:
            state = self._state_of(p, group)
            step_t = state["step"]._data
            step_t += 1
            adagrad_update(p._data, p.grad._data, state["sum"]._data, step=float(step_t), **hyper)
