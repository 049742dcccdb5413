"""Adagrad (Duchi, Hazan & Singer, 2011), with learning-rate decay."""
from __future__ import annotations

import numpy as np

from ._math import grad_term
from ._validate import check_non_negative
from .optimizer import Optimizer

__all__ = ["Adagrad", "adagrad_update"]


def adagrad_update(param: np.ndarray, grad: np.ndarray, state_sum: np.ndarray, *, lr: float,
                   step: float = 1.0, lr_decay: float = 0.0, weight_decay: float = 0.0, eps: float = 1e-10,
                   maximize: bool = False, eps_inside_sqrt: bool = False, gbuf: np.ndarray | None = None,
                   tmp: np.ndarray | None = None) -> None:
    """One Adagrad step on arrays (in place), ``step`` being the 1-based step count.

    ``s += g²``; ``param −= lr / (1 + (t−1)·lr_decay) · g / (√s + eps)`` (torch), or with
    ``eps_inside_sqrt`` (Keras) ``param −= lr · g / √(s + eps)``.

    Args:
        gbuf, tmp: scratch arrays like ``param`` (allocated when not given).
    """
    tmp = np.empty_like(param) if tmp is None else tmp
    g = grad_term(grad, param, weight_decay, maximize, gbuf if gbuf is not None else np.empty_like(param))
    clr = lr / (1 + (step - 1) * lr_decay)
    np.multiply(g, g, out=tmp)
    state_sum += tmp
    if eps_inside_sqrt:
        np.add(state_sum, eps, out=tmp)
        np.sqrt(tmp, out=tmp)
        eps = 0.0
    else:
        np.sqrt(state_sum, out=tmp)
    if clr == 0:
        return
    tmp *= 1 / clr        # param −= g / ((√s + eps) / clr)
    tmp += eps / clr
    np.divide(g, tmp, out=tmp)
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

    _rule = staticmethod(adagrad_update)
    _scalars = ("step",)
    _scratch = ("gbuf", "tmp")

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
            self._create_state(group)

    def _slots(self, group: dict) -> tuple:
        return ("sum",)

    def _arg_name(self, name: str) -> str:
        return "state_sum" if name == "sum" else name

    def _initial(self, name: str, group: dict) -> float:
        # torch fills the accumulator from the optimizer-wide default, not the group's value
        return float(self.defaults["initial_accumulator_value"]) if name == "sum" else 0.0

    def _advance(self, group: dict, scalars: dict, fresh: bool) -> dict:
        scalars["step"] += 1
        return {"step": float(scalars["step"])}
