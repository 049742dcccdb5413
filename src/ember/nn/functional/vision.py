"""Image-shaped functions of ``ember.nn.functional``: ``pad`` (constant, reflect, replicate,
circular) and ``interpolate`` (nearest, nearest-exact, linear, bilinear, bicubic, area,
antialiased bilinear/bicubic), with torch's
arguments, index rules and error messages.

Example::

    >>> F.pad(ember.tensor([[[1.0, 2.0, 3.0]]]), (2, 1), mode="reflect")
    tensor([[[3., 2., 1., 2., 3., 2.]]])
"""
from __future__ import annotations

import math

from ...ops._util import as_tensor
from ...ops.padding import Pad
from ...ops.resample import (Resample, adaptive_matrix, antialias_matrix, cubic_matrix,
                             linear_matrix, nearest_matrix)
from ._spatial import ntuple, torch_size

__all__ = ["pad", "interpolate", "upsample", "upsample_nearest", "upsample_bilinear"]

_PAD_LABELS = {"reflect": "ReflectionPad{}DBackward0", "replicate": "ReplicationPad{}DBackward0",
               "circular": "torch::autograd::CopySlices"}


def pad(input, pad, mode: str = "constant", value: float | None = None):  # noqa: A002
    """Pads the last ``len(pad) // 2`` axes; ``pad = (left, right, top, bottom, …)`` starts at
    the last axis.

    Args:
        mode: 'constant' (fill with ``value``, default 0; a negative width crops),
            'reflect' (mirror about the edge, padding < size), 'replicate' (repeat the edge) or
            'circular' (wrap around).

    Example::

        >>> F.pad(ember.ones(1, 2, 2), (1, 1, 0, 1)).shape
        ember.Size([1, 3, 4])
    """
    x = as_tensor(input)
    pads = tuple(int(p) for p in pad)
    if len(pads) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    k = len(pads) // 2
    if k > x.ndim:
        raise RuntimeError(f"Padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {len(pads)} and input of dimension "
                           f"{x.ndim}")
    widths = [(0, 0)] * (x.ndim - k) + [(pads[2 * i], pads[2 * i + 1]) for i in reversed(range(k))]
    if mode == "constant":
        for axis, (a, b) in enumerate(widths):
            if x.shape[axis] + a + b < 0:
                raise RuntimeError(f"The input size {x.shape[axis]}, plus negative padding {a} and "
                                   f"{b} resulted in a negative output size, which is invalid. "
                                   f"Check dimension {axis} of your input.")
        return Pad.apply(x, widths=tuple(widths), value=0.0 if value is None else value)
    if mode not in _PAD_LABELS:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if x.ndim not in (k + 1, k + 2) or k > 3:
        raise NotImplementedError(
            f"Padding size {len(pads)} is not supported for {x.ndim}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    for axis, (a, b) in enumerate(widths):
        n = x.shape[axis]
        if mode == "reflect" and (a >= n or b >= n):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding "
                               f"input dimension, but got: padding ({a}, {b}) at dimension {axis} "
                               f"of input {torch_size(x.shape)}")
        if mode == "circular" and (a > n or b > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if (a or b) and n == 0:
            raise RuntimeError(f"{mode} padding of an empty dimension: input {torch_size(x.shape)}")
    return Pad.apply(x, widths=tuple(widths), mode=mode, label=_PAD_LABELS[mode].format(k))


_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")
_LINEAR = {"linear": 1, "bilinear": 2, "trilinear": 3, "bicubic": 2}


def _output_size(x, dims, size, scale_factor, recompute: bool):
    """The output size per axis and the scale factors torch's kernels are given (None when
    the scale comes from the sizes)."""
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is None and scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    spatial = x.shape[2:]
    if size is not None:
        out = ntuple(size, dims, "size") if not isinstance(size, (tuple, list)) or \
            len(size) == dims else None
        if out is None:
            raise ValueError(f"Input and output must have the same number of spatial dimensions, "
                             f"but got input with spatial dimensions of {list(spatial)} and output "
                             f"size of {size}. Please provide input tensor in (N, C, d1, d2, ...,dK) "
                             f"format and output size in (o1, o2, ...,oK) format.")
        return out, (None,) * dims
    scales = tuple(scale_factor) if isinstance(scale_factor, (tuple, list)) else \
        (scale_factor,) * dims
    if len(scales) != dims:
        raise ValueError(f"Input and scale_factor must have the same number of spatial dimensions, "
                         f"but got input with spatial dimensions of {list(spatial)} and "
                         f"scale_factor of shape {scale_factor}.")
    out = tuple(int(math.floor(float(n) * float(s))) for n, s in zip(spatial, scales))
    return out, ((None,) * dims if recompute else tuple(float(s) for s in scales))


def interpolate(input, size=None, scale_factor=None, mode: str = "nearest", align_corners=None,
                recompute_scale_factor=None, antialias: bool = False):
    """Resizes ``(N, C, L)`` or ``(N, C, H, W)`` input to ``size`` or by ``scale_factor``.

    Args:
        mode: 'nearest' (torch's legacy floor rule), 'nearest-exact', 'linear' (3-D input),
            'bilinear' or 'bicubic' (4-D input) or 'area' (adaptive average pooling).
        antialias: for 'bilinear'/'bicubic', low-pass filter while shrinking (as PIL does).
        align_corners: for linear modes, map the corner pixels' centres onto each other
            (default False: map the corners of the pixel grid).
        recompute_scale_factor: derive the scale from the sizes instead of ``scale_factor``.

    Example::

        >>> F.interpolate(ember.tensor([[[1.0, 3.0]]]), scale_factor=2, mode="linear")
        tensor([[[1.0000, 1.5000, 2.5000, 3.0000]]])
    """
    x = as_tensor(input)
    if mode not in _MODES:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got "
                                  f"{x.ndim}D) for the modes: nearest | linear | bilinear | bicubic "
                                  f"| trilinear | lanczos | area | nearest-exact (got {mode})")
    if align_corners is not None and mode not in _LINEAR:
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    if mode in _LINEAR and x.ndim != _LINEAR[mode] + 2:
        raise NotImplementedError(f"Got {x.ndim}D input, but {mode} mode needs "
                                  f"{_LINEAR[mode] + 2}D input")
    if x.ndim not in (3, 4, 5):
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got "
                                  f"{x.ndim}D) for the modes: nearest | linear | bilinear | bicubic "
                                  f"| trilinear | lanczos | area | nearest-exact (got {mode})")
    if antialias and mode not in ("bilinear", "bicubic"):
        raise ValueError("Anti-alias option is restricted to bilinear and bicubic modes and "
                         "requires a 4-D tensor as input")
    dims = x.ndim - 2
    out, scales = _output_size(x, dims, size, scale_factor, bool(recompute_scale_factor))
    if min(out) <= 0 or min(x.shape[2:]) <= 0:
        names = "DHW"[3 - dims:]
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input ("
                           f"{', '.join(f'{a}: {n}' for a, n in zip(names, x.shape[2:]))}) output ("
                           f"{', '.join(f'{a}: {n}' for a, n in zip(names, out))})")
    dtype = x._data.dtype
    if antialias:
        mats = [antialias_matrix(n, o, s, bool(align_corners), mode == "bicubic", dtype)
                for n, o, s in zip(x.shape[2:], out, scales)]
        label = f"Upsample{'Bicubic' if mode == 'bicubic' else 'Bilinear'}2DAaBackward0"
    elif mode == "bicubic":
        mats = [cubic_matrix(n, o, s, bool(align_corners), dtype)
                for n, o, s in zip(x.shape[2:], out, scales)]
        label = "UpsampleBicubic2DBackward0"
    elif mode == "area":
        mats = [adaptive_matrix(n, o, dtype) for n, o in zip(x.shape[2:], out)]
        label = "AdaptiveAvgPool3DBackward0" if dims == 3 else "AdaptiveAvgPool2DBackward0"
    elif mode in _LINEAR:
        mats = [linear_matrix(n, o, s, bool(align_corners), dtype)
                for n, o, s in zip(x.shape[2:], out, scales)]
        label = {1: "UpsampleLinear1DBackward0", 2: "UpsampleBilinear2DBackward0",
                 3: "UpsampleTrilinear3DBackward0"}[dims]
    else:
        exact = mode == "nearest-exact"
        mats = [nearest_matrix(n, o, s, dtype, exact) for n, o, s in zip(x.shape[2:], out, scales)]
        label = f"Upsample{'NearestExact' if exact else 'Nearest'}{dims}DBackward0"
    return Resample.apply(x, mats=mats, label=label)


def upsample(input, size=None, scale_factor=None, mode: str = "nearest", align_corners=None):
    """Deprecated alias of :func:`interpolate` (torch keeps it for old code).

    Example::

        >>> F.upsample(ember.ones(1, 1, 2, 2), scale_factor=2).shape
        ember.Size([1, 1, 4, 4])
    """
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: :func:`interpolate` with ``mode='nearest'``.

    Example::

        >>> F.upsample_nearest(ember.ones(1, 1, 2, 2), scale_factor=2).shape
        ember.Size([1, 1, 4, 4])
    """
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: :func:`interpolate` with ``mode='bilinear'`` and ``align_corners=True``.

    Example::

        >>> F.upsample_bilinear(ember.ones(1, 1, 2, 2), size=3).shape
        ember.Size([1, 1, 3, 3])
    """
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
