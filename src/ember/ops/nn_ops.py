"""Differentiable primitives of ``ember.nn``: the fused linear layer, the extra activations,
dropout and the two normalisations, each a small :class:`Function` with forward and backward
side by side.

Example::

    >>> from ember.ops.nn_ops import Addmm
    >>> x, w, b = ember.ones(2, 3), ember.ones(4, 3, requires_grad=True), ember.zeros(4)
    >>> Addmm.apply(x, w, b)              # x @ w.T + b, one node in the graph
    tensor([[3., 3., 3., 3.],
            [3., 3., 3., 3.]], grad_fn=<AddmmBackward0>)
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd.function import Function

_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_K = math.sqrt(2.0 / math.pi)
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


# ----------------------------------------------------------------------- linear
class Addmm(Function):
    """``x @ w.T + b`` over the last axis of ``x`` (any rank); ``b`` may be None.

    Forward makes one matmul result and adds the bias into it in place; backward makes
    only the gradients that are needed (dX = g @ W, dW = gᵀ @ X, db = Σ g).
    """

    def forward(self, x, w, b=None):
        self.x, self.w = x, w
        x2 = x if x.ndim == 2 else x.reshape(-1, x.shape[-1])
        out = np.matmul(x2, w.T)
        if b is not None:
            out += b
        return out if x.ndim == 2 else out.reshape(x.shape[:-1] + (w.shape[0],))

    def backward(self, g):
        x, w = self.x, self.w
        g2 = g if g.ndim == 2 else g.reshape(-1, w.shape[0])
        dx = dw = db = None
        if self.needs_grad(0):
            dx = np.matmul(g2, w)
            if x.ndim != 2:
                dx = dx.reshape(x.shape)
        if self.needs_grad(1):
            x2 = x if x.ndim == 2 else x.reshape(-1, x.shape[-1])
            dw = np.matmul(g2.T, x2)
        if len(self.next_functions) > 2 and self.needs_grad(2):
            db = g2.sum(axis=0)
        return dx, dw, db


class Mm(Addmm):
    """:class:`Addmm` without a bias (torch names this node ``MmBackward0``)."""


class View(Addmm):
    """:class:`Addmm` on input that is not 2-D (torch reshapes, so its node is ``ViewBackward0``)."""


# ------------------------------------------------------------------ activations
class LeakyRelu(Function):
    def forward(self, x, negative_slope=0.01):
        self.slope = negative_slope
        self.pos = x > 0
        return np.where(self.pos, x, x * negative_slope)

    def backward(self, g):
        return (np.where(self.pos, g, g * self.slope),)


class Elu(Function):
    """``scale * (x if x > 0 else alpha * (exp(x) - 1))``; SELU is ELU with fixed alpha and scale."""

    def forward(self, x, alpha=1.0, scale=1.0):
        self.pos = x > 0
        self.neg_exp = np.exp(np.minimum(x, 0)) * (alpha * scale)
        self.scale = scale
        return np.where(self.pos, x * scale, self.neg_exp - alpha * scale)

    def backward(self, g):
        return (np.where(self.pos, g * self.scale, g * self.neg_exp),)


class Selu(Elu):
    pass


def erf(x: np.ndarray) -> np.ndarray:
    """The error function in ``x``'s dtype: a Chebyshev fit of erfc (relative error < 1.2e-7)
    for float32 and below, a series exact to float64 rounding for float64."""
    if x.dtype == np.float64:
        return _erf_series(x)
    z = np.abs(x)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (
        -0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (
            -0.82215223 + t * 0.17087277))))))))
    erfc = t * np.exp(poly)
    return np.where(x >= 0, 1.0 - erfc, erfc - 1.0).astype(x.dtype, copy=False)


def _erf_series(x: np.ndarray) -> np.ndarray:
    """``erf(x) = 2/√π exp(-x²) Σ_n 2ⁿ x^(2n+1) / (1·3·…·(2n+1))`` (all terms positive, so no
    cancellation), summed term by term over the whole array; |x| ≥ 6 gives ±1."""
    z = np.minimum(np.abs(x), 6.0)
    z2 = z * z
    term = z.copy()
    total = z.copy()
    n = 0
    while True:
        term *= 2 * z2 / (2 * n + 3)
        total += term
        n += 1
        if n > 30 and np.all(term <= 1e-17 * total):
            break
    out = total * np.exp(-z2) * (2.0 / math.sqrt(math.pi))
    out = np.minimum(out, 1.0)
    return np.where(np.abs(x) >= 6.0, 1.0, out) * np.sign(x)


class Gelu(Function):
    def forward(self, x, approximate="none"):
        self.x, self.approximate = x, approximate
        if approximate == "tanh":
            self.th = np.tanh(_GELU_K * (x + 0.044715 * x * x * x))
            return 0.5 * x * (1.0 + self.th)
        self.cdf = 0.5 * (1.0 + erf(x * _SQRT_HALF))
        return x * self.cdf

    def backward(self, g):
        x = self.x
        if self.approximate == "tanh":
            th = self.th
            inner = _GELU_K * (1.0 + 3 * 0.044715 * x * x)
            return (g * (0.5 * (1.0 + th) + 0.5 * x * (1.0 - th * th) * inner),)
        pdf = np.exp(-0.5 * x * x) * _INV_SQRT_2PI
        return (g * (self.cdf + x * pdf),)


def _stable_sigmoid(x: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


class Softplus(Function):
    """``log(1 + exp(beta x)) / beta``, linear where ``beta x > threshold`` (torch's rule)."""

    def forward(self, x, beta=1.0, threshold=20.0):
        bx = x * beta
        self.linear = bx > threshold
        self.sig = _stable_sigmoid(bx)
        soft = (np.maximum(bx, 0) + np.log1p(np.exp(-np.abs(bx)))) / beta
        return np.where(self.linear, x, soft)

    def backward(self, g):
        return (np.where(self.linear, g, g * self.sig),)


class Softsign(Function):
    def forward(self, x):
        self.den = 1 + np.abs(x)
        return x / self.den

    def backward(self, g):
        return (g / (self.den * self.den),)


class Hardtanh(Function):
    def forward(self, x, min_val=-1.0, max_val=1.0):
        self.inside = (x > min_val) & (x < max_val)
        return np.clip(x, min_val, max_val).astype(x.dtype, copy=False)

    def backward(self, g):
        return (g * self.inside,)


class Silu(Function):
    def forward(self, x):
        self.x = x
        self.sig = _stable_sigmoid(x)
        return x * self.sig

    def backward(self, g):
        s = self.sig
        return (g * (s * (1 + self.x * (1 - s))),)


class LogSigmoid(Function):
    def forward(self, x):
        self.sig_neg = _stable_sigmoid(-x)
        return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))

    def backward(self, g):
        return (g * self.sig_neg,)


class Prelu(Function):
    """``x if x > 0 else w * x`` with one learnable ``w`` per channel (axis 1)."""

    def forward(self, x, w):
        self.x, self.w_shape = x, w.shape
        wb = w.reshape((-1,) + (1,) * (x.ndim - 2)) if x.ndim >= 2 else w
        self.wb = wb
        self.pos = x > 0
        return np.where(self.pos, x, wb * x)

    def backward(self, g):
        dx = dw = None
        if self.needs_grad(0):
            dx = np.where(self.pos, g, g * self.wb)
        if self.needs_grad(1):
            contrib = np.where(self.pos, 0, g * self.x)
            if len(self.w_shape) and self.w_shape[0] > 1:
                axes = tuple(i for i in range(contrib.ndim) if i != 1)
                dw = contrib.sum(axis=axes)
            else:
                dw = np.asarray(contrib.sum()).reshape(self.w_shape)
        return dx, dw


# --------------------------------------------------------------------- dropout
class Dropout(Function):
    """Multiplies by a saved mask already scaled by ``1 / (1 - p)`` (inverted dropout)."""

    def forward(self, x, mask=None):
        self.mask = mask
        return x * mask

    def backward(self, g):
        return (g * self.mask,)

    def name(self) -> str:
        return "MulBackward0"


# --------------------------------------------------------------- normalisation
class BatchNorm(Function):
    """Normalises over every axis but 1, with batch statistics (training) or given ones."""

    def forward(self, x, w=None, b=None, mean=None, var=None, eps=1e-5, batch_stats=True):
        """``mean``/``var`` are the batch's (biased) statistics when ``batch_stats``, else the
        running ones; either way they are per channel."""
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
                n = g.size // g.shape[1]
                s1 = gx.sum(axis=axes, keepdims=True)
                s2 = (gx * xhat).sum(axis=axes, keepdims=True)
                dx = (gx - s1 / n - xhat * (s2 / n)) * self.invstd
            else:
                dx = gx * self.invstd
        if len(self.next_functions) > 1 and self.needs_grad(1):
            dw = (g * xhat).sum(axis=axes)
        if len(self.next_functions) > 2 and self.needs_grad(2):
            db = g.sum(axis=axes)
        return dx, dw, db

    def name(self) -> str:
        return "NativeBatchNormBackward0"


class LayerNorm(Function):
    """Normalises over the last ``k`` axes, then scales and shifts elementwise."""

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
            n = int(np.prod([g.shape[a] for a in axes]))
            s1 = gx.sum(axis=axes, keepdims=True)
            s2 = (gx * xhat).sum(axis=axes, keepdims=True)
            dx = (gx - s1 / n - xhat * (s2 / n)) * self.invstd
        if len(self.next_functions) > 1 and self.needs_grad(1):
            dw = (g * xhat).sum(axis=lead)
        if len(self.next_functions) > 2 and self.needs_grad(2):
            db = g.sum(axis=lead)
        return dx, dw, db

    def name(self) -> str:
        return "NativeLayerNormBackward0"
