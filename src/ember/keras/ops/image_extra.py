"""The rest of ``keras.ops.image``: ``extract_patches_3d``, ``perspective_transform``,
``scale_and_translate``, ``ssim`` and ``elastic_transform``, with Keras 3's arguments and arithmetic (``keras.ops.image``
re-exports them beside :mod:`ember.keras.ops.image_core`, whose helpers they use).

Example::

    >>> import numpy as np
    >>> from ember.keras import ops
    >>> img = np.random.default_rng(0).random((16, 16, 3)).astype(np.float32)
    >>> round(float(ops.image.ssim(img, img)), 4)
    1.0
"""
from __future__ import annotations

import numpy as np

from ..._tensor import Tensor
from ...nn import functional as F
from ...ops import elementwise as _ew
from ...ops import shape as _shape
from ...ops.sampling import Sample
from ..config import standardize_data_format
from . import image_core as _image
from ._base import cast, dtype_of, result_type, t

__all__ = ["extract_patches_3d", "perspective_transform", "scale_and_translate", "ssim",
           "elastic_transform"]


def extract_patches_3d(volumes, size, strides=None, dilation_rate=1, padding="valid",
                       data_format=None):
    """Each ``size`` block of ``(N, D, H, W, C)`` volumes flattened into the channel axis:
    ``(N, D', H', W', pd·ph·pw·C)`` (``strides`` default to ``size``).

    Example::

        >>> import numpy as np
        >>> from ember.keras import ops
        >>> ops.image.extract_patches_3d(np.ones((1, 4, 4, 4, 2)), 2).shape
        ember.Size([1, 2, 2, 2, 16])
    """
    if not isinstance(size, int) and len(size) != 3:
        raise TypeError(f"Invalid `size` argument. Expected an int or a tuple of length 3. "
                        f"Received: size={size}")
    if strides is not None and not isinstance(strides, int) and len(strides) != 3:
        raise ValueError(f"Invalid `strides` argument. Got: {strides}")
    return _image.patches(volumes, size, strides, dilation_rate, padding, data_format, 3)


def _points(p, dtype, name):
    a = np.asarray(p.detach().numpy() if isinstance(p, Tensor) else p, dtype)
    if a.shape[-2:] != (4, 2) or a.ndim not in (2, 3):
        raise ValueError(f"Invalid {name} shape: expected (4,2) for a single image or (N,4,2) "
                         f"for a batch. Received shape: {a.shape}")
    return a.reshape(-1, 4, 2)


def homography(start_points, end_points, dtype=np.float32) -> np.ndarray:
    """The ``(N, 8)`` projective transforms that map each ``end_points`` quad onto its
    ``start_points`` quad (Keras's ``compute_homography_matrix``)."""
    start, end = _points(start_points, dtype, "start_points"), _points(end_points, dtype,
                                                                       "end_points")
    if start.shape != end.shape:
        raise ValueError(f"start_points and end_points must have the same shape. Received "
                         f"start_points.shape={start.shape}, end_points.shape={end.shape}")
    rows = []
    for k in range(4):
        sx, sy, ex, ey = start[:, k, 0], start[:, k, 1], end[:, k, 0], end[:, k, 1]
        one, zero = np.ones_like(ex), np.zeros_like(ex)
        rows.append(np.stack([ex, ey, one, zero, zero, zero, -sx * ex, -sx * ey], -1))
        rows.append(np.stack([zero, zero, zero, ex, ey, one, -sy * ex, -sy * ey], -1))
    a = np.stack(rows, axis=1)                                          # (N, 8, 8)
    b = start.reshape(-1, 8)[..., None]                                 # x1 y1 x2 y2 ...
    return np.linalg.solve(a, b)[..., 0].astype(dtype)


def perspective_transform(images, start_points, end_points, interpolation="bilinear",
                          fill_value=0, data_format=None):
    """Warps images so the quadrilateral ``start_points`` ``(4, 2)`` (or ``(N, 4, 2)``, as
    ``(x, y)``) moves onto ``end_points``; outside pixels are ``fill_value``.

    Example::

        >>> import numpy as np
        >>> from ember.keras import ops
        >>> quad = [[0, 0], [3, 0], [0, 3], [3, 3]]
        >>> ops.image.perspective_transform(np.ones((4, 4, 1)), quad, quad).shape
        ember.Size([4, 4, 1])
    """
    x = t(images)
    dtype = x._data.dtype if x._data.dtype.kind == "f" else np.float32
    transforms = homography(start_points, end_points, dtype)
    return _image.affine_transform(x, transforms if len(transforms) > 1 else transforms[0],
                                   interpolation=interpolation, fill_mode="constant",
                                   fill_value=fill_value, data_format=data_format)


def _triangle(x):
    return np.maximum(0.0, 1 - np.abs(x))


def _keys_cubic(x):
    out = ((1.5 * x - 2.5) * x) * x + 1.0
    out = np.where(x >= 1.0, ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0, out)
    return np.where(x >= 2.0, 0.0, out)


def _lanczos(radius):
    def kernel(x):
        y = radius * np.sin(np.pi * x) * np.sin(np.pi * x / radius)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(x > 1e-3, y / np.where(x != 0, np.pi ** 2 * x ** 2, 1), 1.0)
        return np.where(x > radius, 0.0, out)
    return kernel


_KERNELS = {"linear": _triangle, "cubic": _keys_cubic, "lanczos3": _lanczos(3.0),
            "lanczos5": _lanczos(5.0)}
_METHODS = {"linear": "linear", "bilinear": "linear", "trilinear": "linear", "cubic": "cubic",
            "bicubic": "cubic", "tricubic": "cubic", "lanczos3": "lanczos3", "lanczos5": "lanczos5"}


def _weights(size: int, out: int, scale: float, translation: float, kernel, antialias: bool):
    """``(size, out)``: JAX's ``scale_and_translate`` weights along one axis."""
    inv = 1.0 / scale
    kernel_scale = max(inv, 1.0) if antialias else 1.0
    sample = (np.arange(out) + 0.5) * inv - translation * inv - 0.5
    w = kernel(np.abs(sample[None, :] - np.arange(size)[:, None]) / kernel_scale)
    total = w.sum(axis=0, keepdims=True)
    w = np.where(np.abs(total) > 1000.0 * float(np.finfo(np.float32).eps),
                 w / np.where(total != 0, total, 1), 0)
    return np.where(((sample >= -0.5) & (sample <= size - 0.5))[None, :], w, 0)


def scale_and_translate(images, output_shape, scale, translation, spatial_dims, method,
                        antialias=True):
    """Resamples the ``spatial_dims`` of ``images`` to ``output_shape``: output position ``o``
    reads the input at ``(o + 0.5 - translation) / scale - 0.5`` through ``method``'s kernel
    ('linear', 'cubic', 'lanczos3', 'lanczos5' and their aliases), widened when shrinking
    with ``antialias``.

    Example::

        >>> import numpy as np
        >>> from ember.keras import ops
        >>> ops.image.scale_and_translate(np.ones((4, 4)), (8, 8), [2.0, 2.0], [0.0, 0.0],
        ...                               (0, 1), "linear").shape
        ember.Size([8, 8])
    """
    if method not in _METHODS:
        raise ValueError(f"Invalid value for argument `method`. Expected of one "
                         f"{set(_METHODS)}. Received: method={method}")
    kernel = _KERNELS[_METHODS[method]]
    x = t(images)
    scale = np.asarray(scale.detach().numpy() if isinstance(scale, Tensor) else scale, np.float64)
    translation = np.asarray(translation.detach().numpy() if isinstance(translation, Tensor)
                             else translation, np.float64)
    integer = dtype_of(x) not in ("float16", "float32", "float64")
    y = cast(x, "float32") if integer else x
    for i, d in enumerate(spatial_dims):
        d %= x.ndim
        w = _weights(x.shape[d], int(output_shape[d]), float(scale.reshape(-1)[i]),
                     float(translation.reshape(-1)[i]), kernel, bool(antialias))
        order = tuple(a for a in range(y.ndim) if a != d) + (d,)
        moved = _shape.permute(y, order) @ Tensor._make(w.astype(y._data.dtype))
        back = np.argsort(order)
        y = _shape.permute(moved, tuple(int(a) for a in back))
    if integer:
        lo, hi = float(x._data.min()), float(x._data.max())
        y = cast(_ew.round(y).clamp(lo, hi), dtype_of(x))
    return y


def ssim(image1, image2, max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03,
         data_format=None):
    """The structural similarity of two images (or batches): the Gaussian-windowed SSIM map
    ('valid' windows of ``filter_size``) averaged over space and channels; one value per image.

    Example::

        >>> import numpy as np
        >>> from ember.keras import ops
        >>> ops.image.ssim(np.ones((2, 12, 12, 1)), np.zeros((2, 12, 12, 1))).shape
        ember.Size([2])
    """
    a, b = t(image1), t(image2)
    for name, v in (("image1", a), ("image2", b)):
        if v.ndim not in (3, 4):
            raise ValueError(f"Invalid {name} rank: expected rank 3 (single image) or rank 4 "
                             f"(batch of images). Received input with shape: "
                             f"{name}.shape={tuple(v.shape)}")
    original = dtype_of(a)
    compute = result_type(original, float)
    a, b = cast(a, compute), cast(b, compute)
    unbatched = a.ndim == 3
    if unbatched:
        a, b = _shape.unsqueeze(a, 0), _shape.unsqueeze(b, 0)
    if standardize_data_format(data_format) == "channels_last":
        a, b = _shape.permute(a, (0, 3, 1, 2)), _shape.permute(b, (0, 3, 1, 2))
    n, c, h, w = a.shape
    g = np.exp(-((np.arange(filter_size) - (filter_size - 1) / 2.0) ** 2)
               / (2.0 * filter_sigma ** 2))
    g = g / g.sum()
    kernel = Tensor._make(np.outer(g, g).reshape(1, 1, filter_size, filter_size)
                          .astype(a._data.dtype))

    def blur(v):
        return F.conv2d(_shape.reshape(v, (n * c, 1, h, w)), kernel)

    mu1, mu2 = blur(a), blur(b)
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    s11, s22, s12 = blur(a * a) - mu1 * mu1, blur(b * b) - mu2 * mu2, blur(a * b) - mu1 * mu2
    ssim_map = ((mu1 * mu2 * 2.0 + c1) * (s12 * 2.0 + c2)) / (
        (mu1 * mu1 + mu2 * mu2 + c1) * (s11 + s22 + c2))
    out = _shape.reshape(ssim_map.mean(dim=(1, 2, 3)), (n, c)).mean(dim=-1)
    if unbatched:
        out = _shape.squeeze(out, 0)
    return out if dtype_of(out) == original else cast(out, original)


def elastic_transform(images, alpha=20.0, sigma=5.0, interpolation="bilinear", fill_mode="reflect",
                      fill_value=0.0, seed=None, data_format=None):
    """Random elastic distortion: every pixel moves by ``alpha`` times a Gaussian-blurred
    (``sigma``) field of N(0, ``sigma``²) displacements, one field per image shared by its
    channels (Keras's recipe; the random numbers are ember's, from ``seed``).

    Example::

        >>> import numpy as np
        >>> from ember.keras import ops
        >>> ops.image.elastic_transform(np.ones((2, 8, 8, 3)), seed=1).shape
        ember.Size([2, 8, 8, 3])
    """
    from ..random import normal
    _image._check_fill(interpolation, fill_mode)
    x, state = _image._batched_nchw(images, data_format)
    n, _, h, w = x.shape
    size = int(6 * sigma) | 1
    field = normal((2 * n, h, w, 1), dtype=dtype_of(x), seed=seed) * float(sigma)
    field = _image.gaussian_blur(field, (size, size), (sigma, sigma), "channels_last")
    shift = _shape.permute(_shape.reshape(field, (2, n, h, w)), (1, 2, 3, 0))   # (N, H, W, dx|dy)
    ys, xs = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    grid = Tensor._make(np.stack([ys, xs], -1).astype(x._data.dtype))
    coords = grid + _shape.flip(shift, (-1,)) * float(alpha)                  # (.., y, x)
    y = Sample.apply(x, coords.detach(), order=_image._AFFINE_ORDER[interpolation],
                     fill_mode=fill_mode, fill_value=float(fill_value),
                     label="ElasticTransformBackward0")
    return _image._restore(y, data_format, state)
