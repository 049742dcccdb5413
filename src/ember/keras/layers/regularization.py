"""Regularization layers: GaussianNoise, GaussianDropout, AlphaDropout (active only while
training; the identity at inference) and ActivityRegularization (a penalty on the output).

Each noisy layer draws from its own ``keras.random.SeedGenerator(seed)``, as Keras's do.

Example::

    >>> model = keras.Sequential([keras.Input((8,)), keras.layers.GaussianNoise(0.1),
    ...                           keras.layers.Dense(4, activation="selu"),
    ...                           keras.layers.AlphaDropout(0.1)])
"""
from __future__ import annotations

import math

from .. import ops
from .. import random as _random
from ..regularizers import L1L2
from .base import Layer


def _check_rate(name: str, value) -> None:
    if not 0 <= value <= 1:
        raise ValueError(f"Invalid value received for argument `{name}`. Expected a float value "
                         f"between 0 and 1. Received: {name}={value}")


class GaussianNoise(Layer):
    """Adds N(0, ``stddev``²) noise while training (a data augmentation for real inputs).

    Args:
        stddev: the noise's standard deviation, in [0, 1].
        seed: seeds the layer's own generator.
    """

    compute_output_shape = Layer.identity_shape

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        _check_rate("stddev", stddev)
        self.stddev, self.seed = stddev, seed
        if stddev > 0:
            self.seed_generator = _random.SeedGenerator(seed)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if training and self.stddev > 0:
            noise = _random.normal(ops.shape(inputs), mean=0.0, stddev=self.stddev,
                                   dtype=inputs.dtype.name, seed=self.seed_generator)
            return inputs + noise
        return inputs

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class GaussianDropout(Layer):
    """Multiplies by N(1, ``rate / (1 - rate)``) noise while training (multiplicative dropout).

    Args:
        rate: the drop probability of the equivalent dropout, in [0, 1].
        seed: seeds the layer's own generator.
    """

    compute_output_shape = Layer.identity_shape

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        _check_rate("rate", rate)
        self.rate, self.seed = rate, seed
        if rate > 0:
            self.seed_generator = _random.SeedGenerator(seed)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            stddev = math.sqrt(self.rate / (1.0 - self.rate))
            noise = _random.normal(ops.shape(inputs), mean=1.0, stddev=stddev,
                                   dtype=inputs.dtype.name, seed=self.seed_generator)
            return inputs * noise
        return inputs

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


class AlphaDropout(Layer):
    """Dropout for SELU networks: dropped units take SELU's negative saturation value and the
    result is rescaled so the mean and variance of the inputs are kept (Klambauer et al. 2017).

    Args:
        rate: the drop probability, in [0, 1].
        noise_shape: the shape of the keep mask (None entries follow the input).
        seed: seeds the layer's own generator.
    """

    compute_output_shape = Layer.identity_shape

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        _check_rate("rate", rate)
        self.rate, self.seed, self.noise_shape = rate, seed, noise_shape
        if rate > 0:
            self.seed_generator = _random.SeedGenerator(seed)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not (training and self.rate > 0):
            return inputs
        shape = tuple(inputs.shape) if self.noise_shape is None else tuple(
            s if n is None else n for s, n in zip(inputs.shape, self.noise_shape))
        alpha, scale = 1.6732632423543772, 1.0507009873554805
        alpha_p = -alpha * scale
        kept = ops.cast(ops.greater_equal(
            _random.uniform(shape, seed=self.seed_generator), self.rate), inputs.dtype.name)
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        return a * (inputs * kept + alpha_p * (1 - kept)) + b

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": self.noise_shape}


class ActivityRegularization(Layer):
    """The identity, adding ``l1 * sum(|x|) + l2 * sum(x**2)`` of its output (per sample) to
    the model's losses."""

    compute_output_shape = Layer.identity_shape

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        kwargs.pop("activity_regularizer", None)
        super().__init__(activity_regularizer=L1L2(l1=l1, l2=l2), **kwargs)
        self.supports_masking = True
        self.l1, self.l2 = l1, l2

    def call(self, inputs):
        return inputs

    def get_config(self):
        config = super().get_config()
        config.pop("activity_regularizer", None)
        return {**config, "l1": self.l1, "l2": self.l2}
