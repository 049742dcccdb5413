"""Selecting and placing by index: index_select, masked_select, take(_along_dim), the scatter
family (one ``Scatter`` node), index_add/copy/fill, put, diagonals and triangles, narrow and the
``*_scatter`` views. Most are written with indexing (``Index``/``IndexPut``), so their
gradients are those nodes'.

Example::

    >>> x = ember.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> ember.zeros(2, 2).scatter(1, ember.tensor([[1], [0]]), x)
    tensor([[0., 1.],
            [3., 0.]])
"""
from __future__ import annotations

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _check_dim
from ..autograd.function import Function
from . import elementwise as ew
from ._util import as_tensor
from .shape import getitem, permute, reshape, strided

__all__ = ["index_select", "masked_select", "take", "take_along_dim", "scatter", "scatter_add",
           "scatter_reduce", "index_add", "index_copy", "index_fill", "masked_scatter", "put",
           "diagonal", "diag", "diag_embed", "diagflat", "tril", "triu", "trace", "narrow",
           "select_scatter", "slice_scatter", "diagonal_scatter", "tril_indices", "triu_indices",
           "index_reduce"]


def _coords(index: np.ndarray, axis: int) -> tuple:
    """The full coordinates that ``index`` (along ``axis``) addresses, one array per dim."""
    grids = np.indices(index.shape, sparse=True)
    return tuple(index if d == axis else grids[d] for d in range(index.ndim))


_UFUNCS = {"sum": np.add, "add": np.add, "prod": np.multiply, "multiply": np.multiply,
           "amax": np.maximum, "amin": np.minimum, "mean": np.add}


class Scatter(Function):
    """``out = x`` with ``src`` written (or reduced) at ``index`` along ``axis``."""

    NAME = "ScatterBackward0"

    def forward(self, x, src, index=None, axis=0, reduce=None, include_self=True):
        self.coords = coords = _coords(index, axis)
        self.index_shape, self.src_shape, self.reduce = index.shape, np.shape(src), reduce
        vals = src[tuple(slice(0, n) for n in index.shape)] if np.ndim(src) else np.broadcast_to(
            src, index.shape)
        out = x.copy()
        if reduce is None:
            out[coords] = vals
            return out
        self.label = "ScatterAddBackward0" if reduce in ("sum", "add") and include_self else \
            "ScatterReduceBackward0"
        ufunc = _UFUNCS[reduce]
        if not include_self:
            touched = np.zeros(x.shape, bool)
            touched[coords] = True
            first = {"sum": 0, "add": 0, "mean": 0, "prod": 1, "multiply": 1,
                     "amax": -np.inf, "amin": np.inf}[reduce]
            out[touched] = first if x.dtype.kind == "f" else np.clip(
                first, *(np.iinfo(x.dtype).min, np.iinfo(x.dtype).max))
        ufunc.at(out, coords, vals)
        self.count = None
        if reduce == "mean":
            count = np.full(x.shape, 1 if include_self else 0, np.int64)
            np.add.at(count, coords, 1)
            self.count = np.maximum(count, 1)
            out = out / self.count if x.dtype.kind == "f" else out // self.count
            out = out.astype(x.dtype, copy=False)
        self.x, self.vals, self.out, self.include_self = x, vals, out, include_self
        return out

    def backward(self, g):
        coords, reduce = self.coords, self.reduce
        gx = gs = None
        if reduce is None:
            if self.needs_grad(0):
                gx = g.copy()
                gx[coords] = 0
            gvals = g[coords]
        elif reduce in ("sum", "add", "mean"):
            gg = g / self.count if reduce == "mean" else g
            if self.needs_grad(0):
                gx = gg if self.include_self else np.where(self._touched(), 0, gg)
            gvals = gg[coords]
        else:                              # amax/amin/prod: to the elements that gave the result
            if reduce in ("amax", "amin"):     # shared evenly among the elements that tie
                own = self._touched()
                own = ~own | self.include_self
                hit_x = (self.x == self.out) & own
                hit_v = self.vals == self.out[coords]
                count = hit_x.astype(np.int64)
                np.add.at(count, coords, hit_v.astype(np.int64))
                share = g / np.maximum(count, 1)
                gx = np.where(hit_x, share, 0).astype(g.dtype) if self.needs_grad(0) else None
                gvals = np.where(hit_v, share[coords], 0).astype(g.dtype)
            else:                           # prod: each factor's gradient is the product / it
                touched = self._touched()
                with np.errstate(divide="ignore", invalid="ignore"):
                    own = np.where(touched, g * self.out / self.x if self.include_self else 0, g)
                    gx = own.astype(g.dtype) if self.needs_grad(0) else None
                    gvals = (g * self.out)[coords] / self.vals
        if self.needs_grad(1) and len(self.src_shape):
            gs = np.zeros(self.src_shape, g.dtype)
            gs[tuple(slice(0, n) for n in self.index_shape)] = gvals
        return gx, gs

    def _touched(self):
        t = np.zeros(self.x.shape, bool)
        t[self.coords] = True
        return t


def _scatter(input, dim, index, src, reduce=None, include_self=True, name="scatter"):
    x = as_tensor(input)
    axis = _check_dim(dim, max(x.ndim, 1))
    idx = as_tensor(index)._data
    if idx.dtype != np.int64:
        raise RuntimeError(f"{name}(): Expected dtype int64 for index")
    if idx.ndim != x.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    if idx.size and (idx.min() < -x.shape[axis] or idx.max() >= x.shape[axis]):
        raise RuntimeError(f"index {int(idx.max())} is out of bounds for dimension {axis} with "
                           f"size {x.shape[axis]}")
    idx = np.where(idx < 0, idx + x.shape[axis], idx)
    if isinstance(src, Tensor):
        src = src.to(x.dtype)
    else:
        src = np.asarray(src, x._data.dtype)
    return Scatter.apply(x, src, index=idx, axis=axis, reduce=reduce, include_self=include_self)


def scatter(input, dim: int, index, src=None, *, value=None, reduce=None):
    """A copy of ``input`` with ``src`` (a tensor, or the scalar ``value``) written at ``index``
    along ``dim``; ``reduce='add'|'multiply'`` combines instead of overwriting."""
    if src is None:
        src = value
    if reduce is not None and reduce not in ("add", "multiply"):
        raise RuntimeError(f"reduce argument must be either add or multiply, got {reduce}")
    return _scatter(input, dim, index, src, reduce)


def scatter_add(input, dim: int, index, src):
    """A copy of ``input`` with ``src`` added at ``index`` along ``dim`` (repeats add up)."""
    return _scatter(input, dim, index, src, "sum", name="scatter_add")


def scatter_reduce(input, dim: int, index, src, reduce: str, *, include_self: bool = True):
    """Reduces ``src`` into a copy of ``input`` at ``index`` with ``reduce`` ∈ sum, prod,
    mean, amax, amin (``include_self=False`` leaves ``input``'s own values out where written)."""
    if reduce not in ("sum", "prod", "mean", "amax", "amin"):
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    return _scatter(input, dim, index, src, reduce, include_self, "scatter_reduce")


def _along(x, dim, index):
    d = _check_dim(dim, max(x.ndim, 1))
    idx = as_tensor(index)
    if idx.ndim > 1:
        raise IndexError(f"index_select(): Index is supposed to be a vector, got {idx.ndim}-D")
    return (slice(None),) * d + (idx.reshape(-1),), d


def index_select(input, dim: int, index):
    """The slices of ``input`` at ``index`` (1-D int64) along ``dim``."""
    x = as_tensor(input)
    key, _ = _along(x, dim, index)
    return getitem(x, key, label="IndexSelectBackward0")


def masked_select(input, mask):
    """The elements where ``mask`` (broadcast to ``input``) is True, as a 1-D tensor."""
    x, m = as_tensor(input), as_tensor(mask)
    shape = np.broadcast_shapes(x.shape, m.shape)
    x = x.expand(*shape) if tuple(x.shape) != shape else x
    return getitem(x, Tensor._make(np.broadcast_to(m._data, shape)))


def take(input, index):
    """Elements of the flattened ``input`` at ``index`` (any shape)."""
    x = as_tensor(input)
    return getitem(reshape(x, -1), as_tensor(index))


def take_along_dim(input, indices, dim=None):
    """``gather`` with broadcasting between ``input`` and ``indices`` (the flattened input when
    ``dim`` is None)."""
    from .shape import gather
    x, idx = as_tensor(input), as_tensor(indices)
    if dim is None:
        return gather(reshape(x, -1), 0, reshape(idx, -1))
    d = _check_dim(dim, x.ndim)
    shape = list(np.broadcast_shapes(tuple(1 if i == d else s for i, s in enumerate(x.shape)),
                                     tuple(1 if i == d else s for i, s in enumerate(idx.shape))))
    xs = shape.copy()
    xs[d] = x.shape[d]
    ids = shape.copy()
    ids[d] = idx.shape[d]
    return gather(x.expand(*xs), d, Tensor._make(np.broadcast_to(idx._data, ids)))


def index_add(input, dim: int, index, source, *, alpha=1):
    """A copy of ``input`` with ``alpha * source`` added at ``index`` along ``dim``."""
    x = as_tensor(input)
    key, _ = _along(x, dim, index)
    return x.index_put(key, source * alpha if alpha != 1 else source, accumulate=True)


def index_copy(input, dim: int, index, source):
    """A copy of ``input`` with ``source``'s slices written at ``index`` along ``dim``."""
    x = as_tensor(input)
    key, _ = _along(x, dim, index)
    return x.index_put(key, source)


def index_fill(input, dim: int, index, value):
    """A copy of ``input`` with the slices at ``index`` along ``dim`` set to ``value``."""
    x = as_tensor(input)
    key, _ = _along(x, dim, index)
    return x.index_put(key, value if isinstance(value, Tensor) else Tensor._make(
        np.asarray(value, x._data.dtype)))


def masked_scatter(input, mask, source):
    """A copy of ``input`` whose masked positions take ``source``'s elements in order."""
    x, m = as_tensor(input), as_tensor(mask)
    m_arr = np.broadcast_to(m._data, x.shape)
    n = int(m_arr.sum())
    src = reshape(as_tensor(source), -1)
    if src.shape[0] < n:
        raise RuntimeError("masked_scatter: expected source to have at least as many elements "
                           f"as ones in mask ({n}), got {src.shape[0]}")
    return x.index_put((Tensor._make(m_arr),), getitem(src, slice(0, n)))


def put(input, index, source, accumulate: bool = False):
    """A copy of ``input`` with ``source`` written (or added) at flat positions ``index``."""
    x = as_tensor(input)
    flat = reshape(x, -1).index_put((reshape(as_tensor(index), -1),),
                                    reshape(as_tensor(source), -1), accumulate=accumulate)
    return reshape(flat, tuple(x.shape))


def _diag_index(n1: int, n2: int, offset: int):
    rows = np.arange(max(0, -offset), min(n1, n2 - offset) if n2 - offset > 0 else 0)
    return rows, rows + offset


def diagonal(input, offset: int = 0, dim1: int = 0, dim2: int = 1):
    """The diagonal of the ``dim1``/``dim2`` planes (shifted by ``offset``), as the last dim; a
    view, as in torch."""
    x = as_tensor(input)
    d1, d2 = _check_dim(dim1, x.ndim), _check_dim(dim2, x.ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    rows, _ = _diag_index(x.shape[d1], x.shape[d2], offset)
    step = [s // x._data.itemsize for s in x._data.strides]
    start = [0] * x.ndim
    if rows.size:
        start[d1], start[d2] = max(0, -offset), max(0, offset)
    rest = [d for d in range(x.ndim) if d not in (d1, d2)]
    return strided(x, start, [x.shape[d] for d in rest] + [rows.size],
                   [step[d] for d in rest] + [step[d1] + step[d2]], "DiagonalBackward0")


def diag(input, diagonal: int = 0):
    """A 1-D input as the ``diagonal``-th diagonal of a square matrix; a 2-D input's diagonal."""
    x = as_tensor(input)
    if x.ndim == 2:
        return globals()["diagonal"](x, diagonal)
    if x.ndim != 1:
        raise RuntimeError("diag(): Supports 1D or 2D tensors. Got " + f"{x.ndim}D")
    n = x.shape[0] + abs(diagonal)
    rows, cols = _diag_index(n, n, diagonal)
    base = Tensor._make(np.zeros((n, n), x._data.dtype))
    return base.index_put((Tensor._make(rows), Tensor._make(cols)), x)


def diag_embed(input, offset: int = 0, dim1: int = -2, dim2: int = -1):
    """The last dim of ``input`` placed on a diagonal of new ``dim1``/``dim2`` planes."""
    x = as_tensor(input)
    n = x.shape[-1] + abs(offset)
    rows, cols = _diag_index(n, n, offset)
    base = Tensor._make(np.zeros(tuple(x.shape[:-1]) + (n, n), x._data.dtype))
    out = base.index_put((Ellipsis, Tensor._make(rows), Tensor._make(cols)), x)
    nd = out.ndim
    d1, d2 = _check_dim(dim1, nd), _check_dim(dim2, nd)
    if (d1, d2) == (nd - 2, nd - 1):
        return out
    order = [None] * nd
    order[d1], order[d2] = nd - 2, nd - 1
    rest = iter(range(nd - 2))
    return permute(out, *[o if o is not None else next(rest) for o in order])


def diagflat(input, offset: int = 0):
    """The flattened input on a diagonal of a square matrix."""
    return diag(reshape(as_tensor(input), -1), offset)


def _triangle(input, diagonal, lower):
    x = as_tensor(input)
    if x.ndim < 2:
        raise RuntimeError(f"{'tril' if lower else 'triu'}: input tensor must have at least 2 "
                           f"dimensions")
    n, m = x.shape[-2:]
    keep = np.tri(n, m, diagonal, dtype=bool) if lower else ~np.tri(n, m, diagonal - 1, dtype=bool)
    return ew.where(Tensor._make(keep), x, Tensor._make(np.zeros((), x._data.dtype)))


def tril(input, diagonal: int = 0):
    """The lower triangle (on and below the ``diagonal``-th diagonal) of the last two dims."""
    return _triangle(input, diagonal, True)


def triu(input, diagonal: int = 0):
    """The upper triangle (on and above the ``diagonal``-th diagonal) of the last two dims."""
    return _triangle(input, diagonal, False)


def trace(input):
    """The sum of a matrix's main diagonal."""
    from .reduction import sum as _sum
    x = as_tensor(input)
    if x.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {x.ndim}")
    return _sum(diagonal(x))


def narrow(input, dim: int, start, length: int):
    """The ``length`` slices from ``start`` along ``dim`` (a view in torch)."""
    x = as_tensor(input)
    d = _check_dim(dim, x.ndim)
    start = int(start.item() if isinstance(start, Tensor) else start)
    if start < 0:
        start += x.shape[d]
    if not 0 <= start <= x.shape[d] - length or length < 0:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size "
                           f"({x.shape[d]}).")
    return getitem(x, (slice(None),) * d + (slice(start, start + length),))


def _scatter_into(input, key, src):
    x = as_tensor(input)
    return x.index_put(key, as_tensor(src).to(x.dtype))


def select_scatter(input, src, dim: int, index: int):
    """A copy of ``input`` with ``src`` written at ``index`` of ``dim``."""
    x = as_tensor(input)
    return _scatter_into(x, (slice(None),) * _check_dim(dim, x.ndim) + (index,), src)


def slice_scatter(input, src, dim: int = 0, start=None, end=None, step: int = 1):
    """A copy of ``input`` with ``src`` written at ``start:end:step`` of ``dim``."""
    x = as_tensor(input)
    return _scatter_into(x, (slice(None),) * _check_dim(dim, x.ndim) + (slice(start, end, step),),
                         src)


def diagonal_scatter(input, src, offset: int = 0, dim1: int = 0, dim2: int = 1):
    """A copy of ``input`` with ``src`` written on the diagonal :func:`diagonal` reads."""
    x = as_tensor(input)
    d1, d2 = _check_dim(dim1, x.ndim), _check_dim(dim2, x.ndim)
    rows, cols = _diag_index(x.shape[d1], x.shape[d2], offset)
    key = [slice(None)] * x.ndim
    key[d1], key[d2] = rows, cols
    if x.ndim == 2:
        return _scatter_into(x, (Tensor._make(rows), Tensor._make(cols)), src)
    rest = [d for d in range(x.ndim) if d not in (d1, d2)]
    moved = permute(x, *rest, d1, d2)
    out = _scatter_into(moved, (Ellipsis, Tensor._make(rows), Tensor._make(cols)), src)
    inverse = np.argsort(rest + [d1, d2])
    return permute(out, *inverse.tolist())


def _tri_indices(row, col, offset, dtype, lower):
    r, c = np.tril_indices(row, offset, col) if lower else np.triu_indices(row, offset, col)
    dt = np.int64 if dtype is None else _dtype.to_numpy_dtype(dtype)
    return Tensor._make(np.stack([r, c]).astype(dt))


def tril_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None, layout=None,
                 requires_grad: bool = False):
    """The coordinates of the lower triangle of a ``row × col`` matrix, as a ``(2, n)`` tensor."""
    return _tri_indices(row, col, offset, dtype, True)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None, layout=None,
                 requires_grad: bool = False):
    """The coordinates of the upper triangle of a ``row × col`` matrix, as a ``(2, n)`` tensor."""
    return _tri_indices(row, col, offset, dtype, False)


def index_reduce(input, dim: int, index, source, reduce: str, *, include_self: bool = True):
    """Reduces the slices of ``source`` into ``input``'s slices at ``index`` along ``dim``
    (``reduce`` ∈ prod, mean, amax, amin): :func:`scatter_reduce` with the index spread over the
    other dims."""
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin "
                           f"but got {reduce}.")
    x, src = as_tensor(input), as_tensor(source)
    d = _check_dim(dim, max(x.ndim, 1))
    idx = as_tensor(index)._data.reshape(-1)
    full = np.broadcast_to(idx.reshape([-1 if i == d else 1 for i in range(src.ndim)]), src.shape)
    return _scatter(x, d, Tensor._make(np.ascontiguousarray(full)), src, reduce, include_self,
                    "index_reduce")

