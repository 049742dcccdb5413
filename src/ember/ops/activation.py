"""Activations: relu, sigmoid, tanh, softmax and log_softmax (also Tensor methods), and the
ones ``ember.nn.functional`` wraps (leaky_relu, elu/selu, gelu, softplus, softsign, hardtanh,
silu, logsigmoid, prelu), each a small :class:`Function` with forward and backward side by side.

Example::

    >>> from ember.ops.activation import Gelu
    >>> Gelu.apply(ember.tensor([0.0, 1.0], requires_grad=True))
    tensor([0.0000, 0.8413], grad_fn=<GeluBackward0>)
"""
from __future__ import annotations

import math

import numpy as np

from .._tensor import _check_dim
from ..autograd.function import Function
from . import _workspace
from ._util import as_tensor, float_input


class Relu(Function):
    def forward(self, x):
        # torch saves the result (not a mask); a full zeros operand is NumPy's fast path
        self.out = np.maximum(x, _workspace.zero_operand(x.shape, x.dtype))
        return self.out

    def backward(self, g):
        # torch's threshold_backward zeroes where out <= 0: a NaN output passes its gradient
        return (g * (self.out != 0),)


def stable_sigmoid(x: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-x))`` without overflow for any ``x``."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


class Sigmoid(Function):
    def forward(self, x):
        self.out = stable_sigmoid(x)
        return self.out

    def backward(self, g):
        s = self.out
        return (g * s * (1 - s),)


class Tanh(Function):
    def forward(self, x):
        self.out = np.tanh(x)
        return self.out

    def backward(self, g):
        return (g * (1 - self.out * self.out),)


class Softmax(Function):
    def forward(self, x, axis=-1):
        self.axis = axis
        e = np.exp(x - x.max(axis=axis, keepdims=True))
        e /= e.sum(axis=axis, keepdims=True)
        self.out = e
        return e

    def backward(self, g):
        s = self.out
        gs = g * s
        return (gs - s * gs.sum(axis=self.axis, keepdims=True),)


def log_softmax_array(x: np.ndarray, axis, probs: bool = False):
    """``log(softmax(x))`` along ``axis``, shifted by the maximum so no exp overflows; with
    ``probs`` also ``softmax(x)`` from the same exp: ``(log_probs, probs)``."""
    shifted = x - x.max(axis=axis, keepdims=True)  # methods: np.max/np.sum dispatch slowly
    e = np.exp(shifted)
    total = e.sum(axis=axis, keepdims=True)
    shifted -= np.log(total)
    if probs:
        e /= total
        return shifted, e
    return shifted


class LogSoftmax(Function):
    def forward(self, x, axis=-1):
        self.axis = axis
        self.out = log_softmax_array(x, axis)
        return self.out

    def backward(self, g):
        return (g - np.exp(self.out) * g.sum(axis=self.axis, keepdims=True),)


# ------------------------------------------------- activations of nn.functional
_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_K = math.sqrt(2.0 / math.pi)
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


class LeakyRelu(Function):
    SAVES = (0,)  # torch saves the input (ember keeps a mask or derived arrays)

    def forward(self, x, negative_slope=0.01):
        self.slope = negative_slope
        self.pos = x > 0
        return np.where(self.pos, x, x * negative_slope)

    def backward(self, g):
        return (np.where(self.pos, g, g * self.slope),)


class Elu(Function):
    """``scale * (x if x > 0 else alpha * (exp(x) - 1))``; SELU is ELU with fixed alpha and scale."""

    SAVES = (0,)  # torch saves the input (ember keeps a mask or derived arrays)

    def forward(self, x, alpha=1.0, scale=1.0):
        self.pos = x > 0
        self.neg_exp = np.exp(np.minimum(x, 0)) * (alpha * scale)
        self.scale = scale
        return np.where(self.pos, x * scale, self.neg_exp - alpha * scale)

    def backward(self, g):
        return (np.where(self.pos, g * self.scale, g * self.neg_exp),)


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
    z = np.minimum(np.abs(np.where(np.isnan(x), 0.0, x)), 6.0)   # nan would never converge
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
    return np.where(np.abs(x) >= 6.0, 1.0, out) * np.sign(x)   # sign(nan) keeps nan


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


class Softplus(Function):
    """``log(1 + exp(beta x)) / beta``, linear where ``beta x > threshold`` (torch's rule)."""

    SAVES = (0,)  # torch saves the input (ember keeps a mask or derived arrays)

    def forward(self, x, beta=1.0, threshold=20.0):
        bx = x * beta
        self.linear = bx > threshold
        self.sig = stable_sigmoid(bx)
        soft = (np.maximum(bx, 0) + np.log1p(np.exp(-np.abs(bx)))) / beta
        return np.where(self.linear, x, soft)

    def backward(self, g):
        return (np.where(self.linear, g, g * self.sig),)


class Softsign(Function):
    NAME = "DivBackward0"  # torch computes it as x / (1 + |x|)

    SAVES = (0,)  # torch saves the input (ember keeps a mask or derived arrays)

    def forward(self, x):
        self.den = 1 + np.abs(x)
        return x / self.den

    def backward(self, g):
        return (g / (self.den * self.den),)


class Hardtanh(Function):
    SAVES = (0,)  # torch saves the input (ember keeps a mask or derived arrays)

    def forward(self, x, min_val=-1.0, max_val=1.0):
        self.inside = (x > min_val) & (x < max_val)
        return np.clip(x, min_val, max_val).astype(x.dtype, copy=False)

    def backward(self, g):
        return (g * self.inside,)


class Silu(Function):
    def forward(self, x):
        self.x = x
        self.sig = stable_sigmoid(x)
        return x * self.sig

    def backward(self, g):
        s = self.sig
        return (g * (s * (1 + self.x * (1 - s))),)


class LogSigmoid(Function):
    SAVES = (0,)  # torch saves the input (ember keeps a mask or derived arrays)

    def forward(self, x):
        self.sig_neg = stable_sigmoid(-x)
        return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))

    def backward(self, g):
        return (g * self.sig_neg,)


class Prelu(Function):
    """``x if x > 0 else w * x`` with one learnable ``w`` per channel (axis 1)."""

    NAME = "PreluKernelBackward0"

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



# ------------------------------------------------------------------ public functions
def relu(input):
    """``max(x, 0)`` elementwise; the gradient is 1 where ``x > 0``, else 0."""
    return Relu.apply(as_tensor(input))


def sigmoid(input):
    """``1 / (1 + exp(-x))``, computed without overflow."""
    return Sigmoid.apply(float_input(as_tensor(input)))


def tanh(input):
    """Hyperbolic tangent elementwise."""
    return Tanh.apply(float_input(as_tensor(input)))


def _dim_op(cls, input, dim, dtype):
    x = as_tensor(input)
    if dtype is not None:
        x = x.to(dtype)
    if dim is None:
        raise TypeError("softmax() missing required argument 'dim' (ember.nn.functional.softmax "
                        "infers it with a warning, as torch does)")
    axis = _check_dim(dim, max(x.ndim, 1)) if x.ndim else None
    if x._data.dtype.kind != "f":       # torch has no integer kernel (pass dtype= to convert)
        from .pointwise import require_float
        last = "lastdim_" if axis is None or axis == x.ndim - 1 else ""
        require_float(x, f"{'log_' if cls is LogSoftmax else ''}softmax_{last}kernel_impl")
    return cls.apply(x, axis=axis)


def softmax(input, dim, dtype=None):
    """``exp(x) / sum(exp(x))`` along ``dim``, computed stably.

    Example::

        >>> ember.softmax(ember.tensor([1.0, 1.0, 1000.0]), dim=0)
        tensor([0., 0., 1.])
    """
    return _dim_op(Softmax, input, dim, dtype)


def log_softmax(input, dim, dtype=None):
    """``log(softmax(x))`` along ``dim``, computed stably."""
    return _dim_op(LogSoftmax, input, dim, dtype)
