"""Connectionist temporal classification loss (Graves et al., 2006): the negative
log-likelihood of a label sequence summed over every alignment of it to the input frames,
computed by the forward (alpha) and backward (beta) recursions in log space, vectorised over
the batch and the extended label sequence (one step of NumPy per frame).

The gradient is torch's: with respect to ``log_probs`` it is ``exp(log_probs) - γ``, where
``γ[t, n, c]`` is the posterior probability that frame ``t`` emits class ``c``; that is the
gradient with respect to the logits when ``log_probs = log_softmax(logits)`` (the log-softmax
backward then leaves it unchanged, since every frame's ``γ`` and ``exp(log_probs)`` sum to 1),
which is how CTC is used. Frames past an input's length get zero gradient.

Example::

    >>> import numpy as np
    >>> from ember.ops.ctc import CtcLoss
    >>> lp = ember.randn(6, 2, 5).log_softmax(2).requires_grad_()
    >>> targets = np.array([[1, 2], [3, 0]]); lengths = np.array([2, 1])
    >>> CtcLoss.apply(lp, targets, np.array([6, 4]), lengths)
    tensor(..., grad_fn=<MeanBackward0>)
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function

_LABELS = {"mean": "MeanBackward0", "sum": "SumBackward0"}


def _logsumexp(*terms: np.ndarray) -> np.ndarray:
    """Elementwise log(Σ exp(terms)), -inf where every term is -inf."""
    top = np.maximum.reduce(terms)
    safe = np.where(np.isfinite(top), top, 0)
    total = sum(np.exp(t - safe) for t in terms)
    with np.errstate(divide="ignore"):
        return np.log(total) + safe


def _shift(a: np.ndarray, k: int, fill) -> np.ndarray:
    """``a`` moved ``k`` places along the last axis (right for k > 0), padded with ``fill``."""
    out = np.full_like(a, fill)
    if k > 0:
        out[..., k:] = a[..., :-k]
    else:
        out[..., :k] = a[..., -k:]
    return out


class CtcLoss(Function):
    """``forward(log_probs (T, N, C), targets (N, S) padded, input_lengths (N,),
    target_lengths (N,), blank, reduction, zero_infinity, unbatched)``: the loss per sequence
    (``reduction="none"``), their sum, or the mean of each loss divided by its target length
    (torch's ``"mean"``)."""

    NAME = "CtcLossBackward0"

    def forward(self, log_probs, targets, input_lengths, target_lengths, blank=0,
                reduction="mean", zero_infinity=False, unbatched=False):
        lp = log_probs
        T, N, _ = lp.shape
        neg = lp.dtype.type(-np.inf)
        L = 2 * targets.shape[1] + 1
        ext = np.full((N, L), blank, np.int64)              # blank, l1, blank, l2, ..., blank
        ext[:, 1::2] = targets
        ends = 2 * target_lengths + 1                        # each extended sequence's length
        valid = np.arange(L)[None] < ends[:, None]
        skip = np.zeros((N, L), bool)                        # s may follow s - 2 directly
        skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
        emit = np.take_along_axis(lp, np.broadcast_to(ext[None], (T, N, L)), axis=2)
        emit = np.where(valid[None], emit, neg)              # (T, N, L)

        alpha = np.full((T, N, L), neg)
        alpha[0, :, :2] = emit[0, :, :2]
        for t in range(1, T):
            a = alpha[t - 1]
            alpha[t] = _logsumexp(a, _shift(a, 1, neg), np.where(skip, _shift(a, 2, neg), neg)) \
                + emit[t]
        last = np.maximum(input_lengths - 1, 0)
        rows = np.arange(N)
        final = alpha[last, rows]                            # (N, L) at each input's last frame
        end_1 = final[rows, ends - 1]
        end_2 = np.where(ends >= 2, final[rows, np.maximum(ends - 2, 0)], neg)
        nll = -_logsumexp(end_1, end_2)
        empty = input_lengths == 0                           # no frames: only "" is possible
        nll = np.where(empty, np.where(target_lengths == 0, 0, np.inf), nll).astype(lp.dtype)
        self.save = (emit, alpha, ext, skip, valid, ends, nll)
        self.shape_info = (lp, input_lengths, target_lengths)
        self.reduction, self.zero_infinity, self.unbatched = reduction, zero_infinity, unbatched
        loss = nll
        if zero_infinity:
            loss = np.where(np.isinf(nll), 0, nll).astype(lp.dtype)
        if reduction == "none":
            if zero_infinity:
                self.label = "WhereBackward0"
            return loss[0] if unbatched else loss
        self.label = _LABELS[reduction]
        if reduction == "sum":
            return np.asarray(loss.sum(), lp.dtype)
        return np.asarray((loss / np.maximum(target_lengths, 1)).mean(), lp.dtype)

    def _beta(self, emit, skip, input_lengths, ends):
        T, N, L = emit.shape
        neg = emit.dtype.type(-np.inf)
        beta = np.full((T, N, L), neg)
        s = np.arange(L)[None]
        at_end = (s == ends[:, None] - 1) | (s == ends[:, None] - 2)
        skip_next = _shift(skip, -2, False)                  # s + 2 may be reached from s
        nxt = np.full((N, L), neg)
        for t in range(T - 1, -1, -1):
            step = _logsumexp(nxt, _shift(nxt, -1, neg), np.where(skip_next, _shift(nxt, -2, neg),
                                                                    neg)) + emit[t]
            start = (t == input_lengths - 1)[:, None]
            inside = (t < input_lengths - 1)[:, None]
            beta[t] = np.where(start, np.where(at_end, emit[t], neg), np.where(inside, step, neg))
            nxt = beta[t]
        return beta

    def backward(self, g):
        emit, alpha, ext, skip, valid, ends, nll = self.save
        lp, input_lengths, target_lengths = self.shape_info
        T, N, C = lp.shape
        L = ext.shape[1]
        beta = self._beta(emit, skip, input_lengths, ends)
        with np.errstate(invalid="ignore", over="ignore"):
            share = np.exp(alpha + beta + nll[None, :, None] - emit)   # (T, N, L); nan if inf
        share = np.where(valid[None], share, 0)
        index = (np.arange(T)[:, None, None] * N + np.arange(N)[None, :, None]) * C + ext[None]
        gamma = np.bincount(index.ravel(), weights=share.ravel(), minlength=T * N * C)
        grad = np.exp(lp) - gamma.reshape(T, N, C).astype(lp.dtype)
        g = np.asarray(g, lp.dtype)
        if self.reduction == "none":
            scale = g.reshape(1) if self.unbatched else g
        elif self.reduction == "sum":
            scale = np.full(N, g, lp.dtype)
        else:
            scale = g / np.maximum(target_lengths, 1).astype(lp.dtype) / N
        impossible = np.isinf(nll)[None, :, None]  # no alignment: torch's 0 or nan
        grad = np.where(impossible, 0 if self.zero_infinity else np.nan, grad)
        grad = grad * scale[None, :, None]
        grad[np.arange(T)[:, None] >= input_lengths[None, :]] = 0   # frames past each input
        return grad.astype(lp.dtype, copy=False), None, None, None
