"""Tensor creation: tensor, from_numpy, zeros/ones/full/empty (+ _like), rand*, arange, linspace, eye."""
from __future__ import annotations

import builtins

import numpy as np

from . import _dtype
from ._tensor import Tensor, _infer_array
from .random import _gen

__all__ = ["tensor", "as_tensor", "from_numpy", "zeros", "ones", "full", "empty", "zeros_like",
           "ones_like", "full_like", "empty_like", "rand", "randn", "randint", "randperm", "rand_like",
           "randn_like", "arange", "linspace", "logspace", "eye", "normal", "bernoulli", "multinomial"]


def _finish(arr: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._make(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _float_dtype(dtype) -> np.dtype:
    return _dtype.get_default_dtype().np if dtype is None else _dtype.to_numpy_dtype(dtype)


def _size(size) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for n in size:
        if not isinstance(n, (builtins.int, np.integer)) or n < 0:
            raise ValueError(f"sizes must be non-negative integers, got {tuple(size)}")
    return tuple(builtins.int(n) for n in size)


def tensor(data, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data``, with torch's dtype inference.

    Python floats become float32, ints int64, bools bool; NumPy arrays keep their dtype.

    Example::

        >>> ember.tensor([[1, 2], [3, 4]]).dtype
        ember.int64
    """
    arr = _infer_array(data, dtype)
    arr = np.array(arr, copy=True) if (arr is data or isinstance(data, Tensor)) else arr
    return _finish(arr, requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Like :func:`tensor` but shares memory with NumPy arrays and tensors when it can."""
    if isinstance(data, Tensor) and (dtype is None or data.dtype == dtype):
        return data
    return Tensor._make(_infer_array(data, dtype))


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array`` (changes to one show in the other)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    _dtype.from_numpy_dtype(array.dtype)
    return Tensor._make(array)


def zeros(*size, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """A tensor of zeros; sizes as varargs or a tuple (float32 unless ``dtype`` says otherwise).

    Example::

        >>> ember.zeros(2, 3).shape
        (2, 3)
    """
    return _finish(np.zeros(_size(size), _float_dtype(dtype)), requires_grad)


def ones(*size, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """A tensor of ones; sizes as varargs or a tuple."""
    return _finish(np.ones(_size(size), _float_dtype(dtype)), requires_grad)


def empty(*size, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """An uninitialised tensor (its values are whatever the memory held)."""
    return _finish(np.empty(_size(size), _float_dtype(dtype)), requires_grad)


def full(size, fill_value, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value``; the dtype follows the value (1.5 → float32, 7 → int64).

    Example::

        >>> ember.full((2,), 7)
        tensor([7, 7])
    """
    if dtype is None:
        dtype = _infer_array(fill_value).dtype
    return _finish(np.full(_size((size,)), fill_value, _dtype.to_numpy_dtype(dtype)), requires_grad)


def _like(fn, input, dtype, requires_grad, *args):
    src = input._data if isinstance(input, Tensor) else np.asarray(input)
    np_dtype = src.dtype if dtype is None else _dtype.to_numpy_dtype(dtype)
    return _finish(fn(src.shape, *args, dtype=np_dtype), requires_grad)


def zeros_like(input, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """Zeros with the shape (and, by default, the dtype) of ``input``."""
    return _like(np.zeros, input, dtype, requires_grad)


def ones_like(input, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """Ones with the shape (and, by default, the dtype) of ``input``."""
    return _like(np.ones, input, dtype, requires_grad)


def empty_like(input, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """An uninitialised tensor with the shape and dtype of ``input``."""
    return _like(np.empty, input, dtype, requires_grad)


def full_like(input, fill_value, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """``fill_value`` everywhere, with the shape and dtype of ``input``."""
    return _like(np.full, input, dtype, requires_grad, fill_value)


def rand(*size, generator=None, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """Uniform samples on [0, 1)."""
    np_dtype = _float_dtype(dtype)
    arr = _gen(generator).random(_size(size), dtype=np.float64 if np_dtype != np.float32 else np.float32)
    return _finish(arr.astype(np_dtype, copy=False), requires_grad)


def randn(*size, generator=None, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """Standard normal samples."""
    np_dtype = _float_dtype(dtype)
    arr = _gen(generator).standard_normal(_size(size),
                                          dtype=np.float64 if np_dtype != np.float32 else np.float32)
    return _finish(arr.astype(np_dtype, copy=False), requires_grad)


def rand_like(input, dtype=None, requires_grad: bool = False) -> Tensor:
    """Uniform [0, 1) samples with the shape and dtype of ``input``."""
    return rand(*input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input, dtype=None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples with the shape and dtype of ``input``."""
    return randn(*input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randint(low, high=None, size=None, *, generator=None, dtype=None, device=None) -> Tensor:
    """Integers uniform on [low, high); ``randint(high, size)`` starts at 0, as in torch."""
    if size is None:
        low, high, size = 0, low, high
    if size is None:
        raise TypeError("randint() missing required argument 'size'")
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    np_dtype = np.int64 if dtype is None else _dtype.to_numpy_dtype(dtype)
    return Tensor._make(_gen(generator).integers(low, high, _size((size,))).astype(np_dtype, copy=False))


def randperm(n: int, *, generator=None, dtype=None, device=None) -> Tensor:
    """A random permutation of ``0 .. n-1`` (int64)."""
    np_dtype = np.int64 if dtype is None else _dtype.to_numpy_dtype(dtype)
    return Tensor._make(_gen(generator).permutation(n).astype(np_dtype, copy=False))


def normal(mean=0.0, std=1.0, size=None, *, generator=None) -> Tensor:
    """Normal samples with the given mean and std (scalars or tensors)."""
    m = mean._data if isinstance(mean, Tensor) else mean
    s = std._data if isinstance(std, Tensor) else std
    shape = _size((size,)) if size is not None else np.broadcast_shapes(np.shape(m), np.shape(s))
    dt = next((a.dtype for a in (m, s) if isinstance(a, np.ndarray)), _dtype.get_default_dtype().np)
    return Tensor._make(_gen(generator).normal(m, s, shape).astype(dt, copy=False))


def bernoulli(input, p=None, *, generator=None) -> Tensor:
    """0/1 samples, 1 with probability ``input`` (or ``p``); same dtype as ``input``."""
    probs = input._data if p is None else np.full(input.shape, p)
    draw = _gen(generator).random(probs.shape) < probs
    return Tensor._make(draw.astype(input._data.dtype))


def multinomial(input, num_samples: int, replacement: bool = False, *, generator=None) -> Tensor:
    """``num_samples`` indices drawn per row with probabilities proportional to ``input``."""
    probs = np.asarray(input._data, np.float64)
    rows = probs.reshape(-1, probs.shape[-1])
    g = _gen(generator)
    out = np.stack([g.choice(len(r), num_samples, replace=replacement, p=r / r.sum()) for r in rows])
    return Tensor._make(out.reshape(probs.shape[:-1] + (num_samples,)).astype(np.int64))


def arange(start, end=None, step=1, *, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive); int64 for integer arguments, else float32."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if dtype is None:
        is_float = any(isinstance(v, builtins.float) or (isinstance(v, np.generic) and v.dtype.kind == "f")
                       for v in (start, end, step))
        dtype = _dtype.get_default_dtype() if is_float else _dtype.int64
    return _finish(np.arange(start, end, step).astype(_dtype.to_numpy_dtype(dtype)), requires_grad)


def linspace(start, end, steps: int, *, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive (float32)."""
    return _finish(np.linspace(start, end, steps).astype(_float_dtype(dtype)), requires_grad)


def logspace(start, end, steps: int, base: float = 10.0, *, dtype=None, requires_grad: bool = False) -> Tensor:
    """``steps`` values ``base ** linspace(start, end)`` (float32)."""
    return _finish(np.logspace(start, end, steps, base=base).astype(_float_dtype(dtype)), requires_grad)


def eye(n: int, m: int | None = None, *, dtype=None, requires_grad: bool = False, device=None) -> Tensor:
    """An identity matrix ``n`` × ``m`` (``m`` defaults to ``n``)."""
    return _finish(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)
