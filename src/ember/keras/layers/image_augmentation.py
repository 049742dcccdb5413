"""Random image augmentation layers with Keras 3's names, arguments and maths: ``RandomFlip``,
``RandomRotation``, ``RandomTranslation``, ``RandomZoom``, ``RandomContrast`` and
``RandomBrightness``.

Each draws one transformation per image while training (``training=True``, the default of a
direct call and what ``fit`` passes) and is the identity at inference (``predict``,
``evaluate``, ``training=False``). Draws come from the layer's ``SeedGenerator(seed)``: the same
seed gives the same sequence of augmentations (ember's numbers, not Keras's). As in Keras,
``get_random_transformation`` and ``transform_images`` are separate, so a drawn transformation
can be replayed.

Example::

    >>> import numpy as np
    >>> from ember import keras
    >>> augment = keras.Sequential([keras.layers.RandomFlip("horizontal", seed=1),
    ...                             keras.layers.RandomRotation(0.1, seed=2)])
    >>> augment(np.ones((2, 8, 8, 3), np.float32)).shape
    ember.Size([2, 8, 8, 3])
"""
from __future__ import annotations

import numpy as np

from ..._tensor import Tensor
from ...ops import elementwise as _ew
from ...ops import shape as _shape
from ..ops import image as _image
from ..ops._base import cast, dtype_of, t
from ..random import SeedGenerator
from .image_preprocessing import BaseImagePreprocessingLayer, as_array

__all__ = ["RandomFlip", "RandomRotation", "RandomTranslation", "RandomZoom", "RandomContrast",
           "RandomBrightness"]

_MODES = ("horizontal", "vertical", "horizontal_and_vertical")
_FILL_MODES = ("reflect", "wrap", "constant", "nearest")
_INTERPOLATIONS = ("nearest", "bilinear")


def _batch(images) -> int:
    return images.shape[0] if images.ndim == 4 else 1


class RandomFlip(BaseImagePreprocessingLayer):
    """Flips each image left-right and/or up-down with probability 1/2 while training.

    Args:
        mode: 'horizontal', 'vertical' or 'horizontal_and_vertical' (one draw decides both).

    Example::

        >>> import numpy as np
        >>> from ember import keras
        >>> keras.layers.RandomFlip("horizontal", seed=0)(np.ones((1, 4, 4, 3))).shape
        ember.Size([1, 4, 4, 3])
    """

    _USE_BASE_FACTOR = False

    def __init__(self, mode="horizontal_and_vertical", seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if mode not in _MODES:
            raise ValueError(f"RandomFlip layer {self.name} received an unknown mode argument "
                             f"{mode}")
        self.seed, self.mode = seed, mode
        self.generator = SeedGenerator(seed)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = self._images_of(data)
        flips = self._draw((_batch(images), 1, 1, 1), 0.0, 1.0, seed) <= 0.5
        return {"flips": flips, "input_shape": tuple(images.shape)}

    def transform_images(self, images, transformation, training=True):
        x = self._compute_cast(images)
        if not training or transformation is None:
            return x
        flips = Tensor._make(as_array(transformation["flips"]).astype(bool))
        h_axis = -2 if self.data_format == "channels_first" else -3
        if self.mode != "vertical":
            x = _ew.where(flips, _shape.flip(x, (h_axis + 1,)), x)
        if self.mode != "horizontal":
            x = _ew.where(flips, _shape.flip(x, (h_axis,)), x)
        return x

    def get_config(self):
        return {**super().get_config(), "seed": self.seed, "mode": self.mode}


class _AffineLayer(BaseImagePreprocessingLayer):
    """Shared by the layers that warp images through ``keras.ops.image.affine_transform``."""

    _USE_BASE_FACTOR = False

    def _init_affine(self, fill_mode, interpolation, seed, fill_value):
        if fill_mode not in _FILL_MODES:
            raise NotImplementedError(f"Unknown `fill_mode` {fill_mode}. Expected of one "
                                      f"{_FILL_MODES}.")
        if interpolation not in _INTERPOLATIONS:
            raise NotImplementedError(f"Unknown `interpolation` {interpolation}. Expected of one "
                                      f"{_INTERPOLATIONS}.")
        self.fill_mode, self.interpolation = fill_mode, interpolation
        self.fill_value, self.seed = fill_value, seed
        self.generator = SeedGenerator(seed)

    def _matrix(self, transformation) -> np.ndarray:
        raise NotImplementedError

    def _transform_images(self, images, transformation, interpolation):
        if transformation is None:
            return images
        return _image.affine_transform(images, self._matrix(transformation, images),
                                       interpolation=interpolation, fill_mode=self.fill_mode,
                                       fill_value=self.fill_value, data_format=self.data_format)

    def _affine_config(self):
        return {"fill_mode": self.fill_mode, "interpolation": self.interpolation,
                "seed": self.seed, "fill_value": self.fill_value}

    @staticmethod
    def _pair_factor(factor, name, message, low_ok):
        """``factor`` (a number f → (-f, f), or two numbers) as (lower, upper)."""
        def check(v):
            if v > 1.0 or not low_ok(v):
                raise ValueError(message + f"Received: input_number={v}")
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2:
                raise ValueError(message + f"Received: {name}={factor}")
            check(factor[0])
            check(factor[1])
            return tuple(sorted(factor))
        if isinstance(factor, (int, float)) and not isinstance(factor, bool):
            check(factor)
            return -abs(factor), abs(factor)
        raise ValueError(message + f"Received: {name}={factor}")


class RandomRotation(_AffineLayer):
    """Rotates each image about its centre by an angle drawn from
    ``[factor[0], factor[1]] × 360°`` (a number ``f`` means ``[-f, f]``) while training.

    Args:
        fill_mode: 'reflect', 'wrap', 'constant' (``fill_value``) or 'nearest'.
        interpolation: 'bilinear' or 'nearest'.

    Example::

        >>> import numpy as np
        >>> from ember import keras
        >>> keras.layers.RandomRotation(0.1, seed=0)(np.ones((1, 6, 6, 1))).shape
        ember.Size([1, 6, 6, 1])
    """

    _USE_BASE_FACTOR = True

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(factor=factor, data_format=data_format, **kwargs)
        self._init_affine(fill_mode, interpolation, seed, fill_value)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = self._images_of(data)
        n = _batch(images)
        height, width = self._hw(images.shape)
        angle = self._draw((n,), self.factor[0] * 360.0, self.factor[1] * 360.0, seed)
        zeros, ones = np.zeros(n, np.float32), np.ones(n, np.float32)
        matrix = self._compute_affine_matrix(0.5, 0.5, angle, zeros, zeros, ones, zeros, zeros,
                                             height, width)
        return {"angle": angle, "rotation_matrix": matrix, "image_height": height,
                "image_width": width, "batch_size": n}

    def _matrix(self, transformation, images):
        return as_array(transformation["rotation_matrix"])

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, **self._affine_config()}


class RandomTranslation(_AffineLayer):
    """Shifts each image by fractions of its height and width drawn from ``height_factor`` and
    ``width_factor`` (a number ``f`` means ``[-f, f]``; positive moves down/right) while training.

    Example::

        >>> import numpy as np
        >>> from ember import keras
        >>> keras.layers.RandomTranslation(0.2, 0.2, seed=0)(np.ones((2, 5, 5, 3))).shape
        ember.Size([2, 5, 5, 3])
    """

    _MESSAGE = ("The `factor` argument should be a number (or a list of two numbers) in the range "
                "[-1.0, 1.0]. ")

    def __init__(self, height_factor, width_factor, fill_mode="reflect", interpolation="bilinear",
                 seed=None, fill_value=0.0, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_lower, self.height_upper = self._pair_factor(
            height_factor, "height_factor", self._MESSAGE, lambda v: v >= -1.0)
        self.width_lower, self.width_upper = self._pair_factor(
            width_factor, "width_factor", self._MESSAGE, lambda v: v >= -1.0)
        self._init_affine(fill_mode, interpolation, seed, fill_value)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = self._images_of(data)
        n = _batch(images)
        height, width = self._hw(images.shape)
        dy = self._draw((n, 1), self.height_lower, self.height_upper, seed) * height
        dx = self._draw((n, 1), self.width_lower, self.width_upper, seed) * width
        return {"translations": np.concatenate([dx, dy], axis=1).astype(np.float32),
                "input_shape": tuple(images.shape)}

    def _matrix(self, transformation, images):
        d = as_array(transformation["translations"]).astype(np.float32)
        ones, zeros = np.ones((len(d), 1), np.float32), np.zeros((len(d), 1), np.float32)
        return np.concatenate([ones, zeros, -d[:, :1], zeros, ones, -d[:, 1:], zeros, zeros], 1)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor, **self._affine_config()}


class RandomZoom(_AffineLayer):
    """Zooms each image about its centre while training: a factor ``f`` drawn from
    ``height_factor`` scales the sampling grid by ``1 + f`` (positive zooms out, negative in);
    ``width_factor=None`` keeps the aspect ratio.

    Example::

        >>> import numpy as np
        >>> from ember import keras
        >>> keras.layers.RandomZoom(0.2, seed=0)(np.ones((2, 5, 5, 3))).shape
        ember.Size([2, 5, 5, 3])
    """

    _MESSAGE = ("The `height_factor` and `width_factor` arguments should be a number (or a list "
                "of two numbers) in the range (-1.0, 1.0]. ")

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_lower, self.height_upper = self._pair_factor(
            height_factor, "height_factor", self._MESSAGE, lambda v: v > -1.0)
        if width_factor is not None:
            self.width_lower, self.width_upper = self._pair_factor(
                width_factor, "width_factor", self._MESSAGE, lambda v: v > -1.0)
        self._init_affine(fill_mode, interpolation, seed, fill_value)

    def get_random_transformation(self, data, training=True, seed=None):
        if not training:
            return None
        images = self._images_of(data)
        shape = (_batch(images), 1)
        height_zoom = self._draw(shape, 1.0 + self.height_lower, 1.0 + self.height_upper, seed)
        width_zoom = height_zoom if self.width_factor is None else self._draw(
            shape, 1.0 + self.width_lower, 1.0 + self.width_upper, seed)
        return {"height_zoom": height_zoom, "width_zoom": width_zoom,
                "input_shape": tuple(images.shape)}

    def _matrix(self, transformation, images):
        zx = as_array(transformation["width_zoom"]).astype(np.float32).reshape(-1, 1)
        zy = as_array(transformation["height_zoom"]).astype(np.float32).reshape(-1, 1)
        height, width = self._hw(images.shape)
        x_off = ((np.float32(width) - 1) / 2) * (1 - zx)
        y_off = ((np.float32(height) - 1) / 2) * (1 - zy)
        zeros = np.zeros_like(zx)
        return np.concatenate([zx, zeros, x_off, zeros, zy, y_off, zeros, zeros], 1)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor, **self._affine_config()}


class RandomContrast(BaseImagePreprocessingLayer):
    """Scales each image's deviation from its per-channel mean by a factor drawn from
    ``[1 - factor[0], 1 + factor[1]]`` (Keras 3 reads a number ``f`` as ``(0, f)``), then clips
    to ``value_range``, while training.

    Example::

        >>> import numpy as np
        >>> from ember import keras
        >>> keras.layers.RandomContrast(0.5, seed=0)(np.full((1, 2, 2, 3), 9.0)).tolist()[0][0][0]
        [9.0, 9.0, 9.0]
    """

    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(**kwargs)
        self._set_factor(factor)
        self.value_range = value_range
        self.seed = seed
        self.generator = SeedGenerator(seed)

    def get_random_transformation(self, data, training=True, seed=None):
        images = self._images_of(data)
        self._is_batched(images)
        shape = (_batch(images), 1, 1, 1)
        if not training:
            return {"contrast_factor": np.zeros(shape, np.float32)}
        return {"contrast_factor": self._draw(shape, 1.0 - self.factor[0], 1.0 + self.factor[1],
                                              seed)}

    def transform_images(self, images, transformation, training=True):
        if not training:
            return t(images)
        x = self._compute_cast(images)
        factor = Tensor._make(as_array(transformation["contrast_factor"]).astype(np.float32))
        axes = (-2, -1) if self.data_format == "channels_first" else (-3, -2)
        mean = x.mean(dim=axes, keepdim=True)
        return ((x - mean) * factor + mean).clamp(self.value_range[0], self.value_range[1])

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range,
                "seed": self.seed}


class RandomBrightness(BaseImagePreprocessingLayer):
    """Adds to each image a delta drawn from ``factor × (value_range[1] - value_range[0])``
    (a number ``f`` means ``[-f, f]``), then clips to ``value_range``, while training;
    integer images keep their dtype (rounded).

    Example::

        >>> import numpy as np
        >>> from ember import keras
        >>> keras.layers.RandomBrightness(0.2, seed=0)(np.zeros((1, 2, 2, 3))).shape
        ember.Size([1, 2, 2, 3])
    """

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(factor=factor, **kwargs)
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
            raise ValueError("The `value_range` argument should be a list of two numbers. "
                             f"Received: value_range={value_range}")
        self.value_range = sorted(value_range)
        self.seed = seed
        self.generator = SeedGenerator(seed)

    def get_random_transformation(self, data, training=True, seed=None):
        images = self._images_of(data)
        self._is_batched(images)
        shape = (_batch(images), 1, 1, 1)
        if not training:
            return {"rgb_delta": np.zeros(shape, np.float32)}
        delta = self._draw(shape, self.factor[0], self.factor[1], seed)
        return {"rgb_delta": delta * np.float32(self.value_range[1] - self.value_range[0])}

    def transform_images(self, images, transformation, training=True):
        images = t(images)
        if not training:
            return images
        delta = Tensor._make(as_array(transformation["rgb_delta"]).astype(np.float32))
        out = (self._compute_cast(images) + delta).clamp(self.value_range[0], self.value_range[1])
        dtype = dtype_of(images)
        return out if dtype == "float32" else cast(_ew.round(out), dtype)  # integers stay so

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range,
                "seed": self.seed}
