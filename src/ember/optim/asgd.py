"""ASGD: averaged stochastic gradient descent (Polyak & Juditsky, 1992)."""
from __future__ import annotations

import numpy as np

from ._math import grad_term
from ._validate import check_non_negative
from .optimizer import Optimizer

__all__ = ["ASGD", "asgd_update"]


def asgd_update(param: np.ndarray, grad: np.ndarray, ax: np.ndarray, *, eta: float, mu: float, lambd: float,
                weight_decay: float = 0.0, maximize: bool = False, gbuf: np.ndarray | None = None,
                tmp: np.ndarray | None = None) -> None:
    """One ASGD step on arrays (in place).

    ``param ← param·(1 − λ·η) − η·g``; the average ``ax ← ax + μ·(param − ax)`` (a copy of
    ``param`` while ``μ = 1``). ``η`` and ``μ`` are the step's values of the schedules
    ``η_t = lr / (1 + λ·lr·t)^α`` and ``μ_t = 1 / max(1, t − t0)``.

    Args:
        gbuf, tmp: scratch arrays like ``param`` (allocated when not given).
    """
    tmp = np.empty_like(param) if tmp is None else tmp
    g = grad_term(grad, param, weight_decay, maximize, gbuf if gbuf is not None else np.empty_like(param))
    param *= 1 - lambd * eta
    np.multiply(g, eta, out=tmp)
    param -= tmp
    if mu != 1:
        np.subtract(param, ax, out=tmp)
        tmp *= mu
        ax += tmp
    else:
        np.copyto(ax, param)


class ASGD(Optimizer):
    """Averaged SGD: SGD with a decaying step and a running average of the iterates (``ax``).

    Args:
        params: tensors or parameter groups to optimize.
        lr: learning rate (default 1e-2).
        lambd: decay term (default 1e-4).
        alpha: power of the step-size decay (default 0.75).
        t0: the step at which averaging starts (default 1e6).
        weight_decay: L2 penalty (default 0).
        maximize: maximize the objective instead of minimizing it.

    Example::

        >>> opt = ember.optim.ASGD(model.parameters(), lr=0.01, t0=100)
    """

    _rule = staticmethod(asgd_update)
    _param_writes = 2  # torch decays the parameter, then adds the step
    _scalars = ("step", "eta", "mu")
    _scratch = ("gbuf", "tmp")

    def __init__(self, params, lr: float = 1e-2, lambd: float = 1e-4, alpha: float = 0.75, t0: float = 1e6,
                 weight_decay: float = 0, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        check_non_negative(lr=lr, weight_decay=weight_decay)
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    def _slots(self, group: dict) -> tuple:
        return ("ax",)

    def _initial(self, name: str, group: dict) -> float:
        return {"eta": float(group["lr"]), "mu": 1.0}.get(name, 0.0)

    def _advance(self, group: dict, scalars: dict, fresh: bool) -> dict:
        scalars["step"] += 1
        step, lr, lambd = float(scalars["step"]), float(group["lr"]), float(group["lambd"])
        hyper = {"eta": float(scalars["eta"]), "mu": float(scalars["mu"])}
        scalars["eta"] = lr / ((1 + lambd * lr * step) ** float(group["alpha"]))
        scalars["mu"] = 1 / max(1, step - float(group["t0"]))
        return hyper
