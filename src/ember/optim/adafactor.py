"""Adafactor (Shazeer & Stern, 2018): second moments factored into row and column averages."""
from __future__ import annotations

import math

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ._math import decay_weights, grad_term
from .optimizer import Optimizer

__all__ = ["Adafactor", "adafactor_update"]


def _rms(a: np.ndarray) -> float:
    return math.sqrt(float(np.vdot(a, a)) / a.size) if a.size else 0.0


def _lerp(avg: np.ndarray, target: np.ndarray, weight: float) -> None:
    avg += weight * (target - avg)


def adafactor_update(param: np.ndarray, grad: np.ndarray, row_var: np.ndarray | None = None,
                     col_var: np.ndarray | None = None, variance: np.ndarray | None = None, *, step: float,
                     lr: float, beta2_decay: float = -0.8, eps1: float | None = None, eps2: float = 1e-3,
                     d: float = 1.0, weight_decay: float = 0.0, maximize: bool = False,
                     eps1_added: bool = False) -> None:
    """One Adafactor step on a whole tensor (in place), ``step`` being the 1-based step count.

    ``ρ = min(lr, 1/√t)``, ``α = max(eps2, RMS(param))·ρ``, ``1 − β2_t = t^beta2_decay``. A
    tensor of two or more dimensions keeps running means of ``g²`` over its last dimension
    (``row_var``, shape ``(…, m, 1)``) and its second last (``col_var``, ``(…, 1, n)``), and
    estimates ``v = row_var·col_var / mean(row_var)``; a smaller one keeps ``variance``.
    ``u = g/√v``; ``param −= α / max(1, RMS(u)/d) · u``.

    torch clamps ``mean(row_var)`` at ``eps1`` and ``v`` at ``eps1²`` (``eps1`` defaults to the
    dtype's epsilon); Keras (``eps1_added``) adds ``eps1`` to ``g²`` instead, and keeps the
    estimate in ``variance`` for factored tensors too. Weight decay is decoupled.
    """
    g = grad_term(grad, param, 0.0, maximize, None)
    eps1 = float(np.finfo(param.dtype).eps) if eps1 is None else eps1
    one_minus_beta2 = step ** beta2_decay
    alpha = max(eps2, _rms(param)) * min(lr, 1 / math.sqrt(step))
    decay_weights(param, lr, weight_decay)
    square = np.multiply(g, g)
    if eps1_added:
        square += eps1
    if param.ndim > 1:
        _lerp(row_var, square.mean(axis=-1, keepdims=True), one_minus_beta2)
        _lerp(col_var, square.mean(axis=-2, keepdims=True), one_minus_beta2)
        estimate = np.multiply(row_var, col_var, out=variance)
        row_mean = row_var.mean(axis=-2, keepdims=True)
        estimate /= row_mean if eps1_added else np.maximum(row_mean, eps1)
    else:
        _lerp(variance, square, one_minus_beta2)
        estimate = variance.copy()
    if not eps1_added:
        np.maximum(estimate, eps1 * eps1, out=estimate)
    update = np.sqrt(estimate, out=square)
    np.divide(g, update, out=update)
    update *= alpha / max(1.0, _rms(update) / d)
    param -= update


class Adafactor(Optimizer):
    """Adafactor: Adam-like steps with factored second moments (memory ~ rows + columns).

    Args:
        params: tensors or parameter groups to optimize.
        lr: the cap of the relative step size ``min(lr, 1/√t)`` (default 1e-2).
        beta2_decay: the second moment's decay ``1 − t^beta2_decay`` (default -0.8).
        eps: ``(eps1, eps2)``: the floor of the variance estimate (None: the dtype's epsilon)
            and of the parameter's RMS that scales the step (default (None, 1e-3)).
        d: clipping threshold of the update's RMS (default 1.0).
        weight_decay: decoupled weight decay (default 0).
        maximize: maximize the objective instead of minimizing it.

    Example::

        >>> opt = ember.optim.Adafactor(model.parameters(), lr=1e-2)
    """

    _rule = staticmethod(adafactor_update)
    _scalars = ("step",)
    _elementwise = False
    _decoupled = True  # its weight decay always is

    def __init__(self, params, lr: float = 1e-2, beta2_decay: float = -0.8, eps=(None, 1e-3), d: float = 1.0,
                 weight_decay: float = 0.0, *, foreach: bool | None = None, maximize: bool = False) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = {"lr": lr, "beta2_decay": beta2_decay, "eps": eps, "d": d, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize}
        super().__init__(params, defaults)

    def _init_state(self, p: Tensor, group: dict) -> dict:
        state = {"step": Tensor._make(np.zeros((), _dtype.get_default_dtype().np))}
        shape = p._data.shape
        if len(shape) > 1:
            state["row_var"] = Tensor._make(np.zeros(shape[:-1] + (1,), p._data.dtype))
            state["col_var"] = Tensor._make(np.zeros(shape[:-2] + (1, shape[-1]), p._data.dtype))
        else:
            state["variance"] = Tensor._make(np.zeros_like(p._data))
        return state

    def _advance(self, group: dict, scalars: dict, fresh: bool) -> dict:
        scalars["step"] += 1
        eps1, eps2 = group["eps"]
        return {"step": float(scalars["step"]), "eps1": None if eps1 is None else float(eps1), "eps2": float(eps2)}
