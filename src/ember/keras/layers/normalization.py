"""BatchNormalization, LayerNormalization and the Normalization preprocessing layer (adapt)."""
from __future__ import annotations

import warnings

import numpy as np

import ember

from ..._tensor import Tensor
from ...nn import functional as F
from ...nn.functional.layers import _batch_norm
from .. import constraints as _constraints
from .. import initializers as _init
from .. import regularizers as _reg
from .._utils import to_array
from ..ops.nn import layer_normalization
from .base import Layer


def _axes_except(ndim: int, axis: int) -> tuple[int, ...]:
    axis = axis % ndim
    return tuple(i for i in range(ndim) if i != axis)


def _param_shape(input_shape, axis) -> tuple:
    """Weights broadcast over every axis but ``axis``: shape (C,) stored, viewed as (1, …, C, …)."""
    dim = input_shape[axis]
    if dim is None:
        raise ValueError(f"Axis {axis} of input tensor should have a defined dimension but the "
                         f"layer received an input with shape {input_shape}.")
    return (dim,)


def _broadcast(t: Tensor, ndim: int, axis: int) -> Tensor:
    axis = axis % ndim
    if axis == ndim - 1:
        return t
    shape = [1] * ndim
    shape[axis] = t.shape[0]
    return t.reshape(shape)



def _add_gamma_beta(layer, shape) -> None:
    """Creates the scale (``gamma``) and offset (``beta``) weights a normalization layer asked for."""
    if layer.scale:
        layer.gamma = layer.add_weight(shape=shape, initializer=layer.gamma_initializer,
                                       name="gamma", regularizer=layer.gamma_regularizer,
                                       constraint=layer.gamma_constraint)
    if layer.center:
        layer.beta = layer.add_weight(shape=shape, initializer=layer.beta_initializer,
                                      name="beta", regularizer=layer.beta_regularizer,
                                      constraint=layer.beta_constraint)

class BatchNormalization(Layer):
    """Normalizes with the batch's mean and (biased) variance while training, and with moving
    averages at inference: ``moving = moving * momentum + batch * (1 - momentum)``.

    Weights, in Keras's order: gamma, beta (trainable), moving_mean, moving_variance.
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=0.001, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, synchronized=False, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        if not 0 <= momentum <= 1:
            raise ValueError(f"Argument `momentum` must be in [0, 1]. Received: momentum={momentum}")
        if epsilon <= 0:
            raise ValueError(f"Argument `epsilon` must be positive. Received: epsilon={epsilon}")
        self.axis, self.momentum, self.epsilon = int(axis), float(momentum), float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = _init.get(beta_initializer)
        self.gamma_initializer = _init.get(gamma_initializer)
        self.moving_mean_initializer = _init.get(moving_mean_initializer)
        self.moving_variance_initializer = _init.get(moving_variance_initializer)
        self.beta_regularizer = _reg.get(beta_regularizer)
        self.gamma_regularizer = _reg.get(gamma_regularizer)
        self.beta_constraint = _constraints.get(beta_constraint)
        self.gamma_constraint = _constraints.get(gamma_constraint)
        self.gamma = self.beta = None

    compute_output_shape = Layer.identity_shape

    def build(self, input_shape):
        shape = _param_shape(input_shape, self.axis)
        _add_gamma_beta(self, shape)
        self.moving_mean = self.add_weight(shape=shape, initializer=self.moving_mean_initializer,
                                           name="moving_mean", trainable=False)
        self.moving_variance = self.add_weight(shape=shape,
                                               initializer=self.moving_variance_initializer,
                                               name="moving_variance", trainable=False)

    def call(self, inputs, training=False):
        """ember.nn.functional's batch norm on a (before, C, after) view of the input: it
        normalizes and (training) updates the moving statistics with Keras's rule."""
        shape = inputs.shape
        axis = self.axis % inputs.ndim
        before, after = int(np.prod(shape[:axis])), int(np.prod(shape[axis + 1:]))
        view = (before, shape[axis]) if after == 1 else (before, shape[axis], after)
        out = _batch_norm(inputs.reshape(view), self.moving_mean, self.moving_variance,
                          self.gamma, self.beta, bool(training and self.trainable),
                          1.0 - self.momentum, self.epsilon, unbiased_running_var=False)
        return out.reshape(shape)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum,
                "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
                "beta_initializer": _init.serialize(self.beta_initializer),
                "gamma_initializer": _init.serialize(self.gamma_initializer),
                "moving_mean_initializer": _init.serialize(self.moving_mean_initializer),
                "moving_variance_initializer": _init.serialize(self.moving_variance_initializer),
                "beta_regularizer": _reg.serialize(self.beta_regularizer),
                "gamma_regularizer": _reg.serialize(self.gamma_regularizer),
                "beta_constraint": _constraints.serialize(self.beta_constraint),
                "gamma_constraint": _constraints.serialize(self.gamma_constraint)}


class LayerNormalization(Layer):
    """Normalizes each sample over ``axis`` (an int or a list of axes; default the last), then
    scales by gamma and shifts by beta, as Keras 3 (``keras.ops.layer_normalization``).
    ``rms_scaling=True`` is Keras's deprecated option: it divides by the standard deviation
    without centering, scales by gamma and has no beta (Keras warns; so does ember)."""

    def __init__(self, axis=-1, epsilon=0.001, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None,
                 beta_constraint=None, gamma_constraint=None, rms_scaling=False, **kwargs):
        if rms_scaling:
            warnings.warn("You passed `rms_scaling=True`, which is deprecated. This argument "
                          "incorrectly scales the input by the variance, not the root mean "
                          "square. To correctly use RMS Normalization, please use "
                          "`keras.layers.RMSNormalization` instead.", stacklevel=2)
        super().__init__(**kwargs)
        self.supports_masking = True
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError(f"Expected an int or a list/tuple of ints for the argument 'axis', "
                            f"but received: {axis}")
        self.epsilon = float(epsilon)
        self.center, self.scale, self.rms_scaling = bool(center), bool(scale), bool(rms_scaling)
        self.beta_initializer = _init.get(beta_initializer)
        self.gamma_initializer = _init.get(gamma_initializer)
        self.beta_regularizer = _reg.get(beta_regularizer)
        self.gamma_regularizer = _reg.get(gamma_regularizer)
        self.beta_constraint = _constraints.get(beta_constraint)
        self.gamma_constraint = _constraints.get(gamma_constraint)
        self.gamma = self.beta = None

    def compute_output_shape(self, input_shape):
        for axis in self.axis if isinstance(self.axis, list) else [self.axis]:
            if axis >= len(input_shape) or axis < -len(input_shape):
                raise ValueError(f"Axis {axis} is out of bounds for input shape {input_shape}. "
                                 f"Received: `axis={self.axis}`")
        return input_shape

    def build(self, input_shape):
        if isinstance(self.axis, list):
            self.axis = sorted(self.axis)
            shape = tuple(input_shape[dim] for dim in self.axis)
        else:
            shape = (input_shape[self.axis],)
            self.axis = [self.axis]  # as Keras: the config then holds a list
        scale, center = self.scale, self.center
        self.scale, self.center = scale or self.rms_scaling, center and not self.rms_scaling
        _add_gamma_beta(self, shape)
        self.scale, self.center = scale, center

    def call(self, inputs, training=False):
        return layer_normalization(inputs, self.gamma, self.beta, self.axis, self.epsilon,
                                   rms_scaling=self.rms_scaling)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale, "rms_scaling": self.rms_scaling,
                "beta_initializer": _init.serialize(self.beta_initializer),
                "gamma_initializer": _init.serialize(self.gamma_initializer),
                "beta_regularizer": _reg.serialize(self.beta_regularizer),
                "gamma_regularizer": _reg.serialize(self.gamma_regularizer),
                "beta_constraint": _constraints.serialize(self.beta_constraint),
                "gamma_constraint": _constraints.serialize(self.gamma_constraint)}


class Normalization(Layer):
    """Feature-wise standardization ``(x - mean) / max(sqrt(variance), 1e-7)`` with statistics
    given or learned by ``adapt(data)``; ``invert=True`` undoes it.

    Example::

        >>> norm = Normalization()
        >>> norm.adapt(x_train)
        >>> model = Sequential([norm, Dense(1)])
    """

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if (mean is None) != (variance is None):
            raise ValueError(f"When setting values directly, both `mean` and `variance` must be "
                             f"set. Received: mean={mean} and variance={variance}")
        self.axis, self.invert = axis, bool(invert)
        self._init_mean, self._init_var = mean, variance

    compute_output_shape = Layer.identity_shape

    def build(self, input_shape):
        shape = _param_shape(input_shape, self.axis)
        self.adapt_mean = self.add_weight(shape=shape, initializer="zeros", name="mean",
                                          trainable=False)
        self.adapt_variance = self.add_weight(shape=shape, initializer="ones", name="variance",
                                              trainable=False)
        self.count = self.add_weight(shape=(), initializer="zeros", name="count", trainable=False)
        if self._init_mean is not None:
            self.adapt_mean._data[...] = np.asarray(self._init_mean, np.float32)
            self.adapt_variance._data[...] = np.asarray(self._init_var, np.float32)

    def adapt(self, data, batch_size=None, steps=None) -> None:
        """Computes the mean and variance of ``data`` along every axis but ``axis``."""
        arr = to_array(data).astype(np.float32, copy=False)
        if arr.ndim == 1:
            arr = arr[:, None]
        if not self.built:
            self._build_once((None,) + arr.shape[1:])
        axes = _axes_except(arr.ndim, self.axis)
        self.adapt_mean._data[...] = arr.mean(axis=axes, dtype=np.float64).astype(np.float32)
        self.adapt_variance._data[...] = arr.var(axis=axes, dtype=np.float64).astype(np.float32)
        self.count._data[...] = np.float32(arr.size // self.adapt_mean._data.size)

    def call(self, inputs, training=False):
        nd = inputs.ndim
        mean = _broadcast(Tensor._make(self.adapt_mean._data), nd, self.axis)
        std = np.maximum(np.sqrt(self.adapt_variance._data), np.float32(1e-7))
        std = _broadcast(Tensor._make(std), nd, self.axis)
        if self.invert:
            return mean + inputs * std
        return (inputs - mean) / std

    def get_config(self):
        config = {**super().get_config(), "axis": self.axis, "invert": self.invert}
        if self._init_mean is not None:
            config["mean"] = np.asarray(self._init_mean).tolist()
            config["variance"] = np.asarray(self._init_var).tolist()
        return config
