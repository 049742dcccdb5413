"""Data for ``fit``/``evaluate``/``predict``: arrays (or lists/dicts of arrays, one per model
input or output) cut into batches, or the ready-made batches of a loader.

A batch reaches ``train_step``/``test_step`` as Keras's torch backend passes it: ``(x,)``,
``(x, y)`` or ``(x, y, sample_weight)``, each part a Tensor or a list/dict of Tensors.

Example::

    >>> pack_x_y_sample_weight(features, labels)
    (features, labels)
"""
from __future__ import annotations

import math

import numpy as np

from ... import random as _random
from ..._tensor import Tensor
from .. import _tree
from .._utils import to_array
from ..utils.data import unpack_x_y_sample_weight

__all__ = ["unpack_x_y_sample_weight", "pack_x_y_sample_weight", "to_arrays", "to_tensors",
           "check_lengths", "take", "is_batch_iterable", "class_weights_to_sample",
           "array_batches", "split_validation", "steps_of"]


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """The tuple a step receives: ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``."""
    if y is None:
        return (x,)
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def _is_array(v) -> bool:
    return isinstance(v, (np.ndarray, Tensor)) or hasattr(v, "to_numpy")


def _is_structure(v) -> bool:
    """A dict, or a list/tuple of arrays (one per model input/output); a nested list of numbers
    is one array."""
    if isinstance(v, dict):
        return True
    return isinstance(v, (list, tuple)) and bool(v) and all(
        x is None or _is_array(x) or _is_structure(x) for x in v)


def to_arrays(struct):
    """Every array of ``struct`` as a NumPy array (floats as float32, like Keras); None stays."""
    if struct is None:
        return None
    if _is_structure(struct):
        items = struct.items() if isinstance(struct, dict) else enumerate(struct)
        out = {k: to_arrays(v) for k, v in items}
        return out if isinstance(struct, dict) else [out[i] for i in range(len(struct))]
    return to_array(struct)


def to_tensors(struct):
    return _tree.map_structure(lambda v: None if v is None else Tensor._make(v), struct)


def check_lengths(x, y=None, sample_weight=None) -> int:
    """The number of samples, after checking every array has it (Keras's message if not)."""
    sizes = {}
    for name, struct in (("x", x), ("y", y), ("sample_weight", sample_weight)):
        if struct is None:
            continue
        leaves = [a for a in _tree.flatten(struct) if a is not None]
        for a in leaves:
            if a.ndim == 0:
                raise ValueError(f"Expected `{name}` to have at least one dimension (samples), "
                                 f"received a scalar")
        if leaves:
            sizes[name] = [a.shape[0] for a in leaves]
    flat = {s for v in sizes.values() for s in v}
    if len(flat) > 1:
        detail = "\n".join(f"'{k}' sizes: {', '.join(str(s) for s in v)}"
                           for k, v in sizes.items())
        raise ValueError(f"Data cardinality is ambiguous. Make sure all arrays contain the same "
                         f"number of samples.\n{detail}")
    if not flat:
        raise ValueError("Expected `x` to be data (arrays), received no arrays")
    return flat.pop()


def take(struct, index):
    """The samples ``index`` (a slice or an index array) of every array in ``struct``."""
    return _tree.map_structure(lambda a: None if a is None else a[index], struct)


def is_batch_iterable(x) -> bool:
    """True for a DataLoader or another iterable of ready-made batches (not for array data)."""
    return (x is not None and hasattr(x, "__iter__") and not hasattr(x, "to_numpy")
            and not isinstance(x, (np.ndarray, list, tuple, Tensor, str, dict)))


def class_weights_to_sample(class_weight: dict, y) -> np.ndarray:
    """Per-sample weights from ``{class: weight}`` and the targets (one-hot or indices)."""
    if _tree.is_nested(y):
        raise ValueError("`class_weight` is only supported for Models with a single output.")
    if y.ndim == 2 and y.shape[1] > 1:
        labels = np.argmax(y, axis=1)
    else:
        labels = np.round(y.reshape(len(y), -1)[:, 0]).astype(np.int64)
    missing = set(np.unique(labels).tolist()) - set(int(k) for k in class_weight)
    if missing:
        raise ValueError(f"`class_weight` must contain all classes in the data. The classes "
                         f"{sorted(missing)} exist in the data but not in `class_weight`.")
    table = {int(k): float(v) for k, v in class_weight.items()}
    return np.array([table[int(c)] for c in labels], np.float32)


def split_validation(x, y, sw, n: int, validation_split: float):
    """Keras's split: the *last* fraction of the samples (before any shuffling) validates."""
    split = int(math.floor(n * (1.0 - validation_split)))
    if split == 0 or split == n:
        raise ValueError(f"validation_split={validation_split} leaves an empty training or "
                         f"validation set for {n} samples")
    head, tail = slice(0, split), slice(split, n)
    return (take(x, head), take(y, head), take(sw, head), split), \
        (take(x, tail), take(y, tail), take(sw, tail))


def array_batches(x, y, sw, n: int, batch_size: int, shuffle: bool):
    """A function returning one epoch's iterator of ``(x, y, sw)`` array batches."""
    def epoch():
        order = _random._gen().permutation(n) if shuffle else None
        for start in range(0, n, batch_size):
            index = slice(start, start + batch_size) if order is None else \
                order[start:start + batch_size]
            yield take(x, index), take(y, index), take(sw, index)
    return epoch


def steps_of(loader, steps) -> int:
    """How many batches to take from a loader (``steps`` caps it; a len() is needed without)."""
    if steps is not None:
        return int(steps) if not hasattr(loader, "__len__") else min(int(steps), len(loader))
    if not hasattr(loader, "__len__"):
        raise ValueError(f"Cannot tell how many batches {type(loader).__name__} yields: pass "
                         f"`steps_per_epoch` (or `steps`), or give an object with len()")
    return len(loader)


def loader_batch(batch, need_y=True):
    """One loader batch ``(x, y[, sample_weight])`` (Tensors or arrays) as arrays."""
    x, y, sw = unpack_x_y_sample_weight(batch)
    if need_y and y is None:
        raise ValueError("The batches carry no targets: expected (x, y) or (x, y, sample_weight)")
    x, y, sw = to_arrays(x), to_arrays(y), to_arrays(sw)
    check_lengths(x, y, sw)
    return x, y, sw
