"""Rearranging without arithmetic: roll (one node), and composites of permute/reshape/cat/
indexing for tile, movedim, the stack and split families, atleast_nd, rot90, repeat_interleave,
broadcast_tensors, meshgrid, cartesian_prod, combinations, block_diag, unfold and as_strided.

Example::

    >>> ember.roll(ember.arange(5), 2)
    tensor([3, 4, 0, 1, 2])
"""
from __future__ import annotations

import itertools

import numpy as np

from .._tensor import Tensor, _check_dim
from ..autograd.function import Function
from ._util import as_tensor
from .shape import (cat, chunk, expand, flip, getitem, permute, repeat, reshape, split, stack,
                    strided, transpose, unsqueeze)

__all__ = ["roll", "tile", "movedim", "moveaxis", "swapdims", "hstack", "vstack", "dstack",
           "column_stack", "row_stack", "atleast_1d", "atleast_2d", "atleast_3d", "tensor_split",
           "hsplit", "vsplit", "dsplit", "split_with_sizes", "unsafe_split", "unsafe_chunk",
           "unsafe_split_with_sizes", "ravel", "fliplr", "flipud", "rot90", "repeat_interleave",
           "broadcast_tensors", "broadcast_shapes", "meshgrid", "cartesian_prod", "combinations",
           "block_diag", "unfold", "as_strided", "view_as_dtype", "adjoint", "PixelShuffle"]


class PixelShuffle(Function):
    """``(*, C·r², H, W)`` → ``(*, C, H·r, W·r)`` (``inverse``: the reverse, torch's
    pixel_unshuffle); each is the other's backward."""

    NAME = "PixelShuffleBackward0"

    def forward(self, x, factor=1, inverse=False):
        self.factor, self.inverse = factor, inverse
        if inverse:
            self.label = "PixelUnshuffleBackward0"
        return _pixel_shuffle(x, factor, inverse)

    def backward(self, g):
        return (_pixel_shuffle(g, self.factor, not self.inverse),)


def _pixel_shuffle(a: np.ndarray, r: int, inverse: bool) -> np.ndarray:
    lead, (c, h, w) = a.shape[:-3], a.shape[-3:]
    k = len(lead)
    if inverse:  # (c, h·r, w·r) -> (c, r, r, h, w) -> (c·r², h, w)
        parts = a.reshape(lead + (c, h // r, r, w // r, r))
        order = (k + 0, k + 2, k + 4, k + 1, k + 3)
        return parts.transpose(tuple(range(k)) + order).reshape(lead + (c * r * r, h // r, w // r))
    parts = a.reshape(lead + (c // (r * r), r, r, h, w))      # -> (c, h, r, w, r)
    order = (k + 0, k + 3, k + 1, k + 4, k + 2)
    return parts.transpose(tuple(range(k)) + order).reshape(lead + (c // (r * r), h * r, w * r))


class Roll(Function):
    def forward(self, x, shifts=(), axes=None):
        self.shifts, self.axes = shifts, axes
        return np.roll(x, shifts, axes)

    def backward(self, g):
        return (np.roll(g, tuple(-s for s in self.shifts), self.axes),)


def roll(input, shifts, dims=None):
    """Elements shifted cyclically by ``shifts`` along ``dims`` (over the flattened tensor when
    ``dims`` is None)."""
    x = as_tensor(input)
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
        return reshape(Roll.apply(reshape(x, -1), shifts=shifts, axes=0), tuple(x.shape))
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(dims) != len(shifts):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:"
                           f"{len(dims)}")
    return Roll.apply(x, shifts=shifts, axes=tuple(_check_dim(d, x.ndim) for d in dims))


def tile(input, dims):
    """``input`` repeated ``dims`` times per dim (leading ones added to the shorter of the two)."""
    x = as_tensor(input)
    dims = tuple(dims)
    if len(dims) < x.ndim:
        dims = (1,) * (x.ndim - len(dims)) + dims
    return repeat(x, *dims)


def movedim(input, source, destination):
    """Moves dim(s) ``source`` to position(s) ``destination``, the others keeping their order."""
    x = as_tensor(input)
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} dims) "
                           f"should contain the same number of dims as destination ({dst} dims)")
    src = [_check_dim(d, x.ndim) for d in src]
    dst = [_check_dim(d, x.ndim) for d in dst]
    order = [None] * x.ndim
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(d for d in range(x.ndim) if d not in src)
    return permute(x, *[o if o is not None else next(rest) for o in order])


moveaxis = movedim


def swapdims(input, dim0: int, dim1: int):
    return transpose(input, dim0, dim1)


def _atleast(n, tensors):
    def one(t):
        t = as_tensor(t)
        if t.ndim >= n:
            return t
        shape = {1: (1,), 2: (1, 1), 3: (1, 1, 1)}[n]
        if t.ndim == 0:
            return reshape(t, shape)
        if t.ndim == 1:
            return reshape(t, (1, t.shape[0]) if n == 2 else (1, t.shape[0], 1))
        return unsqueeze(t, -1)
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
        return tuple(one(t) for t in tensors)
    return one(tensors[0]) if len(tensors) == 1 else tuple(one(t) for t in tensors)


def atleast_1d(*tensors):
    """Each input with at least one dim (0-d becomes ``(1,)``)."""
    return _atleast(1, tensors)


def atleast_2d(*tensors):
    """Each input with at least two dims (1-d ``(n,)`` becomes ``(1, n)``)."""
    return _atleast(2, tensors)


def atleast_3d(*tensors):
    """Each input with at least three dims (``(n,)`` → ``(1, n, 1)``, ``(m, n)`` → ``(m, n, 1)``)."""
    return _atleast(3, tensors)


def hstack(tensors):
    """Concatenated along dim 1 (dim 0 for 1-D inputs)."""
    ts = atleast_1d(tuple(tensors))
    return cat(ts, 0 if ts[0].ndim == 1 else 1)


def vstack(tensors):
    """Concatenated along dim 0 after making each at least 2-D."""
    return cat(atleast_2d(tuple(tensors)), 0)


row_stack = vstack


def dstack(tensors):
    """Concatenated along dim 2 after making each at least 3-D."""
    return cat(atleast_3d(tuple(tensors)), 2)


def column_stack(tensors):
    """1-D and 0-D inputs as columns, then concatenated along dim 1."""
    cols = [reshape(as_tensor(t), (-1, 1)) if as_tensor(t).ndim <= 1 else as_tensor(t)
            for t in tensors]
    return cat(cols, 1)


def tensor_split(input, indices_or_sections=None, dim: int = 0, *, sections=None, indices=None,
                 tensor_indices_or_sections=None):
    """Splits into ``n`` nearly equal parts (the first ones one longer), or at the given indices
    (torch's keywords ``sections=``/``indices=`` name the two forms)."""
    x = as_tensor(input)
    for given in (sections, indices, tensor_indices_or_sections):
        if given is not None:
            indices_or_sections = given
    d = _check_dim(dim, x.ndim)
    n = x.shape[d]
    ios = indices_or_sections
    if isinstance(ios, Tensor):
        ios = ios.item() if ios.ndim == 0 else ios.tolist()
    if isinstance(ios, int):
        if ios <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {ios}")
        q, r = divmod(n, ios)
        bounds = np.cumsum([0] + [q + 1] * r + [q] * (ios - r)).tolist()
    else:
        bounds = [0] + [min(max(int(i), 0), n) for i in ios] + [n]
    head = (slice(None),) * d
    return tuple(getitem(x, head + (slice(a, max(a, b)),)) for a, b in zip(bounds[:-1], bounds[1:]))


def _nsplit(name, dim_of):
    def op(input, indices_or_sections=None, *, sections=None, indices=None):
        x = as_tensor(input)
        if sections is not None or indices is not None:
            indices_or_sections = sections if sections is not None else indices
        d = dim_of(x)
        if isinstance(indices_or_sections, int) and x.shape[d] % indices_or_sections:
            raise RuntimeError(f"torch.{name} attempted to split along dimension {d}, but the "
                               f"size of the dimension {x.shape[d]} is not divisible by the "
                               f"split_size {indices_or_sections}!")
        return tensor_split(x, indices_or_sections, d)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"``tensor_split`` along dim {name[0]} (sections must divide it evenly)."
    return op


hsplit = _nsplit("hsplit", lambda x: 0 if x.ndim == 1 else 1)
vsplit = _nsplit("vsplit", lambda x: 0)
dsplit = _nsplit("dsplit", lambda x: 2)


def split_with_sizes(input, split_sizes, dim: int = 0):
    """Parts of the given sizes along ``dim`` (they must add up to its length)."""
    x = as_tensor(input)
    d = _check_dim(dim, x.ndim)
    if sum(split_sizes) != x.shape[d]:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {x.shape[d]} "
                           f"(input tensor's size at dimension {dim}), but got "
                           f"split_sizes={list(split_sizes)}")
    return split(x, list(split_sizes), d)


def unsafe_split(input, split_size, dim: int = 0):
    """:func:`ember.split` (torch's variant without view checks)."""
    return split(input, split_size, dim)


unsafe_chunk, unsafe_split_with_sizes = chunk, split_with_sizes


def ravel(input):
    """The flattened tensor (1-D)."""
    return reshape(as_tensor(input), -1)


def fliplr(input):
    """Columns reversed (dim 1)."""
    return flip(input, (1,))


def flipud(input):
    """Rows reversed (dim 0)."""
    return flip(input, (0,))


def rot90(input, k: int = 1, dims=(0, 1)):
    """Rotated by 90° ``k`` times in the plane of ``dims`` (from the first toward the second)."""
    x = as_tensor(input)
    d0, d1 = (_check_dim(d, x.ndim) for d in dims)
    k %= 4
    if k == 1:
        return transpose(flip(x, (d1,)), d0, d1)
    if k == 2:
        return flip(x, (d0, d1))
    if k == 3:
        return flip(transpose(x, d0, d1), (d1,))
    return x


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Each element (or slice along ``dim``) repeated ``repeats`` times in place; with only a
    1-D integer tensor, the index of each element repeated its value times."""
    x = as_tensor(input)
    if repeats is None:
        counts = x._data
        return Tensor._make(np.repeat(np.arange(counts.size), counts).astype(np.int64))
    if dim is None:
        x, dim = reshape(x, -1), 0
    d = _check_dim(dim, x.ndim)
    r = repeats._data if isinstance(repeats, Tensor) else repeats
    index = np.repeat(np.arange(x.shape[d]), r)
    return getitem(x, (slice(None),) * d + (Tensor._make(index),))


def broadcast_shapes(*shapes):
    """The shape the given shapes broadcast to."""
    from .._size import Size
    try:
        return Size(np.broadcast_shapes(*[(s,) if isinstance(s, int) else tuple(s) for s in shapes]))
    except ValueError:
        raise RuntimeError(f"Shape mismatch: objects cannot be broadcast to a single shape "
                           f"{[tuple(s) if not isinstance(s, int) else (s,) for s in shapes]}") from None


def broadcast_tensors(*tensors):
    """The inputs expanded to their common shape."""
    ts = [as_tensor(t) for t in tensors]
    shape = broadcast_shapes(*[t.shape for t in ts])
    return tuple(t if tuple(t.shape) == tuple(shape) else expand(t, *shape) for t in ts)


def meshgrid(*tensors, indexing=None):
    """Coordinate grids from 1-D inputs; ``indexing='ij'`` (torch's default) or ``'xy'``."""
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    if indexing is None:
        import warnings
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the "
                      "indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    ts = [reshape(as_tensor(t), -1) for t in tensors]
    xy = indexing == "xy" and len(ts) >= 2
    if xy:                                   # Cartesian: the first two inputs swap roles
        ts[0], ts[1] = ts[1], ts[0]
    shape = tuple(t.shape[0] for t in ts)
    grids = [expand(reshape(t, tuple(-1 if i == k else 1 for i in range(len(ts)))), *shape)
             for k, t in enumerate(ts)]
    if xy:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def cartesian_prod(*tensors):
    """All combinations of the 1-D inputs' elements, one per row."""
    if len(tensors) == 1:
        return as_tensor(tensors[0])
    grids = meshgrid(*tensors, indexing="ij")
    return stack([reshape(g, -1) for g in grids], 1)


def combinations(input, r: int = 2, with_replacement: bool = False):
    """The length-``r`` combinations of a 1-D tensor's elements, one per row."""
    x = as_tensor(input)
    n = x.shape[0]
    make = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    idx = np.array(list(make(range(n), r)), dtype=np.int64).reshape(-1, r)
    if idx.size == 0:
        return Tensor._make(np.zeros((0,) if r != 0 else (0,), x._data.dtype))
    return getitem(x, Tensor._make(idx))


def block_diag(*tensors):
    """The inputs (0-, 1- or 2-D) as the diagonal blocks of one matrix."""
    from .padding import Pad
    blocks = [as_tensor(t) for t in tensors]
    blocks = [reshape(b, (1, 1)) if b.ndim == 0 else reshape(b, (1, -1)) if b.ndim == 1 else b
              for b in blocks]
    width = sum(b.shape[1] for b in blocks)
    rows, left = [], 0
    dtype = blocks[0]._data.dtype if blocks else np.float32
    for b in blocks:
        b = b.to(np.result_type(*[c._data.dtype for c in blocks])) if len(blocks) > 1 else b
        rows.append(Pad.apply(b, widths=((0, 0), (left, width - left - b.shape[1])), value=0))
        left += b.shape[1]
    return cat(rows, 0) if rows else Tensor._make(np.zeros((0, 0), dtype))


def unfold(input, dimension: int, size: int, step: int):
    """All windows of ``size`` along ``dimension``, ``step`` apart, as a new last dim (a view)."""
    x = as_tensor(input)
    d = _check_dim(dimension, max(x.ndim, 1))
    n = x.shape[d] if x.ndim else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if x.ndim == 0:
        return reshape(x, 1)
    count = (n - size) // step + 1
    strides = [s // x._data.itemsize for s in x._data.strides]
    shape = list(x.shape)
    shape[d] = count
    return strided(x, [0] * x.ndim, shape + [size], strides[:d] + [strides[d] * step]
                   + strides[d + 1:] + [strides[d]], "UnfoldBackward0")


def as_strided(input, size, stride, storage_offset=None):
    """The elements of the (contiguous) input at ``storage_offset + Σ i_k * stride_k`` (a view of
    a contiguous input)."""
    x = as_tensor(input)
    size, stride, offset = tuple(int(n) for n in size), tuple(int(s) for s in stride), storage_offset or 0
    if len(size) != len(stride):
        raise RuntimeError(f"mismatch in length of strides and shape: {len(size)} sizes and "
                           f"{len(stride)} strides")
    if all(size):
        high = offset + sum((n - 1) * s for n, s in zip(size, stride) if s > 0)
        low = offset + sum((n - 1) * s for n, s in zip(size, stride) if s < 0)
        if high >= x.numel() or low < 0:
            raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage "
                               f"offset {storage_offset} require more elements than the "
                               f"{x.numel()} available")
    flat = reshape(x, -1)
    return strided(flat, [offset if all(size) else 0], size, stride, "AsStridedBackward0")


def view_as_dtype(input, dtype):
    """The same bytes read as ``dtype`` (``Tensor.view(dtype)``; no gradient)."""
    from .. import _dtype
    x = as_tensor(input)
    return Tensor._make(x._data.view(_dtype.to_numpy_dtype(dtype)))


def adjoint(input):
    """The conjugate transpose of the last two dims (the transpose, for real tensors)."""
    return transpose(input, -2, -1)
