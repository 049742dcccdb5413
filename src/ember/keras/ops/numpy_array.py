"""``keras.ops``'s array creation, shape manipulation and indexing.

Creation functions default to ``floatx()`` (float32) like Keras; ``arange`` of Python ints is
int32. Shape and indexing functions are differentiable (they use ember's view, cat, stack and
index ops).

Example::

    >>> ops.concatenate([ops.ones((2, 1)), ops.zeros((2, 2))], axis=1).shape
    (2, 3)
"""
from __future__ import annotations

import builtins

import numpy as np

import ember

from ..._tensor import Tensor
from ._base import FLOATX, axes_tuple, cast, convert_to_tensor, dtype_of, result_type, \
    standardize_dtype, t


def _shape(shape) -> tuple:
    if isinstance(shape, (builtins.int, np.integer)):
        return (builtins.int(shape),)
    return tuple(builtins.int(s) for s in shape)


def _arr(value, dtype) -> Tensor:
    return Tensor._make(np.asarray(value, dtype=standardize_dtype(dtype)))


# ---- creation ----------------------------------------------------------------------------
def zeros(shape, dtype=None):
    return _arr(np.zeros(_shape(shape)), dtype)


def ones(shape, dtype=None):
    return _arr(np.ones(_shape(shape)), dtype)


def empty(shape, dtype=None):
    return zeros(shape, dtype)


def full(shape, fill_value, dtype=None):
    value = convert_to_tensor(fill_value, standardize_dtype(dtype))
    return Tensor._make(np.broadcast_to(value._data, _shape(shape)).copy())


def zeros_like(x, dtype=None):
    x = t(x)
    return _arr(np.zeros(x.shape), dtype or dtype_of(x))


def ones_like(x, dtype=None):
    x = t(x)
    return _arr(np.ones(x.shape), dtype or dtype_of(x))


def empty_like(x, dtype=None):
    return zeros_like(x, dtype)


def full_like(x, fill_value, dtype=None):
    x = t(x)
    return full(x.shape, fill_value, dtype or dtype_of(x))


def _type_of(v):
    if isinstance(v, Tensor):
        return dtype_of(v)
    if isinstance(v, (np.ndarray, np.generic)):
        return v.dtype.name
    return type(v)


def arange(start, stop=None, step=None, dtype=None):
    if dtype is None:
        dtype = result_type(*[_type_of(v) for v in (start, stop, step) if v is not None])
    if stop is None:
        start, stop = 0, start
    step = 1 if step is None else step
    vals = [v._data.item() if isinstance(v, Tensor) else v for v in (start, stop, step)]
    return _arr(np.arange(*vals), dtype)


def eye(N, M=None, k=0, dtype=None):  # noqa: N803 - Keras's names
    return _arr(np.eye(N, M, k=0 if k is None else k), dtype)


def identity(n, dtype=None):
    return _arr(np.eye(n), dtype)


def tri(N, M=None, k=0, dtype=None):  # noqa: N803
    return _arr(np.tri(N, M, k), dtype)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    if dtype is None:
        dtype = result_type(_type_of(start), _type_of(stop), float)
    a = t(start)._data if isinstance(start, Tensor) else np.asarray(start)
    b = t(stop)._data if isinstance(stop, Tensor) else np.asarray(stop)
    values, step = np.linspace(a, b, num, endpoint=endpoint, retstep=True, axis=axis)
    out = _arr(values, dtype)
    return (out, step) if retstep else out


def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    if dtype is None:
        dtype = result_type(_type_of(start), _type_of(stop), float)
    return _arr(np.logspace(np.asarray(start), np.asarray(stop), num, endpoint=endpoint,
                            base=base, axis=axis), dtype)


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    if dtype is None:
        dtype = result_type(_type_of(start), _type_of(stop), float)
    return _arr(np.geomspace(np.asarray(start), np.asarray(stop), num, endpoint=endpoint,
                             axis=axis), dtype)


def meshgrid(*x, indexing="xy"):
    return list(ember.meshgrid(*[t(v) for v in x], indexing=indexing))


def _window(fn, x):
    return _arr(fn(builtins.int(t(x)._data)), FLOATX)


def bartlett(x):
    return _window(np.bartlett, x)


def blackman(x):
    return _window(np.blackman, x)


def hamming(x):
    return _window(np.hamming, x)


def hanning(x):
    return _window(np.hanning, x)


def kaiser(x, beta):
    return _arr(np.kaiser(builtins.int(t(x)._data), beta), FLOATX)


# ---- conversion helpers ----------------------------------------------------------------------
def array(x, dtype=None):
    return convert_to_tensor(x, dtype)


def copy(x):
    return ember.clone(t(x))


def ndim(x):
    return t(x).ndim


def size(x):
    return Tensor._make(np.asarray(builtins.int(np.prod(t(x).shape)), np.int64))


def view(x, dtype=None):
    x = t(x)
    return Tensor._make(x._data.view(standardize_dtype(dtype)))


# ---- shape manipulation ----------------------------------------------------------------------
def reshape(x, newshape):
    if not isinstance(newshape, (list, tuple)):
        newshape = (newshape,)
    return ember.reshape(t(x), tuple(builtins.int(s) for s in newshape))


def ravel(x):
    return t(x).reshape(-1)


def transpose(x, axes=None):
    x = t(x)
    if axes is None:
        return ember.permute(x, list(range(x.ndim))[::-1])
    return ember.permute(x, list(axes))


def swapaxes(x, axis1, axis2):
    return ember.transpose(t(x), axis1, axis2)


def moveaxis(x, source, destination):
    return ember.moveaxis(t(x), source, destination)


def expand_dims(x, axis):
    x = t(x)
    axes = [axis] if isinstance(axis, (builtins.int, np.integer)) else list(axis)
    out_ndim = x.ndim + len(axes)
    for a in sorted(builtins.int(a) % out_ndim for a in axes):
        x = ember.unsqueeze(x, a)
    return x


def squeeze(x, axis=None):
    x = t(x)
    if axis is None:
        return ember.squeeze(x)
    for a in sorted(axes_tuple(axis, x.ndim), reverse=True):
        if x.shape[a] != 1:
            raise ValueError(f"Cannot squeeze axis {a}: its size is {x.shape[a]}, not 1")
        x = ember.squeeze(x, a)
    return x


def broadcast_to(x, shape):
    return ember.broadcast_to(t(x), _shape(shape))


def concatenate(xs, axis=0):
    xs = [t(x) for x in xs]
    if axis is None:
        return ember.cat([x.reshape(-1) for x in xs])
    return ember.cat(xs, dim=axis)


def append(x1, x2, axis=None):
    return concatenate([x1, x2], axis)


def stack(x, axis=0):
    return ember.stack([t(v) for v in x], dim=axis)


def hstack(xs):
    return ember.hstack([t(x) for x in xs])


def vstack(xs):
    return ember.vstack([t(x) for x in xs])


def dstack(xs):
    return ember.dstack([t(x) for x in xs])


def _split_sizes(n, indices_or_sections):
    if isinstance(indices_or_sections, (builtins.int, np.integer)):
        return None
    idx = [builtins.int(i) for i in t(indices_or_sections)._data.reshape(-1)]
    bounds = [0] + idx + [n]
    return [builtins.max(b - a, 0) for a, b in zip(bounds[:-1], bounds[1:])]


def _split(x, indices_or_sections, axis, even: bool):
    """Pieces of ``x`` along ``axis``: at the given indices, or ``k`` sections (equal ones when
    ``even``; else the first ``n % k`` one longer, as ``array_split``)."""
    x = t(x)
    n = x.shape[axis]
    sizes = _split_sizes(n, indices_or_sections)
    if sizes is None:
        k = builtins.int(indices_or_sections)
        if even and n % k != 0:
            raise ValueError(f"Received indices_or_sections={k} (interpreted as a number of "
                             f"sections) and axis={axis}, but input dimension x.shape[{axis}]={n} "
                             f"is not divisible by {k}. Full input shape: x.shape={tuple(x.shape)}")
        sizes = [n // k + 1] * (n % k) + [n // k] * (k - n % k)
    return list(ember.split(x, sizes, dim=axis))


def split(x, indices_or_sections, axis=0):
    return _split(x, indices_or_sections, axis, even=True)


def array_split(x, indices_or_sections, axis=0):
    return _split(x, indices_or_sections, axis, even=False)


def hsplit(x, indices_or_sections):
    x = t(x)
    return split(x, indices_or_sections, axis=0 if x.ndim == 1 else 1)


def vsplit(x, indices_or_sections):
    return split(x, indices_or_sections, axis=0)


def dsplit(x, indices_or_sections):
    return split(x, indices_or_sections, axis=2)


def unstack(x, num=None, axis=0):
    return list(ember.unbind(t(x), axis))


def flip(x, axis=None):
    x = t(x)
    axes = tuple(range(x.ndim)) if axis is None else axes_tuple(axis, x.ndim)
    return ember.flip(x, axes)


def fliplr(x):
    return flip(x, 1)


def flipud(x):
    return flip(x, 0)


def rot90(array, k=1, axes=(0, 1)):  # noqa: A002 - Keras's name
    x = t(array)
    if x.ndim < 2:
        raise ValueError(f"Input array must have at least 2 dimensions. Received: array.ndim={x.ndim}")
    if len(axes) != 2 or axes[0] == axes[1]:
        raise ValueError(f"Invalid axes: {axes}. Axes must be a tuple of two different dimensions.")
    return ember.rot90(x, k, dims=tuple(a % x.ndim for a in axes))


def _gather_axis(x, index: np.ndarray, axis: int):
    key = [builtins.slice(None)] * x.ndim
    key[axis] = Tensor._make(index)
    return x[tuple(key)]


def roll(x, shift, axis=None):
    return ember.roll(t(x), shift, dims=axis)


def tile(x, repeats):
    reps = (int(repeats),) if isinstance(repeats, (builtins.int, np.integer)) else tuple(
        builtins.int(r) for r in (repeats._data if isinstance(repeats, Tensor) else repeats))
    return ember.tile(t(x), reps)


def repeat(x, repeats, axis=None):
    reps = repeats if isinstance(repeats, (builtins.int, np.integer)) else \
        convert_to_tensor(repeats, "int64")
    return ember.repeat_interleave(t(x), reps, dim=axis)


def pad(x, pad_width, mode="constant", constant_values=None):
    """Pads each axis by ``pad_width[i] = (before, after)``; modes ``'constant'``,
    ``'reflect'``, ``'symmetric'`` (as Keras's torch backend: edge-replicating) and ``'edge'``."""
    x = t(x)
    if constant_values is not None and mode != "constant":
        raise ValueError("Argument `constant_values` can only be provided when `mode == "
                         f"'constant'`. Received: mode={mode}")
    widths = np.broadcast_to(np.asarray(pad_width, dtype=np.int64).reshape(-1, 2)
                             if np.ndim(pad_width) else np.asarray([[pad_width] * 2]),
                             (x.ndim, 2))
    if mode == "constant":
        from ...nn import functional as F
        flat = [builtins.int(v) for pair in widths[::-1] for v in pair]
        return F.pad(x, flat, value=0.0 if constant_values is None else constant_values)
    np_mode = {"reflect": "reflect", "symmetric": "edge", "edge": "edge"}.get(mode)
    if np_mode is None:
        raise ValueError(f"Unsupported padding mode: {mode!r}; expected 'constant', 'reflect' or "
                         f"'symmetric'")
    for axis, (before, after) in enumerate(widths):
        if before or after:
            n = x.shape[axis]
            idx = np.pad(np.arange(n), (builtins.int(before), builtins.int(after)), mode=np_mode)
            x = _gather_axis(x, idx, axis)
    return x


# ---- triangles and diagonals ----------------------------------------------------------------
def tril(x, k=0):
    return ember.tril(t(x), k)


def triu(x, k=0):
    return ember.triu(t(x), k)


def diagonal(x, offset=0, axis1=0, axis2=1):
    return ember.diagonal(t(x), offset, axis1, axis2)


def diag(x, k=0):
    x = t(x)
    if x.ndim not in (1, 2):
        raise ValueError(f"`x` must be 1-D or 2-D. Received: x.shape={tuple(x.shape)}")
    return ember.diag(x, k)


def diagflat(x, k=0):
    return ember.diagflat(t(x), k)


# ---- indexing --------------------------------------------------------------------------------
def get_item(x, key):
    return t(x)[key]


def take(x, indices, axis=None):
    x = t(x)
    idx = t(indices)._data.astype(np.int64)
    if axis is None:
        x, axis = x.reshape(-1), 0
    axis %= x.ndim
    n = x.shape[axis]
    idx = np.where(idx < 0, idx + n, idx)
    key = [builtins.slice(None)] * x.ndim
    key[axis] = Tensor._make(idx)
    return x[tuple(key)]


def take_along_axis(x, indices, axis=None):
    x = t(x)
    idx = t(indices)._data.astype(np.int64)
    n = x.shape[axis] if axis is not None else x._data.size
    idx = np.where(idx < 0, idx + n, idx)
    return ember.take_along_dim(x, Tensor._make(idx), dim=axis)


def nonzero(x):
    """The indices of the non-zero elements, one row per axis (int32)."""
    return Tensor._make(np.stack(np.nonzero(t(x)._data)).astype(np.int32))


def unravel_index(indices, shape):
    idx = t(indices)
    name = result_type(dtype_of(idx))
    return tuple(Tensor._make(i.astype(name)) for i in np.unravel_index(idx._data, _shape(shape)))


def isin(x1, x2, assume_unique=False, invert=False):
    return ember.isin(t(x1), t(x2), assume_unique=assume_unique, invert=invert)


def unique(x, sorted=True, return_index=False, return_inverse=False,  # noqa: A002
           return_counts=False, axis=None, size=None, fill_value=None):
    arr = t(x)._data
    res = np.unique(arr, return_index=return_index, return_inverse=return_inverse,
                    return_counts=return_counts, axis=axis)
    res = list(res) if isinstance(res, tuple) else [res]
    if size is not None:
        values = res[0]
        dim = 0 if axis is None else axis
        count = values.shape[dim]
        if count > size:
            res = [np.take(r, np.arange(size), axis=dim if i == 0 else 0) if (i == 0 or
                   (return_counts and i == len(res) - 1) or (return_index and i == 1)) else r
                   for i, r in enumerate(res)]
        elif count < size:
            widths = [(0, 0)] * values.ndim
            widths[dim] = (0, size - count)
            res[0] = np.pad(values, widths, constant_values=0 if fill_value is None else fill_value)
            if return_counts:
                res[-1] = np.pad(res[-1], (0, size - count))
            if return_index:
                res[1] = np.pad(res[1], (0, size - count), constant_values=1)
    out = [Tensor._make(np.asarray(r) if i == 0 else np.asarray(r, np.int64))
           for i, r in enumerate(res)]
    return out[0] if len(out) == 1 else tuple(out)


__all__ = [n for n in dir() if not n.startswith("_") and n not in (
    "annotations", "builtins", "np", "ember", "Tensor", "FLOATX", "axes_tuple", "cast",
    "convert_to_tensor", "dtype_of", "result_type", "standardize_dtype", "t")]
