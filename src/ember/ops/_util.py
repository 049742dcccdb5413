"""Helpers shared by the ops: operand coercion with torch's dtype promotion, unbroadcast."""
from __future__ import annotations

import builtins

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _check_dim, _infer_array

_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}


def unbroadcast(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sums ``grad`` over the axes that broadcasting added or stretched to reach it."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(i + extra for i, n in enumerate(shape)
                                       if n == 1 and grad.shape[i + extra] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


def _scalar_dtype(value) -> np.dtype:
    if isinstance(value, builtins.bool):
        return np.dtype(np.bool_)
    if isinstance(value, builtins.int):
        return np.dtype(np.int64)
    return _dtype.get_default_dtype().np


def _combine(higher, lower):
    """torch's combine_categories for two (possibly None) dtypes."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.kind == "f":
        return higher
    if higher.kind == "b" or lower.kind == "f":
        return promote_types(higher, lower)
    return higher


def promote_types(a: np.dtype, b: np.dtype) -> np.dtype:
    """torch's promotion: the higher category (bool < int < float) keeps its own dtype."""
    if a == b:
        return a
    ca, cb = _CATEGORY[a.kind], _CATEGORY[b.kind]
    if ca != cb:
        return a if ca > cb else b
    return np.promote_types(a, b)


def result_dtype(a: np.ndarray, b) -> np.dtype:
    """torch's result type for ``a`` (a tensor's array) and ``b`` (an array or a Python scalar)."""
    dims, zeros, wrapped = [], [], None
    for x in (a, b):
        if isinstance(x, np.ndarray):
            (dims if x.ndim else zeros).append(x.dtype)
        else:
            wrapped = _scalar_dtype(x)
    dim_t = _promote_all(dims)
    zero_t = _promote_all(zeros)
    return _combine(dim_t, _combine(zero_t, wrapped))


def _promote_all(dtypes):
    out = None
    for d in dtypes:
        out = d if out is None else promote_types(out, d)
    return out


def coerce(a: Tensor, b):
    """Returns ``(a, b)`` ready for a binary op: both Tensors of the promoted dtype, or ``b``
    a Python scalar that NumPy combines with ``a`` without changing its dtype."""
    if isinstance(b, Tensor):
        da, db = a._data.dtype, b._data.dtype
        if da == db:
            return a, b
        target = result_dtype(a._data, b._data)
        return (a if da == target else a.to(target)), (b if db == target else b.to(target))
    if isinstance(b, np.generic):
        b = b.item()
    if isinstance(b, (builtins.int, builtins.float, builtins.bool)):
        target = result_dtype(a._data, b)
        if target != a._data.dtype:
            a = a.to(target)
        if target.kind == "f":
            b = builtins.float(b)
        elif target.kind != "b":
            b = builtins.int(b)
        return a, b
    return coerce(a, Tensor._make(_infer_array(b)))


def as_tensor(x) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor._make(_infer_array(x))


def float_input(x: Tensor) -> Tensor:
    """Integer/bool tensors become the default float dtype for float-only ops (torch's rule)."""
    if x._data.dtype.kind == "f":
        return x
    return x.to(_dtype.get_default_dtype())


def normalize_dims(dim, ndim: int):
    """None → None; an int or a sequence of ints → a tuple of non-negative axes."""
    if dim is None:
        return None
    if isinstance(dim, (builtins.int, np.integer)):
        return (_check_dim(dim, ndim),)
    if len(dim) == 0:  # torch reduces over everything for dim=[] / dim=()
        return None
    return tuple(sorted(_check_dim(d, ndim) for d in dim))


def broadcast_error(a_shape, b_shape) -> RuntimeError:
    return RuntimeError(f"The size of tensor a {tuple(a_shape)} must match the size of tensor b "
                        f"{tuple(b_shape)}: they cannot be broadcast together")
