"""Activation functions by name (``'relu'``, ``'sigmoid'``…): Keras's names on
``ember.nn.functional``'s differentiable maths.

Each takes and returns an ember Tensor, so gradients flow through ember's autograd.

Example::

    >>> from ember import keras
    >>> keras.activations.get("relu")(ember.tensor([-1.0, 2.0]))
    tensor([0., 2.])
"""
from __future__ import annotations

import ember
from ..nn import functional as F

from ._utils import lookup
from .saving.serialization import deserialize_function, serialize_function


def linear(x):
    return x


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Keras's relu: ``max(x, 0)`` with optional leak, cap and threshold."""
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return F.relu(x)
    if threshold != 0.0:
        out = ember.where(x >= threshold, x, (x - threshold) * negative_slope)
    elif negative_slope != 0.0:
        out = F.leaky_relu(x, negative_slope)
    else:
        out = F.relu(x)
    if max_value is not None:
        out = ember.clamp(out, max=float(max_value))
    return out


def relu6(x):
    return F.relu6(x)


def leaky_relu(x, negative_slope=0.2):
    return F.leaky_relu(x, negative_slope)


def sigmoid(x):
    return F.sigmoid(x)


def hard_sigmoid(x):
    """``relu6(x + 3) / 6``."""
    return F.relu6(x + 3.0) / 6.0


def tanh(x):
    return F.tanh(x)


def softmax(x, axis=-1):
    return F.softmax(x, dim=axis)


def log_softmax(x, axis=-1):
    return F.log_softmax(x, dim=axis)


def elu(x, alpha=1.0):
    return F.elu(x, alpha)


def selu(x):
    return F.selu(x)


def softplus(x):
    return F.softplus(x)


def softsign(x):
    return F.softsign(x)


def silu(x):
    return F.silu(x)


swish = silu


def gelu(x, approximate=False):
    """Gaussian error linear unit: exact (erf) by default, tanh form when ``approximate``."""
    return F.gelu(x, approximate="tanh" if approximate else "none")


def exponential(x):
    return ember.exp(x)


ALL = {
    "linear": linear, "relu": relu, "relu6": relu6, "leaky_relu": leaky_relu, "sigmoid": sigmoid,
    "hard_sigmoid": hard_sigmoid, "tanh": tanh, "softmax": softmax, "log_softmax": log_softmax,
    "elu": elu, "selu": selu, "softplus": softplus, "softsign": softsign, "silu": silu,
    "swish": swish, "gelu": gelu, "exponential": exponential,
}


def get(identifier):
    """Resolves ``None`` (linear), a name, a saved function (``{"class_name": "function", ...}``,
    see :func:`serialize`) or a callable to an activation function."""
    if identifier is None:
        return linear
    if callable(identifier):
        return identifier
    if isinstance(identifier, str):
        return lookup("activation function", identifier, ALL)
    if isinstance(identifier, dict) and identifier.get("class_name") == "function":
        return deserialize_function(identifier)
    raise TypeError(f"Could not interpret activation function identifier: {identifier!r}; "
                    f"expected a name, a callable or None")


def serialize(fn):
    """The saved form of an activation in a model's config: a built-in's name, or (as Keras)
    ``{"class_name": "function", ...}`` for another named function (found again at load time
    among the registered functions and ``custom_objects``)."""
    for name, f in ALL.items():
        if f is fn:
            return name
    name = getattr(fn, "__name__", None)
    if name in ALL:
        return name
    return serialize_function(fn)
