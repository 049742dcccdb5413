"""``keras.ops``'s core functions: conversion, dtypes and shapes, control flow written as plain
Python loops (ember runs eagerly, as Keras's torch backend does), scatter/slice updates and
``stop_gradient``.

Example::

    >>> from ember.keras import ops
    >>> ops.shape(ops.zeros((2, 3)))
    (2, 3)
    >>> ops.fori_loop(0, 3, lambda i, acc: acc + i, 0)
    3
"""
from __future__ import annotations

import builtins

import numpy as np

import ember

from ..._tensor import Tensor
from ._base import cast, convert_to_tensor, dtype_of, standardize_dtype, t
from .numpy_array import stack


def convert_to_numpy(x):
    """A NumPy array of ``x`` (detached from the graph)."""
    if isinstance(x, (list, tuple)):
        return np.array([convert_to_numpy(e) for e in x])
    if isinstance(x, Tensor):
        return np.array(x._data)
    return np.array(x)


def is_tensor(x) -> bool:
    return isinstance(x, Tensor)


def shape(x) -> tuple:
    """The shape as a tuple of ints."""
    return tuple(t(x).shape) if not hasattr(x, "shape") else tuple(x.shape)


def dtype(x) -> str:
    """The Keras dtype name of ``x`` (``'float32'``)."""
    return standardize_dtype(t(x)._data.dtype)


def saturate_cast(x, dtype):  # noqa: A002 - Keras's name
    """Cast that clips to the target type's range first (no wrap-around for integers)."""
    name = standardize_dtype(dtype)
    x = t(x)
    info = np.iinfo(name) if np.dtype(name).kind in "iu" else np.finfo(name)
    if x._data.dtype.kind == "f" or np.dtype(name).kind in "iu":
        lo = builtins.max(info.min, np.finfo(np.float64).min)
        hi = builtins.min(info.max, np.finfo(np.float64).max)
        x = ember.clamp(x, float(lo), float(hi)) if x._data.dtype.kind == "f" else \
            Tensor._make(np.clip(x._data, lo, hi))
    return cast(x, name)


def stop_gradient(variable):
    """``variable``'s value with no gradient flowing back through it."""
    return t(variable).detach()


def cond(pred, true_fn, false_fn):
    """``true_fn()`` if ``pred`` else ``false_fn()``."""
    return true_fn() if builtins.bool(_value(pred)) else false_fn()


def switch(index, branches, *operands):
    """``branches[index](*operands)`` (``index`` clamped to the valid range, as Keras does)."""
    i = builtins.int(_value(index))
    i = builtins.min(builtins.max(i, 0), len(branches) - 1)
    return branches[i](*operands)


def _value(x):
    return x._data.item() if isinstance(x, Tensor) else x


def fori_loop(lower, upper, body_fun, init_val):
    """``val = body_fun(i, val)`` for ``i`` in ``range(lower, upper)``."""
    val = init_val
    for i in range(builtins.int(_value(lower)), builtins.int(_value(upper))):
        val = body_fun(i, val)
    return val


def while_loop(cond, body, loop_vars, maximum_iterations=None):  # noqa: A002 - Keras's names
    """Runs ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)``; returns them."""
    is_seq = isinstance(loop_vars, (list, tuple))
    current = tuple(loop_vars) if is_seq else (loop_vars,)
    count = 0
    while builtins.bool(_value(cond(*current))):
        if maximum_iterations is not None and count >= maximum_iterations:
            break
        out = body(*current)
        current = tuple(out) if isinstance(out, (list, tuple)) else (out,)
        count += 1
    return current if is_seq else current[0]


def _tree_leaves(x, out):
    if isinstance(x, (list, tuple)):
        for v in x:
            _tree_leaves(v, out)
    elif isinstance(x, dict):
        for k in sorted(x):
            _tree_leaves(x[k], out)
    else:
        out.append(x)
    return out


def _tree_pack(like, leaves):
    it = iter(leaves)

    def pack(node):
        if isinstance(node, (list, tuple)):
            return type(node)(pack(v) for v in node)
        if isinstance(node, dict):
            return {k: pack(node[k]) for k in sorted(node)}
        return next(it)
    return pack(like)


def _tree_map(fn, *trees):
    leaves = [_tree_leaves(tr, []) for tr in trees]
    return _tree_pack(trees[0], [fn(*group) for group in zip(*leaves)])


def map(f, xs):  # noqa: A001 - Keras's name
    """``stack([f(x) for x in xs])`` over the first axis (nested outputs stacked leaf-wise)."""
    leaves = [t(v) for v in _tree_leaves(xs, [])]
    n = leaves[0].shape[0]
    outs = [f(_tree_pack(xs, [leaf[i] for leaf in leaves])) for i in range(n)]
    return _tree_map(lambda *ys: stack(ys), *outs)


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """``carry, y = f(carry, x)`` over the first axis of ``xs``; returns ``(carry, stacked ys)``."""
    if not callable(f):
        raise TypeError(f"`f` should be a callable. Received: f={f}")
    if xs is None and length is None:
        raise ValueError("Got no `xs` to scan over and `length` not provided.")
    leaves = [] if xs is None else [t(v) for v in _tree_leaves(xs, [])]
    n = builtins.int(length) if length is not None else leaves[0].shape[0]
    carry = _tree_map(t, init)
    ys = []
    steps = range(n - 1, -1, -1) if reverse else range(n)
    for i in steps:
        x = _tree_pack(xs, [leaf[i] for leaf in leaves]) if leaves else None
        carry, y = f(carry, x)
        ys.append(y if y is not None else _tree_map(ember.zeros_like, carry))
    if reverse:
        ys = ys[::-1]
    return carry, _tree_map(lambda *v: stack(v), *ys)


def associative_scan(f, elems, reverse=False, axis=0):
    """Inclusive scan with an associative ``f`` along ``axis`` (sequential: same result)."""
    leaves = [t(v) for v in _tree_leaves(elems, [])]
    n = leaves[0].shape[axis]
    idx = range(n - 1, -1, -1) if reverse else range(n)

    def take(i):
        key = [builtins.slice(None)] * leaves[0].ndim
        key[axis] = builtins.slice(i, i + 1)
        return _tree_pack(elems, [leaf[tuple(key)] for leaf in leaves])

    out, acc = [], None
    for i in idx:
        acc = take(i) if acc is None else (f(take(i), acc) if reverse else f(acc, take(i)))
        out.append(acc)
    if reverse:
        out = out[::-1]
    return _tree_map(lambda *v: ember.cat(v, dim=axis), *out)


def vectorized_map(function, elements):
    """``function`` applied to each slice along the first axis, results stacked."""
    return map(function, elements)


def slice(inputs, start_indices, shape):  # noqa: A001 - Keras's name
    """The block of ``shape`` starting at ``start_indices``."""
    x = t(inputs)
    starts = [builtins.int(s) for s in (t(start_indices)._data if not isinstance(
        start_indices, (list, tuple)) else [_value(s) for s in start_indices])]
    key = tuple(builtins.slice(s, s + n) for s, n in zip(starts, shape))
    return x[key]


def slice_update(inputs, start_indices, updates):
    """``inputs`` with the block at ``start_indices`` replaced by ``updates`` (out of place)."""
    from ...ops.shape import IndexPut
    x, u = t(inputs), t(updates)
    starts = [builtins.int(_value(s)) for s in (start_indices if isinstance(
        start_indices, (list, tuple)) else t(start_indices)._data)]
    key = tuple(builtins.slice(s, s + n) for s, n in zip(starts, u.shape))
    return IndexPut.apply(x, cast(u, dtype_of(x)), key=key, advanced=False)


def _index_columns(indices) -> tuple:
    """Keras's ``indices`` (one row of coordinates per update) as one index array per axis."""
    idx = t(indices)._data.astype(np.int64)
    return tuple(Tensor._make(idx[..., i]) for i in range(idx.shape[-1]))


def scatter(indices, values, shape):
    """A zero tensor of ``shape`` with ``values`` added at ``indices`` (duplicates add up)."""
    v = t(values)
    zeros = Tensor._make(np.zeros(tuple(shape), v._data.dtype))
    return ember.index_put(zeros, _index_columns(indices), v, accumulate=True)


def scatter_update(inputs, indices, updates, reduction=None):
    """``inputs`` with ``updates`` written (or added/multiplied/maxed/minned) at ``indices``."""
    x = t(inputs)
    u = cast(updates, dtype_of(x))
    if reduction in (None, "add"):
        return ember.index_put(x, _index_columns(indices), u, accumulate=reduction == "add")
    idx = t(indices)._data.astype(np.int64)
    key = tuple(idx[..., i] for i in range(idx.shape[-1]))
    ufunc = {"mul": np.multiply, "max": np.maximum, "min": np.minimum}.get(reduction)
    if ufunc is None:
        raise ValueError(f"Unsupported reduction: {reduction}. Expected one of None, 'add', "
                         f"'mul', 'max', 'min'")
    out = x._data.copy()
    ufunc.at(out, key, u._data)
    return Tensor._make(out)


def unstack(x, num=None, axis=0):
    return list(ember.unbind(t(x), axis))


def custom_gradient(f):
    """Decorator: ``f(*args)`` returns ``(output, grad_fn)``; the backward pass calls
    ``grad_fn(*args, upstream=g)`` for the inputs' gradients, as Keras's torch backend does.

    Example::

        >>> @ops.custom_gradient
        ... def log1pexp(x):
        ...     e = ops.exp(x)
        ...     def grad(*args, upstream=None):
        ...         return ops.multiply(upstream, 1.0 - 1.0 / ops.add(1, e))
        ...     return ops.log(1 + e), grad
    """
    from ...autograd.function import Function as _Function

    class _Custom(_Function):
        NAME = "CustomGradientFunctionBackward"

        def forward(self, *arrays, fn=None):
            self.inputs = [Tensor._make(a) for a in arrays]
            with ember.no_grad():
                out, self.grad_fn = fn(*self.inputs)
            return t(out)._data

        def backward(self, g):
            with ember.no_grad():
                grads = self.grad_fn(*self.inputs, upstream=Tensor._make(g))
            grads = grads if isinstance(grads, (list, tuple)) else (grads,)
            return tuple(None if gr is None else t(gr)._data for gr in grads)

    def wrapper(*args):
        return _Custom.apply(*(t(a) for a in args), fn=f)
    wrapper.__name__ = getattr(f, "__name__", "custom_gradient")
    wrapper.__doc__ = f.__doc__
    return wrapper


__all__ = ["associative_scan", "cast", "cond", "convert_to_numpy", "convert_to_tensor",
           "custom_gradient", "dtype", "fori_loop", "is_tensor", "map", "saturate_cast",
           "scan", "scatter", "scatter_update", "shape", "slice", "slice_update",
           "stop_gradient", "switch", "unstack", "vectorized_map", "while_loop"]
