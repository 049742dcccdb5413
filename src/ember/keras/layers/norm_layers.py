"""Normalization layers beyond Batch/LayerNormalization: UnitNormalization (unit L2 norm),
GroupNormalization (statistics per group of channels) and RMSNormalization (division by the
root mean square, times a learned scale).

Example::

    >>> tuple(keras.layers.GroupNormalization(groups=4)(np.ones((2, 5, 8), np.float32)).shape)
    (2, 5, 8)
"""
from __future__ import annotations

from .. import initializers as _init
from .. import ops
from .. import regularizers as _reg
from .base import InputSpec, Layer


def _check_axes(axis, input_shape):
    for a in (axis if isinstance(axis, (list, tuple)) else [axis]):
        if a >= len(input_shape) or a < -len(input_shape):
            raise ValueError(f"Axis {a} is out of bounds for input shape {tuple(input_shape)}. "
                             f"Received: axis={axis}")
    return input_shape


class UnitNormalization(Layer):
    """Scales each sample to unit L2 norm along ``axis`` (an int or a list of ints)."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError(f"Invalid value for `axis` argument: expected an int or a list/tuple of "
                            f"ints. Received: axis={axis}")
        self.supports_masking = True

    def compute_output_shape(self, input_shape):
        return _check_axes(self.axis, input_shape)

    def call(self, inputs):
        return ops.normalize(inputs, axis=self.axis, order=2, epsilon=1e-12)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class GroupNormalization(Layer):
    """Normalizes each group of ``groups`` channel groups (along ``axis``) over the group's
    channels and the other non-batch axes, then scales by ``gamma`` and shifts by ``beta``
    per channel (Wu & He 2018); ``groups=-1`` is instance normalization.
    """

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, **kwargs):
        if not isinstance(groups, int) or (groups <= 0 and groups != -1):
            raise ValueError(f"Received an invalid value for argument `groups`, expected a "
                             f"positive integer (or `-1` for instance normalization). Received: "
                             f"groups={groups}")
        super().__init__(**kwargs)
        self.supports_masking = True
        self.groups, self.axis, self.epsilon = groups, axis, epsilon
        self.center, self.scale = center, scale
        self.beta_initializer = _init.get(beta_initializer)
        self.gamma_initializer = _init.get(gamma_initializer)
        self.beta_regularizer = _reg.get(beta_regularizer)
        self.gamma_regularizer = _reg.get(gamma_regularizer)
        self.beta_constraint, self.gamma_constraint = beta_constraint, gamma_constraint

    def build(self, input_shape):
        dim = input_shape[self.axis]
        if dim is None:
            raise ValueError(f"Axis {self.axis} of input tensor should have a defined dimension "
                             f"but the layer received an input with shape {tuple(input_shape)}.")
        if self.groups == -1:
            self.groups = dim
        if dim < self.groups:
            raise ValueError(f"Number of groups ({self.groups}) cannot be more than the number of "
                             f"channels ({dim}).")
        if dim % self.groups != 0:
            raise ValueError(f"Number of groups ({self.groups}) must be a multiple of the number "
                             f"of channels ({dim}).")
        self.input_spec = InputSpec(ndim=len(input_shape), axes={self.axis: dim})
        self.gamma = self.add_weight((dim,), self.gamma_initializer, name="gamma",
                                     regularizer=self.gamma_regularizer,
                                     constraint=self.gamma_constraint) if self.scale else None
        self.beta = self.add_weight((dim,), self.beta_initializer, name="beta",
                                    regularizer=self.beta_regularizer,
                                    constraint=self.beta_constraint) if self.center else None

    def compute_output_shape(self, input_shape):
        return _check_axes(self.axis, input_shape)

    def _group_shape(self, shape):
        shape = list(shape)
        axis = self.axis % len(shape)
        shape[axis] //= self.groups
        shape.insert(axis, self.groups)
        return shape, axis

    def call(self, inputs):
        name = inputs.dtype.name
        grouped_shape, axis = self._group_shape(inputs.shape)
        grouped_shape[0] = -1
        x = ops.cast(ops.reshape(inputs, grouped_shape), ops.result_type(name, "float32"))
        reduce = [i for i in range(1, len(grouped_shape)) if i != axis]
        mean, variance = ops.moments(x, axes=reduce, keepdims=True)
        inv = ops.rsqrt(variance + self.epsilon)
        bshape = [1] * len(grouped_shape)
        bshape[axis], bshape[axis + 1] = self.groups, grouped_shape[axis + 1]
        if self.scale:
            inv = inv * ops.reshape(self.gamma, bshape)
        res = -mean * inv
        if self.center:
            res = res + ops.reshape(self.beta, bshape)
        return ops.cast(ops.reshape(x * inv + res, inputs.shape), name)

    def get_config(self):
        return {**super().get_config(), "groups": self.groups, "axis": self.axis,
                "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
                "beta_initializer": _init.serialize(self.beta_initializer),
                "gamma_initializer": _init.serialize(self.gamma_initializer),
                "beta_regularizer": _reg.serialize(self.beta_regularizer),
                "gamma_regularizer": _reg.serialize(self.gamma_regularizer),
                "beta_constraint": self.beta_constraint, "gamma_constraint": self.gamma_constraint}


class RMSNormalization(Layer):
    """``x / sqrt(mean(x², axis) + epsilon) * scale`` with a learned ``scale`` (Zhang & Sennrich
    2019)."""

    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.axis, self.epsilon = axis, epsilon

    def build(self, input_shape):
        if isinstance(self.axis, (list, tuple)):
            self.axis = sorted(self.axis)
            shape = tuple(input_shape[d] for d in self.axis)
        else:
            shape = (input_shape[self.axis],)
            self.axis = [self.axis]
        self.scale = self.add_weight(shape, "ones", name="scale")

    def compute_output_shape(self, input_shape):
        return _check_axes(self.axis, input_shape)

    def call(self, inputs):
        return ops.rms_normalization(inputs, scale=self.scale, axis=self.axis,
                                     epsilon=self.epsilon)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon}
