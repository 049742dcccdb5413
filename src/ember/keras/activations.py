"""Activation functions by name (``'relu'``, ``'sigmoid'``…), written with ember's differentiable ops.

Each takes and returns an ember Tensor, so gradients flow through ember's autograd.

Example::

    >>> from ember import keras
    >>> keras.activations.get("relu")(ember.tensor([-1.0, 2.0]))
    tensor([0., 2.])
"""
from __future__ import annotations

import math

import ember

from ._utils import lookup


def linear(x):
    return x


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Keras's relu: ``max(x, 0)`` with optional leak, cap and threshold."""
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return ember.relu(x)
    if threshold != 0.0:
        out = ember.where(x >= threshold, x, (x - threshold) * negative_slope)
    elif negative_slope != 0.0:
        out = ember.where(x >= 0, x, x * negative_slope)
    else:
        out = ember.relu(x)
    if max_value is not None:
        out = ember.clamp(out, max=float(max_value))
    return out


def relu6(x):
    return ember.clamp(x, 0.0, 6.0)


def leaky_relu(x, negative_slope=0.2):
    return ember.where(x >= 0, x, x * negative_slope)


def sigmoid(x):
    return ember.sigmoid(x)


def hard_sigmoid(x):
    return ember.clamp(x / 6.0 + 0.5, 0.0, 1.0)


def tanh(x):
    return ember.tanh(x)


def softmax(x, axis=-1):
    return ember.softmax(x, dim=axis)


def log_softmax(x, axis=-1):
    return ember.log_softmax(x, dim=axis)


def elu(x, alpha=1.0):
    return ember.where(x > 0, x, (ember.exp(ember.clamp(x, max=0.0)) - 1.0) * alpha)


def selu(x):
    alpha, scale = 1.6732632423543772, 1.0507009873554805
    return elu(x, alpha) * scale


def softplus(x):
    # log(1 + exp(x)) computed stably: max(x, 0) + log1p(exp(-|x|))
    return ember.relu(x) + ember.log1p(ember.exp(-ember.abs(x)))


def softsign(x):
    return x / (ember.abs(x) + 1.0)


def silu(x):
    return x * ember.sigmoid(x)


swish = silu


def gelu(x, approximate=False):
    """Gaussian error linear unit, tanh form (erf is not an engine op; the two differ < 1e-3)."""
    inner = (x + x * x * x * 0.044715) * math.sqrt(2.0 / math.pi)
    return x * (ember.tanh(inner) + 1.0) * 0.5


def exponential(x):
    return ember.exp(x)


ALL = {
    "linear": linear, "relu": relu, "relu6": relu6, "leaky_relu": leaky_relu, "sigmoid": sigmoid,
    "hard_sigmoid": hard_sigmoid, "tanh": tanh, "softmax": softmax, "log_softmax": log_softmax,
    "elu": elu, "selu": selu, "softplus": softplus, "softsign": softsign, "silu": silu,
    "swish": swish, "gelu": gelu, "exponential": exponential,
}


def get(identifier):
    """Resolves ``None`` (linear), a name or a callable to an activation function."""
    if identifier is None:
        return linear
    if callable(identifier):
        return identifier
    if isinstance(identifier, str):
        return lookup("activation function", identifier, ALL)
    raise TypeError(f"Could not interpret activation function identifier: {identifier!r}; "
                    f"expected a name, a callable or None")


def serialize(fn) -> str:
    """The name of a built-in activation (the saved form in a model's config)."""
    for name, f in ALL.items():
        if f is fn:
            return name
    name = getattr(fn, "__name__", None)
    if name in ALL:
        return name
    raise ValueError(f"Cannot save the custom activation {fn!r}: only built-in activations "
                     f"({', '.join(sorted(ALL))}) can be saved by name")
