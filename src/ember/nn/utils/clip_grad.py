"""Gradient clipping: ``clip_grad_norm_``, ``clip_grad_value_``, ``get_total_norm`` and
``clip_grads_with_norm_`` (torch's names), on arrays underneath so ember.keras's ``clipnorm``,
``global_clipnorm`` and ``clipvalue`` use the same code."""
from __future__ import annotations

import math
import warnings

import numpy as np

from ..._tensor import Tensor

__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_",
           "total_norm", "scale_to_norm_", "clamp_"]


def _tensors(tensors) -> list:
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def _grads(parameters) -> list:
    return [p.grad._data for p in _tensors(parameters) if p.grad is not None]


def total_norm(arrays: list, norm_type: float = 2.0) -> float:
    """The ``norm_type`` norm of ``arrays`` seen as one vector (sums in float64)."""
    norm_type = float(norm_type)
    if not arrays:
        return 0.0
    if norm_type == math.inf:
        return max(float(np.abs(a).max()) if np.size(a) else 0.0 for a in arrays)
    if norm_type == 2.0:
        return math.sqrt(sum(float(np.vdot(a, a)) for a in arrays))
    return sum(float(np.sum(np.abs(np.asarray(a, np.float64)) ** norm_type)) for a in arrays) ** (1 / norm_type)


def scale_to_norm_(arrays: list, max_norm: float, norm: float, eps: float = 1e-6) -> None:
    """Multiplies ``arrays`` in place by ``min(1, max_norm / (norm + eps))`` (torch's clip
    coefficient; Keras's ``clipnorm`` and ``global_clipnorm`` use ``eps=0``). A non-finite
    coefficient is applied as it is, so a NaN norm makes the gradients NaN, as in torch."""
    coef = float(max_norm) / (norm + eps) if norm + eps else math.inf
    if coef >= 1.0:
        return
    for a in arrays:
        a *= np.asarray(coef, a.dtype)


def clamp_(arrays: list, clip_value: float) -> None:
    """Clamps every element of ``arrays`` into ``[-clip_value, clip_value]`` in place."""
    clip_value = float(clip_value)
    for a in arrays:
        np.clip(a, -clip_value, clip_value, out=a)


def get_total_norm(tensors, norm_type: float = 2.0, error_if_nonfinite: bool = False, foreach=None) -> Tensor:
    """The norm of ``tensors`` seen as one vector, as a 0-d Tensor of their dtype.

    Example::

        >>> ember.nn.utils.get_total_norm([ember.tensor([3.0]), ember.tensor([4.0])])
        tensor(5.)
    """
    arrays = [t._data for t in _tensors(tensors)]
    dtype = arrays[0].dtype if arrays else np.float32
    norm = np.asarray(total_norm(arrays, norm_type), dtype=dtype)
    if error_if_nonfinite and not np.isfinite(norm):
        raise RuntimeError(f"The total norm of order {float(norm_type)} for gradients from `parameters` "
                           f"is non-finite, so it cannot be clipped. To disable this error and "
                           f"scale the gradients by the non-finite norm anyway, set "
                           f"`error_if_nonfinite=False`")
    return Tensor._make(norm)


def clip_grads_with_norm_(parameters, max_norm: float, total_norm, foreach=None) -> None:
    """Scales the gradients of ``parameters`` by ``min(1, max_norm / (total_norm + 1e-6))``,
    ``total_norm`` being given (e.g. by :func:`get_total_norm`)."""
    norm = float(total_norm._data if isinstance(total_norm, Tensor) else total_norm)
    scale_to_norm_(_grads(parameters), max_norm, norm)


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
    params = [p for p in _tensors(parameters) if p.grad is not None]
    norm = get_total_norm([p.grad for p in params], norm_type, error_if_nonfinite)
    clip_grads_with_norm_(params, max_norm, norm)
    return norm


def clip_grad_value_(parameters, clip_value: float, foreach=None) -> None:
    """Clamps every gradient element into ``[-clip_value, clip_value]`` in place."""
    clamp_(_grads(parameters), clip_value)


def clip_grad_norm(parameters, max_norm: float, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach=None):
    """Deprecated alias of :func:`clip_grad_norm_` (warns ``FutureWarning``, as torch)."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)
