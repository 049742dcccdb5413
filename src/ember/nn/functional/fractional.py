"""Fractional max pooling of ``ember.nn.functional`` (Graham, "Fractional Max-Pooling", 2014):
``fractional_max_pool2d/3d`` and their ``_with_indices`` forms, with torch's arguments, checks
and messages.

Each ``(n, c)`` plane pools ``kernel_size`` windows whose starts torch derives from one uniform
sample per spatial axis (``_random_samples`` ``(N, C, dims)``, drawn from ember's generator
when not given); with the same samples, the outputs and indices equal torch's.

Example::

    >>> x = ember.arange(25.0).reshape(1, 1, 5, 5)
    >>> u = ember.full((1, 1, 2), 0.5)
    >>> F.fractional_max_pool2d(x, 2, output_size=2, _random_samples=u)
    tensor([[[[ 6.,  9.],
              [21., 24.]]]])
"""
from __future__ import annotations

import builtins
from collections.abc import Iterable

from ..._creation import rand
from ..._tensor import Tensor
from ...ops._util import as_tensor
from ...ops.pooling import FractionalMaxPool
from ._spatial import torch_size
from .layers import _dtype_name

__all__ = ["fractional_max_pool2d", "fractional_max_pool3d", "fractional_max_pool2d_with_indices",
           "fractional_max_pool3d_with_indices"]

_AXES = {2: ("height", "width"), 3: ("time", "height", "width")}
_COUNT = {2: "", 3: " three"}


def _ints(value, dims: int, name: str, what: str) -> tuple:
    """An int or ``dims`` ints, with torch's message otherwise."""
    if isinstance(value, builtins.int):
        return (value,) * dims
    out = tuple(value)
    if len(out) == 1:
        out = out * dims
    if len(out) != dims:
        raise RuntimeError(f"fractional_max_pool{dims}d: {what} must either be a single Int or "
                           f"tuple of{_COUNT[dims]} Ints")
    return tuple(builtins.int(v) for v in out)


def _fractional(x, kernel_size, output_size, output_ratio, return_indices, samples, dims):
    x = as_tensor(x)
    name = f"fractional_max_pool{dims}d"
    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an output_ratio")
    if x.ndim not in (dims + 1, dims + 2):
        raise RuntimeError(f"{name}(): Expected {dims + 1}D or {dims + 2}D tensor, but got: "
                           f"{torch_size(x.shape)}")
    if output_size is None:
        # torch's F.fractional_max_pool2d takes len() of the ratio (a plain number is a
        # TypeError there, though the modules and the 3-d function accept one) and refuses more
        # than two; both then read ratio[0..dims-1] of _pair/_triple's tuple (IndexError if short)
        if dims == 2 and len(output_ratio) > 2:
            raise ValueError(f"{name} requires output_ratio to either be a single Int or tuple of "
                             f"Ints.")
        ratio = tuple(output_ratio) if isinstance(output_ratio, Iterable) else (output_ratio,) * dims
        if len(ratio) < dims:
            raise IndexError("tuple index out of range")
        output_size = [builtins.int(n * r) for n, r in zip(x.shape[-dims:], ratio[:dims])]
    kernel = _ints(kernel_size, dims, "kernel_size", "kernel_size")
    out = _ints(output_size, dims, "output_size", "output_size")
    shape = tuple(x.shape) if x.ndim == dims + 2 else (1,) + tuple(x.shape)
    if 0 in shape[1:]:
        empty = next(a for a in range(1, len(shape)) if shape[a] == 0)
        raise RuntimeError(f"{name}(): Expected input to have non-zero size for non-batch "
                           f"dimensions, but got{torch_size(shape)} with dimension {empty} "
                           f"being empty.")
    where = "fractional_max_pool3d_out()" if dims == 3 else f"{name}()"
    for axis, n, k, o in zip(_AXES[dims], shape[2:], kernel, out):
        if o + k - 1 > n - (dims == 3):  # torch's 3-D check is strict: the last start < n - k
            raise RuntimeError(f"{where}: pool {axis} {k} too large relative to input {axis} {n}")
    if samples is None:
        samples = rand(shape[0], shape[1], dims, dtype=x.dtype)
    u = as_tensor(samples)
    if u.ndim != 3:
        raise RuntimeError(f"Expect _random_samples to have 3 dimensions, got {u.ndim}")
    if u.shape[2] != dims:
        raise RuntimeError(f"Expect _random_samples.size(2) equals to {dims}; got {u.shape[2]}.")
    if u.shape[1] != shape[1]:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if u.shape[0] < shape[0]:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if u.dtype != x.dtype:
        raise RuntimeError("Expect _random_samples to have the same dtype as input")
    if x._data.dtype.kind != "f":
        raise NotImplementedError(f'"{name}_out_frame" not implemented for '
                                  f"'{_dtype_name(x._data)}'")
    sink = []  # torch reads a 2-D plane's samples as (width, height), a 3-D one's as (t, h, w)
    y = FractionalMaxPool.apply(x, samples=u._data[..., ::-1] if dims == 2 else u._data,
                                kernel=kernel, out=out, sink=sink)
    return (y, Tensor._make(sink[0])) if return_indices else y


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices: bool = False, _random_samples=None):
    """:func:`fractional_max_pool2d` returning ``(values, indices)`` (the indices are flat
    positions in each input plane, for :func:`max_unpool2d`)."""
    return _fractional(input, kernel_size, output_size, output_ratio, True, _random_samples, 2)


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices: bool = False, _random_samples=None):
    """2-D fractional max pooling of ``(N, C, H, W)`` (or ``(C, H, W)``) input.

    Args:
        kernel_size: the window, an int or ``(kH, kW)``.
        output_size: ``(oH, oW)`` or an int; or instead
        output_ratio: the output size as a fraction of the input's: a pair of floats (a plain
            number is a TypeError, as in torch's function; the module takes one).
        return_indices: also return the flat positions of the maxima.
        _random_samples: ``(N, C, 2)`` uniform samples in [0, 1) of the input's dtype (the
            width's first, as torch reads them); drawn when None.

    Shape: output ``(N, C, oH, oW)``; ``oH + kH - 1 <= H`` (likewise W).

    Example::

        >>> F.fractional_max_pool2d(ember.randn(2, 3, 9, 9), 3, output_ratio=(0.5, 0.5)).shape
        ember.Size([2, 3, 4, 4])
    """
    return _fractional(input, kernel_size, output_size, output_ratio, return_indices,
                       _random_samples, 2)


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices: bool = False, _random_samples=None):
    """:func:`fractional_max_pool3d` returning ``(values, indices)``."""
    return _fractional(input, kernel_size, output_size, output_ratio, True, _random_samples, 3)


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices: bool = False, _random_samples=None):
    """3-D fractional max pooling of ``(N, C, T, H, W)`` (or ``(C, T, H, W)``) input; the
    arguments are :func:`fractional_max_pool2d`'s with three sizes (``_random_samples``
    ``(N, C, 3)``, time first).

    Example::

        >>> F.fractional_max_pool3d(ember.randn(1, 2, 6, 6, 6), 2, output_size=3).shape
        ember.Size([1, 2, 3, 3, 3])
    """
    return _fractional(input, kernel_size, output_size, output_ratio, return_indices,
                       _random_samples, 3)
