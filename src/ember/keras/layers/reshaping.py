"""Image reshaping layers: ``ZeroPadding2D`` and ``UpSampling2D`` (``Reshape`` and
``Flatten`` live in ``core``), with Keras 3's arguments; ``call`` is ``F.pad`` or
``F.interpolate`` on a channels-first view.

Example::

    >>> from ember import keras
    >>> keras.layers.ZeroPadding2D(((1, 0), (2, 3)))(np.zeros((1, 4, 4, 2), np.float32)).shape
    ember.Size([1, 5, 9, 2])
"""
from __future__ import annotations

from ...nn import functional as F
from ..config import standardize_data_format
from ..ops import nn_conv as _conv
from .base import InputSpec, Layer
from .convolutional import spatial_axes, with_spatial

__all__ = ["ZeroPadding2D", "UpSampling2D"]


class ZeroPadding2D(Layer):
    """Adds rows and columns of zeros around each image.

    Args:
        padding: int (all sides), ``(symmetric_height, symmetric_width)`` or
            ``((top, bottom), (left, right))``.

    Example::

        >>> keras.layers.ZeroPadding2D(2)(np.zeros((1, 3, 3, 1), np.float32)).shape
        ember.Size([1, 7, 7, 1])
    """

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        if isinstance(padding, int):
            self.padding = ((padding, padding), (padding, padding))
        elif hasattr(padding, "__len__"):
            if len(padding) != 2:
                raise ValueError(f"`padding` should have two elements. Received: padding="
                                 f"{padding}.")
            self.padding = (_conv.ntuple(padding[0], 2, "1st entry of padding"),
                            _conv.ntuple(padding[1], 2, "2nd entry of padding"))
        else:
            raise ValueError(f"`padding` should be either an int, a tuple of 2 ints "
                             f"(symmetric_height_crop, symmetric_width_crop), or a tuple of 2 "
                             f"tuples of 2 ints ((top_crop, bottom_crop), (left_crop, "
                             f"right_crop)). Received: padding={padding}.")
        self.input_spec = InputSpec(ndim=4)

    def compute_output_shape(self, input_shape):
        axes, channel_axis = spatial_axes(self.data_format, 2)
        spatial = [None if input_shape[a] is None else input_shape[a] + sum(p)
                   for a, p in zip(axes, self.padding)]
        return with_spatial(input_shape, self.data_format, 2, spatial, input_shape[channel_axis])

    def call(self, inputs):
        (top, bottom), (left, right) = self.padding
        x = _conv.channels_first(inputs, self.data_format)
        return _conv.from_channels_first(F.pad(x, (left, right, top, bottom)), self.data_format)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}


class UpSampling2D(Layer):
    """Repeats rows and columns ``size`` times ('nearest') or interpolates ('bilinear').

    Example::

        >>> keras.layers.UpSampling2D((2, 3))(np.zeros((1, 4, 4, 2), np.float32)).shape
        ember.Size([1, 8, 12, 2])
    """

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.size = _conv.ntuple(size, 2, "size")
        self.interpolation = str(interpolation).lower()
        if self.interpolation not in ("nearest", "bilinear"):
            raise ValueError(f"ember.keras UpSampling2D supports interpolation 'nearest' and "
                             f"'bilinear'. Received: interpolation={interpolation}")
        self.input_spec = InputSpec(ndim=4)

    def compute_output_shape(self, input_shape):
        axes, channel_axis = spatial_axes(self.data_format, 2)
        spatial = [None if input_shape[a] is None else input_shape[a] * f
                   for a, f in zip(axes, self.size)]
        return with_spatial(input_shape, self.data_format, 2, spatial, input_shape[channel_axis])

    def call(self, inputs):
        x = _conv.channels_first(inputs, self.data_format)
        size = (x.shape[2] * self.size[0], x.shape[3] * self.size[1])
        if self.interpolation == "nearest":
            y = F.interpolate(x, size=size, mode="nearest")
        else:
            y = F.interpolate(x, size=size, mode="bilinear", align_corners=False)
        return _conv.from_channels_first(y, self.data_format)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "data_format": self.data_format,
                "interpolation": self.interpolation}
