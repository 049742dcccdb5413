"""Separable linear resampling: adaptive average pooling and nearest/linear/bilinear/bicubic
interpolation, with or without an antialiasing filter.

Each of these maps an image by one small matrix per spatial axis (in 2-D ``out = R · x · Cᵀ``,
``R`` is ``(Ho, H)``, ``C`` is ``(Wo, W)``), so one :class:`Function` serves them all and its
backward is ``Rᵀ · g · C``. The matrices follow torch's index rules exactly
(:func:`adaptive_matrix`, :func:`nearest_matrix`, :func:`linear_matrix`, :func:`cubic_matrix`,
:func:`antialias_matrix`).

Example::

    >>> import numpy as np
    >>> from ember.ops.resample import nearest_matrix
    >>> nearest_matrix(2, 4, None)           # each output row picks one input row
    array([[1., 0.],
           [1., 0.],
           [0., 1.],
           [0., 1.]])
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from .pooling import adaptive_bounds

__all__ = ["Resample", "adaptive_matrix", "nearest_matrix", "linear_matrix", "cubic_matrix",
           "antialias_matrix"]


def adaptive_matrix(size: int, out: int, dtype=np.float64) -> np.ndarray:
    """``(out, size)``: row ``o`` averages torch's adaptive window ``o``."""
    start, end = adaptive_bounds(size, out)
    cols = np.arange(size)
    inside = (cols >= start[:, None]) & (cols < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


def _scale(size: int, out: int, scale_factor, align_corners: bool, dtype):
    """torch's source-index scale in its arithmetic type: ``1 / scale_factor`` when one is
    given, else ``size / out`` (``(size - 1) / (out - 1)`` with ``align_corners``)."""
    if align_corners:
        return dtype(size - 1) / dtype(out - 1) if out > 1 else dtype(0)
    if scale_factor:
        return dtype(1.0 / scale_factor)
    return dtype(size) / dtype(out)


def nearest_matrix(size: int, out: int, scale_factor, dtype=np.float64,
                   exact: bool = False) -> np.ndarray:
    """``(out, size)`` one-hot rows: output ``o`` copies input ``min(floor(o · scale), size - 1)``
    (``exact``: ``floor((o + 0.5) · scale)``, torch's 'nearest-exact')."""
    dtype = np.dtype(dtype).type
    dst = np.arange(out, dtype=dtype) + (dtype(0.5) if exact else dtype(0))
    src = np.floor(dst * _scale(size, out, scale_factor, False, dtype))
    src = np.minimum(src.astype(np.int64), size - 1)
    return (src[:, None] == np.arange(size)).astype(dtype)


def linear_matrix(size: int, out: int, scale_factor, align_corners: bool,
                  dtype=np.float64) -> np.ndarray:
    """``(out, size)`` rows of two weights: torch's linear interpolation between neighbours."""
    dtype = np.dtype(dtype).type
    scale = _scale(size, out, scale_factor, align_corners, dtype)
    dst = np.arange(out, dtype=dtype)
    src = dst * scale if align_corners else np.maximum((dst + dtype(0.5)) * scale - dtype(0.5), 0)
    lo = np.minimum(src.astype(np.int64), size - 1)
    hi = np.minimum(lo + 1, size - 1)
    frac = (src - lo).astype(dtype)
    m = np.zeros((out, size), dtype)
    np.add.at(m, (np.arange(out), lo), 1 - frac)
    np.add.at(m, (np.arange(out), hi), frac)
    return m


def _keys_cubic(x: np.ndarray, a: float) -> np.ndarray:
    """Keys' cubic convolution kernel with parameter ``a`` at ``|x|`` (zero beyond 2)."""
    x = np.abs(x)
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return np.where(x < 1, near, np.where(x < 2, far, 0.0))


def cubic_matrix(size: int, out: int, scale_factor, align_corners: bool,
                 dtype=np.float64) -> np.ndarray:
    """``(out, size)`` rows of four weights: torch's bicubic interpolation (Keys, ``a = -0.75``),
    the neighbours' indices clamped to the edge."""
    dtype = np.dtype(dtype).type
    scale = _scale(size, out, scale_factor, align_corners, dtype)
    dst = np.arange(out, dtype=dtype)
    src = dst * scale if align_corners else (dst + dtype(0.5)) * scale - dtype(0.5)
    lo = np.floor(src)
    t = (src - lo).astype(np.float64)
    m = np.zeros((out, size), np.float64)
    for k in range(-1, 3):
        idx = np.clip(lo.astype(np.int64) + k, 0, size - 1)
        np.add.at(m, (np.arange(out), idx), _keys_cubic(t - k, -0.75))
    return m.astype(dtype)


def antialias_matrix(size: int, out: int, scale_factor, align_corners: bool, cubic: bool,
                     dtype=np.float64) -> np.ndarray:
    """``(out, size)``: torch's antialiased bilinear/bicubic resampling (``antialias=True``): when
    shrinking, the triangle (or Keys ``a = -0.5``) filter is stretched by the scale so every
    input pixel contributes; rows are normalised to sum to one."""
    scale = float(_scale(size, out, scale_factor, align_corners, np.float64))
    half = 2.0 if cubic else 1.0
    support = half * scale if scale >= 1.0 else half
    inv = 1.0 / scale if scale >= 1.0 else 1.0
    m = np.zeros((out, size), np.float64)
    for i in range(out):
        center = scale * (i + 0.5)
        lo = max(int(center - support + 0.5), 0)
        hi = min(int(center + support + 0.5), size)
        x = (np.arange(lo, hi) - center + 0.5) * inv
        w = _keys_cubic(x, -0.5) if cubic else np.maximum(1.0 - np.abs(x), 0.0)
        total = w.sum()
        m[i, lo:hi] = w / total if total != 0 else w
    return m.astype(dtype)


def _along(a: np.ndarray, m: np.ndarray, axis: int) -> np.ndarray:
    """Applies ``m`` ``(out, size)`` along ``axis`` of ``a`` (one matmul)."""
    return np.moveaxis(np.tensordot(a, m, axes=([axis], [1])), -1, axis)


class Resample(Function):
    """One matrix per trailing axis: ``mats[i]`` ``(out, size)`` maps axis
    ``x.ndim - len(mats) + i`` (the matrices are in ``x``'s dtype)."""

    NAME = "UpsampleNearest2DBackward0"

    def forward(self, x, mats=(), saves=None):
        """``saves``: what torch saves (:attr:`Function.SAVES`): (0,) for an adaptive average
        pool, nothing for an upsampling."""
        self.mats, self.SAVES = tuple(mats), saves
        first = x.ndim - len(self.mats)
        for i, m in reversed(list(enumerate(self.mats))):
            x = _along(x, m, first + i)
        return x

    def backward(self, g):
        first = g.ndim - len(self.mats)
        for i, m in reversed(list(enumerate(self.mats))):
            g = _along(g, m.T, first + i)
        return (g,)
