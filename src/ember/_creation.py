"""Tensor creation: tensor, from_numpy, zeros/ones/full/empty (+ _like), rand*, arange, linspace, eye.

Each takes torch's arguments: sizes as varargs, one sequence or ``size=``; keyword-only
``dtype``, ``device`` (only the CPU holds tensors: any other device raises torch's CPU-only
error), ``requires_grad``, ``generator``; ``layout``/``pin_memory``/``memory_format`` are
accepted with their CPU values.
"""
from __future__ import annotations

import builtins
import warnings

import numpy as np

from . import _dtype
from ._device import check_device
from ._runtime import _LEGACY_NAMES
from ._tensor import Tensor, _infer_array
from .random import _gen

__all__ = ["tensor", "as_tensor", "asarray", "scalar_tensor", "from_numpy", "zeros", "ones", "full",
           "empty", "empty_strided", "zeros_like", "ones_like", "full_like", "empty_like", "rand",
           "randn", "randint", "randperm", "rand_like", "randn_like", "randint_like", "arange",
           "range", "linspace", "logspace", "eye", "normal", "bernoulli", "multinomial"]


def _finish(arr: np.ndarray, requires_grad: bool, device=None) -> Tensor:
    check_device(device)
    t = Tensor._make(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _float_dtype(dtype) -> np.dtype:
    return _dtype.get_default_dtype().np if dtype is None else _dtype.to_numpy_dtype(dtype)


def _size(size, keyword=None) -> tuple:
    """Sizes given as varargs, one sequence, or ``size=``: a tuple of non-negative ints."""
    if keyword is not None:
        if size:
            raise TypeError("size given both as positional arguments and as size=")
        size = (keyword,)
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    out = []
    for n in size:
        if isinstance(n, Tensor) and n.numel() == 1 and n._data.dtype.kind in "iu":
            n = n.item()
        if not isinstance(n, (builtins.int, np.integer)) or isinstance(n, builtins.bool):
            raise TypeError(f"sizes must be integers, got {tuple(size)} ({type(n).__name__} "
                            f"{n!r} is not an int)")
        if n < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {n}: {list(size)}")
        out.append(builtins.int(n))
    return tuple(out)


def tensor(data, *, dtype=None, device=None, requires_grad: bool = False, pin_memory: bool = False):
    """A new tensor holding a copy of ``data``, with torch's dtype inference.

    Python floats become float32, ints int64, bools bool; NumPy arrays keep their dtype.

    Example::

        >>> ember.tensor([[1, 2], [3, 4]]).dtype
        ember.int64
    """
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.detach().clone() or sourceTensor.detach().clone()."
                      "requires_grad_(True), rather than torch.tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
    arr = _infer_array(data, dtype)
    arr = np.array(arr, copy=True) if (arr is data or isinstance(data, Tensor)) else arr
    return _finish(arr, requires_grad, device)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Like :func:`tensor` but shares memory with NumPy arrays and tensors when it can."""
    check_device(device)
    if isinstance(data, Tensor) and (dtype is None or data.dtype == dtype):
        return data
    return Tensor._make(_infer_array(data, dtype))


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad: bool = False) -> Tensor:
    """``obj`` as a tensor, sharing memory unless ``copy=True`` or a conversion is needed."""
    t = as_tensor(obj, dtype, device)
    if copy:
        t = Tensor._make(t._data.copy())
    elif copy is False and isinstance(obj, (np.ndarray, Tensor)) and t._data is not (
            obj._data if isinstance(obj, Tensor) else obj):
        raise ValueError("can't alias the input: a copy is needed (copy=False)")
    if requires_grad:
        t = t.detach().requires_grad_(True) if t is obj else t.requires_grad_(True)
    return t


def scalar_tensor(s, *, dtype=None, device=None, requires_grad: bool = False, layout=None,
                  pin_memory=None) -> Tensor:
    """A 0-d tensor holding ``s`` (float32 by default, whatever the type of ``s``)."""
    return _finish(np.asarray(s, _float_dtype(dtype)), requires_grad, device)


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``ndarray`` (changes to one show in the other)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dtype.from_numpy_dtype(ndarray.dtype)
    return Tensor._make(ndarray)


def _size_kw(size, kw: dict, name: str) -> tuple:
    """The sizes of a factory: varargs, one sequence, or ``size=`` (the only extra keyword)."""
    keyword = kw.pop("size", None)
    if kw:
        raise TypeError(f"{name}() got an unexpected keyword argument {next(iter(kw))!r}")
    return _size(size, keyword)


def zeros(*size, dtype=None, layout=None, device=None, requires_grad: bool = False,
          **kw) -> Tensor:
    """A tensor of zeros; sizes as varargs, a tuple or ``size=`` (float32 unless ``dtype``).

    Example::

        >>> ember.zeros(2, 3).shape
        ember.Size([2, 3])
    """
    return _finish(np.zeros(_size_kw(size, kw, "zeros"), _float_dtype(dtype)), requires_grad,
                   device)


def ones(*size, dtype=None, layout=None, device=None, requires_grad: bool = False, **kw) -> Tensor:
    """A tensor of ones; sizes as varargs, a tuple or ``size=``."""
    return _finish(np.ones(_size_kw(size, kw, "ones"), _float_dtype(dtype)), requires_grad,
                   device)


def empty(*size, dtype=None, layout=None, device=None, requires_grad: bool = False,
          pin_memory: bool = False, memory_format=None, **kw) -> Tensor:
    """An uninitialised tensor (its values are whatever the memory held)."""
    return _finish(np.empty(_size_kw(size, kw, "empty"), _float_dtype(dtype)), requires_grad,
                   device)


def empty_strided(size, stride, *, dtype=None, layout=None, device=None,
                  requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """An uninitialised tensor of ``size`` (ember's tensors are contiguous: ``stride`` is read
    only for its length)."""
    if len(stride) != len(size):
        raise RuntimeError(f"mismatch in length of strides and shape ({len(stride)} and "
                           f"{len(size)})")
    return empty(size, dtype=dtype, device=device, requires_grad=requires_grad)


def full(size, fill_value, *, dtype=None, layout=None, device=None, requires_grad: bool = False):
    """A tensor of ``size`` filled with ``fill_value``; the dtype follows the value (1.5 → float32,
    7 → int64, True → bool).

    Example::

        >>> ember.full((2,), 7)
        tensor([7, 7])
    """
    if dtype is None:
        dtype = _infer_array(fill_value).dtype
    np_dtype = _dtype.to_numpy_dtype(dtype)
    value = fill_value.item() if isinstance(fill_value, Tensor) else fill_value
    if np_dtype.kind in "iu" and isinstance(value, builtins.float):
        value = builtins.int(value)
    return _finish(np.full(_size((size,)), value, np_dtype), requires_grad, device)


def _like(fn, input, dtype, requires_grad, device, *args):
    src = input._data if isinstance(input, Tensor) else np.asarray(input)
    np_dtype = src.dtype if dtype is None else _dtype.to_numpy_dtype(dtype)
    return _finish(fn(src.shape, *args, dtype=np_dtype), requires_grad, device)


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad: bool = False,
               memory_format=None) -> Tensor:
    """Zeros with the shape (and, by default, the dtype) of ``input``."""
    return _like(np.zeros, input, dtype, requires_grad, device)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad: bool = False,
              memory_format=None) -> Tensor:
    """Ones with the shape (and, by default, the dtype) of ``input``."""
    return _like(np.ones, input, dtype, requires_grad, device)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad: bool = False,
               memory_format=None) -> Tensor:
    """An uninitialised tensor with the shape and dtype of ``input``."""
    return _like(np.empty, input, dtype, requires_grad, device)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None,
              requires_grad: bool = False, memory_format=None) -> Tensor:
    """``fill_value`` everywhere, with the shape and dtype of ``input``."""
    return _like(np.full, input, dtype, requires_grad, device, fill_value)


def _random_floats(gen, draw: str, shape, np_dtype):
    if np_dtype.kind != "f":
        raise NotImplementedError(f'"check_uniform_bounds" not implemented for '
                                  f"'{_LEGACY_NAMES[np_dtype.name]}'")
    arr = getattr(gen, draw)(shape, dtype=np.float32 if np_dtype == np.float32 else np.float64)
    return arr.astype(np_dtype, copy=False)


def rand(*size, generator=None, dtype=None, layout=None, device=None, requires_grad: bool = False,
         pin_memory: bool = False, **kw) -> Tensor:
    """Uniform samples on [0, 1); sizes as varargs, a tuple or ``size=``."""
    shape = _size_kw(size, kw, "rand")
    return _finish(_random_floats(_gen(generator), "random", shape, _float_dtype(dtype)),
                   requires_grad, device)


def randn(*size, generator=None, dtype=None, layout=None, device=None, requires_grad: bool = False,
          pin_memory: bool = False, **kw) -> Tensor:
    """Standard normal samples; sizes as varargs, a tuple or ``size=``."""
    shape = _size_kw(size, kw, "randn")
    return _finish(_random_floats(_gen(generator), "standard_normal", shape, _float_dtype(dtype)),
                   requires_grad, device)


def rand_like(input, *, generator=None, dtype=None, layout=None, device=None,
              requires_grad: bool = False, memory_format=None) -> Tensor:
    """Uniform [0, 1) samples with the shape and dtype of ``input``."""
    np_dtype = input._data.dtype if dtype is None else _dtype.to_numpy_dtype(dtype)
    return _finish(_random_floats(_gen(generator), "random", input.shape, np_dtype), requires_grad,
                   device)


def randn_like(input, *, generator=None, dtype=None, layout=None, device=None,
               requires_grad: bool = False, memory_format=None) -> Tensor:
    """Standard normal samples with the shape and dtype of ``input``."""
    np_dtype = input._data.dtype if dtype is None else _dtype.to_numpy_dtype(dtype)
    return _finish(_random_floats(_gen(generator), "standard_normal", input.shape, np_dtype),
                   requires_grad, device)


def _integers(gen, low, high, shape, np_dtype):
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={high}")
    return gen.integers(low, high, shape).astype(np_dtype, copy=False)


def randint(low=0, high=None, size=None, *, generator=None, dtype=None, layout=None, device=None,
            requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """Integers uniform on [low, high) (int64); ``randint(high, size)`` starts at 0, as in torch.

    Example::

        >>> ember.randint(10, size=(3,)).shape
        ember.Size([3])
    """
    if size is None:
        if not isinstance(high, (tuple, list)):
            raise TypeError("randint() missing required argument 'size'")
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    np_dtype = np.int64 if dtype is None else _dtype.to_numpy_dtype(dtype)
    return _finish(_integers(_gen(generator), low, high, _size((size,)), np_dtype), requires_grad,
                   device)


def randint_like(input, low=0, high=None, *, generator=None, dtype=None, layout=None, device=None,
                 requires_grad: bool = False, memory_format=None) -> Tensor:
    """Integers uniform on [low, high) with the shape (and dtype) of ``input``; ``randint_like(x,
    high)`` starts at 0."""
    if high is None:
        low, high = 0, low
    np_dtype = input._data.dtype if dtype is None else _dtype.to_numpy_dtype(dtype)
    return _finish(_integers(_gen(generator), low, high, input.shape, np_dtype), requires_grad,
                   device)


def randperm(n: int, *, generator=None, dtype=None, layout=None, device=None,
             requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """A random permutation of ``0 .. n-1`` (int64)."""
    np_dtype = np.int64 if dtype is None else _dtype.to_numpy_dtype(dtype)
    return _finish(_gen(generator).permutation(n).astype(np_dtype, copy=False), requires_grad, device)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, layout=None, device=None,
           requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """Normal samples with the given mean and std (scalars or tensors); with scalars, ``size``
    gives the shape.

    Example::

        >>> ember.normal(0.0, 1.0, size=(2,), requires_grad=True).requires_grad
        True
    """
    m = mean._data if isinstance(mean, Tensor) else mean
    s = std._data if isinstance(std, Tensor) else std
    if np.any(np.asarray(s) < 0):
        raise RuntimeError(f"normal expects all elements of std >= 0.0, got {np.min(s)}")
    shape = _size((size,)) if size is not None else np.broadcast_shapes(np.shape(m), np.shape(s))
    if dtype is not None:
        dt = _dtype.to_numpy_dtype(dtype)
    else:
        dt = next((a.dtype for a in (m, s) if isinstance(a, np.ndarray)), _dtype.get_default_dtype().np)
    return _finish(_gen(generator).normal(m, s, shape).astype(dt, copy=False), requires_grad, device)


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


def _is_float(v) -> bool:
    return isinstance(v, builtins.float) or (isinstance(v, np.generic) and v.dtype.kind == "f") or (
        isinstance(v, Tensor) and v.is_floating_point())


def _scalar(v):
    return v.item() if isinstance(v, (Tensor, np.generic)) else v


def arange(start=0, end=None, step=1, *, dtype=None, layout=None, device=None,
           requires_grad: bool = False) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive); int64 for integer arguments, else float32."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if dtype is None:
        dtype = _dtype.get_default_dtype() if any(map(_is_float, (start, end, step))) else _dtype.int64
    start, end, step = map(_scalar, (start, end, step))
    return _finish(np.arange(start, end, step).astype(_dtype.to_numpy_dtype(dtype)), requires_grad,
                   device)


def range(start=0, end=None, step=1, *, dtype=None, layout=None, device=None,  # noqa: A001
          requires_grad: bool = False) -> Tensor:
    """Deprecated, as in torch: values from ``start`` to ``end`` *inclusive* (float32)."""
    warnings.warn("torch.range is deprecated and will be removed in a future release because its "
                  "behavior is inconsistent with Python's range builtin. Instead, use torch.arange, "
                  "which produces values in [start, end).", UserWarning, stacklevel=2)
    if end is None:
        start, end = 0, start
    n = builtins.int(np.floor((end - start) / step)) + 1
    return _finish((start + step * np.arange(builtins.max(n, 0))).astype(_float_dtype(dtype)),
                   requires_grad, device)


def linspace(start, end, steps: int, *, dtype=None, layout=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive (float32)."""
    np_dtype = _float_dtype(dtype)
    arr = np.linspace(_scalar(start), _scalar(end), steps)
    if np_dtype.kind in "iu":
        arr = np.trunc(arr)
    return _finish(arr.astype(np_dtype), requires_grad, device)


def logspace(start, end, steps: int, base: float = 10.0, *, dtype=None, layout=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` values ``base ** linspace(start, end)`` (float32)."""
    return _finish(np.logspace(_scalar(start), _scalar(end), steps, base=base).astype(
        _float_dtype(dtype)), requires_grad, device)


def eye(n: int, m: int | None = None, *, dtype=None, layout=None, device=None,
        requires_grad: bool = False) -> Tensor:
    """An identity matrix ``n`` × ``m`` (``m`` defaults to ``n``)."""
    return _finish(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad, device)
