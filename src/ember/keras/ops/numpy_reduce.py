"""``keras.ops``'s reductions, statistics, sorting and products (matmul, dot, einsum…).

Reductions take ``axis`` (None, an int or a tuple) and ``keepdims`` as Keras does; sums of
small integers come out as int32 and means/variances of integers as float32 (Keras's rules).

Example::

    >>> ops.mean(ops.convert_to_tensor([[1, 2], [3, 4]]), axis=0)
    tensor([2., 3.])
"""
from __future__ import annotations

import builtins
import math

import numpy as np

import ember

from ..._tensor import Tensor
from ._base import FLOATX, axes_tuple, cast, constant, dtype_of, float_tensor, is_float, \
    result_type, t
from .numpy_math import isnan, where


def _stack_if_list(x):
    if isinstance(x, (list, tuple)) and x and builtins.any(isinstance(i, Tensor) for i in x):
        return ember.stack([t(i) for i in x])
    return t(x)


def _empty_axis(axis) -> bool:
    return isinstance(axis, (tuple, list)) and len(axis) == 0


def _int32_sum_dtype(x) -> str:
    name = dtype_of(x)
    return "int32" if name in ("bool", "uint8", "int8", "int16") else name


def sum(x, axis=None, keepdims=False):  # noqa: A001 - Keras's name
    x = _stack_if_list(x)
    if _empty_axis(axis):
        return x
    name = _int32_sum_dtype(x)
    return cast(ember.sum(x, dim=axes_tuple(axis, x.ndim), keepdim=keepdims), name)


def mean(x, axis=None, keepdims=False):
    x = _stack_if_list(x)
    if _empty_axis(axis):
        return x
    compute = result_type(dtype_of(x), "float32")
    out_name = compute if not is_float(x) else dtype_of(x)
    out = ember.mean(cast(x, compute), dim=axes_tuple(axis, x.ndim), keepdim=keepdims)
    return cast(out, out_name)


def var(x, axis=None, keepdims=False):
    x = t(x)
    out_name = result_type(dtype_of(x), float)
    if _empty_axis(axis):
        return Tensor._make(np.zeros(x.shape, out_name))
    out = ember.var(cast(x, result_type(dtype_of(x), "float32")), dim=axes_tuple(axis, x.ndim),
                    keepdim=keepdims, correction=0)
    return cast(out, out_name)


def std(x, axis=None, keepdims=False):
    x = t(x)
    if not is_float(x):
        x = cast(x, "float32")
    return ember.sqrt(ember.var(x, dim=axes_tuple(axis, x.ndim), keepdim=keepdims, correction=0))


def _reduce_extreme(fn, x, axis, keepdims):
    x = t(x)
    if _empty_axis(axis):
        return x
    return fn(x, dim=axes_tuple(axis, x.ndim) or (), keepdim=keepdims)


def amax(x, axis=None, keepdims=False):
    return _reduce_extreme(ember.amax, x, axis, keepdims)


def amin(x, axis=None, keepdims=False):
    return _reduce_extreme(ember.amin, x, axis, keepdims)


def _max_min(fn, combine, x, axis, keepdims, initial, what):
    x = t(x)
    if 0 in x.shape:
        if initial is None:
            raise ValueError(f"Cannot compute the {what} of an empty tensor.")
        return constant(np.full((1,) * x.ndim if keepdims else (), initial), FLOATX)
    out = _reduce_extreme(fn, x, axis, keepdims)
    if initial is not None:
        out = combine(out, constant(initial, dtype_of(out)))
    return out


def max(x, axis=None, keepdims=False, initial=None):  # noqa: A001
    return _max_min(ember.amax, ember.maximum, x, axis, keepdims, initial, "max")


def min(x, axis=None, keepdims=False, initial=None):  # noqa: A001
    return _max_min(ember.amin, ember.minimum, x, axis, keepdims, initial, "min")


def prod(x, axis=None, keepdims=False, dtype=None):
    x = t(x)
    name = dtype or result_type(dtype_of(x))
    name = "int32" if name in ("bool", "int8", "int16", "uint8") else name
    x = cast(x, name)
    if axis is None:
        out = ember.prod(x.reshape(-1))
        return cast(out.reshape((1,) * x.ndim) if keepdims else out, name)
    for a in sorted(axes_tuple(axis, x.ndim), reverse=True):
        x = cast(ember.prod(x, dim=a, keepdim=keepdims), name)
    return x


def ptp(x, axis=None, keepdims=False):
    """Range ``max - min`` over ``axis``."""
    x = t(x)
    if _empty_axis(axis):
        return ember.zeros_like(x)
    return ember.sub(amax(x, axis, keepdims), amin(x, axis, keepdims))


def all(x, axis=None, keepdims=False):  # noqa: A001
    x = t(x)
    if _empty_axis(axis):
        return cast(x, "bool")
    return Tensor._make(np.asarray(np.all(x._data, axis=axes_tuple(axis, x.ndim), keepdims=keepdims)))


def any(x, axis=None, keepdims=False):  # noqa: A001
    x = t(x)
    if _empty_axis(axis):
        return cast(x, "bool")
    return Tensor._make(np.asarray(np.any(x._data, axis=axes_tuple(axis, x.ndim), keepdims=keepdims)))


def count_nonzero(x, axis=None):
    x = t(x)
    if _empty_axis(axis):
        return cast(ember.ne(x, 0), "int32")
    return Tensor._make(np.asarray(np.count_nonzero(x._data, axis=axes_tuple(axis, x.ndim)),
                                   dtype=np.int32))


def _arg(fn, x, axis, keepdims):
    x = t(x)._data
    if x.dtype == np.bool_:
        x = x.astype(np.uint8)
    out = fn(x, axis=axis, keepdims=keepdims)
    return Tensor._make(np.asarray(out, dtype=np.int32))


def argmax(x, axis=None, keepdims=False):
    return _arg(np.argmax, x, axis, keepdims)


def argmin(x, axis=None, keepdims=False):
    return _arg(np.argmin, x, axis, keepdims)


def argsort(x, axis=-1):
    x = t(x)._data
    if axis is None:
        x, axis = x.reshape(-1), -1
    if x.ndim == 0:
        return Tensor._make(np.zeros((), np.int32))
    return Tensor._make(np.argsort(x, axis=axis, kind="stable").astype(np.int32))


def sort(x, axis=-1):
    x = t(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    if x.ndim == 0:
        return x
    return ember.sort(x, dim=axis).values


def argpartition(x, kth, axis=-1):
    x = t(x)._data
    return Tensor._make(np.argpartition(x, kth, axis=axis).astype(np.int32))


def cumsum(x, axis=None, dtype=None):
    x = t(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    name = result_type(dtype or dtype_of(x))
    name = "int32" if name == "bool" else name
    return cast(ember.cumsum(cast(x, name), axis), name)


def cumprod(x, axis=None, dtype=None):
    x = t(x)
    if axis is None:
        x, axis = x.reshape(-1), 0
    name = result_type(dtype or dtype_of(x))
    name = "int32" if name == "bool" else name
    return cast(ember.cumprod(cast(x, name), axis), name)


def logsumexp(x, axis=None, keepdims=False):
    x = float_tensor(x)
    return ember.logsumexp(x, dim=axes_tuple(axis, x.ndim) if axis is not None else
                           tuple(range(x.ndim)), keepdim=keepdims)


def average(x, axis=None, weights=None):
    x = t(x)
    names = [dtype_of(x), float] + ([] if weights is None else [dtype_of(t(weights))])
    name = result_type(*names)
    x = cast(x, name)
    if _empty_axis(axis):
        return x
    if weights is None:
        return ember.mean(x, dim=axes_tuple(axis, x.ndim))
    w = cast(weights, name)
    return ember.div(ember.sum(ember.mul(x, w), dim=axes_tuple(axis, x.ndim)), ember.sum(w, dim=-1))


def _move_reduced_last(x, axis):
    """``x`` with the ``axis`` axes flattened into one last axis (for quantiles)."""
    if axis is None:
        return x.reshape(-1), None
    axes = axes_tuple(axis, x.ndim)
    others = [i for i in range(x.ndim) if i not in axes]
    y = ember.permute(x, others + list(axes))
    return y.reshape([x.shape[i] for i in others] + [-1]), axes


def _quantile(x, q, axis, method, keepdims, nan):
    x = t(x)
    q = t(q)
    out_name = result_type(dtype_of(x), float)
    x = cast(x, result_type(dtype_of(x), "float32"))
    y, axes = _move_reduced_last(x, axis)
    fn = ember.nanquantile if nan else ember.quantile
    res = fn(y, cast(q, dtype_of(y)), dim=-1, interpolation=method)
    if keepdims:
        for i in (range(x.ndim) if axes is None else sorted(axes)):
            res = ember.unsqueeze(res, i + 1 if q.ndim else (-1 if axes is None else i))
    return cast(res, out_name)


def quantile(x, q, axis=None, method="linear", keepdims=False):
    return _quantile(x, q, axis, method, keepdims, nan=False)


def percentile(x, q, axis=None, method="linear", keepdims=False):
    q = ember.div(cast(q, FLOATX), 100.0)
    return _quantile(x, q, axis, method, keepdims, nan=False)


def median(x, axis=None, keepdims=False):
    return _quantile(x, 0.5, axis, "linear", keepdims, nan=False)


def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    return _quantile(x, q, axis, method, keepdims, nan=True)


def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    q = ember.div(cast(q, FLOATX), 100.0)
    return _quantile(x, q, axis, method, keepdims, nan=True)


def nanmedian(x, axis=None, keepdims=False):
    x = t(x)
    if _empty_axis(axis):
        return x
    return _quantile(x, 0.5, axis, "linear", keepdims, nan=True)


# ---- NaN-ignoring reductions: NaNs replaced by the operation's neutral value ---------------
def _without_nan(x, fill):
    return where(isnan(x), constant(fill, dtype_of(x)), x) if is_float(x) else x


def nansum(x, axis=None, keepdims=False):
    x = _stack_if_list(x)
    return sum(_without_nan(x, 0), axis, keepdims)


def nanprod(x, axis=None, keepdims=False):
    return prod(_without_nan(t(x), 1), axis, keepdims)


def nanmean(x, axis=None, keepdims=False):
    x = t(x)
    if _empty_axis(axis):
        return x
    x = cast(x, result_type(dtype_of(x), float))
    valid = ember.logical_not(isnan(x))
    total = ember.sum(_without_nan(x, 0), dim=axes_tuple(axis, x.ndim), keepdim=keepdims)
    count = ember.sum(cast(valid, dtype_of(x)), dim=axes_tuple(axis, x.ndim), keepdim=keepdims)
    return ember.div(total, count)


def nanvar(x, axis=None, keepdims=False):
    x = t(x)
    x = cast(x, result_type(dtype_of(x), float))
    m = nanmean(x, axis, keepdims=True)
    centered = _without_nan(ember.sub(x, m), 0)
    valid = cast(ember.logical_not(isnan(x)), dtype_of(x))
    dims = axes_tuple(axis, x.ndim)
    return ember.div(ember.sum(ember.mul(centered, centered), dim=dims, keepdim=keepdims),
                     ember.sum(valid, dim=dims, keepdim=keepdims))


def nanstd(x, axis=None, keepdims=False):
    return ember.sqrt(nanvar(x, axis, keepdims))


def _nan_extreme(fn, fill, x, axis, keepdims):
    x = t(x)
    if not is_float(x) or _empty_axis(axis):
        return fn(x, axis, keepdims) if not _empty_axis(axis) else x
    out = fn(_without_nan(x, fill), axis, keepdims)
    all_nan = all(isnan(x), axis, keepdims)
    return where(all_nan, constant(np.nan, dtype_of(x)), out)


def nanmax(x, axis=None, keepdims=False):
    return _nan_extreme(amax, -np.inf, x, axis, keepdims)


def nanmin(x, axis=None, keepdims=False):
    return _nan_extreme(amin, np.inf, x, axis, keepdims)


def _nan_arg(fn, fill, x, axis, keepdims):
    x = t(x)
    if not is_float(x):
        return fn(x, axis, keepdims)
    out = fn(_without_nan(x, fill), axis, keepdims)
    all_nan = all(isnan(x), axis, keepdims)
    return where(all_nan, constant(-1, "int32"), out)


def nanargmax(x, axis=None, keepdims=False):
    return _nan_arg(argmax, -np.inf, x, axis, keepdims)


def nanargmin(x, axis=None, keepdims=False):
    return _nan_arg(argmin, np.inf, x, axis, keepdims)


def nancumsum(x, axis=None, dtype=None):
    return cumsum(_without_nan(t(x), 0), axis, dtype)


def nancumprod(x, axis=None, dtype=None):
    return cumprod(_without_nan(t(x), 1), axis, dtype)


# ---- products ----------------------------------------------------------------------------------
def _float_compute(x1, x2):
    x1, x2 = t(x1), t(x2)
    out = result_type(dtype_of(x1), dtype_of(x2))
    compute = result_type(out, float)
    return cast(x1, compute), cast(x2, compute), out


def matmul(x1, x2):
    x1, x2 = t(x1), t(x2)
    out = result_type(dtype_of(x1), dtype_of(x2))
    if dtype_of(x1) == dtype_of(x2) == "int8":
        out = "int32"
    compute = FLOATX if out in ("bool", "float16") else out
    return cast(ember.matmul(cast(x1, compute), cast(x2, compute)), out)


def dot(x1, x2):
    x1, x2, out = _float_compute(x1, x2)
    if x1.ndim == 0 or x2.ndim == 0:
        return cast(ember.mul(x1, x2), out)
    if x2.ndim > 2:  # NumPy's dot: sum over the last axis of x1 and the second-to-last of x2
        return cast(tensordot(x1, x2, ([-1], [-2])), out)
    return cast(ember.matmul(x1, x2), out)


def vdot(x1, x2):
    x1, x2, out = _float_compute(x1, x2)
    return cast(ember.vdot(x1, x2), out)


def inner(x1, x2):
    x1, x2, out = _float_compute(x1, x2)
    return cast(ember.inner(x1, x2), out)


def outer(x1, x2):
    return ember.outer(t(x1).reshape(-1), t(x2).reshape(-1))


def tensordot(x1, x2, axes=2):
    """Sum of products over ``axes`` (an int: the last/first ``axes`` axes; or two lists)."""
    x1, x2, out = _float_compute(x1, x2)
    if isinstance(axes, (list, tuple)):
        axes = tuple(list(a) if isinstance(a, (list, tuple)) else [a] for a in axes)
    return cast(ember.tensordot(x1, x2, dims=axes), out)


def einsum(subscripts, *operands, **kwargs):
    """Einstein summation on ember's einsum (one differentiable node); Keras raises ValueError."""
    ops_ = [t(o) for o in operands]
    names = {dtype_of(o) for o in ops_}
    try:
        if names == {"int8"}:
            return cast(ember.einsum(subscripts, *[cast(o, "int32") for o in ops_]), "int32")
        return ember.einsum(subscripts, *ops_)
    except RuntimeError as e:
        raise ValueError(str(e)) from None


def trace(x, offset=0, axis1=0, axis2=1):
    from .numpy_array import diagonal
    x = t(x)
    name = "int32" if dtype_of(x) in ("bool", "int8", "int16", "uint8") else dtype_of(x)
    return cast(ember.sum(diagonal(x, offset, axis1, axis2), dim=-1), name)


def trapezoid(y, x=None, dx=1.0, axis=-1):
    """Integral of ``y`` along ``axis`` by the trapezoid rule (spacing ``x`` or ``dx``)."""
    y = t(y)
    if dtype_of(y) == "bool":
        y = cast(y, FLOATX)
    return ember.trapezoid(y, None if x is None else t(x), dx=dx, dim=axis)


def correlate(x1, x2, mode="valid"):
    """1-D cross-correlation of two vectors (``'valid'``, ``'same'`` or ``'full'``)."""
    x1, x2 = t(x1), t(x2)
    name = result_type(dtype_of(x1), dtype_of(x2))
    name = "float64" if name == "int64" else name if name in ("float16", "float64") else "float32"
    x1, x2 = cast(x1, name), cast(x2, name)
    n1, n2 = x1.shape[0], x2.shape[0]
    padded = ember.cat([ember.zeros(n2 - 1, dtype=name), x1, ember.zeros(n2 - 1, dtype=name)])
    idx = np.arange(n1 + n2 - 1)[:, None] + np.arange(n2)[None, :]
    full = ember.sum(ember.mul(padded[Tensor._make(idx)], x2), dim=-1)
    if mode == "full":
        return full
    length = builtins.max(n1, n2) - builtins.min(n1, n2) + 1 if mode == "valid" else n1
    start = (full.shape[0] - length) // 2
    return full[start:start + length]


def corrcoef(x):
    """Pearson correlation coefficients between the rows of ``x``."""
    x = t(x)
    if dtype_of(x) == "int64":
        x = cast(x, "float64")
    elif not is_float(x):
        x = cast(x, FLOATX)
    return ember.corrcoef(x)


def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Cross product of 3-vectors along ``axis`` (default: the first axis of size 3, torch's
    rule on Keras's torch backend)."""
    if axisa != -1 or axisb != -1 or axisc != -1:
        raise ValueError("Torch backend does not support `axisa`, `axisb`, or `axisc`. Received: "
                         f"axisa={axisa}, axisb={axisb}, axisc={axisc}. Please use `axis` arg in "
                         "torch backend.")
    x1, x2 = t(x1), t(x2)
    name = result_type(dtype_of(x1), dtype_of(x2))
    return ember.cross(cast(x1, name), cast(x2, name), dim=axis)


def kron(x1, x2):
    return ember.kron(t(x1), t(x2))


def vander(x, N=None, increasing=False):  # noqa: N803 - Keras's name
    x = t(x)
    return cast(ember.vander(x, N=N, increasing=increasing), result_type(dtype_of(x)))


def diff(a, n=1, axis=-1):
    return ember.diff(t(a), n=n, dim=axis)


def bincount(x, weights=None, minlength=0, sparse=False):
    if sparse:
        raise ValueError("Unsupported value `sparse=True` with torch backend")
    x = t(x)
    w = None if weights is None else t(weights)
    name = "int32" if w is None else result_type(dtype_of(x), dtype_of(w))

    def count(row, wrow):
        return np.bincount(row, weights=wrow, minlength=minlength)
    if x.ndim == 2:
        rows = [count(r, None if w is None else wr) for r, wr in
                zip(x._data, w._data if w is not None else [None] * x.shape[0])]
        return Tensor._make(np.stack(rows).astype(name))
    return Tensor._make(count(x._data, None if w is None else w._data).astype(name))


def digitize(x, bins):
    x = t(x)
    if dtype_of(x) == "bool":
        x = cast(x, "uint8")
    return cast(ember.bucketize(x, t(bins), right=True), "int32")


def searchsorted(sorted_sequence, values, side="left"):
    seq = t(sorted_sequence)
    if seq.ndim != 1:
        raise ValueError("`searchsorted` only supports 1-D sorted sequences. You can use "
                         "`keras.ops.vectorized_map` to extend it to N-D sequences. Received: "
                         f"sorted_sequence.shape={tuple(seq.shape)}")
    return ember.searchsorted(seq, t(values), side=side, out_int32=True)


def histogram(x, bins=10, range=None):  # noqa: A002 - Keras's name
    x = t(x)
    hist, edges = ember.histogram(x, bins=bins, range=range)
    return cast(hist, dtype_of(x)), cast(edges, dtype_of(x))


__all__ = [n for n in dir() if not n.startswith("_") and n not in (
    "annotations", "builtins", "math", "np", "ember", "Tensor", "FLOATX", "axes_tuple", "cast",
    "constant", "dtype_of", "float_tensor", "is_float", "result_type", "t", "isnan", "where")]
