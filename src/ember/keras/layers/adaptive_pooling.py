"""Adaptive pooling layers: ``AdaptiveAveragePooling1D/2D/3D`` and ``AdaptiveMaxPooling1D/2D/3D``
(a fixed ``output_size`` grid of windows that tile the input, whatever its size), with Keras 3's
arguments and checks; ``call`` is ``keras.ops.adaptive_average_pool``/``adaptive_max_pool``.

Example::

    >>> from ember import keras
    >>> keras.layers.AdaptiveAveragePooling2D((2, 3))(np.zeros((1, 7, 9, 4), np.float32)).shape
    ember.Size([1, 2, 3, 4])
"""
from __future__ import annotations

from ..config import standardize_data_format
from ..ops import nn_conv as _conv
from .base import Layer

__all__ = ["AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D", "AdaptiveAveragePooling3D",
           "AdaptiveMaxPooling1D", "AdaptiveMaxPooling2D", "AdaptiveMaxPooling3D"]

_WORDS = {1: "1 integer", 2: "2 integers", 3: "3 integers"}


class _AdaptivePooling(Layer):
    """Keras's ``BaseAdaptivePooling``: ``output_size`` an int or a tuple of ``rank`` ints."""

    rank = 2
    _op = None

    def __init__(self, output_size, data_format=None, **kwargs):
        n = self.rank
        if isinstance(output_size, int):
            output_size = (output_size,) * n
        elif isinstance(output_size, (tuple, list)):
            if len(output_size) != n:
                raise ValueError(f"For {n}D input, `output_size` tuple must have length {n}. "
                                 f"Received: {output_size}")
            output_size = tuple(output_size)
        else:
            raise TypeError(f"`output_size` must be an integer or tuple of {_WORDS[n]}. "
                            f"Received: {output_size} of type {type(output_size)}")
        super().__init__(**kwargs)
        self.output_size = output_size
        self.data_format = standardize_data_format(data_format)

    def compute_output_shape(self, input_shape):
        if self.data_format == "channels_last":
            return (input_shape[0], *self.output_size, input_shape[-1])
        return (input_shape[0], input_shape[1], *self.output_size)

    def call(self, inputs):
        return self._op(inputs, self.output_size, self.data_format)

    def get_config(self):
        return {**super().get_config(), "output_size": self.output_size,
                "data_format": self.data_format}


class AdaptiveAveragePooling1D(_AdaptivePooling):
    """Averages ``(batch, steps, features)`` into ``output_size`` tiling windows.

    Example::

        >>> keras.layers.AdaptiveAveragePooling1D(4)(np.zeros((2, 10, 3), np.float32)).shape
        ember.Size([2, 4, 3])
    """

    rank = 1
    _op = staticmethod(_conv.adaptive_average_pool)


class AdaptiveAveragePooling2D(_AdaptivePooling):
    """Averages images into an ``output_size`` grid of tiling windows.

    Example::

        >>> keras.layers.AdaptiveAveragePooling2D(1, data_format="channels_first")(np.zeros((2, 3, 5, 5), np.float32)).shape
        ember.Size([2, 3, 1, 1])
    """

    _op = staticmethod(_conv.adaptive_average_pool)


class AdaptiveAveragePooling3D(_AdaptivePooling):
    """Averages volumes into an ``output_size`` grid of tiling windows.

    Example::

        >>> keras.layers.AdaptiveAveragePooling3D((1, 2, 2))(np.zeros((1, 3, 4, 4, 2), np.float32)).shape
        ember.Size([1, 1, 2, 2, 2])
    """

    rank = 3
    _op = staticmethod(_conv.adaptive_average_pool)


class AdaptiveMaxPooling1D(_AdaptivePooling):
    """Maximum over ``output_size`` tiling windows of ``(batch, steps, features)``.

    Example::

        >>> keras.layers.AdaptiveMaxPooling1D(2)(np.zeros((2, 7, 3), np.float32)).shape
        ember.Size([2, 2, 3])
    """

    rank = 1
    _op = staticmethod(_conv.adaptive_max_pool)


class AdaptiveMaxPooling2D(_AdaptivePooling):
    """Maximum over an ``output_size`` grid of tiling windows of images.

    Example::

        >>> keras.layers.AdaptiveMaxPooling2D((3, 2))(np.zeros((1, 7, 5, 2), np.float32)).shape
        ember.Size([1, 3, 2, 2])
    """

    _op = staticmethod(_conv.adaptive_max_pool)


class AdaptiveMaxPooling3D(_AdaptivePooling):
    """Maximum over an ``output_size`` grid of tiling windows of volumes.

    Example::

        >>> keras.layers.AdaptiveMaxPooling3D(2)(np.zeros((1, 4, 4, 4, 2), np.float32)).shape
        ember.Size([1, 2, 2, 2, 2])
    """

    rank = 3
    _op = staticmethod(_conv.adaptive_max_pool)
