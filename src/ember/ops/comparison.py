"""Comparisons and logic: elementwise tests returning bool tensors (no gradients)."""
from __future__ import annotations

import builtins

import numpy as np

from .._tensor import Tensor
from ._util import as_tensor, broadcast_error


def _compare(ufunc):
    def op(input, other):
        a = as_tensor(input)
        if other is None:
            return NotImplemented
        try:
            b = other._data if isinstance(other, Tensor) else other
            if isinstance(b, (list, tuple)):
                b = np.asarray(b)
            return Tensor._make(np.asarray(ufunc(a._data, b)))
        except ValueError:
            raise broadcast_error(a.shape, np.shape(b)) from None
    op.__name__ = ufunc.__name__
    op.__doc__ = f"Elementwise ``{ufunc.__name__}``; returns a bool tensor."
    return op


eq = _compare(np.equal)
ne = _compare(np.not_equal)
lt = _compare(np.less)
le = _compare(np.less_equal)
gt = _compare(np.greater)
ge = _compare(np.greater_equal)
logical_and = _compare(np.logical_and)
logical_or = _compare(np.logical_or)
logical_xor = _compare(np.logical_xor)
bitwise_and = _compare(np.bitwise_and)
bitwise_or = _compare(np.bitwise_or)
bitwise_xor = _compare(np.bitwise_xor)


def logical_not(input):
    """Elementwise NOT; returns a bool tensor."""
    return Tensor._make(np.logical_not(as_tensor(input)._data))


def bitwise_not(input):
    """``~x``: logical NOT for bool tensors, bitwise NOT for integers."""
    a = as_tensor(input)._data
    return Tensor._make(np.logical_not(a) if a.dtype == np.bool_ else np.invert(a))


def isnan(input):
    """True where the value is NaN."""
    return Tensor._make(np.isnan(as_tensor(input)._data))


def isinf(input):
    """True where the value is +/-inf."""
    return Tensor._make(np.isinf(as_tensor(input)._data))


def isfinite(input):
    """True where the value is neither NaN nor infinite."""
    return Tensor._make(np.isfinite(as_tensor(input)._data))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    """True when every element of the two tensors is within ``atol + rtol * |other|``."""
    return builtins.bool(np.allclose(as_tensor(input)._data, as_tensor(other)._data, rtol, atol, equal_nan))


def equal(input, other) -> bool:
    """True when both tensors have the same shape and elements."""
    a, b = as_tensor(input)._data, as_tensor(other)._data
    return a.shape == b.shape and builtins.bool(np.array_equal(a, b))
