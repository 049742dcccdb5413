"""Version counters: torch's check that a tensor saved for backward was not changed in place.

Every in-place change of a tensor's memory (``x.add_``, ``x[i] = v``, ``fill_``, ``nn.init``)
calls :func:`bump`; an optimizer step calls :func:`bump_records` once for all its parameters,
with records it keeps from step to step (a few attribute updates per parameter). The count is
kept per block of memory, so views and ``detach()``-ed tensors share it as in torch (``.data``
opts out, as in torch). Each change also takes a number from a global counter,
:data:`ember.autograd.function.EPOCH`, and every node notes the number current when it was
recorded. The backward pass compares the two: a node recorded after the last change (the
training loop's normal case) costs one comparison; only an older node has its saved arrays
looked up here, and one of them changed since the node saved it raises torch's error.

Example::

    >>> x = ember.tensor([1.0, 2.0], requires_grad=True)
    >>> y = x.exp()              # saves its output for backward
    >>> y.add_(1)                # changes it in place
    tensor([3.7183, 8.3891], grad_fn=<AddBackward0>)
    >>> y._version
    1
    >>> y.sum().backward()
    Traceback (most recent call last):
    RuntimeError: one of the variables needed for gradient computation has been modified by an
    inplace operation: [torch.FloatTensor [2]], which is output 0 of Exp, is at version 1; ...
"""
from __future__ import annotations

import collections
import re
import weakref

import numpy as np

from . import function as _function

__all__ = ["bump", "bump_all", "bump_records", "records", "replaced", "version_of", "check_saved",
           "inplace_error"]

_HISTORY = 8  # changes remembered per block of memory (to say which version a node expected)
_ndarray = np.ndarray  # bound once: looking it up on the module costs more than the checks here


class _Writes:
    """The in-place history of one block of memory (a tensor, its views and detached copies)."""

    __slots__ = ("version", "changes", "after", "moved")

    def __init__(self) -> None:
        self.version = 0
        self.moved = None    # the record of the memory the tensor moved to (an in-place op
        #                      recorded out of place), whose count continues this one's
        # recent changes: (EPOCH, the version before it)
        self.changes = collections.deque(maxlen=_HISTORY)
        self.after = None    # the name of the tensor's node after the last change


#: ember.autograd.views' check of a view made in no_grad mode changed with grad mode on (set there)
_no_grad_view_check = None
_WRITES: dict = {}  # id(root array) -> (weak reference to it, its _Writes)


def _root(arr: np.ndarray) -> np.ndarray:
    """The array that owns ``arr``'s memory (views share it)."""
    base = arr.base
    while base is not None:
        if not isinstance(base, _ndarray):  # as_strided's wrapper holds the array in .base
            base = getattr(base, "base", None)
            if not isinstance(base, _ndarray):
                break
        arr, base = base, base.base
    return arr


def _entry(root: np.ndarray):
    found = _WRITES.get(id(root))
    return found[1] if found is not None and found[0]() is root else None


def _track(root: np.ndarray, entry: "_Writes") -> "_Writes":
    key = id(root)
    _WRITES[key] = (weakref.ref(root, lambda _, key=key: _WRITES.pop(key, None)), entry)
    return entry


def _latest(entry: "_Writes") -> "_Writes":
    while entry.moved is not None:
        entry = entry.moved
    return entry


def version_of(tensor) -> int:
    """``tensor._version``: how many times its memory was changed in place."""
    entry = _entry(_root(tensor._data))
    return 0 if entry is None else _latest(entry).version


def _record(root: np.ndarray, grad_fn_after) -> "_Writes":
    _function.EPOCH += 1
    entry = _entry(root) or _track(root, _Writes())
    entry.changes.append((_function.EPOCH, entry.version))
    entry.version += 1
    entry.after = None if grad_fn_after is None else grad_fn_after.name()
    return entry


def bump(tensor) -> None:
    """Counts an in-place change written into ``tensor``'s memory."""
    if getattr(tensor, "_untracked", False):  # torch's .data shares memory, not the counter
        return
    _record(_root(tensor._data), tensor.grad_fn)
    if _no_grad_view_check is not None and getattr(tensor, "_vw", None) is not None:
        _no_grad_view_check(tensor)


def records(tensors) -> list:
    """The version records of ``tensors``' memory, for :func:`bump_records` (an optimizer keeps
    them from step to step while its parameters keep their arrays)."""
    out = []
    for t in tensors:
        root = _root(t._data)
        out.append(_entry(root) or _track(root, _Writes()))
    return out


def bump_records(entries, writes: int = 1) -> None:
    """Counts ``writes`` in-place changes (torch's kernels make one or more per step) of each
    tensor whose record is in ``entries``, at once: an optimizer step on its parameters."""
    _function.EPOCH += 1
    epoch = _function.EPOCH
    for entry in entries:
        entry.changes.append((epoch, entry.version))
        entry.version += writes


def bump_all(tensors, writes: int = 1) -> None:
    """:func:`bump_records` for ``tensors`` (leaves, such as parameters: no node made them)."""
    bump_records(records(tensors), writes)


def replaced(tensor, new_data: np.ndarray, new_grad_fn, also=None) -> None:
    """An in-place op recorded out of place: ``tensor`` is about to hold ``new_data`` made by
    ``new_grad_fn``. Its old memory counts as changed (nodes that saved it must not use it) and
    keeps its own history; the new memory continues the tensor's count. ``new_grad_fn``, the node
    of the change, saw the old values: it counts as recorded after the change (torch keeps an
    original for it). ``also``: another array whose changes count as the new memory's (the result
    an in-place op on a view copied into the new memory; its node may have saved it)."""
    old = _record(_root(tensor._data), new_grad_fn)
    new = _track(_root(new_data), _Writes())
    if also is not None:
        _track(_root(also), new)
    new.version, new.after, old.moved = old.version, old.after, new
    if new_grad_fn is not None:
        new_grad_fn._epoch = _function.EPOCH


def check_saved(node) -> None:
    """Raises torch's error when an array ``node`` saved was changed in place after it was recorded
    (called by the backward pass only for nodes older than the last change). The arrays are those
    torch saves: the inputs and output :attr:`Function.SAVES` names, else what forward kept on the
    node (a node keeps its result as ``self.out``, the ops' convention). torch names a saved output
    after the node, any other saved tensor after the node that last changed it."""
    saved = node.__dict__.get("torch_saved")
    if saved is None:
        out = node.__dict__.get("out")
        saved = [(arr, arr is out) for value in node.__dict__.values()
                 for arr in (value if isinstance(value, (tuple, list)) else (value,))]
    for arr, is_out in saved:
        if type(arr) is not _ndarray:
            continue
        entry = _entry(_root(arr))
        if entry is None:
            continue
        for epoch, expected in entry.changes:
            if epoch > node._epoch:  # the first change since the node saved it
                now = _latest(entry)
                raise inplace_error(arr, node.name() if is_out else now.after, now.version, expected)


_BACKWARD = re.compile(r"Backward\d*$")  # torch names the forward op: Exp for ExpBackward0
_LEGACY = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
           "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def inplace_error(arr: np.ndarray, producer, version: int, expected: int) -> RuntimeError:
    """torch's message: the saved tensor's type and shape, the node that made it, its versions."""
    kind = _LEGACY.get(arr.dtype.name, arr.dtype.name)
    made_by = "" if producer is None else f", which is output 0 of {_BACKWARD.sub('', producer)},"
    return RuntimeError(
        f"one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [torch.{kind}Tensor [{', '.join(str(n) for n in arr.shape)}]]{made_by} is at "
        f"version {version}; expected version {expected} instead. Hint: the tensor was changed in "
        f"place after an operation saved it for backward; change a copy (x = x.clone()) or make the "
        f"change after backward().")
