"""Core activations of the engine: relu, sigmoid, tanh, softmax, log_softmax."""
from __future__ import annotations

import numpy as np

from .._tensor import _check_dim
from ..autograd.function import Function
from ._util import as_tensor, float_input


class Relu(Function):
    def forward(self, x):
        self.mask = x > 0
        return np.maximum(x, np.zeros((), x.dtype))

    def backward(self, g):
        return (g * self.mask,)


class Sigmoid(Function):
    def forward(self, x):
        e = np.exp(-np.abs(x))
        self.out = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
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
        e = np.exp(x - np.max(x, axis=axis, keepdims=True))
        e /= np.sum(e, axis=axis, keepdims=True)
        self.out = e
        return e

    def backward(self, g):
        s = self.out
        gs = g * s
        return (gs - s * np.sum(gs, axis=self.axis, keepdims=True),)


class LogSoftmax(Function):
    def forward(self, x, axis=-1):
        self.axis = axis
        shifted = x - np.max(x, axis=axis, keepdims=True)
        shifted -= np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
        self.out = shifted
        return shifted

    def backward(self, g):
        return (g - np.exp(self.out) * np.sum(g, axis=self.axis, keepdims=True),)


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
