"""Activation layers: ReLU, LeakyReLU, PReLU, ELU, Softmax."""
from __future__ import annotations

import ember

from .. import activations as _act
from .. import constraints as _constraints
from .. import initializers as _init
from .. import regularizers as _reg
from .base import Layer


class ReLU(Layer):
    """``max(x, 0)`` with optional ``max_value``, ``negative_slope`` below ``threshold``."""

    compute_output_shape = Layer.identity_shape

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        if max_value is not None and max_value < 0:
            raise ValueError(f"max_value of a ReLU layer cannot be a negative value. "
                             f"Received: max_value={max_value}")
        if negative_slope < 0:
            raise ValueError(f"negative_slope of a ReLU layer cannot be a negative value. "
                             f"Received: negative_slope={negative_slope}")
        self.max_value, self.negative_slope, self.threshold = max_value, negative_slope, threshold

    def call(self, inputs, training=False):
        return _act.relu(inputs, self.negative_slope, self.max_value, self.threshold)

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}


class LeakyReLU(Layer):
    """``x`` for x >= 0, ``negative_slope * x`` below (Keras's default slope 0.3)."""

    compute_output_shape = Layer.identity_shape

    def __init__(self, negative_slope=0.3, **kwargs):
        alpha = kwargs.pop("alpha", None)
        super().__init__(**kwargs)
        self.supports_masking = True
        self.negative_slope = float(alpha if alpha is not None else negative_slope)
        if self.negative_slope < 0:
            raise ValueError(f"The negative_slope value of a Leaky ReLU layer cannot be None or "
                             f"negative. Received: negative_slope={negative_slope}")

    def call(self, inputs, training=False):
        return _act.leaky_relu(inputs, self.negative_slope)

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}


class PReLU(Layer):
    """Leaky ReLU with a learned slope per unit: ``relu(x) - alpha * relu(-x)``."""

    compute_output_shape = Layer.identity_shape

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.alpha_initializer = _init.get(alpha_initializer)
        self.alpha_regularizer = _reg.get(alpha_regularizer)
        self.alpha_constraint = _constraints.get(alpha_constraint)
        if shared_axes is not None and not isinstance(shared_axes, (list, tuple)):
            shared_axes = [shared_axes]
        self.shared_axes = None if shared_axes is None else list(shared_axes)

    def build(self, input_shape):
        shape = list(input_shape[1:])
        for ax in self.shared_axes or []:
            shape[ax - 1] = 1
        self.alpha = self.add_weight(shape=tuple(shape), initializer=self.alpha_initializer,
                                     name="alpha", regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint)

    def call(self, inputs, training=False):
        return ember.relu(inputs) - self.alpha * ember.relu(-inputs)

    def get_config(self):
        return {**super().get_config(), "alpha_initializer": _init.serialize(self.alpha_initializer),
                "alpha_regularizer": _reg.serialize(self.alpha_regularizer),
                "alpha_constraint": _constraints.serialize(self.alpha_constraint),
                "shared_axes": self.shared_axes}


class ELU(Layer):
    """``x`` for x > 0, ``alpha * (exp(x) - 1)`` below."""

    compute_output_shape = Layer.identity_shape

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.alpha = float(alpha)

    def call(self, inputs, training=False):
        return _act.elu(inputs, self.alpha)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


class Softmax(Layer):
    """Softmax along ``axis`` (default the last)."""

    compute_output_shape = Layer.identity_shape

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.axis = axis

    def call(self, inputs, training=False):
        return _act.softmax(inputs, self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
