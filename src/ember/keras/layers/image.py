"""Image preprocessing and regularisation layers: ``Rescaling`` (``x · scale + offset``) and
``SpatialDropout1D/2D/3D`` (drop whole feature maps), with Keras 3's arguments.

Example::

    >>> from ember import keras
    >>> float(keras.layers.Rescaling(1.0 / 255)(np.full((1, 2, 2, 1), 255.0, np.float32)).max())
    1.0
"""
from __future__ import annotations

import numpy as np

from ..._tensor import Tensor
from ..config import image_data_format, standardize_data_format
from .base import InputSpec, Layer
from .core import Dropout

__all__ = ["Rescaling", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D"]


class Rescaling(Layer):
    """Multiplies the input by ``scale`` and adds ``offset`` (both may be per-channel arrays),
    in float32 whatever the input dtype (e.g. uint8 images).

    Example::

        >>> keras.layers.Rescaling(scale=1.0 / 127.5, offset=-1)(np.array([[0.0, 255.0]])).tolist()
        [[-1.0, 1.0]]
    """

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset

    compute_output_shape = Layer.identity_shape

    def call(self, inputs):
        scale = np.asarray(self.scale, np.float32)
        offset = np.asarray(self.offset, np.float32)
        if scale.ndim > 0 and image_data_format() == "channels_first":
            scale = scale.reshape(scale.shape + (1,) * (3 - scale.ndim))
        x = inputs if inputs.dtype.np == np.float32 else inputs.to(np.float32)
        return x * Tensor._make(scale) + Tensor._make(offset)

    def get_config(self):
        def plain(v):
            return np.asarray(v).tolist() if not isinstance(v, (int, float)) else v
        return {**super().get_config(), "scale": plain(self.scale), "offset": plain(self.offset)}


class _SpatialDropout(Dropout):
    """Dropout of whole feature maps of ``rank``-D images: one draw per (sample, channel)."""

    rank = 2

    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None, **kwargs):
        super().__init__(rate, seed=seed, name=name, dtype=dtype, **kwargs)
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs, training=False):
        n = inputs.shape[0]
        ones = (1,) * self.rank
        self.noise_shape = ((n, inputs.shape[1]) + ones if self.data_format == "channels_first"
                            else (n,) + ones + (inputs.shape[-1],))
        return super().call(inputs, training)

    def get_config(self):
        config = super().get_config()
        del config["noise_shape"]
        return {**config, "data_format": self.data_format}


class SpatialDropout1D(_SpatialDropout):
    """Dropout of whole channels of ``(batch, steps, channels)`` input while training (each
    ``(sample, channel)`` sequence zeroed with probability ``rate``, the rest scaled by
    ``1 / (1 - rate)``); the identity at inference.

    Example::

        >>> keras.layers.SpatialDropout1D(0.5)(np.ones((2, 5, 3), np.float32)).shape
        ember.Size([2, 5, 3])
    """

    rank = 1

    def __init__(self, rate, seed=None, name=None, dtype=None, **kwargs):
        super().__init__(rate, "channels_last", seed=seed, name=name, dtype=dtype, **kwargs)

    def get_config(self):
        config = super().get_config()
        del config["data_format"]
        return config


class SpatialDropout2D(_SpatialDropout):
    """Dropout of whole feature maps: while training, each ``(sample, channel)`` map of
    ``(batch, h, w, c)`` input is zeroed with probability ``rate`` (the rest scaled by
    ``1 / (1 - rate)``); the identity at inference.

    Example::

        >>> layer = keras.layers.SpatialDropout2D(0.5)
        >>> layer(np.ones((2, 4, 4, 3), np.float32), training=False).shape
        ember.Size([2, 4, 4, 3])
    """


class SpatialDropout3D(_SpatialDropout):
    """Dropout of whole ``(depth, height, width)`` volumes of ``(batch, d, h, w, c)`` input
    while training; the identity at inference.

    Example::

        >>> keras.layers.SpatialDropout3D(0.2)(np.ones((2, 2, 3, 3, 4), np.float32)).shape
        ember.Size([2, 2, 3, 3, 4])
    """

    rank = 3
