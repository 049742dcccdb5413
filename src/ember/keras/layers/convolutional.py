"""Convolution layers: ``Conv1D/2D/3D``, ``Conv1D/2D/3DTranspose``, ``DepthwiseConv1D/2D`` and
``SeparableConv1D/2D``, with Keras 3's arguments, weight names/shapes and checks. Each ``call`` is
one of ``keras.ops``' convolutions (``ember.keras.ops.nn_conv``), which use
``ember.nn.functional``: no maths here.

Example::

    >>> from ember import keras
    >>> layer = keras.layers.Conv2D(32, (3, 3), activation="relu")
    >>> layer(np.zeros((2, 28, 28, 1), np.float32)).shape
    ember.Size([2, 26, 26, 32])
    >>> [tuple(w.shape) for w in layer.weights]
    [(3, 3, 1, 32), (32,)]
"""
from __future__ import annotations

from .. import activations as _act
from .. import initializers as _init
from .. import regularizers as _reg
from ..config import standardize_data_format
from ..ops import nn_conv as _conv
from .base import InputSpec, Layer
from .core import kernel_bias_config

__all__ = ["Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose",
           "DepthwiseConv1D", "DepthwiseConv2D", "SeparableConv1D", "SeparableConv2D",
           "conv_output_length"]


def conv_output_length(size, kernel: int, stride: int, padding: str, dilation: int = 1):
    """Keras's output length of a convolution or pooling along one axis (None stays None)."""
    if size is None:
        return None
    if padding == "valid":
        return (size - dilation * (kernel - 1) - 1) // stride + 1
    return -(-size // stride)  # 'same' (and 'causal')


def spatial_axes(data_format: str, rank: int) -> tuple:
    """The spatial axes of a ``rank``-D image batch and its channel axis."""
    if data_format == "channels_last":
        return tuple(range(1, rank + 1)), rank + 1
    return tuple(range(2, rank + 2)), 1


def with_spatial(input_shape, data_format: str, rank: int, spatial, channels) -> tuple:
    """``input_shape`` with its spatial sizes and channel count replaced."""
    axes, channel_axis = spatial_axes(data_format, rank)
    shape = list(input_shape)
    for a, n in zip(axes, spatial):
        shape[a] = n
    shape[channel_axis] = channels
    return tuple(shape)


class _Conv(Layer):
    """Arguments and checks shared by the convolutions (Keras's ``BaseConv``)."""

    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        n = self.rank
        self.filters = filters
        self.groups = groups
        self.kernel_size = _conv.ntuple(kernel_size, n, "kernel_size")
        self.strides = _conv.ntuple(strides, n, "strides")
        self.dilation_rate = _conv.ntuple(dilation_rate, n, "dilation_rate")
        self.padding = _conv._padding_arg(padding, allow_causal=n == 1)
        self.data_format = standardize_data_format(data_format)
        self.activation = _act.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = _init.get(kernel_initializer)
        self.bias_initializer = _init.get(bias_initializer)
        self.kernel_regularizer = _reg.get(kernel_regularizer)
        self.bias_regularizer = _reg.get(bias_regularizer)
        if kernel_constraint is not None or bias_constraint is not None:
            raise ValueError(f"ember.keras {type(self).__name__} does not support weight "
                             f"constraints")
        self.input_spec = InputSpec(min_ndim=n + 2)
        if filters is not None and filters <= 0:
            raise ValueError(f"Invalid value for argument `filters`. Expected a strictly positive "
                             f"value. Received filters={filters}.")
        if groups <= 0:
            raise ValueError(f"The number of groups must be a positive integer. Received: "
                             f"groups={groups}.")
        if filters is not None and filters % groups:
            raise ValueError(f"The number of filters must be evenly divisible by the number of "
                             f"groups. Received: groups={groups}, filters={filters}.")
        if not all(self.kernel_size):
            raise ValueError(f"The argument `kernel_size` cannot contain 0. Received "
                             f"kernel_size={self.kernel_size}.")
        if not all(self.strides):
            raise ValueError(f"The argument `strides` cannot contains 0. Received "
                             f"strides={self.strides}")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"`strides > 1` not supported in conjunction with `dilation_rate > "
                             f"1`. Received: strides={self.strides} and "
                             f"dilation_rate={self.dilation_rate}")
        self.kernel = self.bias = None

    def _channels(self, input_shape) -> int:
        return input_shape[spatial_axes(self.data_format, self.rank)[1]]

    def _add_bias(self, size: int) -> None:
        if self.use_bias:
            self.bias = self.add_weight(shape=(size,), initializer=self.bias_initializer,
                                        name="bias", regularizer=self.bias_regularizer)

    def _spatial_out(self, input_shape) -> list:
        axes, _ = spatial_axes(self.data_format, self.rank)
        return [conv_output_length(input_shape[a], k, s, self.padding, d) for a, k, s, d in
                zip(axes, self.kernel_size, self.strides, self.dilation_rate)]

    def build(self, input_shape):
        channels = self._channels(input_shape)
        if channels % self.groups:
            raise ValueError(f"The number of input channels must be evenly divisible by the number "
                             f"of groups. Received groups={self.groups}, but the input has "
                             f"{channels} channels (full input shape is {input_shape}).")
        self.compute_output_shape(input_shape)
        self.kernel = self.add_weight(shape=self.kernel_size + (channels // self.groups,
                                                                self.filters),
                                      initializer=self.kernel_initializer, name="kernel",
                                      regularizer=self.kernel_regularizer)
        self._add_bias(self.filters)
        self.input_spec = InputSpec(min_ndim=self.rank + 2,
                                    axes={spatial_axes(self.data_format, self.rank)[1]: channels})

    def compute_output_shape(self, input_shape):
        spatial = self._spatial_out(input_shape)
        if any(n is not None and n <= 0 for n in spatial):
            raise ValueError(f"Computed output size would be zero or negative. Received `inputs "
                             f"shape={tuple(input_shape)}`, `kernel shape={self.kernel_size}`, "
                             f"`dilation_rate={self.dilation_rate}`, `strides={self.strides}`, "
                             f"`padding={self.padding}`.")
        return with_spatial(input_shape, self.data_format, self.rank, spatial, self.filters)

    def call(self, inputs):
        y = _conv.conv_with_bias(inputs, self.kernel, self.bias, self.strides, self.padding,
                                 self.data_format, self.dilation_rate)
        return y if self.activation is None else self.activation(y)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": self.kernel_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate, "groups": self.groups,
                **kernel_bias_config(self)}


class Conv1D(_Conv):
    """1-D convolution over ``(batch, steps, channels)`` (or channels_first) input; padding
    'valid', 'same' or 'causal' (left padding only, for sequence models).

    Example::

        >>> keras.layers.Conv1D(8, 3, padding="causal")(np.zeros((2, 10, 4), np.float32)).shape
        ember.Size([2, 10, 8])
    """

    rank = 1


class Conv2D(_Conv):
    """2-D convolution over ``(batch, height, width, channels)`` input (``data_format=
    "channels_first"``: ``(batch, channels, height, width)``).

    Args:
        filters: output channels; kernel_size, strides, dilation_rate: int or pair;
        padding: 'valid' (none) or 'same' (output = ceil(input / stride));
        groups: independent channel groups; activation: applied to the output;
        kernel_initializer / bias_initializer / *_regularizer: as for Dense.

    Weights: ``kernel`` ``(kh, kw, in / groups, filters)`` and ``bias`` ``(filters,)``.

    Example::

        >>> keras.layers.Conv2D(16, 3, strides=2, padding="same")(np.zeros((1, 9, 9, 3), np.float32)).shape
        ember.Size([1, 5, 5, 16])
    """

    rank = 2


class Conv3D(_Conv):
    """3-D convolution over ``(batch, depth, height, width, channels)`` input (volumes, video);
    arguments as :class:`Conv2D` with ints or triples.

    Weights: ``kernel`` ``(kd, kh, kw, in / groups, filters)`` and ``bias`` ``(filters,)``.

    Example::

        >>> keras.layers.Conv3D(8, 3, padding="same")(np.zeros((1, 4, 6, 6, 2), np.float32)).shape
        ember.Size([1, 4, 6, 6, 8])
    """

    rank = 3


class _ConvTranspose(_Conv):
    """Transposed convolution (learnable upsampling): 'same' gives ``input · strides``,
    'valid' ``(input - 1) · strides + max(kernel, strides)`` (``output_padding`` adjusts).

    Weights: ``kernel`` ``(*kernel_size, filters, in)`` and ``bias`` ``(filters,)``.
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", output_padding=None,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, 1,
                         activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer,
                         kernel_constraint, bias_constraint, **kwargs)
        self.output_padding = None if output_padding is None else \
            _conv.ntuple(output_padding, self.rank, "output_padding")
        if self.output_padding is not None:
            for p, s in zip(self.output_padding, self.strides):
                if p >= s:
                    raise ValueError(f"Strides must be greater than output padding. Received "
                                     f"strides={self.strides}, output_padding="
                                     f"{self.output_padding}.")

    def build(self, input_shape):
        channels = self._channels(input_shape)
        self.kernel = self.add_weight(shape=self.kernel_size + (self.filters, channels),
                                      initializer=self.kernel_initializer, name="kernel",
                                      regularizer=self.kernel_regularizer)
        self._add_bias(self.filters)
        self.input_spec = InputSpec(min_ndim=self.rank + 2,
                                    axes={spatial_axes(self.data_format, self.rank)[1]: channels})

    def compute_output_shape(self, input_shape):
        axes, _ = spatial_axes(self.data_format, self.rank)
        out_pad = self.output_padding or (None,) * self.rank
        spatial = []
        for a, k, s, d, p in zip(axes, self.kernel_size, self.strides, self.dilation_rate,
                                 out_pad):
            n = input_shape[a]
            if n is None:
                spatial.append(None)
                continue
            left, right = _conv._transpose_padding(k, s, d, self.padding, p)
            spatial.append((n - 1) * s + left + right - (k - 1) * d + 1)
        return with_spatial(input_shape, self.data_format, self.rank, spatial, self.filters)

    def call(self, inputs):
        y = _conv.conv_transpose(inputs, self.kernel, self.strides, self.padding,
                                 self.output_padding, self.data_format, self.dilation_rate)
        if self.bias is not None:
            y = y + (self.bias if self.data_format == "channels_last" else
                     self.bias.reshape((-1,) + (1,) * self.rank))
        return y if self.activation is None else self.activation(y)

    def get_config(self):
        config = super().get_config()
        del config["groups"]
        return {**config, "output_padding": self.output_padding}


class Conv1DTranspose(_ConvTranspose):
    """Transposed 1-D convolution over ``(batch, steps, channels)`` input.

    Weights: ``kernel`` ``(k, filters, in)`` and ``bias`` ``(filters,)``.

    Example::

        >>> keras.layers.Conv1DTranspose(4, 3, strides=2, padding="same")(np.zeros((1, 5, 8), np.float32)).shape
        ember.Size([1, 10, 4])
    """

    rank = 1

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, output_padding, data_format,
                         dilation_rate, activation, use_bias, kernel_initializer,
                         bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, **kwargs)


class Conv2DTranspose(_ConvTranspose):
    """Transposed 2-D convolution (learnable upsampling): 'same' gives ``input · strides``,
    'valid' ``(input - 1) · strides + max(kernel, strides)`` (``output_padding`` adjusts).

    Weights: ``kernel`` ``(kh, kw, filters, in)`` and ``bias`` ``(filters,)``.

    Example::

        >>> keras.layers.Conv2DTranspose(4, 3, strides=2, padding="same")(np.zeros((1, 5, 5, 8), np.float32)).shape
        ember.Size([1, 10, 10, 4])
    """

    rank = 2


class Conv3DTranspose(_ConvTranspose):
    """Transposed 3-D convolution over ``(batch, depth, height, width, channels)`` input (note
    Keras's argument order: ``data_format`` before ``output_padding``).

    Weights: ``kernel`` ``(kd, kh, kw, filters, in)`` and ``bias`` ``(filters,)``.

    Example::

        >>> keras.layers.Conv3DTranspose(4, 2, strides=2)(np.zeros((1, 2, 3, 3, 8), np.float32)).shape
        ember.Size([1, 4, 6, 6, 4])
    """

    rank = 3

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid", data_format=None,
                 output_padding=None, dilation_rate=(1, 1, 1), activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, output_padding, data_format,
                         dilation_rate, activation, use_bias, kernel_initializer,
                         bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, **kwargs)


class DepthwiseConv2D(_Conv):
    """Each input channel convolved with its own ``depth_multiplier`` filters (no mixing of
    channels). Weights: ``kernel`` ``(kh, kw, in, depth_multiplier)``, ``bias`` ``(in ·
    depth_multiplier,)``.

    Example::

        >>> keras.layers.DepthwiseConv2D(3, depth_multiplier=2)(np.zeros((1, 6, 6, 4), np.float32)).shape
        ember.Size([1, 4, 4, 8])
    """

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(None, kernel_size, strides, padding, data_format, dilation_rate, 1,
                         activation, use_bias, depthwise_initializer, bias_initializer,
                         depthwise_regularizer, bias_regularizer, activity_regularizer,
                         depthwise_constraint, bias_constraint, **kwargs)
        self.depth_multiplier = depth_multiplier

    def build(self, input_shape):
        channels = self._channels(input_shape)
        self.kernel = self.add_weight(shape=self.kernel_size + (channels, self.depth_multiplier),
                                      initializer=self.kernel_initializer, name="kernel",
                                      regularizer=self.kernel_regularizer)
        self._add_bias(channels * self.depth_multiplier)
        self.input_spec = InputSpec(min_ndim=self.rank + 2,
                                    axes={spatial_axes(self.data_format, self.rank)[1]: channels})

    def compute_output_shape(self, input_shape):
        channels = self._channels(input_shape)
        return with_spatial(input_shape, self.data_format, self.rank, self._spatial_out(input_shape),
                            None if channels is None else channels * self.depth_multiplier)

    def call(self, inputs):
        k = self.kernel.reshape(self.kernel_size + (1, -1))
        y = _conv.conv_with_bias(inputs, k, self.bias, self.strides, self.padding,
                                 self.data_format, self.dilation_rate)
        return y if self.activation is None else self.activation(y)

    def get_config(self):
        config = super().get_config()
        for key in ("filters", "groups", "kernel_initializer", "kernel_regularizer"):
            del config[key]
        return {**config, "depth_multiplier": self.depth_multiplier,
                "depthwise_initializer": _init.serialize(self.kernel_initializer),
                "depthwise_regularizer": _reg.serialize(self.kernel_regularizer)}


class SeparableConv2D(_Conv):
    """A depthwise convolution then a 1×1 convolution to ``filters`` channels. Weights:
    ``depthwise_kernel`` ``(kh, kw, in, depth_multiplier)``, ``pointwise_kernel`` ``(1, 1,
    in · depth_multiplier, filters)``, ``bias`` ``(filters,)``.

    Example::

        >>> keras.layers.SeparableConv2D(8, 3, padding="same")(np.zeros((1, 6, 6, 4), np.float32)).shape
        ember.Size([1, 6, 6, 8])
    """

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, 1,
                         activation, use_bias, depthwise_initializer, bias_initializer,
                         depthwise_regularizer, bias_regularizer, activity_regularizer,
                         depthwise_constraint or pointwise_constraint, bias_constraint, **kwargs)
        self.depth_multiplier = depth_multiplier
        self.pointwise_initializer = _init.get(pointwise_initializer)
        self.pointwise_regularizer = _reg.get(pointwise_regularizer)
        self.depthwise_kernel = self.pointwise_kernel = None

    def build(self, input_shape):
        channels = self._channels(input_shape)
        self.depthwise_kernel = self.add_weight(
            shape=self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.kernel_initializer, name="depthwise_kernel",
            regularizer=self.kernel_regularizer)
        self.pointwise_kernel = self.add_weight(
            shape=(1,) * self.rank + (channels * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer, name="pointwise_kernel",
            regularizer=self.pointwise_regularizer)
        self._add_bias(self.filters)
        self.input_spec = InputSpec(min_ndim=self.rank + 2,
                                    axes={spatial_axes(self.data_format, self.rank)[1]: channels})

    def call(self, inputs):
        k = self.depthwise_kernel.reshape(self.kernel_size + (1, -1))
        y = _conv.conv(inputs, k, self.strides, self.padding, self.data_format,
                       self.dilation_rate)
        y = _conv.conv_with_bias(y, self.pointwise_kernel, self.bias, 1, "valid",
                                 self.data_format, self.dilation_rate)
        return y if self.activation is None else self.activation(y)

    def get_config(self):
        config = super().get_config()
        for key in ("groups", "kernel_initializer", "kernel_regularizer"):
            del config[key]
        return {**config, "depth_multiplier": self.depth_multiplier,
                "depthwise_initializer": _init.serialize(self.kernel_initializer),
                "pointwise_initializer": _init.serialize(self.pointwise_initializer),
                "depthwise_regularizer": _reg.serialize(self.kernel_regularizer),
                "pointwise_regularizer": _reg.serialize(self.pointwise_regularizer)}


class DepthwiseConv1D(DepthwiseConv2D):
    """:class:`DepthwiseConv2D` over ``(batch, steps, channels)`` input. Weights: ``kernel``
    ``(k, in, depth_multiplier)``, ``bias`` ``(in · depth_multiplier,)``.

    Example::

        >>> keras.layers.DepthwiseConv1D(3, depth_multiplier=2)(np.zeros((1, 6, 4), np.float32)).shape
        ember.Size([1, 4, 8])
    """

    rank = 1

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(kernel_size, strides, padding, depth_multiplier, data_format,
                         dilation_rate, activation, use_bias, depthwise_initializer,
                         bias_initializer, depthwise_regularizer, bias_regularizer,
                         activity_regularizer, depthwise_constraint, bias_constraint, **kwargs)


class SeparableConv1D(SeparableConv2D):
    """:class:`SeparableConv2D` over ``(batch, steps, channels)`` input. Weights:
    ``depthwise_kernel`` ``(k, in, depth_multiplier)``, ``pointwise_kernel`` ``(1, in ·
    depth_multiplier, filters)``, ``bias`` ``(filters,)``.

    Example::

        >>> keras.layers.SeparableConv1D(8, 3, padding="same")(np.zeros((1, 6, 4), np.float32)).shape
        ember.Size([1, 6, 8])
    """

    rank = 1

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate,
                         depth_multiplier, activation, use_bias, depthwise_initializer,
                         pointwise_initializer, bias_initializer, depthwise_regularizer,
                         pointwise_regularizer, bias_regularizer, activity_regularizer,
                         depthwise_constraint, pointwise_constraint, bias_constraint, **kwargs)
