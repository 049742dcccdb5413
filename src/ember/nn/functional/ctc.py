"""``ctc_loss``: connectionist temporal classification with torch's arguments, checks and
numbers; the recursions and the gradient are one node, :class:`ember.ops.ctc.CtcLoss`.

Example::

    >>> import ember.nn.functional as F
    >>> log_probs = ember.randn(50, 16, 20).log_softmax(2).requires_grad_()  # (T, N, C)
    >>> targets = ember.randint(1, 20, (16, 30))                             # (N, S)
    >>> input_lengths = ember.full((16,), 50, dtype=ember.long)
    >>> target_lengths = ember.randint(10, 30, (16,))
    >>> F.ctc_loss(log_probs, targets, input_lengths, target_lengths).backward()
"""
from __future__ import annotations

import numpy as np

from ...ops import ctc
from ...ops._util import as_tensor
from .loss import _check_reduction

__all__ = ["ctc_loss"]

_WHERE = " (while checking arguments for ctc_loss_allocate_outputs)"


def _lengths(values, name: str, batch: int, unbatched: bool) -> np.ndarray:
    array = np.asarray(getattr(values, "_data", values))
    if array.dtype.kind not in "iu":
        if array.dtype.kind == "b" or array.size == 0 and array.dtype.kind == "f":
            array = array.astype(np.int64)
        else:
            raise RuntimeError(f"{name} must be integral")
    array = array.astype(np.int64).reshape(-1) if not (unbatched and array.ndim == 0) else \
        array.astype(np.int64).reshape(1)
    if array.shape[0] != batch:
        raise RuntimeError(f"{name} must be of size batch_size")
    if array.size and array.min() < 0:
        raise RuntimeError(f"Expected {name} to have value at least 0, but got value "
                           f"{int(array.min())}{_WHERE}")
    return array


def _padded_targets(targets, target_lengths: np.ndarray, batch: int, classes: int,
                    unbatched: bool) -> np.ndarray:
    """(N, S) class indices: torch's padded 2-D form, or its 1-D concatenation split up."""
    t = np.asarray(getattr(targets, "_data", targets))
    if unbatched and t.ndim == 1:
        t = t[None]
    longest = int(target_lengths.max()) if target_lengths.size else 0
    if t.ndim == 2:
        if t.shape[0] != batch:
            raise RuntimeError(f"Expected tensor to have size {batch} at dimension 0, but got "
                               f"size {t.shape[0]} for argument #2 'targets'{_WHERE}")
        if t.shape[1] < longest:
            raise RuntimeError(f"Expected tensor to have size at least {longest} at dimension 1, "
                               f"but got size {t.shape[1]} for argument #2 'targets'{_WHERE}")
        padded = t[:, :longest].astype(np.int64)
        used = np.arange(longest)[None] < target_lengths[:, None]
    elif t.ndim == 1:
        total = int(target_lengths.sum())
        if t.shape[0] != total:
            raise RuntimeError(f"Expected tensor to have size {total} at dimension 0, but got "
                               f"size {t.shape[0]} for argument #2 'targets'{_WHERE}")
        used = np.arange(longest)[None] < target_lengths[:, None]
        padded = np.zeros((batch, longest), np.int64)
        padded[used] = t.astype(np.int64)
    else:
        raise RuntimeError(f"ctc_loss: targets must be 1-D (concatenated) or 2-D (padded), got "
                           f"shape {tuple(t.shape)}")
    bad = used & ((padded < 0) | (padded >= classes))
    if bad.any():
        raise RuntimeError(f"ctc_loss: target class {int(padded[bad][0])} is out of range for "
                           f"log_probs with {classes} classes")
    return np.where(used, padded, 0)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank: int = 0,
             reduction: str = "mean", zero_infinity: bool = False):
    """The CTC loss of ``targets`` given per-frame ``log_probs``.

    Args:
        log_probs: ``(T, N, C)`` (or ``(T, C)`` unbatched) log-probabilities, e.g.
            ``log_softmax(logits, 2)``.
        targets: ``(N, S)`` padded class indices, or their 1-D concatenation of
            ``sum(target_lengths)`` entries; never ``blank``.
        input_lengths, target_lengths: ``(N,)`` lengths (tensors, or tuples of ints).
        blank: the blank class. reduction: ``'mean'`` (each loss divided by its target length,
            then averaged), ``'sum'`` or ``'none'``. zero_infinity: impossible alignments give
            0 (and zero gradient) instead of inf.
    """
    _check_reduction(reduction)
    log_probs = as_tensor(log_probs)
    if log_probs._data.dtype.kind != "f":
        raise NotImplementedError(f'"ctc_loss_cpu" not implemented for '
                                  f"'{log_probs.dtype.name.capitalize()}'")
    if log_probs.ndim not in (2, 3):  # torch counts a fewer-dimensional input as unbatched
        shown = log_probs.ndim + 1 if log_probs.ndim < 2 else log_probs.ndim
        raise RuntimeError(f"Expected 3-dimensional tensor, but got {shown}-dimensional "
                           f"tensor for argument #1 'log_probs'{_WHERE}")
    unbatched = log_probs.ndim == 2
    if unbatched:
        log_probs = log_probs.unsqueeze(1)
    frames, batch, classes = log_probs.shape
    if not 0 <= blank < classes:
        raise RuntimeError("blank must be in label range")
    inputs = _lengths(input_lengths, "input_lengths", batch, unbatched)
    lengths = _lengths(target_lengths, "target_lengths", batch, unbatched)
    if inputs.size and inputs.max() > frames:
        raise RuntimeError(f"Expected input_lengths to have value at most {frames}, but got value "
                           f"{int(inputs.max())}{_WHERE}")
    padded = _padded_targets(targets, lengths, batch, classes, unbatched)
    return ctc.CtcLoss.apply(log_probs, padded, inputs, lengths, blank=int(blank),
                             reduction=reduction, zero_infinity=bool(zero_infinity),
                             unbatched=unbatched)
