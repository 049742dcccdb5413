"""Core layers: Dense, Activation, Dropout, Flatten, Reshape (Input/InputLayer live in
``input_layer``)."""
from __future__ import annotations

import numpy as np

from ... import random as _random
from ..._tensor import Tensor
from ...nn import functional as F
from .. import activations as _act
from .. import constraints as _constraints
from .. import initializers as _init
from .. import regularizers as _reg
from .base import InputSpec, Layer
from .input_layer import Input, InputLayer  # noqa: F401 - their historical import path
from .keras_tensor import KerasTensor  # noqa: F401


def kernel_bias_config(layer) -> dict:
    """The config entries of a layer with a kernel and a bias (Dense, the convolutions)."""
    return {"activation": _act.serialize(layer.activation), "use_bias": layer.use_bias,
            **weight_options_config(layer)}


def weight_options_config(layer) -> dict:
    """The six initializer/regularizer/constraint entries of a kernel-and-bias layer's config
    (what :func:`set_kernel_bias_options` read)."""
    return {"kernel_initializer": _init.serialize(layer.kernel_initializer),
            "bias_initializer": _init.serialize(layer.bias_initializer),
            "kernel_regularizer": _reg.serialize(layer.kernel_regularizer),
            "bias_regularizer": _reg.serialize(layer.bias_regularizer),
            "kernel_constraint": _constraints.serialize(getattr(layer, "kernel_constraint", None)),
            "bias_constraint": _constraints.serialize(getattr(layer, "bias_constraint", None))}


def refuse_lora_and_quantization(layer: str, lora_rank=None, quantization_config=None) -> None:
    """Keras's LoRA and quantisation arguments are accepted when unset (a config written by
    Keras 3 carries ``quantization_config: None``) and refused otherwise."""
    if lora_rank:
        raise NotImplementedError(f"ember.keras {layer} does not support LoRA "
                                  f"(lora_rank={lora_rank})")
    if quantization_config is not None:
        raise NotImplementedError(f"ember.keras {layer} does not support quantization "
                                  f"(quantization_config={quantization_config})")


def set_kernel_bias_options(layer, kernel_initializer, bias_initializer, kernel_regularizer,
                            bias_regularizer, kernel_constraint, bias_constraint) -> None:
    """Resolves a kernel-and-bias layer's six initializer/regularizer/constraint arguments
    (names, configs or objects) onto ``layer``; its kernel and bias are made in ``build``."""
    layer.kernel_initializer = _init.get(kernel_initializer)
    layer.bias_initializer = _init.get(bias_initializer)
    layer.kernel_regularizer = _reg.get(kernel_regularizer)
    layer.bias_regularizer = _reg.get(bias_regularizer)
    layer.kernel_constraint = _constraints.get(kernel_constraint)
    layer.bias_constraint = _constraints.get(bias_constraint)
    layer.kernel = layer.bias = None


class Dense(Layer):
    """``activation(inputs @ kernel + bias)`` with ``kernel`` of shape (input_dim, units).

    Example::

        >>> Dense(64, activation="relu", input_shape=(10,), kernel_regularizer=l2(0.01))
    """

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 lora_rank=None, lora_alpha=None, quantization_config=None, **kwargs):
        refuse_lora_and_quantization(type(self).__name__, lora_rank, quantization_config)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.supports_masking = True
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units <= 0:
            raise ValueError(f"Received an invalid value for `units`, expected a positive integer. "
                             f"Received: units={units}")
        self.units = int(units)
        self.activation = _act.get(activation)
        self.use_bias = bool(use_bias)
        set_kernel_bias_options(self, kernel_initializer, bias_initializer, kernel_regularizer,
                                bias_regularizer, kernel_constraint, bias_constraint)

    def build(self, input_shape):
        in_dim = input_shape[-1]
        if in_dim is None:
            raise ValueError(f"The last dimension of the input to Dense layer '{self.name}' must be "
                             f"defined. Received: input_shape={input_shape}")
        self.kernel = self.add_weight(shape=(in_dim, self.units),
                                      initializer=self.kernel_initializer, name="kernel",
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight(shape=(self.units,), initializer=self.bias_initializer,
                                        name="bias", regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.input_spec = InputSpec(min_ndim=2, axes={-1: in_dim})

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def call(self, inputs, training=False):
        # the kernel is stored (in, out) like Keras's; F.linear takes torch's (out, in) layout
        return self.activation(F.linear(inputs, self.kernel.T, self.bias))

    def get_config(self):
        return {**super().get_config(), "units": self.units, **kernel_bias_config(self)}


class Activation(Layer):
    """Applies an activation by name (``'relu'``) or callable."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.activation = _act.get(activation)

    compute_output_shape = Layer.identity_shape

    def call(self, inputs, training=False):
        return self.activation(inputs)

    def get_config(self):
        return {**super().get_config(), "activation": _act.serialize(self.activation)}


class Dropout(Layer):
    """Zeroes a fraction ``rate`` of inputs while training and scales the rest by 1/(1-rate);
    the identity at inference. Masks come from ember's global generator (or ``seed``)."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        if not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise ValueError(f"Invalid value received for argument `rate`. Expected a float value "
                             f"between 0 and 1. Received: rate={rate}")
        self.rate = float(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self._gen = None if seed is None else _random.Generator().manual_seed(seed)

    compute_output_shape = Layer.identity_shape

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        if self.noise_shape is None and self._gen is None:
            return F.dropout(inputs, p=self.rate, training=True)
        if self.rate == 1:
            return inputs * 0.0
        shape = inputs.shape
        if self.noise_shape is not None:
            shape = tuple(s if n is None else n for s, n in zip(inputs.shape, self.noise_shape))
        keep = _random._gen(self._gen).random(shape) >= self.rate
        mask = keep.astype(inputs._data.dtype) * np.asarray(1.0 / (1.0 - self.rate),
                                                             inputs._data.dtype)
        return inputs * Tensor._make(mask)

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": None if self.noise_shape is None else list(self.noise_shape)}


class Flatten(Layer):
    """Flattens every axis but the batch axis."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        n = None if any(s is None for s in rest) else int(np.prod(rest))
        return (input_shape[0], n)

    def call(self, inputs, training=False):
        return inputs.reshape(inputs.shape[0], -1)


class Reshape(Layer):
    """Reshapes every sample to ``target_shape`` (the batch axis is kept)."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        shape = list(self.target_shape)
        if -1 in shape and all(s is not None for s in rest):
            known = int(np.prod([s for s in shape if s != -1]))
            shape[shape.index(-1)] = int(np.prod(rest)) // known
        return (input_shape[0],) + tuple(shape)

    def call(self, inputs, training=False):
        return inputs.reshape((inputs.shape[0],) + self.target_shape)

    def get_config(self):
        return {**super().get_config(), "target_shape": list(self.target_shape)}
