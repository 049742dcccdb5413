"""Order statistics and counting: median, quantile, mode, kthvalue (values whose gradient goes
to the chosen elements, through ``gather``), nan-aware sums and means, min/max and std/var pairs,
histograms, bucketing, unique values, nonzero positions.

Example::

    >>> ember.quantile(ember.tensor([1.0, 2.0, 3.0, 4.0]), 0.5)
    tensor(2.5000)
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from .._tensor import Tensor, _check_dim
from . import elementwise as ew
from . import reduction
from ._util import as_tensor
from .shape import gather, reshape, squeeze
from .sorting import sort

__all__ = ["median", "nanmedian", "quantile", "nanquantile", "mode", "kthvalue", "nansum",
           "nanmean", "aminmax", "std_mean", "var_mean", "histc", "histogram", "bincount",
           "bucketize", "searchsorted", "unique", "unique_consecutive", "msort", "nonzero",
           "argwhere"]

_Median = namedtuple("median", ["values", "indices"])
_NanMedian = namedtuple("nanmedian", ["values", "indices"])
_Mode = namedtuple("mode", ["values", "indices"])
_Kth = namedtuple("kthvalue", ["values", "indices"])
_AMinMax = namedtuple("aminmax", ["min", "max"])
_Histogram = namedtuple("histogram", ["hist", "bin_edges"])


def _pick(x, axis, index: np.ndarray, keepdim: bool, result):
    """``result(values, indices)`` with values gathered at ``index`` (so gradients reach them)."""
    idx = Tensor._make(np.expand_dims(index, axis))
    values = gather(x, axis, idx)
    if not keepdim:
        values, idx = squeeze(values, axis), squeeze(idx, axis)
    return result(values, idx)


def _order_stat(input, dim, keepdim, position, result, ignore_nan=False):
    """The element at sorted ``position(n)`` along ``dim`` (NaN sorted last)."""
    x = as_tensor(input)
    if dim is None:
        flat = reshape(x, -1)
        a = flat._data
        n = int((~np.isnan(a)).sum()) if ignore_nan and a.dtype.kind == "f" else a.size
        if a.size == 0:
            raise IndexError(f"{result.__name__}(): Expected reduction dim to be specified for "
                             f"input.numel() == 0.")
        order = np.argsort(a, kind="stable")
        k = order[position(n)] if n else order[-1]
        if not ignore_nan and a.dtype.kind == "f" and np.isnan(a).any():
            k = int(np.flatnonzero(np.isnan(a))[0])
        return gather(flat, 0, Tensor._make(np.array([k]))).reshape(())
    axis = _check_dim(dim, max(x.ndim, 1))
    a = x._data
    order = np.argsort(a, axis=axis, kind="stable")
    if a.dtype.kind == "f":
        nan_count = np.isnan(a).sum(axis=axis)
    else:
        nan_count = np.zeros(tuple(np.delete(a.shape, axis)), np.int64)
    n = np.full(nan_count.shape, a.shape[axis]) - (nan_count if ignore_nan else 0)
    pos = np.where(n > 0, position(np.maximum(n, 1)), a.shape[axis] - 1)
    if not ignore_nan:                       # any NaN makes the result NaN (its first position)
        first_nan = np.argmax(np.isnan(a), axis=axis) if a.dtype.kind == "f" else 0
        index = np.take_along_axis(order, np.expand_dims(pos, axis), axis).squeeze(axis)
        index = np.where(nan_count > 0, first_nan, index)
    else:
        index = np.take_along_axis(order, np.expand_dims(pos, axis), axis).squeeze(axis)
    return _pick(x, axis, index, keepdim, result)


def _lower_middle(n):
    return (n - 1) // 2


def median(input, dim=None, keepdim: bool = False):
    """The lower of the two middle values (over all elements, or ``(values, indices)`` along
    ``dim``); NaN if there is one."""
    return _order_stat(input, dim, keepdim, _lower_middle, _Median)


def nanmedian(input, dim=None, keepdim: bool = False):
    """:func:`median` ignoring NaN."""
    return _order_stat(input, dim, keepdim, _lower_middle, _NanMedian, ignore_nan=True)


def kthvalue(input, k: int, dim: int = -1, keepdim: bool = False):
    """The ``k``-th smallest element along ``dim`` (1-based): ``(values, indices)``."""
    x = as_tensor(input)
    n = x.shape[_check_dim(dim, max(x.ndim, 1))] if x.ndim else 1
    if not 1 <= k <= n:
        raise IndexError(f"kthvalue(): selected number k out of range for dimension {dim}")
    return _order_stat(x, dim, keepdim, lambda m: np.full_like(m, k - 1), _Kth)


def mode(input, dim: int = -1, keepdim: bool = False):
    """The most frequent value along ``dim`` (the smallest of equally frequent ones) and the
    index of its last occurrence."""
    x = as_tensor(input)
    axis = _check_dim(dim, max(x.ndim, 1))
    a = np.moveaxis(x._data if x.ndim else x._data.reshape(1), axis, -1)
    flat = a.reshape(-1, a.shape[-1])
    index = np.empty(flat.shape[0], np.int64)
    for r, row in enumerate(flat):
        values, counts = np.unique(row, return_counts=True)
        best = values[np.argmax(counts)]
        index[r] = row.shape[0] - 1 - np.argmax(row[::-1] == best)
    index = index.reshape(a.shape[:-1])
    if not x.ndim:
        return _Mode(x, Tensor._make(np.array(0)))
    return _pick(x, axis, index, keepdim, _Mode)


_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan, name):
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest. Got {interpolation}")
    x = as_tensor(input)
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    qs = np.asarray(q._data if isinstance(q, Tensor) else q, dtype=np.float64)
    if np.any((qs < 0) | (qs > 1)):
        raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
    if dim is None:
        x, axis = reshape(x, -1), 0
    else:
        axis = _check_dim(dim, max(x.ndim, 1))
    s = sort(x, axis).values                      # NaN sort last
    a = s._data
    n_all = a.shape[axis]
    if ignore_nan:
        n = (~np.isnan(a)).sum(axis=axis, keepdims=True)
    else:
        n = np.full([1 if i == axis else d for i, d in enumerate(a.shape)], n_all)
    outs = []
    for qv in qs.reshape(-1):
        rank = qv * (n - 1)
        lo = np.floor(rank).astype(np.int64)
        hi = np.ceil(rank).astype(np.int64)
        if interpolation == "lower":
            hi = lo
        elif interpolation == "higher":
            lo = hi
        elif interpolation == "nearest":
            lo = hi = np.round(rank).astype(np.int64)    # half to even, as torch
        lo, hi = np.clip(lo, 0, n_all - 1), np.clip(hi, 0, n_all - 1)
        v_lo = gather(s, axis, Tensor._make(lo))
        v_hi = gather(s, axis, Tensor._make(hi))
        if interpolation == "midpoint":
            v = v_lo + (v_hi - v_lo) * 0.5
        elif interpolation == "linear":
            w = Tensor._make((rank - np.floor(rank)).astype(a.dtype))
            v = v_lo + (v_hi - v_lo) * w
        else:
            v = v_lo
        has_nan = Tensor._make(np.isnan(a).any(axis=axis, keepdims=True) if not ignore_nan
                               else (n == 0))
        v = ew.where(has_nan, float("nan"), v)
        outs.append(v if keepdim else squeeze(v, axis))
    if dim is None and not keepdim:
        outs = [o.reshape(()) for o in outs]
    elif dim is None and keepdim:
        outs = [o.reshape((1,) * as_tensor(input).ndim) for o in outs]
    if qs.ndim == 0:
        return outs[0]
    from .shape import stack
    return stack(outs, 0)


def quantile(input, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear"):
    """The ``q``-th quantiles (``q`` a float or a 1-D tensor in [0, 1]) over all elements or
    along ``dim``, interpolating as ``interpolation`` says."""
    return _quantile(input, q, dim, keepdim, interpolation, False, "quantile")


def nanquantile(input, q, dim=None, keepdim: bool = False, *, interpolation: str = "linear"):
    """:func:`quantile` ignoring NaN."""
    return _quantile(input, q, dim, keepdim, interpolation, True, "nanquantile")


def nansum(input, dim=None, keepdim: bool = False, *, dtype=None):
    """Sum treating NaN as zero (the gradient of a NaN element is 0)."""
    x = as_tensor(input)
    if x._data.dtype.kind == "f":
        x = ew.where(Tensor._make(np.isnan(x._data)), 0.0, x)
    return reduction.sum(x, dim, keepdim, dtype=dtype)


def nanmean(input, dim=None, keepdim: bool = False, *, dtype=None):
    """Mean of the non-NaN elements."""
    x = as_tensor(input)
    if dtype is not None:
        x = x.to(dtype)
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype "
                           f"but got {_torch_name(x)}")
    count = reduction.sum(Tensor._make(~np.isnan(x._data)), dim, keepdim)
    return nansum(x, dim, keepdim) / count.to(x.dtype)


def _torch_name(x) -> str:
    from .pointwise import torch_dtype_name
    return torch_dtype_name(x._data)


def aminmax(input, *, dim=None, keepdim: bool = False):
    """``(min, max)`` over all elements or along ``dim``."""
    x = as_tensor(input)
    d = () if dim is None else dim
    return _AMinMax(reduction.amin(x, d, keepdim), reduction.amax(x, d, keepdim))


def std_mean(input, dim=None, unbiased: bool = True, keepdim: bool = False, *, correction=None):
    """``(std, mean)`` in one call."""
    return (reduction.std(input, dim, unbiased, keepdim, correction=correction),
            reduction.mean(input, dim, keepdim))


def var_mean(input, dim=None, unbiased: bool = True, keepdim: bool = False, *, correction=None):
    """``(var, mean)`` in one call."""
    return (reduction.var(input, dim, unbiased, keepdim, correction=correction),
            reduction.mean(input, dim, keepdim))


def histc(input, bins: int = 100, min: float = 0, max: float = 0):  # noqa: A002
    """Counts in ``bins`` equal bins between ``min`` and ``max`` (the data's range when both are
    0); values outside are ignored."""
    x = as_tensor(input)
    a = x._data
    if a.dtype.kind != "f":
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{_torch_name(x)}'")
    lo, hi = (float(a.min()), float(a.max())) if min == max == 0 and a.size else (min, max)
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    counts, _ = np.histogram(a, bins=bins, range=(lo, hi))
    return Tensor._make(counts.astype(a.dtype))


def histogram(input, bins=100, *, range=None, weight=None, density: bool = False):  # noqa: A002
    """``(hist, bin_edges)`` of ``input`` (``bins`` a count or the edges)."""
    x = as_tensor(input)
    a = x._data
    edges = bins._data if isinstance(bins, Tensor) else bins
    w = None if weight is None else as_tensor(weight)._data
    hist, out_edges = np.histogram(a, bins=edges, range=range, weights=w, density=density)
    return _Histogram(Tensor._make(hist.astype(a.dtype)), Tensor._make(out_edges.astype(a.dtype)))


def bincount(input, weights=None, minlength: int = 0):
    """Counts of each non-negative integer in a 1-D tensor (weighted sums with ``weights``)."""
    a = as_tensor(input)._data
    if a.ndim != 1 or a.dtype.kind not in "iu":
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    w = None if weights is None else as_tensor(weights)._data
    out = np.bincount(a, weights=w, minlength=minlength)
    if w is None:
        return Tensor._make(out.astype(np.int64))
    return Tensor._make(out.astype(w.dtype if w.dtype.kind == "f" else np.float64))


def searchsorted(sorted_sequence, input, *, out_int32: bool = False, right: bool = False,
                 side=None, sorter=None):
    """Indices where ``input``'s values would be inserted into ``sorted_sequence`` (along its
    last dim) to keep it sorted."""
    seq = as_tensor(sorted_sequence)._data
    vals = as_tensor(input)._data if isinstance(input, Tensor) else np.asarray(input)
    side = side or ("right" if right else "left")
    if sorter is not None:
        seq = np.take_along_axis(seq, as_tensor(sorter)._data, -1)
    if seq.ndim <= 1:
        out = np.searchsorted(seq, vals, side=side)
    else:
        out = np.stack([np.searchsorted(s, v, side=side) for s, v in
                        zip(seq.reshape(-1, seq.shape[-1]), vals.reshape(-1, vals.shape[-1]))])
        out = out.reshape(vals.shape)
    return Tensor._make(np.asarray(out, np.int32 if out_int32 else np.int64))


def bucketize(input, boundaries, *, out_int32: bool = False, right: bool = False):
    """The bucket of each value given sorted 1-D ``boundaries``."""
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def unique(input, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
           return_counts: bool = False, dim=None):
    """The distinct values (sorted), and optionally each element's index into them and their
    counts."""
    a = as_tensor(input)._data
    values, inverse, counts = np.unique(a, return_inverse=True, return_counts=True, axis=dim)
    out = [Tensor._make(values)]
    if return_inverse:
        out.append(Tensor._make(inverse.reshape(a.shape if dim is None else -1).astype(np.int64)))
    if return_counts:
        out.append(Tensor._make(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def unique_consecutive(input, return_inverse: bool = False, return_counts: bool = False,
                       dim=None):
    """Collapses runs of equal consecutive elements (of the flattened input, or along ``dim``)."""
    x = as_tensor(input)
    a = x._data.reshape(-1) if dim is None else np.moveaxis(x._data, _check_dim(dim, x.ndim), 0)
    if a.shape[0] == 0:
        starts = np.zeros(0, bool)
    else:
        change = np.any((a[1:] != a[:-1]).reshape(a.shape[0] - 1, -1), axis=1)
        starts = np.concatenate([[True], change])
    values = a[starts]
    if dim is not None:
        values = np.moveaxis(values, 0, _check_dim(dim, x.ndim))
    out = [Tensor._make(np.ascontiguousarray(values))]
    if return_inverse:
        inv = np.cumsum(starts) - 1
        out.append(Tensor._make(inv.reshape(x.shape if dim is None else -1).astype(np.int64)))
    if return_counts:
        out.append(Tensor._make(np.diff(np.append(np.flatnonzero(starts), a.shape[0])).astype(
            np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def msort(input):
    """Sorted along the first dim (``sort(input, 0).values``)."""
    return sort(input, 0).values


def nonzero(input, *, as_tuple: bool = False):
    """The indices of the non-zero elements: an ``(n, ndim)`` int64 tensor, or a tuple of one
    index tensor per dim with ``as_tuple=True``."""
    a = as_tensor(input)._data
    if as_tuple:
        return tuple(Tensor._make(i.astype(np.int64)) for i in np.nonzero(np.atleast_1d(a)))
    return Tensor._make(np.argwhere(a).astype(np.int64))


def argwhere(input):
    """``nonzero(input)``."""
    return nonzero(input)

