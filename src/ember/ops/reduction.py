"""Reductions: sum, mean, var/std, max/min (with indices), amax/amin, argmax, prod, logsumexp."""
from __future__ import annotations

import builtins
import warnings
from collections import namedtuple

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _check_dim
from ..autograd.function import Function
from ._util import as_tensor, normalize_dims
from .elementwise import sqrt

_MaxResult = namedtuple("max", ["values", "indices"])
_MinResult = namedtuple("min", ["values", "indices"])


def _expand_back(g, shape, axis, keepdims):
    """Spreads a reduced gradient back over the input's shape (a fresh, writable array).

    Materialising costs one fill, which the engine would otherwise pay as a copy when
    the gradient reaches a leaf; it is also faster than ``np.broadcast_to`` on small arrays.
    """
    if axis is not None and not keepdims:
        g = g.reshape(tuple(1 if i in axis else n for i, n in enumerate(shape)))
    out = np.empty(shape, g.dtype)
    out[...] = g
    return out


def _count(shape, axis) -> int:
    if axis is None:
        return int(np.prod(shape))
    return int(np.prod([shape[a] for a in axis]))


class Sum(Function):
    def forward(self, x, axis=None, keepdims=False, dtype=None):
        self.shape, self.axis, self.keepdims = x.shape, axis, keepdims
        if axis is not None:
            self.label = "SumBackward1"
        if dtype is None and x.dtype.kind in "biu":
            dtype = np.int64
        return np.add.reduce(x, axis=axis, dtype=dtype, keepdims=keepdims)

    def backward(self, g):
        return (_expand_back(g, self.shape, self.axis, self.keepdims),)


class Mean(Function):
    def forward(self, x, axis=None, keepdims=False):
        self.shape, self.axis, self.keepdims = x.shape, axis, keepdims
        if axis is not None:
            self.label = "MeanBackward1"
        self.n = _count(x.shape, axis)
        return np.asarray(np.mean(x, axis=axis, keepdims=keepdims))

    def backward(self, g):
        return (_expand_back(g / np.asarray(self.n, g.dtype), self.shape, self.axis, self.keepdims),)


class Var(Function):
    SAVES = (0,)  # torch saves the input (ember keeps it centred)

    def forward(self, x, axis=None, correction=1, keepdims=False):
        self.shape, self.axis, self.keepdims = x.shape, axis, keepdims
        n = _count(x.shape, axis)
        if n - correction <= 0:
            warnings.warn("var(): degrees of freedom is <= 0. Correction should be strictly less than the "
                          f"reduction factor (here {n} elements per output, correction={correction})",
                          UserWarning, stacklevel=4)
        self.centered = x - np.mean(x, axis=axis, keepdims=True)
        self.denom = np.asarray(builtins.max(n - correction, 0), x.dtype)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(np.sum(self.centered * self.centered, axis=axis, keepdims=keepdims)
                              / self.denom)

    def backward(self, g):
        g = _expand_back(g, self.shape, self.axis, self.keepdims)
        return (g * self.centered * (2 / self.denom),)


class Extreme(Function):
    """max/min over all elements or amax/amin over dims: ties share the gradient evenly."""

    def forward(self, x, axis=None, keepdims=False, fn=np.max):
        self.x, self.axis, self.keepdims = x, axis, keepdims
        self.out = np.asarray(fn(x, axis=axis, keepdims=True))
        return self.out if keepdims else (self.out.reshape(()) if axis is None
                                          else np.squeeze(self.out, axis))

    def backward(self, g):
        mask = self.x == self.out
        count = mask.sum(axis=self.axis, keepdims=True)
        g = g if self.keepdims or self.axis is None else np.expand_dims(g, self.axis)
        return (np.where(mask, g / count.astype(g.dtype), np.zeros((), g.dtype)),)


class ExtremeAlongDim(Function):
    """max/min along one dim returning values; the gradient goes to the chosen index."""

    def forward(self, x, axis=0, keepdims=False, fn=np.argmax):
        self.shape, self.axis, self.keepdims = x.shape, axis, keepdims
        self.index = np.expand_dims(fn(x, axis=axis), axis)
        values = np.take_along_axis(x, self.index, axis)
        return values if keepdims else np.squeeze(values, axis)

    def backward(self, g):
        out = np.zeros(self.shape, g.dtype)
        g = g if self.keepdims else np.expand_dims(g, self.axis)
        np.put_along_axis(out, self.index, g, self.axis)
        return (out,)


class Prod(Function):
    SAVES = (0, "out")  # torch saves the input and the result

    def forward(self, x, axis=None, keepdims=False):
        self.x, self.axis, self.keepdims = x, axis, keepdims
        if axis is None:
            return np.asarray(np.prod(x))
        self.label = "ProdBackward1"
        return np.prod(x, axis=axis, keepdims=keepdims)

    def backward(self, g):
        x, axis = self.x, self.axis
        flat = x.reshape(-1) if axis is None else np.moveaxis(x, axis, -1)
        ones = np.ones_like(flat[..., :1])
        left = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
        right = np.cumprod(np.concatenate([ones, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
        others = left * right  # product of every element but the one at each position
        if axis is None:
            return (g * others.reshape(x.shape),)
        g = g if self.keepdims else np.expand_dims(g, axis)
        return (np.moveaxis(others, -1, axis) * g,)


class LogSumExp(Function):
    NAME = "LogsumexpBackward0"

    def forward(self, x, axis=None, keepdims=False):
        self.x, self.axis, self.keepdims = x, axis, keepdims
        m = np.max(x, axis=axis, keepdims=True)
        m = np.where(np.isfinite(m), m, np.zeros((), x.dtype))
        self.out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
        return self.out if keepdims else np.squeeze(self.out, axis)

    def backward(self, g):
        g = g if self.keepdims or self.axis is None else np.expand_dims(g, self.axis)
        return (g * np.exp(self.x - self.out),)


class CumSum(Function):
    NAME = "CumsumBackward0"

    def forward(self, x, axis=0):
        self.axis = axis
        return np.cumsum(x, axis=axis)

    def backward(self, g):
        return (np.flip(np.cumsum(np.flip(g, self.axis), axis=self.axis), self.axis),)


# ------------------------------------------------------------------ public functions
def _float_only(name: str, x: Tensor, dtype=None) -> Tensor:
    if dtype is not None:
        return x.to(dtype)
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"{name}(): could not infer output dtype. Input dtype must be either a "
                           f"floating point or complex dtype. Got: {x.dtype.name}")
    return x


def sum(input, dim=None, keepdim: bool = False, *, dtype=None):  # noqa: A001
    """Sum over all elements or over ``dim`` (an int or a tuple)."""
    x = as_tensor(input)
    np_dtype = None if dtype is None else _dtype.to_numpy_dtype(dtype)
    return Sum.apply(x, axis=normalize_dims(dim, x.ndim), keepdims=keepdim, dtype=np_dtype)


def mean(input, dim=None, keepdim: bool = False, *, dtype=None):
    """Mean over all elements or ``dim``; float tensors only, as in torch.

    Example::

        >>> ember.tensor([[1.0, 2.0], [3.0, 4.0]]).mean(dim=0)
        tensor([2., 3.])
    """
    x = _float_only("mean", as_tensor(input), dtype)
    return Mean.apply(x, axis=normalize_dims(dim, x.ndim), keepdims=keepdim)


def var(input, dim=None, unbiased: bool = True, keepdim: bool = False, *, correction=None):
    """Variance; unbiased (``correction=1``) by default, as in torch (``correction`` wins over
    ``unbiased`` when both are given)."""
    x = _float_only("var", as_tensor(input))
    if isinstance(dim, builtins.bool):                 # var(x, False): torch's (unbiased) overload
        dim, unbiased = None, dim
    if correction is None:
        correction = 1 if unbiased else 0
    return Var.apply(x, axis=normalize_dims(dim, x.ndim), correction=correction, keepdims=keepdim)


def std(input, dim=None, unbiased: bool = True, keepdim: bool = False, *, correction=None):
    """Standard deviation, ``sqrt(var(...))``; unbiased by default."""
    return sqrt(var(input, dim, unbiased, keepdim, correction=correction))


def _extreme(name, fn, argfn, result, input, dim, keepdim):
    x = as_tensor(input)
    if isinstance(dim, Tensor):  # max(a, b) binary form
        from .elementwise import maximum, minimum
        return maximum(x, dim) if name == "max" else minimum(x, dim)
    if x._data.size == 0:
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                           f"Specify the reduction dim with the 'dim' argument.")
    if dim is None:
        return Extreme.apply(x, axis=None, keepdims=False, fn=fn, label=name.capitalize() + "Backward1")
    axis = _check_dim(dim, x.ndim)
    values = ExtremeAlongDim.apply(x, axis=axis, keepdims=keepdim, fn=argfn,
                                   label=name.capitalize() + "Backward0")
    index = np.expand_dims(argfn(x._data, axis=axis), axis) if keepdim else argfn(x._data, axis=axis)
    return result(values, Tensor._make(index.astype(np.int64)))


def max(input, dim=None, keepdim: bool = False, *, other=None):  # noqa: A001
    """The largest element, or ``(values, indices)`` along ``dim``.

    Example::

        >>> values, indices = ember.max(ember.tensor([[1.0, 5.0], [7.0, 2.0]]), dim=1)
        >>> values, indices
        (tensor([5., 7.]), tensor([1, 0]))
    """
    return _extreme("max", np.max, np.argmax, _MaxResult, input, dim if other is None else other,
                    keepdim)


def min(input, dim=None, keepdim: bool = False, *, other=None):  # noqa: A001
    """The smallest element, or ``(values, indices)`` along ``dim``."""
    return _extreme("min", np.min, np.argmin, _MinResult, input, dim if other is None else other,
                    keepdim)


def amax(input, dim=(), keepdim: bool = False):
    """Maximum over ``dim`` (an int or a tuple; all dims by default); ties share the gradient."""
    x = as_tensor(input)
    axis = None if dim == () or dim is None else normalize_dims(dim, x.ndim)
    return Extreme.apply(x, axis=axis, keepdims=keepdim, fn=np.max, label="AmaxBackward0")


def amin(input, dim=(), keepdim: bool = False):
    """Minimum over ``dim`` (an int or a tuple; all dims by default); ties share the gradient."""
    x = as_tensor(input)
    axis = None if dim == () or dim is None else normalize_dims(dim, x.ndim)
    return Extreme.apply(x, axis=axis, keepdims=keepdim, fn=np.min, label="AminBackward0")


def _arg(fn, input, dim, keepdim):
    x = as_tensor(input)._data
    if dim is None:
        out = np.asarray(fn(x))
        return Tensor._make((out.reshape((1,) * x.ndim) if keepdim else out).astype(np.int64))
    axis = _check_dim(dim, x.ndim)
    out = fn(x, axis=axis)
    return Tensor._make((np.expand_dims(out, axis) if keepdim else out).astype(np.int64))


def argmax(input, dim=None, keepdim: bool = False):
    """Index (int64) of the largest value, over the flattened tensor or along ``dim``."""
    return _arg(np.argmax, input, dim, keepdim)


def argmin(input, dim=None, keepdim: bool = False):
    """Index (int64) of the smallest value, over the flattened tensor or along ``dim``."""
    return _arg(np.argmin, input, dim, keepdim)


def _widen(x, dtype):
    """torch's accumulation dtype for sums and products: ``dtype`` if given, int64 for integers
    and bools."""
    if dtype is not None:
        return x.to(dtype)
    if x._data.dtype.kind in "biu" and x._data.dtype != np.int64:
        return x.to(np.int64)
    return x


def prod(input, dim=None, keepdim: bool = False, *, dtype=None):
    """Product over all elements or along one ``dim``."""
    x = _widen(as_tensor(input), dtype)
    axis = None if dim is None else _check_dim(dim, x.ndim)
    return Prod.apply(x, axis=axis, keepdims=keepdim)


def logsumexp(input, dim, keepdim: bool = False):
    """``log(sum(exp(x)))`` over ``dim``, computed stably."""
    x = as_tensor(input)
    if x._data.dtype.kind != "f":
        from .elementwise import float_input
        x = float_input(x)
    return LogSumExp.apply(x, axis=normalize_dims(dim, x.ndim), keepdims=keepdim)


def cumsum(input, dim, *, dtype=None):
    """Cumulative sum along ``dim`` (integers and bools accumulate in int64, as in torch)."""
    x = _widen(as_tensor(input), dtype)
    return CumSum.apply(x, axis=_check_dim(dim, builtins.max(x.ndim, 1)) if x.ndim else 0)


def all(input, dim=None, keepdim: bool = False):  # noqa: A001
    """True when every element is non-zero (over all elements or ``dim``)."""
    x = as_tensor(input)._data
    return Tensor._make(np.asarray(np.all(x, axis=None if dim is None else _check_dim(dim, x.ndim),
                                          keepdims=keepdim)))


def any(input, dim=None, keepdim: bool = False):  # noqa: A001
    """True when some element is non-zero (over all elements or ``dim``)."""
    x = as_tensor(input)._data
    return Tensor._make(np.asarray(np.any(x, axis=None if dim is None else _check_dim(dim, x.ndim),
                                          keepdims=keepdim)))


def count_nonzero(input, dim=None):
    """The number of non-zero elements (int64), over all elements or ``dim``."""
    x = as_tensor(input)._data
    return Tensor._make(np.asarray(np.count_nonzero(x, axis=dim), dtype=np.int64))
