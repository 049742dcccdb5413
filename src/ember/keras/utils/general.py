"""Keras's general utilities: ``to_categorical``, ``normalize``, ``pad_sequences``,
``set_random_seed``, ``clear_session`` and the interactive-logging switches.

Example::

    >>> keras.utils.to_categorical([0, 2], num_classes=3)
    array([[1., 0., 0.],
           [0., 0., 1.]], dtype=float32)
    >>> keras.utils.pad_sequences([[1, 2], [3, 4, 5, 6]], maxlen=3)
    array([[0, 1, 2],
           [4, 5, 6]], dtype=int32)
"""
from __future__ import annotations

import random as _pyrandom

import numpy as np

from ... import random as _random
from .. import ops


def to_categorical(x, num_classes=None) -> np.ndarray:
    """One-hot encodes integer class labels (a trailing axis of size 1 is dropped), as float32
    (Keras returns float64 for NumPy input; ember keeps float32, its default)."""
    labels = np.asarray(x._data if hasattr(x, "_data") else x)
    if labels.ndim > 1 and labels.shape[-1] == 1:
        labels = labels[..., 0]
    if labels.size and (labels.min() < 0 or not np.all(labels == np.round(labels))):
        raise ValueError(f"to_categorical expects non-negative integer labels, received min "
                         f"{labels.min()}")
    labels = labels.astype(np.int64)
    n = int(labels.max()) + 1 if num_classes is None else int(num_classes)
    if labels.size and labels.max() >= n:
        raise ValueError(f"Label {int(labels.max())} is out of range for num_classes={n}")
    return np.eye(n, dtype=np.float32)[labels]


def normalize(x, axis=-1, order=2):
    """``x`` divided by its ``order``-norm along ``axis`` (zero norms left as they are); a NumPy
    array gives a NumPy array, anything else a Tensor (``keras.ops.normalize``)."""
    if isinstance(x, np.ndarray):
        norm = np.atleast_1d(np.linalg.norm(x, order, axis))
        norm[norm == 0] = 1
        return x / np.expand_dims(norm, axis or -1)
    return ops.normalize(x, axis=axis, order=order)


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre",
                  value=0.0):
    """Sequences of different lengths as one array of shape ``(n, maxlen, ...)``: shorter ones
    padded with ``value`` (before, or after with ``padding='post'``), longer ones cut (their
    start, or their end with ``truncating='post'``).

    Args:
        sequences: a list of lists (or arrays) of values or of equal-shaped items.
        maxlen: the length to pad or cut to (default: the longest sequence).
        dtype, value: the output's dtype and the padding value.
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError("`sequences` must be iterable.")
    lengths, item_shape = [], None
    for s in sequences:
        try:
            lengths.append(len(s))
        except TypeError:
            raise ValueError(f"`sequences` must be a list of iterables. Found non-iterable: "
                             f"{s}") from None
        if item_shape is None and len(s):
            item_shape = np.asarray(s).shape[1:]
    item_shape = item_shape or ()
    if maxlen is None:
        maxlen = max(lengths) if lengths else 0
    text = np.issubdtype(dtype, np.str_) or np.issubdtype(dtype, np.bytes_)
    if isinstance(value, str) and dtype is not object and not text:
        raise ValueError(f"`dtype` {dtype} is not compatible with `value`'s type: {type(value)}\n"
                         f"You should set `dtype=object` for variable length strings.")
    if padding not in ("pre", "post"):
        raise ValueError(f'Padding type "{padding}" not understood')
    if truncating not in ("pre", "post"):
        raise ValueError(f'Truncating type "{truncating}" not understood')
    out = np.full((len(lengths), maxlen) + tuple(item_shape), value, dtype=dtype)
    for i, s in enumerate(sequences):
        if not len(s) or not maxlen:
            continue
        kept = np.asarray(s[-maxlen:] if truncating == "pre" else s[:maxlen], dtype=dtype)
        if kept.shape[1:] != tuple(item_shape):
            raise ValueError(f"Shape of sample {kept.shape[1:]} of sequence at position {i} is "
                             f"different from expected shape {tuple(item_shape)}")
        if padding == "post":
            out[i, :len(kept)] = kept
        else:
            out[i, -len(kept):] = kept
    return out


def set_random_seed(seed: int) -> None:
    """Seeds ember's global generator, NumPy's legacy global one and Python's ``random``, and
    re-creates ``keras.random``'s global SeedGenerator from them (Keras's reproducibility)."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(f"Expected `seed` argument to be an integer. Received: seed={seed} "
                         f"(of type {type(seed)})")
    from ..random import reset_global_seed_generator
    reset_global_seed_generator()
    _random.manual_seed(seed)
    np.random.seed(seed % (2 ** 32))
    _pyrandom.seed(seed)


def clear_session(free_memory=True) -> None:
    """Forgets the automatic layer names given so far (the next Dense is ``dense`` again), as
    ``keras.utils.clear_session()`` does."""
    from .._utils import _NAME_COUNTS
    _NAME_COUNTS.clear()


_INTERACTIVE = [True]


def enable_interactive_logging() -> None:
    """Progress output goes to stdout (the default)."""
    _INTERACTIVE[0] = True


def disable_interactive_logging() -> None:
    """Keras's switch for progress output; ember records it (``is_interactive_logging_enabled``)."""
    _INTERACTIVE[0] = False


def is_interactive_logging_enabled() -> bool:
    return _INTERACTIVE[0]
