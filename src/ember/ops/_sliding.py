"""Sliding windows over the last two axes, shared by the convolution and pooling ops.

Every spatial op works on 4-D arrays ``(A, B, H, W)`` (1-D ops add ``H = 1``). A window view
lays the ``kh × kw`` offsets beside the ``Ho × Wo`` output grid without copying (pooling reads
it directly). im2col (:func:`im2col`) copies it into one matrix and col2im (:func:`add_windows`)
sums a matrix back, both band by band: one ``(A, B, H, Wo)`` band per window column, so most
copies and adds move whole ``Ho × Wo`` images rather than rows of ``Wo`` elements (about twice
as fast for LeNet's shapes). Convolution and pooling keep their results channel-major
``(C, N, H, W)`` in memory and hand out the ``(N, C, H, W)`` view, so the next layer's windows
are read along contiguous rows again.

Example::

    >>> import numpy as np
    >>> from ember.ops._sliding import im2col
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> im2col(x, (2, 2), (2, 2), (1, 1), (2, 2)).shape      # (A·kh·kw, B·Ho·Wo)
    (4, 4)
"""
from __future__ import annotations

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


def windows(x: np.ndarray, kernel, stride, dilation, out) -> np.ndarray:
    """Read-only view ``(A, B, kh, kw, Ho, Wo)`` of the windows of ``x`` ``(A, B, H, W)``."""
    sa, sb, sh, sw = x.strides
    (kh, kw), (th, tw), (dh, dw), (ho, wo) = kernel, stride, dilation, out
    return as_strided(x, (x.shape[0], x.shape[1], kh, kw, ho, wo),
                      (sa, sb, sh * dh, sw * dw, sh * th, sw * tw), writeable=False)


def offset_slices(i: int, j: int, stride, dilation, out) -> tuple:
    """The ``(..., rows, cols)`` slice that window offset ``(i, j)`` reads for every output."""
    (th, tw), (dh, dw), (ho, wo) = stride, dilation, out
    return (Ellipsis, slice(i * dh, i * dh + th * (ho - 1) + 1, th),
            slice(j * dw, j * dw + tw * (wo - 1) + 1, tw))


def im2col(x: np.ndarray, kernel, stride, dilation, out) -> np.ndarray:
    """``x`` ``(A, B, H, W)`` → the contiguous matrix ``(A·kh·kw, B·Ho·Wo)`` of its windows.

    Copied band by band: the columns one window column ``j`` reads go to a ``(A, B, H, Wo)``
    band first, then each row offset ``i`` is a block of whole ``Ho·Wo`` images (with stride 1),
    instead of ``kh·kw`` copies made of ``Wo``-long runs.
    """
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel, stride, dilation, out
    a, b, h = x.shape[:3]
    cols = _workspace.empty((a, kh, kw, b, ho, wo), x.dtype)
    band = _workspace.empty((a, b, h, wo), x.dtype)
    for j in range(kw):
        np.copyto(band, x[:, :, :, j * dw:j * dw + sw * (wo - 1) + 1:sw])
        for i in range(kh):
            np.copyto(cols[:, i, j], band[:, :, i * dh:i * dh + sh * (ho - 1) + 1:sh])
    return cols.reshape(a * kh * kw, -1)


def add_windows(target: np.ndarray, parts: np.ndarray, kernel, stride, dilation) -> np.ndarray:
    """Adds ``parts`` ``(A, B, kh, kw, Ho, Wo)`` into ``target`` ``(A, B, H, W)`` at the window
    positions (the adjoint of :func:`windows`); returns ``target``.

    Summed band by band, the reverse of :func:`im2col`: the ``kh`` row offsets of window column
    ``j`` are added into a ``(A, B, H, Wo)`` band as whole images, then the band into ``target``.
    """
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    ho, wo = parts.shape[4:]
    band = _workspace.empty(target.shape[:3] + (wo,), target.dtype)
    for j in range(kw):
        band.fill(0)
        for i in range(kh):
            band[:, :, i * dh:i * dh + sh * (ho - 1) + 1:sh] += parts[:, :, i, j]
        target[:, :, :, j * dw:j * dw + sw * (wo - 1) + 1:sw] += band
    return target


def col2im(cols: np.ndarray, shape, kernel, stride, dilation, out) -> np.ndarray:
    """The adjoint of :func:`im2col`: ``(A·kh·kw, B·Ho·Wo)`` summed back into zeros ``shape``."""
    a, b = shape[:2]
    parts = cols.reshape(a, kernel[0], kernel[1], b, out[0], out[1]).transpose(0, 3, 1, 2, 4, 5)
    return add_windows(_workspace.zeros(shape, cols.dtype), parts, kernel, stride, dilation)


def pad2d(x: np.ndarray, pads, value=0) -> np.ndarray:
    """``x`` ``(A, B, H, W)`` padded by ``pads = (top, bottom, left, right)`` with ``value``;
    ``x`` itself when there is nothing to pad. The copy is C-contiguous."""
    top, bottom, left, right = pads
    if not (top or bottom or left or right):
        return x
    a, b, h, w = x.shape
    out = _workspace.empty((a, b, h + top + bottom, w + left + right), x.dtype)
    for border in (out[:, :, :top], out[:, :, top + h:], out[:, :, :, :left],
                   out[:, :, :, left + w:]):
        border.fill(value)
    out[:, :, top:top + h, left:left + w] = x
    return out


def crop2d(x: np.ndarray, pads, size) -> np.ndarray:
    """The interior of a padded ``(A, B, Hp, Wp)`` array: the inverse of :func:`pad2d`."""
    top, _, left, _ = pads
    return x[:, :, top:top + size[0], left:left + size[1]]
