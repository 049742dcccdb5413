"""Rprop: resilient backpropagation (Riedmiller & Braun, 1993)."""
from __future__ import annotations

import numpy as np

from ._math import grad_term
from ._validate import check_non_negative
from .optimizer import Optimizer

__all__ = ["Rprop", "rprop_update"]


def rprop_update(param: np.ndarray, grad: np.ndarray, prev: np.ndarray, step_size: np.ndarray, *,
                 etaminus: float, etaplus: float, step_size_min: float, step_size_max: float,
                 maximize: bool = False, gbuf: np.ndarray | None = None, tmp: np.ndarray | None = None,
                 tmp2: np.ndarray | None = None, tmp3: np.ndarray | None = None) -> None:
    """One Rprop step on arrays (in place): only the signs of the gradients are used.

    Where ``g·prev`` is positive the step size grows by ``etaplus``, where negative it
    shrinks by ``etaminus`` (and that gradient counts as zero), clipped to
    ``[step_size_min, step_size_max]``; then ``param −= sign(g)·step_size`` and ``prev = g``
    (torch's sign: NaN counts as 0).

    Branch-free: the masks are 0/1 arrays of the parameter's dtype and every selection is an
    exact product or sum with them (a masked ``where=`` write costs ten times a plain pass
    when the signs are mixed). A shrunk entry of ``prev`` is +0, as in torch.

    Args:
        gbuf, tmp, tmp2, tmp3: scratch arrays like ``param`` (allocated when not given).
    """
    one = param.dtype.type(1)
    keep = np.empty_like(param) if tmp is None else tmp
    grow = np.empty_like(param) if tmp2 is None else tmp2
    shrink = np.empty_like(param) if tmp3 is None else tmp3
    g = grad_term(grad, param, 0.0, maximize, gbuf if gbuf is not None else np.empty_like(param))
    np.multiply(g, prev, out=keep)
    np.greater(keep, 0, out=grow, casting="unsafe")      # 1 where g·prev > 0 (NaN: neither)
    np.less(keep, 0, out=shrink, casting="unsafe")       # 1 where g·prev < 0
    np.subtract(1, shrink, out=keep)
    # the factor grow·(etaplus − 1) + shrink·etaminus + keep is exactly 1, etaplus or etaminus:
    # etaplus − 1 is exact for etaplus > 1, and each sum adds zeros to one term (or 1 to etaplus − 1)
    grow *= one * etaplus - one
    shrink *= etaminus
    grow += shrink
    grow += keep
    step_size *= grow
    np.clip(step_size, step_size_min, step_size_max, out=step_size)
    np.multiply(g, keep, out=prev)
    prev += 0.0                                          # a shrunk negative entry: −0 → +0
    np.greater(prev, 0, out=grow, casting="unsafe")
    np.less(prev, 0, out=shrink, casting="unsafe")
    grow -= shrink                                       # sign(prev), 0 for NaN
    grow *= step_size
    param -= grow


class Rprop(Optimizer):
    """Rprop: per-element step sizes adapted from the signs of successive gradients (full batches).

    Args:
        params: tensors or parameter groups to optimize.
        lr: initial step size (default 1e-2).
        etas: (etaminus, etaplus), the factors that shrink and grow a step size (default (0.5, 1.2)).
        step_sizes: the smallest and largest step sizes (default (1e-6, 50)).
        maximize: maximize the objective instead of minimizing it.

    Example::

        >>> opt = ember.optim.Rprop(model.parameters(), lr=0.01)
    """

    _rule = staticmethod(rprop_update)
    _scalars = ("step",)
    _scratch = ("gbuf", "tmp", "tmp2", "tmp3")

    def __init__(self, params, lr: float = 1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable: bool = False, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        check_non_negative(lr=lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def _slots(self, group: dict) -> tuple:
        return ("prev", "step_size")

    def _initial(self, name: str, group: dict) -> float:
        return float(group["lr"]) if name == "step_size" else 0.0

    def _advance(self, group: dict, scalars: dict, fresh: bool) -> dict:
        scalars["step"] += 1
        etaminus, etaplus = (float(e) for e in group["etas"])
        low, high = (float(s) for s in group["step_sizes"])
        return {"etaminus": etaminus, "etaplus": etaplus, "step_size_min": low, "step_size_max": high}
