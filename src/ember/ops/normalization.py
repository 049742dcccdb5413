"""Normalisation nodes: batch norm (over every axis but the channel axis 1), layer norm
(over the last ``k`` axes) and group norm (over groups of channels of each sample), each with
its affine weight and bias fused in.

``ember.nn.functional.batch_norm`` computes the statistics (and updates running ones);
these nodes normalise and differentiate.

Example::

    >>> from ember.ops.normalization import LayerNorm
    >>> LayerNorm.apply(ember.tensor([[1.0, 3.0]], requires_grad=True), None, None, k=1)
    tensor([[-1.0000,  1.0000]], grad_fn=<NativeLayerNormBackward0>)
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function


def _standardize_backward(gx, xhat, invstd, axes, reduce=None, n=None):
    """The gradient through ``xhat = (x - mean) * invstd`` when mean and variance are taken
    over ``axes`` of ``x`` itself (``gx`` is the gradient reaching ``xhat``). With ``reduce``
    (a sum across processes, SyncBatchNorm's) the statistics were taken over every process's
    ``x``: the two sums are summed across processes and ``n`` is the count over all of them."""
    if n is None:
        n = int(np.prod([gx.shape[a] for a in axes]))
    s1 = gx.sum(axis=axes, keepdims=True)
    s2 = (gx * xhat).sum(axis=axes, keepdims=True)
    if reduce is not None:
        both = reduce(np.concatenate([s1.ravel(), s2.ravel()]).astype(np.float64))
        s1, s2 = (both[:s1.size].reshape(s1.shape).astype(gx.dtype),
                  both[s1.size:].reshape(s2.shape).astype(gx.dtype))
    return (gx - s1 / n - xhat * (s2 / n)) * invstd


class BatchNorm(Function):
    """Normalises over every axis but 1, with batch statistics (training) or given ones."""

    NAME = "NativeBatchNormBackward0"

    SAVES = (0, 1)  # torch saves input and weight (ember keeps the normalised input)

    def forward(self, x, w=None, b=None, mean=None, var=None, eps=1e-5, batch_stats=True,
                reduce=None, count=None):
        """``mean``/``var`` are the batch's (biased) statistics when ``batch_stats``, else the
        running ones; either way they are per channel. ``reduce``/``count``: the statistics
        are over several processes' batches (SyncBatchNorm), ``reduce`` sums an array across
        them and ``count`` is the number of values per channel over all of them."""
        self.reduce, self.count = reduce, count
        axes = (0,) + tuple(range(2, x.ndim))
        shape = (1, -1) + (1,) * (x.ndim - 2)
        self.batch_stats = batch_stats
        invstd = 1.0 / np.sqrt(var + eps)
        self.invstd = invstd.reshape(shape).astype(x.dtype, copy=False)
        xhat = (x - mean.reshape(shape).astype(x.dtype, copy=False)) * self.invstd
        self.xhat, self.axes, self.shape = xhat, axes, shape
        self.w = None if w is None else w.reshape(shape)
        out = xhat if w is None else xhat * self.w
        if b is not None:
            out += b.reshape(shape)
        return out

    def backward(self, g):
        axes, xhat = self.axes, self.xhat
        dx = dw = db = None
        if self.needs_grad(0):
            gx = g if self.w is None else g * self.w
            if self.batch_stats:
                dx = _standardize_backward(gx, xhat, self.invstd, axes, self.reduce, self.count)
            else:
                dx = gx * self.invstd
        if self.needs_grad(1):
            dw = (g * xhat).sum(axis=axes)
        if self.needs_grad(2):
            db = g.sum(axis=axes)
        return dx, dw, db


class LayerNorm(Function):
    """Normalises over the last ``k`` axes, then scales and shifts elementwise."""

    NAME = "NativeLayerNormBackward0"

    SAVES = (0, 1, 2)  # torch saves input, weight and bias

    def forward(self, x, w=None, b=None, k=1, eps=1e-5):
        axes = tuple(range(x.ndim - k, x.ndim))
        mean = x.mean(axis=axes, keepdims=True)
        var = x.var(axis=axes, keepdims=True)
        self.invstd = (1.0 / np.sqrt(var + eps)).astype(x.dtype, copy=False)
        self.xhat = (x - mean) * self.invstd
        self.axes, self.w = axes, w
        out = self.xhat if w is None else self.xhat * w
        if b is not None:
            out = out + b
        return out

    def backward(self, g):
        axes, xhat = self.axes, self.xhat
        lead = tuple(range(g.ndim - len(axes)))
        dx = dw = db = None
        if self.needs_grad(0):
            gx = g if self.w is None else g * self.w
            dx = _standardize_backward(gx, xhat, self.invstd, axes)
        if self.needs_grad(1):
            dw = (g * xhat).sum(axis=lead)
        if self.needs_grad(2):
            db = g.sum(axis=lead)
        return dx, dw, db


class GroupNorm(Function):
    """Normalises each sample's channels in ``groups`` groups (over the group's channels and
    every spatial position), then scales and shifts per channel."""

    NAME = "NativeGroupNormBackward0"

    SAVES = (0, 1)  # torch saves input and weight

    def forward(self, x, w=None, b=None, groups=1, eps=1e-5):
        n = x.shape[0]
        xr = x.reshape(n, groups, -1)
        var = xr.var(axis=2, keepdims=True)
        self.invstd = (1.0 / np.sqrt(var + eps)).astype(x.dtype, copy=False)
        self.xhat = (xr - xr.mean(axis=2, keepdims=True)) * self.invstd
        shape = (1, -1) + (1,) * (x.ndim - 2)
        self.w = None if w is None else w.reshape(shape)
        out = self.xhat.reshape(x.shape)
        if w is not None:
            out = out * self.w
        if b is not None:
            out = out + b.reshape(shape)
        return out

    def backward(self, g):
        xhat = self.xhat.reshape(g.shape)
        axes = (0,) + tuple(range(2, g.ndim))
        dx = dw = db = None
        if self.needs_grad(0):
            gx = g if self.w is None else g * self.w
            gr = gx.reshape(self.xhat.shape)
            dx = _standardize_backward(gr, self.xhat, self.invstd, (2,)).reshape(g.shape)
        if self.needs_grad(1):
            dw = (g * xhat).sum(axis=axes)
        if self.needs_grad(2):
            db = g.sum(axis=axes)
        return dx, dw, db
