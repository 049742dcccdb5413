"""Shape ops: view/reshape, permute/transpose, expand, squeeze, indexing, cat/stack, gather."""
from __future__ import annotations

import builtins

import numpy as np

from .._tensor import Tensor, _check_dim
from ..autograd.function import Function
from ..autograd.versions import bump
from ..autograd.views import AsStridedView, mark_multi_output, positions
from ._util import as_tensor, result_dtype, unbroadcast


class View(Function):
    def forward(self, x, shape=None):
        self.shape = x.shape
        return x.reshape(shape)

    def backward(self, g):
        return (g.reshape(self.shape),)


class Permute(Function):
    def forward(self, x, dims=None):
        self.inverse = tuple(np.argsort(dims))
        return x.transpose(dims)

    def backward(self, g):
        return (g.transpose(self.inverse),)


class Expand(Function):
    def forward(self, x, shape=None):
        self.shape = x.shape
        return np.broadcast_to(x, shape)

    def backward(self, g):
        return (unbroadcast(g, self.shape),)


class Strided(AsStridedView):
    """A view of ``x``'s memory with other sizes and strides (``diagonal``, ``unfold``,
    ``as_strided``): ``start`` indexes its first element in ``x``, ``strides`` are in elements of
    ``x``'s memory. The gradient lands on the elements it covers (summed where they repeat)."""

    def forward(self, x, start=(), shape=(), strides=()):
        first = x[tuple(slice(i, None) for i in start)] if x.size else x
        out = np.lib.stride_tricks.as_strided(first, shape, tuple(s * x.itemsize for s in strides))
        if self.needs_grad(0):
            self.idx, self.base_shape = positions(x, out), x.shape
        return out


class Clone(Function):
    def forward(self, x):
        return x.copy()  # C order, so it also serves contiguous()

    def backward(self, g):
        return (g,)


class Index(Function):
    def forward(self, x, key=None, advanced=False):
        self.shape, self.key, self.advanced = x.shape, key, advanced
        out = x[key]
        if type(out) is not np.ndarray:  # one element: a 0-d view of it, as torch's x[i, j]
            out = x[(key if isinstance(key, tuple) else (key,)) + (Ellipsis,)] if not advanced \
                else np.asarray(out)
        return out

    def backward(self, g):
        out = np.zeros(self.shape, g.dtype)
        if self.advanced:
            np.add.at(out, self.key, g)  # repeated indices accumulate
        else:
            out[self.key] = g
        return (out,)


class IndexPut(Function):
    """``x[key] = v`` recorded out of place: returns a new array. With ``accumulate`` the
    values are added instead (repeated indices add up, as torch's ``index_put(accumulate=True)``)."""

    def forward(self, x, v, key=None, advanced=False, accumulate=False):
        self.key, self.v_shape, self.accumulate = key, np.shape(v), accumulate
        out = x.copy()
        if accumulate:
            np.add.at(out, key, v)
        else:
            out[key] = v
        return out

    def backward(self, g):
        gx = None
        if self.needs_grad(0):
            gx = g.copy()
            if not self.accumulate:
                gx[self.key] = 0
        gv = unbroadcast(g[self.key], self.v_shape) if self.needs_grad(1) else None
        return gx, gv


class Cat(Function):
    def forward(self, *arrays, axis=0):
        self.axis = axis
        self.splits = np.cumsum([a.shape[axis] for a in arrays])[:-1]
        return np.concatenate(arrays, axis=axis)

    def backward(self, g):
        return tuple(np.split(g, self.splits, axis=self.axis))


class Stack(Function):
    def forward(self, *arrays, axis=0):
        self.axis = axis
        return np.stack(arrays, axis=axis)

    def backward(self, g):
        return tuple(np.moveaxis(g, self.axis, 0))


class Gather(Function):
    def forward(self, x, index, axis=0):
        self.shape, self.index, self.axis = x.shape, index, axis
        return np.take_along_axis(x, index, axis)

    def backward(self, g):
        out = np.zeros(self.shape, g.dtype)
        grids = list(np.indices(self.index.shape, sparse=True))
        grids[self.axis] = self.index
        np.add.at(out, tuple(grids), g)
        return (out, None)


# ------------------------------------------------------------------ public functions
def _sizes(args) -> tuple:
    """``f(2, 3)`` and ``f((2, 3))`` both give (2, 3)."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    return tuple(builtins.int(a) for a in args)


def reshape(input, *shape):
    """The same elements in a new shape (sizes as varargs or a tuple; one may be -1).

    Example::

        >>> ember.arange(6).reshape(2, -1).shape
        ember.Size([2, 3])
    """
    x = as_tensor(input)
    shape = _sizes(shape)
    if shape == x.shape:
        return x
    try:
        return View.apply(x, shape=shape)
    except ValueError:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {x.numel()}") from None


view = reshape


def flatten(input, start_dim: int = 0, end_dim: int = -1):
    """Merges dims ``start_dim .. end_dim`` into one."""
    x = as_tensor(input)
    if x.ndim == 0:
        return reshape(x, 1)
    start, end = _check_dim(start_dim, x.ndim), _check_dim(end_dim, x.ndim)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    shape = x.shape[:start] + (-1,) + x.shape[end + 1:]
    if x.shape[start:end + 1] and 0 in x.shape[start:end + 1]:
        shape = x.shape[:start] + (0,) + x.shape[end + 1:]
    return reshape(x, shape)


def unflatten(input, dim: int, sizes):
    """Splits ``dim`` into ``sizes``."""
    x = as_tensor(input)
    d = _check_dim(dim, x.ndim)
    sizes = tuple(builtins.int(s) for s in sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    known = builtins.int(np.prod([s for s in sizes if s != -1]))
    n = x.shape[d]
    if sizes.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    if (known != n if -1 not in sizes else (known == 0 or n % known)):
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size "
                           f"of dim {dim} ({n}) in the input tensor")
    return reshape(x, x.shape[:d] + sizes + x.shape[d + 1:])


def squeeze(input, dim=None):
    """Removes dims of size 1 (all of them, or those in ``dim``)."""
    x = as_tensor(input)
    if dim is None:
        shape = tuple(n for n in x.shape if n != 1)
    else:
        dims = {_check_dim(d, x.ndim) for d in (dim if isinstance(dim, (tuple, list)) else (dim,))}
        shape = tuple(n for i, n in enumerate(x.shape) if not (i in dims and n == 1))
    label = "SqueezeBackward0" if dim is None else "SqueezeBackward1"
    return x if shape == x.shape else View.apply(x, shape=shape, label=label)


def unsqueeze(input, dim: int):
    """Inserts a dim of size 1 at ``dim``."""
    x = as_tensor(input)
    d = _check_dim(dim, x.ndim + 1)
    return View.apply(x, shape=x.shape[:d] + (1,) + x.shape[d:], label="UnsqueezeBackward0")


def permute(input, *dims):
    """Reorders the dims (``x.permute(2, 0, 1)``)."""
    x = as_tensor(input)
    dims = _sizes(dims)
    if len(dims) != x.ndim:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not "
                           f"match the length of the desired ordering of dimensions i.e. input.dim() "
                           f"= {x.ndim} is not equal to len(dims) = {len(dims)}")
    dims = tuple(_check_dim(d, x.ndim) for d in dims)
    if sorted(dims) != list(range(x.ndim)):
        raise RuntimeError(f"permute(): duplicate dims are not allowed, got {dims}")
    return Permute.apply(x, dims=dims)


def transpose(input, dim0: int, dim1: int):
    """Swaps two dims."""
    x = as_tensor(input)
    d0, d1 = _check_dim(dim0, x.ndim), _check_dim(dim1, x.ndim)
    dims = list(range(x.ndim))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return Permute.apply(x, dims=tuple(dims), label="TransposeBackward0")


def swapaxes(input, axis0: int, axis1: int):
    """Swaps two dims (NumPy's name for :func:`transpose`)."""
    return transpose(input, axis0, axis1)


def t(input):
    """Transpose of a tensor with at most 2 dims."""
    x = as_tensor(input)
    if x.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {x.ndim}D")
    return x if x.ndim < 2 else Permute.apply(x, dims=(1, 0), label="TBackward0")


def expand(input, *sizes):
    """A broadcast view with larger sizes (-1 keeps a size); the gradient is summed back."""
    x = as_tensor(input)
    sizes = _sizes(sizes)
    lead = len(sizes) - x.ndim
    if lead < 0:
        raise RuntimeError(f"expand: the number of sizes provided ({len(sizes)}) must be greater or "
                           f"equal to the number of dimensions in the tensor ({x.ndim})")
    shape = tuple(x.shape[i - lead] if n == -1 and i >= lead else n for i, n in enumerate(sizes))
    for i, n in enumerate(x.shape):
        if n != 1 and n != shape[i + lead]:
            raise RuntimeError(f"The expanded size of the tensor ({shape[i + lead]}) must match the "
                               f"existing size ({n}) at non-singleton dimension {i + lead}.  Target "
                               f"sizes: {list(sizes)}.  Tensor sizes: {list(x.shape)}")
    return x if shape == x.shape else Expand.apply(x, shape=shape)


def expand_as(input, other):
    """``input`` expanded to ``other``'s shape."""
    return expand(input, *as_tensor(other).shape)


def broadcast_to(input, size):
    """``input`` expanded to ``size``."""
    return expand(input, *size)


def contiguous(input, memory_format=None):
    """``input`` itself when it is C-contiguous, else a contiguous copy (ember has one memory
    format, so ``memory_format`` is accepted and changes nothing)."""
    x = as_tensor(input)
    return x if x._data.flags.c_contiguous else Clone.apply(x)


def _index_key(key):
    """Tensors/lists in an index become ndarrays; reports whether advanced indexing is used."""
    items = key if isinstance(key, tuple) else (key,)
    out, advanced = [], False
    for k in items:
        if isinstance(k, Tensor):
            k = k._data
        elif isinstance(k, list):
            k = np.asarray(k)
        if isinstance(k, np.ndarray):
            if k.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            advanced = advanced or k.dtype != np.bool_
        out.append(k)
    return (tuple(out) if isinstance(key, tuple) else out[0]), advanced


def getitem(input, key, *, label=None):
    """``input[key]``: ints, slices, None, Ellipsis, integer and boolean index tensors."""
    x = as_tensor(input)
    key, advanced = _index_key(key)
    if label is None:
        label = _index_label(key)
    return Index.apply(x, key=key, advanced=advanced, label=label)


def _index_label(key):
    """torch's node name for basic indexing: the last int → Select, the last slice → Slice."""
    for k in reversed(key if isinstance(key, tuple) else (key,)):
        if isinstance(k, np.ndarray):
            return None  # IndexBackward0
        if isinstance(k, (builtins.int, np.integer)):
            return "SelectBackward0"
        if isinstance(k, slice) and k != slice(None):
            return "SliceBackward0"
    return "AliasBackward0"


def select(input, dim: int, index: int):
    """The slice at ``index`` along ``dim`` (that dim removed): ``x.select(1, 0)`` is ``x[:, 0]``."""
    x = as_tensor(input)
    d = _check_dim(dim, x.ndim)
    n = x.shape[d]
    if not -n <= index < n:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(x.shape)} at dimension {dim}")
    return getitem(x, (slice(None),) * d + (index,), label="SelectBackward0")


def clone(input):
    """A copy that does not share memory; gradients flow through it."""
    x = as_tensor(input)
    return Clone.apply(x)


def setitem(x: Tensor, key, value) -> None:
    """``x[key] = value``: in place without grad, recorded out of place when a gradient is needed."""
    from ..autograd.grad_mode import STATE
    key, advanced = _index_key(key)
    needs = STATE.enabled and (x.requires_grad or (isinstance(value, Tensor) and value.requires_grad))
    if needs:
        items = key if isinstance(key, tuple) else (key,)
        if all(k is None or k is Ellipsis or isinstance(k, (builtins.int, np.integer, slice))
               for k in items):  # torch's x[key].copy_(value): a change of a view (CopySlices)
            label = _index_label(key)
            if label == "AliasBackward0" and all(k is not None for k in items):
                x.copy_(value)  # x[...] and x[:] are x itself in torch
            else:
                Index.apply(x, key=key, advanced=False, label=label).copy_(value)
            return
        x._check_inplace()
        v = value if isinstance(value, Tensor) else as_tensor(value)
        x._assign(IndexPut.apply(x, v.to(x.dtype), key=key, advanced=advanced))
        return
    x._data[key] = value._data if isinstance(value, Tensor) else value
    bump(x)


def index_put(input, indices, values, accumulate: bool = False):
    """A copy of ``input`` with ``values`` written at ``indices`` (a tuple of index tensors, one
    per leading axis), or added there with ``accumulate=True`` (repeated indices add up).

    Example::

        >>> ember.zeros(3).index_put((ember.tensor([0, 0, 2]),), ember.tensor(1.0), accumulate=True)
        tensor([2., 0., 1.])
    """
    x = as_tensor(input)
    key, advanced = _index_key(tuple(indices))
    v = as_tensor(values)
    return IndexPut.apply(x, v.to(x.dtype), key=key, advanced=advanced, accumulate=accumulate)


def _common(tensors, name: str):
    tensors = [as_tensor(t) for t in tensors]
    if not tensors:
        raise RuntimeError(f"{name}(): expected a non-empty list of Tensors")
    target = tensors[0]._data.dtype
    for t in tensors[1:]:
        if t._data.dtype != target:
            target = result_dtype(np.empty((1,), target), t._data)
    return [t.to(target) for t in tensors]


def cat(tensors, dim: int = 0):
    """Concatenates tensors along an existing dim.

    Example::

        >>> ember.cat([ember.zeros(2, 3), ember.ones(1, 3)]).shape
        ember.Size([3, 3])
    """
    tensors = _common(tensors, "cat")
    d = _check_dim(dim, tensors[0].ndim)
    ref = tensors[0].shape
    for i, t in enumerate(tensors[1:], 1):
        if t.ndim != len(ref) or t.shape[:d] + t.shape[d + 1:] != ref[:d] + ref[d + 1:]:
            raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size "
                               f"{list(ref)} but got size {list(t.shape)} for tensor number {i} in the list.")
    return Cat.apply(*tensors, axis=d)


concat = concatenate = cat


def stack(tensors, dim: int = 0):
    """Stacks same-shaped tensors along a new dim.

    Example::

        >>> ember.stack([ember.zeros(3), ember.ones(3)], dim=1).shape
        ember.Size([3, 2])
    """
    tensors = _common(tensors, "stack")
    for i, t in enumerate(tensors[1:], 1):
        if t.shape != tensors[0].shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(tensors[0].shape)} at entry 0 and {list(t.shape)} at entry {i}")
    return Stack.apply(*tensors, axis=_check_dim(dim, tensors[0].ndim + 1))


def split(tensor, split_size_or_sections, dim: int = 0):
    """Pieces of ``split_size`` (or the given sizes) along ``dim``."""
    x = as_tensor(tensor)
    d = _check_dim(dim, x.ndim)
    n = x.shape[d]
    if isinstance(split_size_or_sections, int):
        sizes = [split_size_or_sections] * (n // split_size_or_sections)
        if n % split_size_or_sections:
            sizes.append(n % split_size_or_sections)
    else:
        sizes = list(split_size_or_sections)
    out, start = [], 0
    for s in sizes:
        key = (slice(None),) * d + (slice(start, start + s),)
        out.append(getitem(x, key, label="SplitBackward0"))
        start += s
    return mark_multi_output(tuple(out))


def chunk(input, chunks: int, dim: int = 0):
    """``chunks`` pieces of (almost) equal size along ``dim``."""
    x = as_tensor(input)
    n = x.shape[_check_dim(dim, x.ndim)]
    return split(x, -(-n // chunks), dim)


def unbind(input, dim: int = 0):
    """The slices along ``dim``, as a tuple."""
    x = as_tensor(input)
    d = _check_dim(dim, x.ndim)
    return mark_multi_output(tuple(getitem(x, (slice(None),) * d + (i,), label="UnbindBackward0")
                                   for i in range(x.shape[d])))


def strided(x: Tensor, start, shape, strides, label: str):
    """A view of ``x`` (see :class:`Strided`); ``strides`` count elements of ``x``'s memory."""
    return Strided.apply(x, start=tuple(start), shape=tuple(shape), strides=tuple(strides),
                         label=label)


def gather(input, dim: int, index, *, sparse_grad: bool = False):
    """Values of ``input`` at ``index`` along ``dim`` (``out[i][j] = input[i][index[i][j]]`` for dim=1)."""
    x = as_tensor(input)
    idx = as_tensor(index)._data
    if idx.dtype != np.int64:
        raise RuntimeError(f"gather(): Expected dtype int64 for index, got {idx.dtype}")
    return Gather.apply(x, Tensor._make(idx), axis=_check_dim(dim, x.ndim))


def flip(input, dims):
    """Reverses the order of elements along ``dims``."""
    x = as_tensor(input)
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    key = [slice(None)] * x.ndim
    for d in dims:
        key[_check_dim(d, x.ndim)] = slice(None, None, -1)
    return getitem(x, tuple(key), label="FlipBackward0")


def repeat(input, *sizes, repeats=None):
    """Tiles ``input``: ``repeat(2, 3)`` repeats rows twice and columns three times."""
    x = as_tensor(input)
    sizes = _sizes(sizes if repeats is None else (repeats,))
    lead = len(sizes) - x.ndim
    x = reshape(x, (1,) * lead + x.shape)
    expanded_shape, final = [], []
    for n, r in zip(x.shape, sizes):
        expanded_shape += [r, n]
        final.append(n * r)
    y = reshape(x, tuple(v for n in x.shape for v in (1, n)))
    return reshape(expand(y, *expanded_shape), final)
