"""Pooling layers: ``MaxPooling1D/2D/3D``, ``AveragePooling1D/2D/3D`` (windows) and
``GlobalAveragePooling1D/2D/3D``, ``GlobalMaxPooling1D/2D/3D`` (over every position), with Keras 3's
arguments and shapes; ``call`` is ``keras.ops``' ``max_pool``/``average_pool`` or a mean/max.

Example::

    >>> from ember import keras
    >>> keras.layers.MaxPooling2D()(np.zeros((2, 28, 28, 32), np.float32)).shape
    ember.Size([2, 14, 14, 32])
"""
from __future__ import annotations

import ember

from ...ops._util import as_tensor
from ..config import standardize_data_format
from ..ops import nn_conv as _conv
from .base import InputSpec, Layer
from .convolutional import conv_output_length, spatial_axes, with_spatial

__all__ = ["MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D",
           "AveragePooling3D", "GlobalAveragePooling1D", "GlobalAveragePooling2D",
           "GlobalAveragePooling3D", "GlobalMaxPooling1D", "GlobalMaxPooling2D",
           "GlobalMaxPooling3D"]


class _Pooling(Layer):
    """Window pooling (Keras's ``BasePooling``); ``_op`` is the ``keras.ops`` function."""

    rank = 2
    _op = None

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(name=name, **kwargs)
        n = self.rank
        self.pool_size = _conv.ntuple(pool_size, n, "pool_size")
        self.strides = self.pool_size if strides is None else _conv.ntuple(strides, n, "strides")
        self.padding = _conv._padding_arg(padding)
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=n + 2)

    def compute_output_shape(self, input_shape):
        axes, channel_axis = spatial_axes(self.data_format, self.rank)
        spatial = [conv_output_length(input_shape[a], p, s, self.padding) for a, p, s in
                   zip(axes, self.pool_size, self.strides)]
        if any(n is not None and n <= 0 for n in spatial):
            raise ValueError(f"Computed output size would be negative. Received: `inputs.shape="
                             f"{tuple(input_shape)}` and `pool_size={self.pool_size}`.")
        return with_spatial(input_shape, self.data_format, self.rank, spatial,
                            input_shape[channel_axis])

    def call(self, inputs):
        return self._op(inputs, self.pool_size, self.strides, self.padding, self.data_format)

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size, "padding": self.padding,
                "strides": self.strides, "data_format": self.data_format}


class MaxPooling1D(_Pooling):
    """Maximum over ``pool_size`` steps of ``(batch, steps, features)`` input.

    Example::

        >>> keras.layers.MaxPooling1D(2)(np.zeros((2, 10, 3), np.float32)).shape
        ember.Size([2, 5, 3])
    """

    rank = 1
    _op = staticmethod(_conv.max_pool)


class MaxPooling2D(_Pooling):
    """Maximum over ``pool_size`` windows (default 2×2, strides = pool_size) of images.

    Example::

        >>> keras.layers.MaxPooling2D(pool_size=(2, 2), padding="same")(np.zeros((1, 5, 5, 2), np.float32)).shape
        ember.Size([1, 3, 3, 2])
    """

    _op = staticmethod(_conv.max_pool)


class MaxPooling3D(_Pooling):
    """Maximum over ``pool_size`` windows (default 2×2×2) of ``(batch, depth, height, width,
    channels)`` volumes.

    Example::

        >>> keras.layers.MaxPooling3D()(np.zeros((1, 4, 6, 6, 2), np.float32)).shape
        ember.Size([1, 2, 3, 3, 2])
    """

    rank = 3
    _op = staticmethod(_conv.max_pool)


class AveragePooling1D(_Pooling):
    """Mean over ``pool_size`` steps (padding never counts in the mean); ``pool_size`` has no
    default, as in Keras.

    Example::

        >>> keras.layers.AveragePooling1D(3, strides=1)(np.zeros((2, 10, 3), np.float32)).shape
        ember.Size([2, 8, 3])
    """

    rank = 1
    _op = staticmethod(_conv.average_pool)

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name, **kwargs)


class AveragePooling2D(_Pooling):
    """Mean over ``pool_size`` windows of images (padding never counts in the mean).

    Example::

        >>> keras.layers.AveragePooling2D(2)(np.zeros((1, 4, 4, 2), np.float32)).shape
        ember.Size([1, 2, 2, 2])
    """

    _op = staticmethod(_conv.average_pool)

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name, **kwargs)


class AveragePooling3D(_Pooling):
    """Mean over ``pool_size`` windows of volumes (padding never counts in the mean).

    Example::

        >>> keras.layers.AveragePooling3D(2)(np.zeros((1, 4, 4, 4, 2), np.float32)).shape
        ember.Size([1, 2, 2, 2, 2])
    """

    rank = 3
    _op = staticmethod(_conv.average_pool)

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name, **kwargs)


class _GlobalPooling(Layer):
    """Reduces every spatial axis (mean or max); ``keepdims`` keeps them as size 1."""

    rank = 2
    _reduce = "mean"

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.keepdims = bool(keepdims)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def compute_output_shape(self, input_shape):
        axes, channel_axis = spatial_axes(self.data_format, self.rank)
        if self.keepdims:
            return with_spatial(input_shape, self.data_format, self.rank, (1,) * self.rank,
                                input_shape[channel_axis])
        return (input_shape[0], input_shape[channel_axis])

    def call(self, inputs):
        axes, _ = spatial_axes(self.data_format, self.rank)
        if self._reduce == "mean":
            return inputs.mean(axes, keepdim=self.keepdims)
        return inputs.amax(axes, keepdim=self.keepdims)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format,
                "keepdims": self.keepdims}


class GlobalAveragePooling1D(_GlobalPooling):
    """Mean over the steps of ``(batch, steps, features)`` input. A Keras mask (from
    ``Embedding(mask_zero=True)`` through the layers before) leaves out the masked steps, as
    Keras does (their values are not read); the output carries no mask.

    Example::

        >>> keras.layers.GlobalAveragePooling1D()(np.ones((2, 5, 3), np.float32)).shape
        ember.Size([2, 3])
    """

    rank = 1

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(data_format, keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return super().call(inputs)
        axis = 1 if self.data_format == "channels_last" else 2
        keep = as_tensor(mask).to(ember.bool).unsqueeze(2 if axis == 1 else 1)
        total = ember.where(keep, inputs, 0.0).sum(axis, keepdim=self.keepdims)
        return total / keep.to(inputs.dtype).sum(axis, keepdim=self.keepdims)

    def compute_mask(self, inputs, mask=None):
        return None


class GlobalAveragePooling2D(_GlobalPooling):
    """Mean over height and width: ``(batch, h, w, c)`` → ``(batch, c)``.

    Example::

        >>> keras.layers.GlobalAveragePooling2D(keepdims=True)(np.ones((2, 5, 5, 3), np.float32)).shape
        ember.Size([2, 1, 1, 3])
    """


class GlobalMaxPooling1D(_GlobalPooling):
    """Maximum over the steps of ``(batch, steps, features)`` input.

    Example::

        >>> keras.layers.GlobalMaxPooling1D()(np.ones((2, 5, 3), np.float32)).shape
        ember.Size([2, 3])
    """

    rank = 1
    _reduce = "max"


class GlobalMaxPooling2D(_GlobalPooling):
    """Maximum over height and width: ``(batch, h, w, c)`` → ``(batch, c)``.

    Example::

        >>> keras.layers.GlobalMaxPooling2D()(np.ones((2, 5, 5, 3), np.float32)).shape
        ember.Size([2, 3])
    """

    _reduce = "max"


class GlobalAveragePooling3D(_GlobalPooling):
    """Mean over depth, height and width: ``(batch, d, h, w, c)`` → ``(batch, c)``.

    Example::

        >>> keras.layers.GlobalAveragePooling3D()(np.ones((2, 3, 5, 5, 4), np.float32)).shape
        ember.Size([2, 4])
    """

    rank = 3


class GlobalMaxPooling3D(_GlobalPooling):
    """Maximum over depth, height and width: ``(batch, d, h, w, c)`` → ``(batch, c)``.

    Example::

        >>> keras.layers.GlobalMaxPooling3D(keepdims=True)(np.ones((2, 3, 5, 5, 4), np.float32)).shape
        ember.Size([2, 1, 1, 1, 4])
    """

    rank = 3
    _reduce = "max"
