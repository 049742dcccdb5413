"""Keras 3's padding, cropping and up-sampling layers of other ranks than 2-D:
``ZeroPadding1D``/``3D``, ``Cropping1D``/``2D``/``3D`` and ``UpSampling1D``/``3D``, with its
arguments, defaults, checks and config. Padding is ``F.pad``, cropping a slice and nearest
up-sampling ``repeat_interleave``: views and one graph node each, no maths of their own.

Example::

    >>> import numpy as np
    >>> from ember import keras
    >>> keras.layers.Cropping2D(((1, 0), (0, 2)))(np.zeros((1, 5, 5, 3), np.float32)).shape
    ember.Size([1, 4, 3, 3])
"""
from __future__ import annotations

from ...nn import functional as F
from ..config import standardize_data_format
from ..ops import nn_conv as _conv
from .base import InputSpec, Layer
from .convolutional import spatial_axes

__all__ = ["ZeroPadding1D", "ZeroPadding3D", "Cropping1D", "Cropping2D", "Cropping3D",
           "UpSampling1D", "UpSampling3D"]

_ORDINAL = ("1st", "2nd", "3rd")


def _pairs(value, rank: int, name: str) -> tuple:
    """Keras's forms of ``padding``/``cropping``: an int (every side), ``rank`` ints (each
    axis symmetric) or ``rank`` pairs ``(before, after)``; 1-D layers take an int or one pair."""
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"`{name}` cannot be negative. Received: {name}={value}.")
        return ((value, value),) * rank
    if rank == 1:
        pair = _conv.ntuple(value, 2, name)
        return (pair,)
    if not hasattr(value, "__len__"):
        raise ValueError(f"`{name}` should be either an int, a tuple of {rank} ints or a tuple "
                         f"of {rank} tuples of 2 ints. Received: {name}={value}.")
    if len(value) != rank:
        count = "two" if rank == 2 else str(rank)
        raise ValueError(f"`{name}` should have {count} elements. Received: {name}={value}.")
    return tuple(_conv.ntuple(v, 2, f"{_ORDINAL[i]} entry of {name}")
                 for i, v in enumerate(value))


class _Spatial(Layer):
    """A layer over the ``RANK`` spatial axes of ``(batch, *spatial, channels)`` input (or
    channels first); 1-D layers without ``data_format`` work on axis 1."""

    RANK = 1

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.RANK + 2)

    def _axes(self) -> tuple:
        return spatial_axes(self.data_format, self.RANK)[0]

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


class _ZeroPadding(_Spatial):
    def __init__(self, padding, data_format=None, **kwargs):
        super().__init__(data_format, **kwargs)
        self.padding = _pairs(padding, self.RANK, "padding")

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, (a, b) in zip(self._axes(), self.padding):
            shape[axis] = None if shape[axis] is None else shape[axis] + a + b
        return tuple(shape)

    def call(self, inputs):
        widths = [(0, 0)] * inputs.ndim
        for axis, pair in zip(self._axes(), self.padding):
            widths[axis] = pair
        flat = [w for pair in reversed(widths[1:]) for w in pair]  # F.pad: last axis first
        return F.pad(inputs, tuple(flat))

    def get_config(self):
        padding = self.padding[0] if self.RANK == 1 else self.padding
        return {**super().get_config(), "padding": padding}


class ZeroPadding1D(_ZeroPadding):
    """Zeros before and after the steps of ``(batch, steps, features)``.

    Example::

        >>> import numpy as np
        >>> from ember import keras
        >>> keras.layers.ZeroPadding1D((1, 2))(np.ones((2, 3, 4), np.float32)).shape
        ember.Size([2, 6, 4])
    """

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class ZeroPadding3D(_ZeroPadding):
    """Zeros around each volume of ``(batch, d1, d2, d3, channels)``.

    Example::

        >>> import numpy as np
        >>> from ember import keras
        >>> keras.layers.ZeroPadding3D(1)(np.ones((1, 2, 2, 2, 3), np.float32)).shape
        ember.Size([1, 4, 4, 4, 3])
    """

    RANK = 3

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class _Cropping(_Spatial):
    def __init__(self, cropping, data_format=None, **kwargs):
        super().__init__(data_format, **kwargs)
        self.cropping = _pairs(cropping, self.RANK, "cropping")

    def _check(self, shape, what: str) -> None:
        for axis, (a, b) in zip(self._axes(), self.cropping):
            if shape[axis] is not None and shape[axis] - a - b <= 0:
                cropping = self.cropping[0] if self.RANK == 1 else self.cropping
                if self.RANK == 1:
                    raise ValueError(f"`cropping` parameter of `Cropping1D` layer must be smaller "
                                     f"than the input length. Received: {what}={shape}, "
                                     f"cropping={cropping}")
                raise ValueError(f"Values in `cropping` argument should be smaller than the "
                                 f"corresponding spatial dimension of the input. Received: "
                                 f"{what}={shape}, cropping={cropping}")

    def compute_output_shape(self, input_shape):
        self._check(tuple(input_shape), "input_shape")
        shape = list(input_shape)
        for axis, (a, b) in zip(self._axes(), self.cropping):
            shape[axis] = None if shape[axis] is None else shape[axis] - a - b
        return tuple(shape)

    def call(self, inputs):
        self._check(tuple(inputs.shape), "inputs.shape")
        index = [slice(None)] * inputs.ndim
        for axis, (a, b) in zip(self._axes(), self.cropping):
            index[axis] = slice(a, inputs.shape[axis] - b)
        return inputs[tuple(index)]

    def get_config(self):
        cropping = self.cropping[0] if self.RANK == 1 else self.cropping
        return {**super().get_config(), "cropping": cropping}


class Cropping1D(_Cropping):
    """Drops steps at the start and end of ``(batch, steps, features)``.

    Example::

        >>> import numpy as np
        >>> from ember import keras
        >>> keras.layers.Cropping1D((1, 2))(np.ones((2, 6, 4), np.float32)).shape
        ember.Size([2, 3, 4])
    """

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(cropping, "channels_last", **kwargs)

    def get_config(self):
        config = super().get_config()
        del config["data_format"]
        return config


class Cropping2D(_Cropping):
    """Drops rows and columns at the edges of each image.

    Example::

        >>> import numpy as np
        >>> from ember import keras
        >>> keras.layers.Cropping2D(1)(np.ones((1, 5, 5, 3), np.float32)).shape
        ember.Size([1, 3, 3, 3])
    """

    RANK = 2

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)


class Cropping3D(_Cropping):
    """Drops planes at the edges of each volume.

    Example::

        >>> import numpy as np
        >>> from ember import keras
        >>> keras.layers.Cropping3D(1)(np.ones((1, 4, 4, 4, 2), np.float32)).shape
        ember.Size([1, 2, 2, 2, 2])
    """

    RANK = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)


class _UpSampling(_Spatial):
    def __init__(self, size, data_format=None, **kwargs):
        super().__init__(data_format, **kwargs)
        self._factors = _conv.ntuple(size, self.RANK, "size")
        self.size = self._factors  # Keras's attribute (an int for UpSampling1D)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, factor in zip(self._axes(), self._factors):
            shape[axis] = None if shape[axis] is None else shape[axis] * factor
        return tuple(shape)

    def call(self, inputs):
        for axis, factor in zip(self._axes(), self._factors):
            if factor != 1:
                inputs = inputs.repeat_interleave(factor, dim=axis)
        return inputs

    def get_config(self):
        return {**super().get_config(), "size": self.size}


class UpSampling1D(_UpSampling):
    """Repeats each step ``size`` times.

    Example::

        >>> import numpy as np
        >>> from ember import keras
        >>> keras.layers.UpSampling1D(3)(np.ones((2, 4, 5), np.float32)).shape
        ember.Size([2, 12, 5])
    """

    def __init__(self, size=2, **kwargs):
        super().__init__(size, "channels_last", **kwargs)
        self.size = int(size)

    def get_config(self):
        config = super().get_config()
        del config["data_format"]
        return config


class UpSampling3D(_UpSampling):
    """Repeats each voxel ``size`` times along each spatial axis (nearest neighbour).

    Example::

        >>> import numpy as np
        >>> from ember import keras
        >>> keras.layers.UpSampling3D(2)(np.ones((1, 2, 2, 2, 3), np.float32)).shape
        ember.Size([1, 4, 4, 4, 3])
    """

    RANK = 3

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(size, data_format, **kwargs)
