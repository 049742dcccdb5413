"""The core of ``keras.ops.image``: resizing, affine warps, sampling at coordinates, crops, pads,
colour conversions, patches and filters, with Keras 3's arguments and its torch backend's arithmetic.

Images are ``(H, W, C)`` or ``(N, H, W, C)`` (``data_format="channels_first"``: ``(C, H, W)``
or ``(N, C, H, W)``). Everything is composed from ember's differentiable ops
(``F.interpolate``, the :class:`~ember.ops.sampling.Sample` op, ``F.conv2d``, indexing), so
gradients flow to the images (and to the coordinates of ``map_coordinates``).

Example::

    >>> import numpy as np
    >>> from ember.keras import ops
    >>> x = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
    >>> ops.image.resize(x, (2, 2)).shape
    ember.Size([1, 2, 2, 1])
    >>> ops.image.crop_images(x, 1, 1, target_height=2, target_width=2)[0, :, :, 0].tolist()
    [[5.0, 6.0], [9.0, 10.0]]
"""
from __future__ import annotations

import numpy as np

from ..._tensor import Tensor
from ...nn import functional as F
from ...ops import elementwise as _ew
from ...ops import shape as _shape
from ...ops.sampling import FILL_MODES, Sample
from ..config import standardize_data_format
from ._base import cast, dtype_of, t
from .nn_conv import channels_first, conv, from_channels_first

__all__ = ["resize", "affine_transform", "map_coordinates", "crop_images", "pad_images",
           "rgb_to_grayscale", "rgb_to_hsv", "hsv_to_rgb", "extract_patches", "gaussian_blur",
           "sobel_edges"]

_RESIZE = {"bilinear": "bilinear", "nearest": "nearest-exact", "bicubic": "bicubic",
           "area": "area"}
_AFFINE_ORDER = {"nearest": 0, "bilinear": 1}
_INTS = ("uint8", "int8", "int16", "int32", "int64")


def _rank_check(x: Tensor) -> None:
    if x.ndim not in (3, 4):
        raise ValueError("Invalid images rank: expected rank 3 (single image) or rank 4 (batch of "
                         f"images). Received input with shape: images.shape={tuple(x.shape)}")


def _batched_nchw(images, data_format):
    """``images`` as a float ``(N, C, H, W)`` batch, with what is needed to undo that."""
    x = t(images)
    _rank_check(x)
    dtype = dtype_of(x)
    if dtype not in ("float32", "float64"):
        x = cast(x, "float32")
    unbatched = x.ndim == 3
    if unbatched:
        x = _shape.unsqueeze(x, 0)
    return channels_first(x, data_format), (dtype, unbatched)


def _restore(y, data_format, state):
    dtype, unbatched = state
    y = from_channels_first(y, data_format)
    if unbatched:
        y = _shape.squeeze(y, 0)
    if dtype_of(y) != dtype:
        y = cast(_ew.round(y) if dtype in _INTS else y, dtype)
    return y


def _aspect_window(height, width, target_h, target_w, pad: bool):
    """Keras's crop (or pad) box: its size and offset, keeping the target's aspect ratio."""
    h = int(float(width * target_h) / target_w)
    w = int(float(height * target_w) / target_h)
    if pad:
        h, w = max(height, h), max(width, w)
        return h, w, int(float(h - height) / 2), int(float(w - width) / 2)
    h, w = max(min(height, h), 1), max(min(width, w), 1)
    return h, w, int(float(height - h) / 2), int(float(width - w) / 2)


def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    """Resizes images to ``size = (height, width)``.

    Args:
        interpolation: 'bilinear', 'nearest', 'bicubic' (as Keras's torch backend: torch's
            half-pixel rules) or 'area' (averages, torch's 'area').
        antialias: low-pass filter while shrinking ('bilinear'/'bicubic').
        crop_to_aspect_ratio: first crop the largest centred window of the target's aspect.
        pad_to_aspect_ratio: first pad evenly with ``fill_value`` to the target's aspect.

    Shape: ``(N, H, W, C)`` → ``(N, height, width, C)`` (or channels_first / unbatched).
    Integer images are resized in float32 and rounded back.

    Example::

        >>> import numpy as np
        >>> from ember.keras import ops
        >>> ops.image.resize(np.ones((5, 6, 3)), (2, 3), interpolation="nearest").shape
        ember.Size([2, 3, 3])
    """
    if interpolation not in _RESIZE:
        raise ValueError(f"Invalid value for argument `interpolation`. Expected of one "
                         f"{set(_RESIZE)}. Received: interpolation={interpolation}")
    if fill_mode != "constant":
        raise ValueError("Invalid value for argument `fill_mode`. Only `'constant'` is "
                         f"supported. Received: fill_mode={fill_mode}")
    if pad_to_aspect_ratio and crop_to_aspect_ratio:
        raise ValueError("Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be "
                         "`True`.")
    if len(size) != 2:
        raise ValueError("Argument `size` must be a tuple of two elements (height, width). "
                         f"Received: size={size}")
    if size[0] <= 0 or size[1] <= 0:
        raise ValueError(f"`size` must have positive height and width. Received: size={size}")
    x, state = _batched_nchw(images, data_format)
    height, width = x.shape[2], x.shape[3]
    if crop_to_aspect_ratio:
        h, w, top, left = _aspect_window(height, width, size[0], size[1], pad=False)
        x = x[:, :, top:top + h, left:left + w]
    elif pad_to_aspect_ratio:
        h, w, top, left = _aspect_window(height, width, size[0], size[1], pad=True)
        if top or left:
            x = F.pad(x, (left, left, top, top), value=float(fill_value))
    mode = _RESIZE[interpolation]
    align = False if mode in ("bilinear", "bicubic") else None
    y = F.interpolate(x, size=tuple(int(s) for s in size), mode=mode, align_corners=align,
                      antialias=bool(antialias) and mode in ("bilinear", "bicubic"))
    if interpolation == "bicubic" and state[0] == "uint8":
        y = y.clamp(0, 255)
    return _restore(y, data_format, state)


def _check_fill(interpolation, fill_mode, orders=_AFFINE_ORDER):
    if interpolation not in orders:
        raise ValueError(f"Invalid value for argument `interpolation`. Expected of one "
                         f"{set(orders)}. Received: interpolation={interpolation}")
    if fill_mode not in FILL_MODES:
        raise ValueError(f"Invalid value for argument `fill_mode`. Expected of one "
                         f"{set(FILL_MODES)}. Received: fill_mode={fill_mode}")


def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant",
                     fill_value=0, data_format=None):
    """Warps images by projective transforms ``[a0, a1, a2, b0, b1, b2, c0, c1]``: output pixel
    ``(x, y)`` takes the input at ``((a0·x + a1·y + a2) / k, (b0·x + b1·y + b2) / k)`` with
    ``k = c0·x + c1·y + 1`` (one transform ``(8,)`` or one per image ``(N, 8)``).

    Args:
        interpolation: 'nearest' or 'bilinear'.
        fill_mode: 'constant' (``fill_value``), 'nearest', 'wrap', 'mirror' or 'reflect'.

    Example::

        >>> import numpy as np
        >>> from ember.keras import ops
        >>> shift = [1, 0, -1, 0, 1, 0, 0, 0]                    # move right by one pixel
        >>> ops.image.affine_transform(np.eye(3)[..., None], shift)[..., 0].tolist()
        [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]]
    """
    _check_fill(interpolation, fill_mode)
    x, state = _batched_nchw(images, data_format)
    m = t(transform)
    if m.ndim not in (1, 2):
        raise ValueError("Invalid transform rank: expected rank 1 (single transform) or rank 2 "
                         f"(batch of transforms). Received input with shape: "
                         f"transform.shape={tuple(m.shape)}")
    m = m.detach().numpy()
    m = (m if m.dtype.kind == "f" else m.astype(np.float32)).reshape(-1, 8)
    n, _, height, width = x.shape
    if m.shape[0] not in (1, n):
        raise ValueError(f"transform has {m.shape[0]} rows for a batch of {n} images")
    m = np.broadcast_to(m, (n, 8))
    # in the transform's dtype and Keras's order of operations, so ties round alike
    ys, xs = np.meshgrid(np.arange(height, dtype=m.dtype), np.arange(width, dtype=m.dtype),
                         indexing="ij")
    coef = [m[:, i, None, None] for i in range(8)]
    src_x = (ys * coef[1] + xs * coef[0]) + coef[2]
    src_y = (ys * coef[4] + xs * coef[3]) + coef[5]
    if np.any(m[:, 6:]):
        k = coef[6] * xs + coef[7] * ys + 1
        src_x, src_y = src_x / k, src_y / k
    coords = np.stack([src_y, src_x], axis=-1).astype(x._data.dtype)
    y = Sample.apply(x, Tensor._make(coords), order=_AFFINE_ORDER[interpolation],
                     fill_mode=fill_mode, fill_value=float(fill_value),
                     label="AffineTransformBackward0")
    return _restore(y, data_format, state)


def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    """Samples ``inputs`` (any rank ``d``) at ``coordinates`` ``(d, *out)`` (pixel units),
    as ``scipy.ndimage.map_coordinates`` with ``order`` 0 (nearest) or 1 (linear).

    Example::

        >>> import numpy as np
        >>> from ember.keras import ops
        >>> ops.image.map_coordinates(np.arange(4.0), [[0.5, 2.25]], order=1).tolist()
        [0.5, 2.25]
    """
    x = t(inputs)
    coords = [t(c) for c in coordinates] if isinstance(coordinates, (list, tuple)) \
        else list(_shape.unbind(t(coordinates), 0))
    if len(coords) != x.ndim:
        raise ValueError("First dim of `coordinates` must be the same as the rank of `inputs`. "
                         f"Received inputs with shape: {tuple(x.shape)} and coordinate leading "
                         f"dim of {len(coords)}")
    if coords[0].ndim < 1:
        raise ValueError("Invalid coordinates rank: expected at least rank 2. Received input "
                         f"with shape: {(len(coords),) + tuple(coords[0].shape)}")
    if fill_mode not in FILL_MODES:
        raise ValueError(f"Invalid value for argument `fill_mode`. Expected one of "
                         f"{set(FILL_MODES)}. Received: fill_mode={fill_mode}")
    if order not in (0, 1):
        raise NotImplementedError("map_coordinates currently requires order<=1")
    dtype = dtype_of(x)
    xf = x if dtype in ("float32", "float64") else cast(x, "float32")
    cf = [c if dtype_of(c) == dtype_of(xf) else cast(c, dtype_of(xf)) for c in coords]
    grid = _shape.unsqueeze(_shape.stack(cf, -1), 0)                    # (1, *out, d)
    y = Sample.apply(_shape.reshape(xf, (1, 1) + tuple(x.shape)), grid, order=order,
                     fill_mode=fill_mode, fill_value=float(fill_value),
                     label="MapCoordinatesBackward0")
    y = _shape.reshape(y, tuple(coords[0].shape))
    return cast(_ew.round(y), dtype) if dtype in _INTS else y


def _box(name_a, name_b, a, b, target):
    if [a, b, target].count(None) != 1:
        raise ValueError(f"Must specify exactly two of {name_a}, {name_b}, "
                         f"target_{'height' if 'top' in name_a else 'width'}. Received: "
                         f"{name_a}={a}, {name_b}={b}, "
                         f"target_{'height' if 'top' in name_a else 'width'}={target}")
    for name, v in ((name_a, a), (name_b, b)):
        if v is not None and v < 0:
            raise ValueError(f"{name} must be >= 0. Received: {name}={v}")
    return a, b, target


def _hw_axes(x, data_format):
    first = standardize_data_format(data_format) == "channels_first"
    return (x.ndim - 2, x.ndim - 1) if first else (x.ndim - 3, x.ndim - 2)


def crop_images(images, top_cropping=None, left_cropping=None, bottom_cropping=None,
                right_cropping=None, target_height=None, target_width=None, data_format=None):
    """Crops images to a box given by two of (top, bottom, height) and two of
    (left, right, width).

    Example::

        >>> import numpy as np
        >>> from ember.keras import ops
        >>> ops.image.crop_images(np.ones((5, 6, 1)), 1, 2, 1, 0).shape
        ember.Size([3, 4, 1])
    """
    x = t(images)
    _rank_check(x)
    top, bottom, th = _box("top_cropping", "bottom_cropping", top_cropping, bottom_cropping,
                           target_height)
    left, right, tw = _box("left_cropping", "right_cropping", left_cropping, right_cropping,
                           target_width)
    ha, wa = _hw_axes(x, data_format)
    height, width = x.shape[ha], x.shape[wa]
    top = height - th - bottom if top is None else top
    th = height - bottom - top if th is None else th
    left = width - tw - right if left is None else left
    tw = width - right - left if tw is None else tw
    for name, v in (("top_cropping", top), ("target_height", th), ("left_cropping", left),
                    ("target_width", tw)):
        if v < 0:
            raise ValueError(f"{name} must be >= 0. Received: {name}={v}")
    key = [slice(None)] * x.ndim
    key[ha], key[wa] = slice(top, top + th), slice(left, left + tw)
    return x[tuple(key)]


def pad_images(images, top_padding=None, left_padding=None, bottom_padding=None,
               right_padding=None, target_height=None, target_width=None, data_format=None):
    """Pads images with zeros: two of (top, bottom, height) and two of (left, right, width).

    Example::

        >>> import numpy as np
        >>> from ember.keras import ops
        >>> ops.image.pad_images(np.ones((2, 2, 1)), 1, 0, target_height=4, target_width=3).shape
        ember.Size([4, 3, 1])
    """
    x = t(images)
    _rank_check(x)
    top, bottom, th = _box("top_padding", "bottom_padding", top_padding, bottom_padding,
                           target_height)
    left, right, tw = _box("left_padding", "right_padding", left_padding, right_padding,
                           target_width)
    ha, wa = _hw_axes(x, data_format)
    height, width = x.shape[ha], x.shape[wa]
    top = th - bottom - height if top is None else top
    bottom = th - top - height if bottom is None else bottom
    left = tw - right - width if left is None else left
    right = tw - left - width if right is None else right
    for name, v in (("top_padding", top), ("left_padding", left), ("right_padding", right),
                    ("bottom_padding", bottom)):
        if v < 0:
            raise ValueError(f"{name} must be >= 0. Received: {name}={v}")
    pads = [0, 0] * (x.ndim - 1 - wa) + [left, right, top, bottom]
    return F.pad(x, tuple(pads))


def _channels(x, data_format):
    _rank_check(x)
    return x.ndim - 3 if standardize_data_format(data_format) == "channels_first" else x.ndim - 1


def rgb_to_grayscale(images, data_format=None):
    """``0.2989·R + 0.587·G + 0.114·B`` on one channel (a 1-channel image is copied); the dtype
    is kept.

    Example::

        >>> import numpy as np
        >>> from ember.keras import ops
        >>> ops.image.rgb_to_grayscale(np.ones((2, 2, 3), np.float32)).shape
        ember.Size([2, 2, 1])
    """
    x = t(images)
    axis = _channels(x, data_format)
    if x.shape[axis] not in (1, 3):
        raise ValueError("Invalid channel size: expected 3 (RGB) or 1 (Grayscale). Received "
                         f"input with shape: images.shape={tuple(x.shape)}")
    if x.shape[axis] == 1:
        return _shape.clone(x)
    dtype = dtype_of(x)
    xf = x if dtype in ("float32", "float64") else cast(x, "float32")
    r, g, b = _shape.unbind(xf, axis)
    y = _shape.unsqueeze(r * 0.2989 + g * 0.587 + b * 0.114, axis)
    return y if dtype_of(y) == dtype else cast(y, dtype)


def _float_images(images, data_format):
    x = t(images)
    if x.ndim not in (3, 4):
        raise ValueError("Invalid images rank: expected rank 3 (single image) or rank 4 (batch of "
                         f"images). Received input with shape: images.shape={tuple(x.shape)}")
    if dtype_of(x) not in ("float16", "float32", "float64"):
        raise ValueError(f"Invalid images dtype: expected float dtype. Received: "
                         f"images.dtype={dtype_of(x)}")
    return x, _channels(x, data_format)


def rgb_to_hsv(images, data_format=None):
    """RGB in [0, 1] → hue, saturation, value in [0, 1] (float images only).

    Example::

        >>> import numpy as np
        >>> from ember.keras import ops
        >>> ops.image.rgb_to_hsv(np.array([[[1.0, 0.0, 0.0]]], np.float32)).tolist()
        [[[0.0, 1.0, 1.0]]]
    """
    x, axis = _float_images(images, data_format)
    eps = float(np.finfo(x._data.dtype).eps)
    x = _ew.where(x.abs() < eps, 0.0, x)
    r, g, b = _shape.unbind(x, axis)
    value = _ew.maximum(_ew.maximum(r, g), b)
    rng = value - _ew.minimum(_ew.minimum(r, g), b)
    safe_value = _ew.where(value > 0, value, 1.0)
    safe_range = _ew.where(rng > 0, rng, 1.0)
    saturation = _ew.where(value > 0, rng / safe_value, 0.0)
    norm = 1.0 / (safe_range * 6.0)
    hue = _ew.where(value == g, norm * (b - r) + 2.0 / 6.0, norm * (r - g) + 4.0 / 6.0)
    hue = _ew.where(value == r, norm * (g - b), hue)
    hue = _ew.where(rng > 0, hue, 0.0) + (hue < 0.0).to(hue.dtype)
    return _shape.stack([hue, saturation, value], axis)


def hsv_to_rgb(images, data_format=None):
    """Hue, saturation, value in [0, 1] → RGB (float images only).

    Example::

        >>> import numpy as np
        >>> from ember.keras import ops
        >>> ops.image.hsv_to_rgb(np.array([[[0.0, 1.0, 1.0]]], np.float32)).tolist()
        [[[1.0, 0.0, 0.0]]]
    """
    x, axis = _float_images(images, data_format)
    hue, saturation, value = _shape.unbind(x, axis)
    dh = (hue % 1.0) * 6.0
    dr = ((dh - 3.0).abs() - 1.0).clamp(0.0, 1.0)
    dg = (2.0 - (dh - 2.0).abs()).clamp(0.0, 1.0)
    db = (2.0 - (dh - 4.0).abs()).clamp(0.0, 1.0)
    one_minus_s = 1.0 - saturation
    planes = [value * (one_minus_s + saturation * d) for d in (dr, dg, db)]
    return _shape.stack(planes, axis)


def extract_patches(images, size, strides=None, dilation_rate=1, padding="valid",
                    data_format=None):
    """Each ``size`` patch flattened into the channel axis: ``(N, H', W', ph·pw·C)``
    (Keras's identity-kernel convolution; ``strides`` default to ``size``; a 3-tuple ``size``
    means :func:`extract_patches_3d`).

    Example::

        >>> import numpy as np
        >>> from ember.keras import ops
        >>> ops.image.extract_patches(np.ones((1, 4, 4, 3)), 2).shape
        ember.Size([1, 2, 2, 12])
    """
    if not isinstance(size, int):
        if not isinstance(size, (tuple, list)):
            raise TypeError(f"Invalid `size` argument. Expected an int or a tuple. Received: "
                            f"size={size} of type {type(size).__name__}")
        if len(size) not in (2, 3):
            raise ValueError(f"Invalid `size` argument. Expected a tuple of length 2 or 3. "
                             f"Received: size={size} with length {len(size)}")
    return patches(images, size, strides, dilation_rate, padding, data_format,
                   2 if isinstance(size, int) else len(size))


def patches(images, size, strides, dilation_rate, padding, data_format, rank: int):
    """``rank``-D patch extraction: a convolution with one-hot kernels ``(*size, C, prod·C)``."""
    size = (int(size),) * rank if isinstance(size, int) else tuple(int(s) for s in size)
    x = t(images)
    first = standardize_data_format(data_format) == "channels_first"
    channels = x.shape[-rank - 1] if first else x.shape[-1]
    out = int(np.prod(size)) * channels
    kernel = Tensor._make(np.eye(out, dtype=x._data.dtype).reshape(size + (channels, out)))
    unbatched = x.ndim == rank + 1
    if unbatched:
        x = _shape.unsqueeze(x, 0)
    y = conv(x, kernel, strides=strides or size, padding=padding, data_format=data_format,
             dilation_rate=dilation_rate)
    return _shape.squeeze(y, 0) if unbatched else y


def _depthwise(x, kernel: np.ndarray, padding):
    """Each channel of ``(N, C, H, W)`` convolved with the same 2-D ``kernel``."""
    channels = x.shape[1]
    w = np.broadcast_to(kernel.astype(x._data.dtype), (channels, 1) + kernel.shape).copy()
    return F.conv2d(x, Tensor._make(w), padding=padding, groups=channels)


def gaussian_blur(images, kernel_size=(3, 3), sigma=(1.0, 1.0), data_format=None):
    """Blurs each channel with a normalised Gaussian of ``kernel_size`` and ``sigma``
    (zero padding of ``kernel_size[0] // 2``).

    Example::

        >>> import numpy as np
        >>> from ember.keras import ops
        >>> ops.image.gaussian_blur(np.ones((1, 5, 5, 2), np.float32)).shape
        ember.Size([1, 5, 5, 2])
    """
    x, state = _batched_nchw(images, data_format)

    def gauss(n, s):
        v = np.exp(-0.5 * ((np.arange(n) - (n - 1) / 2) / s) ** 2)
        return v / v.sum()

    ks = [int(k) for k in kernel_size]
    kernel = np.outer(gauss(ks[1], float(sigma[1])), gauss(ks[0], float(sigma[0])))
    y = _depthwise(x, kernel.reshape(ks[0], ks[1]), ks[0] // 2)
    return _restore(y, data_format, state)


def sobel_edges(images, data_format=None):
    """The Sobel gradients of each channel, stacked last as ``(dy, dx)``:
    ``(N, H, W, C, 2)`` (channels_first: ``(N, C, H, W, 2)``).

    Example::

        >>> import numpy as np
        >>> from ember.keras import ops
        >>> ops.image.sobel_edges(np.ones((1, 4, 4, 3), np.float32)).shape
        ember.Size([1, 4, 4, 3, 2])
    """
    x = t(images)
    first = standardize_data_format(data_format) == "channels_first"
    xc = x if first else channels_first(x, data_format)
    sx = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], np.float64)
    dy, dx = _depthwise(xc, sx.T, 1), _depthwise(xc, sx, 1)
    edges = _shape.stack([dy, dx], -1)
    return edges if first else _shape.permute(edges, (0, 2, 3, 1, 4))

