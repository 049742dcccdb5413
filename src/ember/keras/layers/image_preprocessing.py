"""Image preprocessing layers: the base of the image layers (Keras 3's
``BaseImagePreprocessingLayer``) and the resizing/cropping layers ``Resizing``, ``CenterCrop``
and ``RandomCrop``.

Each layer splits its work as Keras 3 does: ``get_random_transformation(data, training, seed)``
draws what is random (a dict of arrays, or None), and
``transform_images(images, transformation, training)`` applies it, so a transformation can be
inspected, reused, or replayed. ``call(data, training=True)`` does both: images are ``(H, W, C)``
or ``(N, H, W, C)`` (``data_format="channels_first"``: ``(C, H, W)`` / ``(N, C, H, W)``), or a
dict with an ``"images"`` entry (other entries such as ``"labels"`` pass through). The maths is
``keras.ops.image``'s.

Example::

    >>> import numpy as np
    >>> from ember import keras
    >>> keras.layers.Resizing(2, 3)(np.ones((4, 8, 8, 3), np.float32)).shape
    ember.Size([4, 2, 3, 3])
"""
from __future__ import annotations

import math

import numpy as np

from ..._tensor import Tensor
from ..config import standardize_data_format
from ..ops import image as _image
from ..ops._base import cast, dtype_of, t
from ..random import SeedGenerator, uniform
from .base import Layer

__all__ = ["BaseImagePreprocessingLayer", "Resizing", "CenterCrop", "RandomCrop"]

_INTS = ("uint8", "int8", "int16", "int32", "int64")


def as_array(v) -> np.ndarray:
    """A transformation entry (ember Tensor, NumPy array, torch tensor or number) as NumPy."""
    if isinstance(v, Tensor):
        return v.detach().numpy()
    if hasattr(v, "detach") and hasattr(v, "cpu"):            # a torch tensor from Keras
        return v.detach().cpu().numpy()
    return np.asarray(v)


class BaseImagePreprocessingLayer(Layer):
    """The shared part of the image layers: ``factor`` validation, the batched/unbatched split,
    dict inputs, ``data_format`` and the affine matrix of rotations/shears/zooms.

    Subclasses write ``get_random_transformation`` and ``_transform_images`` (or
    ``transform_images``); ``_USE_BASE_FACTOR``/``_FACTOR_BOUNDS`` say how ``factor`` is read.
    """

    _USE_BASE_FACTOR = True
    _FACTOR_BOUNDS = (-1, 1)

    def __init__(self, factor=None, bounding_box_format=None, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.bounding_box_format = bounding_box_format
        self.data_format = standardize_data_format(data_format)
        if self._USE_BASE_FACTOR:
            self._set_factor(factor or 0.0)
        elif factor is not None:
            raise ValueError(f"Layer {type(self).__name__} does not take a `factor` argument. "
                             f"Received: factor={factor}")

    def _set_factor(self, factor):
        lo_bound, hi_bound = self._FACTOR_BOUNDS
        msg = (f"The `factor` argument should be a number (or a list of two numbers) in the range "
               f"[{lo_bound}, {hi_bound}]. Received: factor={factor}")
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2 or factor[0] > hi_bound or factor[1] < lo_bound:
                raise ValueError(msg)
            lower, upper = sorted(factor)
        elif isinstance(factor, (int, float)) and not isinstance(factor, bool):
            if factor < lo_bound or factor > hi_bound:
                raise ValueError(msg)
            factor = abs(factor)
            lower, upper = max(-factor, lo_bound), factor
        else:
            raise ValueError(msg)
        self.factor = (lower, upper)

    # ---- the two halves ----------------------------------------------------------------
    def get_random_transformation(self, data, training=True, seed=None):
        """What this call draws (None for a deterministic layer)."""
        return None

    def _transform_images(self, images, transformation, interpolation):
        raise NotImplementedError(f"{type(self).__name__} does not define _transform_images")

    def transform_images(self, images, transformation, training=True):
        """Applies ``transformation`` to a batch (the identity when not ``training``)."""
        images = self._compute_cast(images)
        if training:
            images = self._transform_images(images, transformation, self.interpolation)
        return images

    def transform_single_image(self, image, transformation, training=True):
        """:meth:`transform_images` on one ``(H, W, C)`` image."""
        out = self.transform_images(t(image)[None], transformation, training=training)
        return out[0]

    def transform_labels(self, labels, transformation, training=True):
        """Labels are unchanged by the geometric and colour layers."""
        return labels

    # ---- helpers -------------------------------------------------------------------------
    @staticmethod
    def _compute_cast(images):
        """Images in the layer's compute dtype (float32), as Keras casts them."""
        x = t(images)
        return x if dtype_of(x) == "float32" else cast(x, "float32")

    @staticmethod
    def _is_batched(images) -> bool:
        if images.ndim == 3:
            return False
        if images.ndim == 4:
            return True
        raise ValueError("Expected image tensor to have rank 3 (single image) or 4 (batch of "
                         f"images). Received: data.shape={tuple(images.shape)}")

    def _hw(self, shape):
        """(height, width) of an image or batch shape."""
        if self.data_format == "channels_first":
            return int(shape[-2]), int(shape[-1])
        return int(shape[-3]), int(shape[-2])

    @staticmethod
    def _images_of(data):
        return data["images"] if isinstance(data, dict) else data

    def _draw(self, shape, minval, maxval, seed):
        """Uniform float32 draws from this layer's generator (or ``seed``)."""
        return as_array(uniform(shape, minval=minval, maxval=maxval,
                                seed=self.generator if seed is None else seed))

    def call(self, data, training=True):
        images = self._images_of(data)
        images = t(images)
        if dtype_of(images) in ("float16", "float64"):
            images = cast(images, "float32")      # Keras autocasts float inputs to float32
        transformation = self.get_random_transformation(
            {**data, "images": images} if isinstance(data, dict) else images, training=training)
        apply = self.transform_images if self._is_batched(images) else self.transform_single_image
        out = apply(images, transformation, training=training)
        if isinstance(data, dict):
            if "bounding_boxes" in data or "segmentation_masks" in data:
                raise NotImplementedError(f"{type(self).__name__}: bounding boxes and "
                                          f"segmentation masks are not supported by ember")
            return {**data, "images": out}
        return out

    compute_output_shape = Layer.identity_shape

    def get_config(self):
        config = {**super().get_config(), "data_format": self.data_format}
        if self.bounding_box_format is not None:
            config["bounding_box_format"] = self.bounding_box_format
        return config

    @staticmethod
    def _compute_affine_matrix(center_x, center_y, angle, translate_x, translate_y, scale,
                               shear_x, shear_y, height, width):
        """Keras's ``(N, 8)`` transform of a scale · shear · rotation about the centre
        (``angle``/``shear`` in degrees, per image), in float32."""
        f = np.float32
        rad = f(math.pi / 180.0)
        angle, shear_x, shear_y = (np.asarray(v, f) * rad for v in (angle, shear_x, shear_y))
        cx, cy = f(center_x) * (f(width) - 1), f(center_y) * (f(height) - 1)
        cos, sin = np.cos(angle), np.sin(angle)
        shx, shy = np.tan(shear_x), np.tan(shear_y)
        a0 = scale * (cos + shx * sin)
        a1 = scale * (-sin + shx * cos)
        a2 = translate_x + cx - cx * a0 - cy * a1
        b0 = scale * (shy * cos + sin)
        b1 = scale * (shy * -sin + cos)
        b2 = translate_y + cy - cx * b0 - cy * b1
        zeros = np.zeros_like(a0)
        return np.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1).astype(f)


def _resized_shape(layer, input_shape):
    shape = list(input_shape)
    first = layer.data_format == "channels_first"
    h_axis = (-2 if first else -3)
    shape[h_axis], shape[h_axis + 1] = layer.height, layer.width
    return tuple(shape)


class Resizing(BaseImagePreprocessingLayer):
    """Resizes images to ``(height, width)`` (at inference too).

    Args:
        interpolation: 'bilinear', 'nearest', 'bicubic' or 'area'.
        crop_to_aspect_ratio / pad_to_aspect_ratio: keep the aspect ratio by cropping the
            largest centred window, or by padding with ``fill_value``.
        antialias: low-pass filter while shrinking.

    Shape: ``(N, H, W, C)`` → ``(N, height, width, C)``; integer images keep their dtype.

    Example::

        >>> import numpy as np
        >>> from ember import keras
        >>> keras.layers.Resizing(2, 2, interpolation="nearest")(np.ones((3, 3, 1))).shape
        ember.Size([2, 2, 1])
    """

    _USE_BASE_FACTOR = False

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, antialias=False,
                 data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height, self.width = height, width
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio = pad_to_aspect_ratio
        self.fill_mode, self.fill_value = fill_mode, fill_value
        self.antialias = bool(antialias)

    def get_random_transformation(self, data, training=True, seed=None):
        return self._hw(self._images_of(data).shape)

    def transform_images(self, images, transformation=None, training=True):
        return _image.resize(images, size=(self.height, self.width),
                             interpolation=self.interpolation, antialias=self.antialias,
                             crop_to_aspect_ratio=self.crop_to_aspect_ratio,
                             pad_to_aspect_ratio=self.pad_to_aspect_ratio,
                             fill_mode=self.fill_mode, fill_value=self.fill_value,
                             data_format=self.data_format)

    def transform_single_image(self, image, transformation, training=True):
        return self.transform_images(image, transformation, training)

    compute_output_shape = _resized_shape

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width,
                "interpolation": self.interpolation,
                "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "pad_to_aspect_ratio": self.pad_to_aspect_ratio, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "antialias": self.antialias}


class CenterCrop(BaseImagePreprocessingLayer):
    """Crops the central ``(height, width)`` window (at inference too); an image smaller than
    that is first cropped to the target's aspect ratio and resized (Keras's ``smart_resize``).

    Example::

        >>> import numpy as np
        >>> from ember import keras
        >>> keras.layers.CenterCrop(2, 2)(np.arange(16.0).reshape(4, 4, 1))[..., 0].tolist()
        [[5.0, 6.0], [9.0, 10.0]]
    """

    _USE_BASE_FACTOR = False

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height, self.width = height, width

    def get_random_transformation(self, data, training=True, seed=None):
        return {"input_shape": tuple(self._images_of(data).shape)}

    def transform_images(self, images, transformation=None, training=True):
        x = self._compute_cast(images)
        height, width = self._hw(x.shape)
        dh, dw = height - self.height, width - self.width
        if dh >= 0 and dw >= 0:
            return _image.crop_images(x, dh // 2, dw // 2, target_height=self.height,
                                      target_width=self.width, data_format=self.data_format)
        return _image.resize(x, (self.height, self.width), crop_to_aspect_ratio=True,
                             data_format=self.data_format)

    def transform_single_image(self, image, transformation, training=True):
        return self.transform_images(image, transformation, training)

    compute_output_shape = _resized_shape

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width}


class RandomCrop(BaseImagePreprocessingLayer):
    """While training, crops a random ``(height, width)`` window (the same one for the whole
    batch, as Keras does); an image not larger than that is cropped to the target's aspect ratio
    and resized. At inference the input passes through unchanged, as in Keras 3.

    Example::

        >>> import numpy as np
        >>> from ember import keras
        >>> keras.layers.RandomCrop(2, 3, seed=1)(np.ones((4, 5, 5, 1))).shape
        ember.Size([4, 2, 3, 1])
    """

    _USE_BASE_FACTOR = False

    def __init__(self, height, width, seed=None, data_format=None, name=None, **kwargs):
        super().__init__(data_format=data_format, name=name, **kwargs)
        self.height, self.width = height, width
        self.seed = seed if seed is not None else int(np.random.default_rng().integers(1, 1e9))
        self.generator = SeedGenerator(seed)

    def get_random_transformation(self, data, training=True, seed=None):
        height, width = self._hw(self._images_of(data).shape)
        if training and height > self.height and width > self.width:
            h = int(self._draw((), 0.0, float(height - self.height + 1), seed))
            w = int(self._draw((), 0.0, float(width - self.width + 1), seed))
            return h, w
        crop_h = max(min(height, int(float(width * self.height) / self.width)), 1)
        crop_w = max(min(width, int(float(height * self.width) / self.height)), 1)
        return int(float(height - crop_h) / 2), int(float(width - crop_w) / 2)

    def call(self, data, training=True):
        if not training:
            return data                                # Keras 3 passes it through untouched
        return super().call(data, training=training)

    def transform_images(self, images, transformation, training=True):
        if not training:
            return images
        x = self._compute_cast(images)
        top, left = (int(v) for v in transformation)
        key = [slice(None)] * x.ndim
        h_axis = x.ndim - 2 if self.data_format == "channels_first" else x.ndim - 3
        key[h_axis] = slice(top, top + self.height)
        key[h_axis + 1] = slice(left, left + self.width)
        x = x[tuple(key)]
        if self._hw(x.shape) != (self.height, self.width):
            x = _image.resize(x, (self.height, self.width), data_format=self.data_format)
        return x

    def transform_single_image(self, image, transformation, training=True):
        return self.transform_images(image, transformation, training)

    compute_output_shape = _resized_shape

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width,
                "seed": self.seed}
