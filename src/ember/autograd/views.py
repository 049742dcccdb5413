"""Views and in-place changes: torch's view tracking, ``CopySlices`` and regenerated view history.

A tensor whose array an op returned as a NumPy view of its first input's memory is a *view*
(:func:`note_view`, called by :meth:`Function.apply` for every such output, so no view op needs
code of its own): it remembers its *base* (views of views remember the root base, as torch's
``_base``) and how it was created (grad mode on or off, one of several outputs of ``unbind``/
``split``/``chunk``); the base keeps weak references to its views.

An in-place op that records a gradient (``x.mul_(y)``, ``x[i] = v``, ``F.relu(x, inplace=True)``,
...) runs out of place and hands its result to ``Tensor._assign``. When the changed tensor is a
view or has views, :func:`rebase` does what torch does:

* memory: the base and its views move together into a copy of their memory, and the result is
  written into the changed region there, so the base and every view see the new values (the old
  memory stays as it was for the nodes that saved it, and counts as changed for the version check);
* history: a changed view gives its base a ``CopySlices`` node (torch's name) that sends the
  gradient of the changed region into the in-place op's history and the rest to the base's old
  history; every view then gets a node that reads its region of the base's new history
  (torch's ``AsStridedBackward0``);
* errors: torch's messages for views of leaves, views made in no_grad mode and outputs of
  functions that return several views.

Example::

    >>> a = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> b = a * 1
    >>> v = b[:2]
    >>> v.mul_(2)
    tensor([2., 4.], grad_fn=<AsStridedBackward0>)
    >>> b
    tensor([2., 4., 3.], grad_fn=<CopySlices>)
    >>> b.sum().backward()
    >>> a.grad
    tensor([2., 2., 1.])
"""
from __future__ import annotations

import re
import weakref

import numpy as np

from . import function as _function
from . import versions as _versions
from .function import Function
from .grad_mode import STATE

__all__ = ["ViewInfo", "note_view", "mark_custom_view", "mark_multi_output", "rebase", "positions",
           "CopySlices", "AsStridedView"]

DEFAULT, NO_GRAD, MULTI_OUTPUT, CUSTOM = "default", "no_grad", "multi_output", "custom"
_PRUNE_AT = 64  # a base's list of weak references is cleaned when it reaches a power of 2 above


class ViewInfo:
    """What a view knows of itself: its root ``base``, how it was made (``meta``), and its place
    among the outputs of the op that made it (``output_nr``)."""

    __slots__ = ("base", "meta", "output_nr")

    def __init__(self, base, meta: str, output_nr: int = 0) -> None:
        self.base, self.meta, self.output_nr = base, meta, output_nr


def note_view(out, x) -> None:
    """Records ``out`` as a view of tensor ``x`` when its array is a view of ``x``'s memory."""
    if not isinstance(x, _function._Tensor):
        return
    if _versions._root(out._data) is not _versions._root(x._data):
        return
    meta = DEFAULT if STATE.enabled else NO_GRAD
    info = getattr(x, "_vw", None)
    if info.__class__ is ViewInfo:  # a view of a view: torch keeps the root base and its meta
        base = info.base
        if info.meta != DEFAULT:
            meta = info.meta
    else:
        base = x
    out._vw = ViewInfo(base, meta)
    views = getattr(base, "_vw", None)
    if views is None:
        base._vw = [weakref.ref(out)]
    else:
        views.append(weakref.ref(out))
        n = len(views)
        if n >= _PRUNE_AT and not n & (n - 1):
            views[:] = [r for r in views if r() is not None]


def mark_custom_view(out, x, output_nr: int) -> None:
    """Marks ``out`` (a custom Function's output that is its input ``x`` returned as-is) as torch
    does: a view of ``x`` that may not be changed in place while its history is recorded."""
    note_view(out, x)
    info = getattr(out, "_vw", None)
    if info.__class__ is ViewInfo:
        info.meta, info.output_nr = CUSTOM, output_nr


def mark_multi_output(outputs) -> tuple:
    """Marks the views among ``outputs`` (of ``unbind``/``split``/``chunk``) as torch does: such
    views may not be changed in place while their history is recorded."""
    for i, out in enumerate(outputs):
        info = getattr(out, "_vw", None)
        if info.__class__ is ViewInfo and info.meta == DEFAULT:
            info.meta = MULTI_OUTPUT if STATE.enabled else NO_GRAD
            info.output_nr = i
    return outputs


class CopySlices(Function):
    """The base's node after one of its views was changed in place: the gradient of the changed
    region goes to the in-place op's node, the rest to the base's previous history."""

    NAME = "torch::autograd::CopySlices"

    def backward(self, g):
        flat_idx = self.idx.reshape(-1)
        region = g.reshape(-1)[flat_idx].reshape(self.idx.shape)
        rest = None
        if self.next_functions[0] is not None:
            rest = np.array(g, copy=True, order="C")
            rest.reshape(-1)[flat_idx] = 0
        return rest, region


class AsStridedView(Function):
    """A view's node made again from its base's new history: the view's gradient lands on the
    base elements it covers (summed where elements repeat)."""

    NAME = "AsStridedBackward0"

    def backward(self, g):
        flat = np.bincount(self.idx.reshape(-1), weights=np.asarray(g, np.float64).reshape(-1),
                           minlength=int(np.prod(self.base_shape)))
        return (flat.astype(g.dtype, copy=False).reshape(self.base_shape),)


class _ViewHistoryError(Function):
    """The node of a view whose history torch refuses to make again: backward raises its error."""

    NAME = "AsStridedBackward0"

    def backward(self, g):
        raise RuntimeError(self.message)


def _node(cls, next_functions, **attrs):
    node = cls()
    node.next_functions = tuple(next_functions)
    node._retained, node._freed, node._epoch = None, False, _function.EPOCH
    node.__dict__.update(attrs)
    return node


def _byte_offsets(a: np.ndarray) -> np.ndarray:
    out = np.zeros(a.shape, np.int64)
    for k, (n, s) in enumerate(zip(a.shape, a.strides)):
        out += (np.arange(n, dtype=np.int64) * s).reshape((-1,) + (1,) * (a.ndim - k - 1))
    return out


def positions(base: np.ndarray, view: np.ndarray) -> np.ndarray:
    """For each element of ``view`` (an array in ``base``'s memory), its flat (C-order) index in
    ``base``."""
    start = view.__array_interface__["data"][0] - base.__array_interface__["data"][0]
    offsets = start + _byte_offsets(view)
    if base.flags.c_contiguous:
        return offsets // base.itemsize
    where = _byte_offsets(base).reshape(-1)
    order = np.argsort(where, kind="stable")
    return order[np.searchsorted(where[order], offsets)]


_BACKWARD = re.compile(r"Backward\d*$")
_CUSTOM_HINT = (" This view was created inside a custom Function (or because an input was returned "
                "as-is) and the autograd logic to handle view+inplace would override the custom "
                "backward associated with the custom Function, leading to incorrect gradients. This "
                "behavior is forbidden. You can fix this by cloning the output of the custom Function.")
_NO_GRAD_HINT = (" Given that this use case is ambiguous and error-prone, it is forbidden. You can "
                 "clarify your code by moving both the view and the inplace either both inside the "
                 "no_grad block (if you don't want the inplace to be tracked) or both outside (if you "
                 "want the inplace to be tracked).")
_MULTI_HINT = (" This view is the output of a function that returns multiple views. Such functions "
               "do not allow the output views to be modified inplace. You should replace the "
               "inplace operation by an out-of-place one.")


def _view_error(view, info: ViewInfo, indirect: bool) -> str:
    """torch's message for a view whose history cannot be rewritten (``handle_view_on_rebase``)."""
    changed = "its base or another view of its base has been" if indirect else "is being"
    node = view.grad_fn
    fn = None if node is None else _BACKWARD.sub("", node.name())
    if info.meta == NO_GRAD or node is None:
        prefix = ("A view was created in" if node is None else
                  f"Output {info.output_nr} of {fn} is a view of a view which was created in")
        msg = f"{prefix} no_grad mode and {changed} modified inplace with grad mode enabled."
    else:
        msg = f"Output {info.output_nr} of {fn} is a view and {changed} modified inplace."
    hint = {MULTI_OUTPUT: _MULTI_HINT, CUSTOM: _CUSTOM_HINT}.get(info.meta, _NO_GRAD_HINT)
    return msg + hint


def _live_views(base, root) -> list:
    """The base's views that still exist and still live in its memory."""
    refs = base._vw if isinstance(getattr(base, "_vw", None), list) else []
    views = [v for v in (r() for r in refs) if v is not None and _versions._root(v._data) is root]
    base._vw = [weakref.ref(v) for v in views] if views else None
    return views


def rebase(t, result) -> bool:
    """Makes ``t`` hold ``result`` (an in-place op's out-of-place result, of ``t``'s shape and
    dtype) when ``t`` is a view or has views; False when it is neither (the caller's plain path)."""
    info = t._vw
    base = info.base if info.__class__ is ViewInfo else t
    root = _versions._root(base._data)
    if base is not t and _versions._root(t._data) is not root:  # memory replaced (x.data = ...)
        t._vw = info = None
        base = t
    views = _live_views(base, root)
    if base is t and not views:
        return False
    grad = STATE.enabled and (t.requires_grad or result.requires_grad)
    if base is not t:
        if grad and info.meta != DEFAULT:
            raise RuntimeError(_view_error(t, info, indirect=False))
        if grad and base.requires_grad and base.grad_fn is None:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                               "in-place operation.")
        if any(s == 0 and n > 1 for n, s in zip(t._data.shape, t._data.strides)):
            raise RuntimeError("unsupported operation: more than one element of the written-to "
                               "tensor refers to a single memory location. Please clone() the "
                               "tensor before performing the operation.")
    if not grad:  # nothing to record: the values go into the memory the views share
        np.copyto(t._data, result._data, casting="unsafe")
        _versions.bump(t)
        return True
    moved = _copy_memory(root)
    if moved is None:  # memory NumPy cannot copy with its layout: the plain path, views unlinked
        return False
    new_root, move = moved
    node = result.grad_fn
    if base is not t:
        old = base.grad_fn if base.grad_fn is not None else (base if base.requires_grad else None)
        node = _node(CopySlices, (old, result.grad_fn), idx=positions(base._data, t._data))
    _versions.replaced(base, new_root, node, also=result._data)
    if node is not result.grad_fn and result.grad_fn is not None:
        result.grad_fn._epoch = _function.EPOCH  # it saw the old values, kept in the old memory
    base._data = move(base._data)
    for v in views:
        v._data = move(v._data)
    np.copyto(t._data, result._data, casting="unsafe")
    base.grad_fn, base.requires_grad = node, node is not None
    if node is None:
        return True
    for v in views:
        _regenerate(v, base, indirect=v is not t)
    return True


def _regenerate(view, base, indirect: bool) -> None:
    """Gives ``view`` a node that reads its region of ``base``'s new history (torch does this
    lazily when the view is next used; its result is the same)."""
    info = view._vw
    old = view.grad_fn
    if info.meta != DEFAULT and indirect:
        node = _node(_ViewHistoryError, (), message=_view_error(view, info, indirect=True))
    else:
        node = _node(AsStridedView, (base.grad_fn,), idx=positions(base._data, view._data),
                     base_shape=base._data.shape)
    if old is not None and old._retained is not None:
        node._retained = old._retained
    view.grad_fn, view.requires_grad = node, True


def _check_bumped(t) -> None:
    """A change written straight into the memory of a view made in no_grad mode, with grad mode
    on, of a base that requires grad: torch's error (torch's view requires grad; ember's does not,
    so the change was not recorded, and the check runs as the change is counted)."""
    info = t._vw
    if info.__class__ is ViewInfo and info.meta == NO_GRAD and STATE.enabled \
            and info.base.requires_grad:
        raise RuntimeError(_view_error(t, info, indirect=False))


_function._note_view = note_view
_versions._no_grad_view_check = _check_bumped


def _copy_memory(root: np.ndarray):
    """A copy of ``root`` with the same layout, and a function that gives an array in ``root``'s
    memory the same place in the copy; None when NumPy can't keep the layout."""
    new = root.copy(order="K")
    if new.strides != root.strides:
        return None
    flat = np.ravel(new, order="K").view(np.uint8)
    origin = root.__array_interface__["data"][0]

    def move(a: np.ndarray) -> np.ndarray:
        offset = a.__array_interface__["data"][0] - origin
        return np.ndarray(a.shape, a.dtype, buffer=flat, offset=offset, strides=a.strides)
    return new, move
