"""Sliding windows over the trailing spatial axes, shared by the convolution and pooling ops.

Every spatial op works on arrays ``(A, B, *S)`` with one, two or three spatial axes ``S``. A
window view lays the kernel offsets beside the output grid without copying (pooling reads it
directly). im2col (:func:`im2col`) copies it into one matrix and col2im (:func:`add_windows`)
sums a matrix back, both band by band: one ``(A, B, *S[:-1], Wo)`` band per window offset
along the last axis, so most copies and adds move whole output images rather than rows of
``Wo`` elements (about twice as fast for LeNet's shapes). Convolution and pooling keep their
results channel-major ``(C, N, *S)`` in memory and hand out the ``(N, C, *S)`` view, so the
next layer's windows are read along contiguous rows again.

Example::

    >>> import numpy as np
    >>> from ember.ops._sliding import im2col
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> im2col(x, (2, 2), (2, 2), (1, 1), (2, 2)).shape      # (A·kh·kw, B·Ho·Wo)
    (4, 4)
"""
from __future__ import annotations

import itertools
import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

from . import _workspace


def out_size(size: int, kernel: int, stride: int, pad_total: int, dilation: int,
             ceil_mode: bool = False, pad_left: int = 0) -> int:
    """Number of window positions along one axis (torch's formula, ``ceil_mode`` included:
    a last window must start inside the input or the left padding)."""
    span = size + pad_total - dilation * (kernel - 1) - 1
    if ceil_mode:
        n = -(-span // stride) + 1
        if (n - 1) * stride >= size + pad_left:
            n -= 1
        return n
    return span // stride + 1 if span >= 0 else 0


def channel_major(a: np.ndarray) -> np.ndarray:
    """``(N, C, *S)`` ↔ ``(C, N, *S)`` (a view; the same call converts both ways)."""
    return a.swapaxes(0, 1)


def windows(x: np.ndarray, kernel, stride, dilation, out) -> np.ndarray:
    """Read-only view ``(A, B, *kernel, *out)`` of the windows of ``x`` ``(A, B, *S)``."""
    spatial = x.strides[2:]
    strides = (x.strides[:2] + tuple(s * d for s, d in zip(spatial, dilation))
               + tuple(s * t for s, t in zip(spatial, stride)))
    return as_strided(x, x.shape[:2] + tuple(kernel) + tuple(out), strides, writeable=False)


def offsets(kernel):
    """Every window offset (a tuple per spatial axis), in C order."""
    return itertools.product(*(range(k) for k in kernel))


def offset_slices(offset, stride, dilation, out) -> tuple:
    """The ``(..., *spatial)`` slice that window ``offset`` reads for every output."""
    return (Ellipsis,) + tuple(slice(i * d, i * d + t * (o - 1) + 1, t)
                               for i, t, d, o in zip(offset, stride, dilation, out))


def im2col(x: np.ndarray, kernel, stride, dilation, out) -> np.ndarray:
    """``x`` ``(A, B, *S)`` → the contiguous matrix ``(A·prod(kernel), B·prod(out))`` of its
    windows.

    Copied band by band: the columns that one offset ``j`` along the last axis reads go to a
    ``(A, B, *S[:-1], Wo)`` band first, then each offset along the other axes is a block of
    whole output images (with stride 1), instead of many copies made of ``Wo``-long runs.
    """
    a, b = x.shape[:2]
    cols = _workspace.empty((a,) + tuple(kernel) + (b,) + tuple(out), x.dtype)
    band = _workspace.empty(x.shape[:-1] + (out[-1],), x.dtype)
    for j in range(kernel[-1]):
        np.copyto(band, x[offset_slices((j,), stride[-1:], dilation[-1:], out[-1:])])
        for lead in offsets(kernel[:-1]):
            sl = offset_slices(lead, stride[:-1], dilation[:-1], out[:-1])
            np.copyto(cols[(slice(None),) + lead + (j,)], band[sl + (slice(None),)])
    return cols.reshape(a * math.prod(kernel), -1)


def add_windows(target: np.ndarray, parts: np.ndarray, kernel, stride, dilation) -> np.ndarray:
    """Adds ``parts`` ``(A, B, *kernel, *out)`` into ``target`` ``(A, B, *S)`` at the window
    positions (the adjoint of :func:`windows`); returns ``target``.

    Summed band by band, the reverse of :func:`im2col`: the offsets along the other axes of
    offset ``j`` along the last axis are added into a band as whole images, then the band into
    ``target``.
    """
    n = len(kernel)
    out = parts.shape[2 + n:]
    band = _workspace.empty(target.shape[:-1] + (out[-1],), target.dtype)
    for j in range(kernel[-1]):
        band.fill(0)
        for lead in offsets(kernel[:-1]):
            sl = offset_slices(lead, stride[:-1], dilation[:-1], out[:-1])
            band[sl + (slice(None),)] += parts[(slice(None), slice(None)) + lead + (j,)]
        target[offset_slices((j,), stride[-1:], dilation[-1:], out[-1:])] += band
    return target


def col2im(cols: np.ndarray, shape, kernel, stride, dilation, out) -> np.ndarray:
    """The adjoint of :func:`im2col`: ``(A·prod(kernel), B·prod(out))`` summed back into zeros
    ``shape``."""
    a, b, n = shape[0], shape[1], len(kernel)
    parts = cols.reshape((a,) + tuple(kernel) + (b,) + tuple(out))
    parts = parts.transpose((0, n + 1) + tuple(range(1, n + 1)) + tuple(range(n + 2, 2 * n + 2)))
    return add_windows(_workspace.zeros(shape, cols.dtype), parts, kernel, stride, dilation)


def pad_spatial(x: np.ndarray, pads, value=0) -> np.ndarray:
    """``x`` ``(A, B, *S)`` padded by ``pads = (before_0, after_0, before_1, after_1, …)`` with
    ``value``; ``x`` itself when there is nothing to pad. The copy is C-contiguous."""
    if not any(pads):
        return x
    pairs = list(zip(pads[0::2], pads[1::2]))
    out = _workspace.empty(x.shape[:2] + tuple(n + a + b for n, (a, b) in zip(x.shape[2:], pairs)),
                           x.dtype)
    for axis, (a, b) in enumerate(pairs):
        lead = (slice(None),) * (axis + 2)
        out[lead + (slice(0, a),)].fill(value)
        out[lead + (slice(a + x.shape[axis + 2], None),)].fill(value)
    out[crop_slices(pads, x.shape[2:])] = x
    return out


def crop_slices(pads, size) -> tuple:
    """The interior of a padded ``(A, B, *S)`` array as a slice tuple."""
    return (Ellipsis,) + tuple(slice(a, a + n) for a, n in zip(pads[0::2], size))


def crop_spatial(x: np.ndarray, pads, size) -> np.ndarray:
    """The interior of a padded ``(A, B, *Sp)`` array: the inverse of :func:`pad_spatial`."""
    return x[crop_slices(pads, size)]
