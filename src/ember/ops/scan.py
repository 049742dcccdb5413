"""Scans along one dim: cumprod, cummax/cummin (values and indices), logcumsumexp; and diff.

Example::

    >>> ember.cumprod(ember.tensor([1.0, 2.0, 3.0]), dim=0)
    tensor([1., 2., 6.])
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from .._tensor import Tensor, _check_dim
from ..autograd.function import Function
from ._util import as_tensor, float_input
from .shape import cat, gather, getitem

__all__ = ["cumprod", "cummax", "cummin", "logcumsumexp", "diff"]

_CumMax = namedtuple("cummax", ["values", "indices"])
_CumMin = namedtuple("cummin", ["values", "indices"])


def _reverse_cumsum(a: np.ndarray, axis: int) -> np.ndarray:
    return np.flip(np.cumsum(np.flip(a, axis), axis=axis), axis)


class CumProd(Function):
    """Cumulative product; the gradient is exact where the input has zeros too."""

    NAME = "CumprodBackward0"

    def forward(self, x, axis=0):
        self.x, self.axis = x, axis
        self.out = np.cumprod(x, axis=axis)
        return self.out

    def backward(self, g):
        x, axis, out = self.x, self.axis, self.out
        if np.all(x != 0):
            return (_reverse_cumsum(g * out, axis) / x,)
        xm, gm = np.moveaxis(x, axis, -1), np.moveaxis(g, axis, -1)
        n = xm.shape[-1]
        grad = np.zeros_like(xm)
        for i in range(n):          # d out_j / d x_i = prod_{k <= j, k != i} x_k for j >= i
            others = xm.copy()
            others[..., i] = 1
            partial = np.cumprod(others, axis=-1)
            grad[..., i] = np.sum(gm[..., i:] * partial[..., i:], axis=-1)
        return (np.moveaxis(grad, -1, axis),)


class LogCumSumExp(Function):
    NAME = "LogcumsumexpBackward0"

    def forward(self, x, axis=0):
        self.x, self.axis = x, axis
        self.out = np.logaddexp.accumulate(x, axis=axis)
        return self.out

    def backward(self, g):
        # dx_k = sum_{j >= k} g_j exp(x_k - out_j), summed in log space for each sign of g
        x, axis, out = self.x, self.axis, self.out
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            parts = []
            for sign in (1, -1):
                logg = np.log(np.maximum(sign * g, 0))
                acc = np.flip(np.logaddexp.accumulate(np.flip(logg - out, axis), axis=axis), axis)
                parts.append(np.exp(x + acc))
        return ((parts[0] - parts[1]).astype(x.dtype, copy=False),)


def cumprod(input, dim: int, *, dtype=None):
    """Cumulative product along ``dim``.

    Example::

        >>> ember.tensor([[1, 2], [3, 4]]).cumprod(1)
        tensor([[ 1,  2],
                [ 3, 12]])
    """
    x = as_tensor(input)
    if dtype is not None:
        x = x.to(dtype)
    elif x._data.dtype.kind in "bu" or x._data.dtype.kind == "i" and x._data.dtype != np.int64:
        x = x.to(np.int64)
    return CumProd.apply(x, axis=_check_dim(dim, max(x.ndim, 1)) if x.ndim else 0)


def _cumextreme(input, dim, better, result):
    x = as_tensor(input)
    axis = _check_dim(dim, max(x.ndim, 1))
    a = x._data if x.ndim else x._data.reshape(1)
    am = np.moveaxis(a, axis, -1)
    idx = np.zeros(am.shape, np.int64)
    best = am[..., 0].copy()
    best_i = np.zeros(am.shape[:-1], np.int64)
    for i in range(1, am.shape[-1]):   # ties take the later index; NaN wins and stays
        v = am[..., i]
        take = np.isnan(v) | (~np.isnan(best) & better(v, best))
        best = np.where(take, v, best)
        best_i = np.where(take, i, best_i)
        idx[..., i] = best_i
    idx = np.moveaxis(idx, -1, axis)
    if not x.ndim:
        idx = idx.reshape(())
        return result(x, Tensor._make(idx))
    index = Tensor._make(idx)
    return result(gather(x, axis, index), index)


def cummax(input, dim: int):
    """Running maximum along ``dim``: ``(values, indices)``; the gradient goes to each running
    maximum's position."""
    return _cumextreme(input, dim, np.greater_equal, _CumMax)


def cummin(input, dim: int):
    """Running minimum along ``dim``: ``(values, indices)``."""
    return _cumextreme(input, dim, np.less_equal, _CumMin)


def logcumsumexp(input, dim: int, *, dtype=None):
    """``log(cumsum(exp(x)))`` along ``dim``, computed stably."""
    x = float_input(as_tensor(input))
    if dtype is not None:
        x = x.to(dtype)
    return LogCumSumExp.apply(x, axis=_check_dim(dim, max(x.ndim, 1)) if x.ndim else 0)


def diff(input, n: int = 1, dim: int = -1, prepend=None, append=None):
    """``n``-th forward difference along ``dim`` (with ``prepend``/``append`` joined first)."""
    x = as_tensor(input)
    d = _check_dim(dim, x.ndim)
    parts = [t for t in (prepend, x, append) if t is not None]
    if len(parts) > 1:
        x = cat([as_tensor(p) if as_tensor(p).ndim else as_tensor(p).expand(
            *(1 if i == d else s for i, s in enumerate(x.shape))) for p in parts], d)
    head = (slice(None),) * d
    for _ in range(n):
        if x.shape[d] == 0:
            break
        later, earlier = getitem(x, head + (slice(1, None),)), getitem(x, head + (slice(None, -1),))
        x = later ^ earlier if x._data.dtype == np.bool_ else later - earlier
    return x
