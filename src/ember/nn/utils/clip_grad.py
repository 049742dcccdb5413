"""Gradient clipping: ``clip_grad_norm_`` and ``clip_grad_value_``."""
from __future__ import annotations

import math

import numpy as np

from ..._tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_"]


def _params(parameters) -> list:
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach=None):
    """Scales all gradients together so that their joint ``norm_type`` norm is at most
    ``max_norm``; returns the norm before clipping as a 0-d Tensor.

    Gradients are multiplied by ``min(1, max_norm / (total_norm + 1e-6))``.

    Example::

        >>> p = ember.nn.Parameter(ember.zeros(2))
        >>> p.grad = ember.tensor([3.0, 4.0])
        >>> ember.nn.utils.clip_grad_norm_([p], max_norm=1.0)
        tensor(5.)
        >>> p.grad
        tensor([0.6000, 0.8000])
    """
    grads = [p.grad for p in _params(parameters) if p.grad is not None]
    norm_type = float(norm_type)
    if not grads:
        return Tensor._make(np.zeros((), np.float32))
    dtype = grads[0]._data.dtype
    if norm_type == math.inf:
        per = [np.abs(g._data).max() if g._data.size else 0.0 for g in grads]
        total = max(float(v) for v in per)
    else:
        total_p = sum(float(np.sum(np.abs(g._data.astype(np.float64)) ** norm_type)) for g in grads)
        total = total_p ** (1.0 / norm_type)
    total_arr = np.asarray(total, dtype=dtype)
    if error_if_nonfinite and not np.isfinite(total_arr):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` "
                           f"is non-finite, so it cannot be clipped. To disable this error and "
                           f"scale the gradients by the non-finite norm anyway, set "
                           f"`error_if_nonfinite=False`")
    coef = float(max_norm) / (float(total_arr) + 1e-6)
    if coef < 1.0 or not np.isfinite(coef):
        for g in grads:
            g._data *= np.asarray(min(coef, 1.0) if np.isfinite(coef) else coef, g._data.dtype)
    return Tensor._make(total_arr)


def clip_grad_value_(parameters, clip_value: float, foreach=None) -> None:
    """Clamps every gradient element into ``[-clip_value, clip_value]`` in place."""
    clip_value = float(clip_value)
    for p in _params(parameters):
        if p.grad is not None:
            np.clip(p.grad._data, -clip_value, clip_value, out=p.grad._data)
