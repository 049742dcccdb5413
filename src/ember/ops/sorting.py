"""Sorting and selection: sort, argsort, topk, masked_fill (values differentiable through gather/where)."""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from .._tensor import Tensor, _check_dim
from ._util import as_tensor
from .elementwise import where
from .shape import gather

_SortResult = namedtuple("sort", ["values", "indices"])
_TopkResult = namedtuple("topk", ["values", "indices"])


def _order(a: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """Stable argsort along ``axis``; descending keeps equal elements in their original order."""
    if descending and a.dtype.kind in "fi":
        return np.argsort(-a, axis=axis, kind="stable")
    order = np.argsort(a, axis=axis, kind="stable")
    return np.flip(order, axis) if descending else order


def argsort(input, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    """Indices (int64) that sort ``input`` along ``dim``.

    Example::

        >>> ember.tensor([3.0, 1.0, 2.0]).argsort()
        tensor([1, 2, 0])
    """
    x = as_tensor(input)
    if x.ndim == 0:
        return Tensor._make(np.zeros((), np.int64))
    return Tensor._make(_order(x._data, _check_dim(dim, x.ndim), descending).astype(np.int64))


def sort(input, dim: int = -1, descending: bool = False, stable: bool = False):
    """``(values, indices)`` of ``input`` sorted along ``dim``; gradients flow to the values.

    Example::

        >>> ember.tensor([3.0, 1.0, 2.0]).sort(descending=True).values
        tensor([3., 2., 1.])
    """
    x = as_tensor(input)
    if x.ndim == 0:
        return _SortResult(x * 1, Tensor._make(np.zeros((), np.int64)))
    d = _check_dim(dim, x.ndim)
    idx = argsort(x, d, descending)
    return _SortResult(gather(x, d, idx), idx)


def topk(input, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):  # noqa: A002
    """The ``k`` largest (or smallest) values along ``dim`` and their indices.

    Example::

        >>> ember.tensor([1.0, 5.0, 3.0, 4.0]).topk(2)
        topk(values=tensor([5., 4.]), indices=tensor([1, 3]))
    """
    x = as_tensor(input)
    d = _check_dim(dim, max(x.ndim, 1)) if x.ndim else 0
    n = x.shape[d] if x.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError(f"selected index k out of range: k={k} for a dimension of size {n}")
    if x.ndim == 0:
        return _TopkResult(x * 1, Tensor._make(np.zeros((), np.int64)))
    order = _order(x._data, d, largest)
    idx = Tensor._make(np.take(order, np.arange(k), axis=d).astype(np.int64))
    return _TopkResult(gather(x, d, idx), idx)


def masked_fill(input, mask, value) -> Tensor:
    """``input`` with ``value`` where ``mask`` is True; keeps ``input``'s dtype.

    Example::

        >>> ember.zeros(3).masked_fill(ember.tensor([True, False, True]), 7.0)
        tensor([7., 0., 7.])
    """
    x = as_tensor(input)
    m = as_tensor(mask)
    if m._data.dtype != np.bool_:
        raise RuntimeError(f"masked_fill only supports boolean masks, but got mask with dtype {m.dtype.name}")
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"masked_fill only supports a 0-dimensional value tensor, but got tensor "
                               f"with {value.ndim} dimension(s)")
        value = value.to(x.dtype)
    else:
        value = np.asarray(value).astype(x._data.dtype).item()
    out = where(m, value, x)
    if out.shape != x.shape:
        raise RuntimeError(f"masked_fill: mask of shape {tuple(m.shape)} cannot be broadcast to the input's "
                           f"shape {tuple(x.shape)} without growing it")
    return out
