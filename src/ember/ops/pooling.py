"""Pooling ops: max and average pooling over sliding windows, adaptive max pooling.

Inputs are ``(N, C, H, W)`` or unbatched ``(C, H, W)`` arrays (1-D pooling is 2-D pooling of
``(N, C, 1, L)``, between an unsqueeze and a squeeze, as torch's graph shows). Work is done
channel-major in ``kh · kw`` vectorised passes over the output grid, one per window offset;
results are channel-major in memory like the convolution's (see :mod:`ember.ops._sliding`).

Example::

    >>> import numpy as np
    >>> from ember.ops.pooling import max_windows
    >>> values, offsets = max_windows(np.arange(16.0).reshape(1, 1, 4, 4), (2, 2), (2, 2), (1, 1), (2, 2))
    >>> values[0, 0]
    array([[ 5.,  7.],
           [13., 15.]])
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from . import _workspace
from ._sliding import add_windows, crop2d, offset_slices, pad2d, windows

__all__ = ["max_windows", "window_indices", "fit_pads", "MaxPool", "AvgPool", "adaptive_bounds",
           "AdaptiveMaxPool", "lowest"]


def lowest(dtype) -> float | int:
    """The padding value a max-pool never picks: -inf for floats, the minimum for integers."""
    return -np.inf if np.dtype(dtype).kind == "f" else np.iinfo(dtype).min


def max_windows(xp: np.ndarray, kernel, stride, dilation, out):
    """Maximum of every window of ``xp`` ``(A, B, Hp, Wp)`` and the offset ``i·kw + j`` of its
    first maximum, as torch picks it (a NaN wins: the last NaN). Both ``(A, B, Ho, Wo)``."""
    v = windows(xp, kernel, stride, dilation, out)
    kk = kernel[0] * kernel[1]
    best = _workspace.empty(v.shape[:2] + v.shape[4:], v.dtype)
    np.copyto(best, v[:, :, 0, 0])
    offsets = np.zeros(best.shape, np.min_scalar_type(kk))
    took = np.empty(best.shape, bool)
    for k in range(1, kk):
        cand = v[:, :, k // kernel[1], k % kernel[1]]
        np.greater(cand, best, out=took)
        np.maximum(best, cand, out=best)          # NaN propagates, as in torch
        offsets += took * (k - offsets)           # offsets < k here, so no wrap-around
    if best.dtype.kind == "f":
        nan = np.isnan(best)
        if nan.any():  # torch keeps the position of the last NaN in the window
            for k in range(kk):
                offsets[nan & np.isnan(v[:, :, k // kernel[1], k % kernel[1]])] = k
    return best, offsets


def window_indices(offsets: np.ndarray, kernel, stride, dilation, pads, width: int) -> np.ndarray:
    """torch's ``return_indices``: each maximum's flat position ``row · W + col`` in its
    (unpadded) input plane, as int64, from the window offsets of :func:`max_windows`."""
    ho, wo = offsets.shape[2:]
    i, j = np.divmod(offsets.astype(np.int64), kernel[1])
    rows = (np.arange(ho) * stride[0] - pads[0])[:, None] + i * dilation[0]
    cols = (np.arange(wo) * stride[1] - pads[2]) + j * dilation[1]
    return rows * width + cols


def fit_pads(size, pads, kernel, stride, dilation, out) -> tuple:
    """``pads`` grown at the bottom/right so the last window fits (``ceil_mode`` windows may
    hang past the padding)."""
    need = [(out[a] - 1) * stride[a] + dilation[a] * (kernel[a] - 1) + 1 for a in (0, 1)]
    extra = [max(need[a] - (size[a] + pads[2 * a] + pads[2 * a + 1]), 0) for a in (0, 1)]
    return pads[0], pads[1] + extra[0], pads[2], pads[3] + extra[1]


class MaxPool(Function):
    """Maximum of each window; the gradient goes to the (first) maximum of the window.

    ``sink``, when given, receives torch's ``return_indices`` array (see :func:`window_indices`).
    """

    NAME = "MaxPool2DWithIndicesBackward0"

    SAVES = (0,)  # torch saves the input (ember keeps offsets or shapes)

    def forward(self, x, kernel=(1, 1), stride=(1, 1), pads=(0, 0, 0, 0), dilation=(1, 1),
                out=(1, 1), sink=None):
        self.unbatched = x.ndim == 3
        x = x[None] if self.unbatched else x
        size = x.shape[2:]
        full = fit_pads(size, pads, kernel, stride, dilation, out)
        xp = pad2d(x.transpose(1, 0, 2, 3), full, lowest(x.dtype))
        values, self.offsets = max_windows(xp, kernel, stride, dilation, out)
        self.geometry = (kernel, stride, dilation, full, size)
        if sink is not None:
            idx = window_indices(self.offsets, kernel, stride, dilation, pads, size[1])
            sink.append(_batch_major(idx, self.unbatched))
        return _batch_major(values, self.unbatched)

    def backward(self, g):
        kernel, stride, dilation, full, size = self.geometry
        gc = _channel_major(g, self.unbatched)
        shape = gc.shape[:2] + (size[0] + full[0] + full[1], size[1] + full[2] + full[3])
        dxp = _workspace.zeros(shape, g.dtype)
        for k in range(kernel[0] * kernel[1]):
            sl = offset_slices(k // kernel[1], k % kernel[1], stride, dilation, gc.shape[2:])
            dxp[sl] += gc * (self.offsets == k)
        return (_batch_major(crop2d(dxp, full, size), self.unbatched),)


def _avg_divisor(size: int, kernel: int, stride: int, pad: int, out: int, include_pad: bool):
    """Per-output window sizes along one axis, as torch divides (the padded extent when
    ``include_pad``, but never what ``ceil_mode`` adds past the padding)."""
    start = np.arange(out) * stride - pad
    end = np.minimum(start + kernel, size + pad)
    if include_pad:
        return end - start
    return np.minimum(end, size) - np.maximum(start, 0)


class AvgPool(Function):
    """Mean over each window (zero padding; ``ceil_mode`` windows are clipped at the edge)."""

    NAME = "AvgPool2DBackward0"

    SAVES = (0,)  # torch saves the input (ember keeps offsets or shapes)

    def forward(self, x, kernel=(1, 1), stride=(1, 1), pads=(0, 0, 0, 0), out=(1, 1),
                count_include_pad=True, divisor_override=None):
        self.unbatched = x.ndim == 3
        x = x[None] if self.unbatched else x
        h, w = x.shape[2:]
        full = fit_pads((h, w), pads, kernel, stride, (1, 1), out)
        v = windows(pad2d(x.transpose(1, 0, 2, 3), full), kernel, stride, (1, 1), out)
        total = v[:, :, 0, 0].copy()
        for k in range(1, kernel[0] * kernel[1]):
            total += v[:, :, k // kernel[1], k % kernel[1]]
        if divisor_override:
            scale = np.asarray(1.0 / divisor_override)
        else:
            rows = _avg_divisor(h, kernel[0], stride[0], pads[0], out[0], count_include_pad)
            cols = _avg_divisor(w, kernel[1], stride[1], pads[2], out[1], count_include_pad)
            scale = 1.0 / (rows[:, None] * cols[None, :])
        self.scale = scale.astype(x.dtype)
        self.geometry = (kernel, stride, full, (h, w))
        total *= self.scale
        return _batch_major(total, self.unbatched)

    def backward(self, g):
        kernel, stride, full, size = self.geometry
        g = g * self.scale
        gc = _channel_major(g, self.unbatched)
        parts = np.broadcast_to(gc[:, :, None, None], gc.shape[:2] + tuple(kernel) + gc.shape[2:])
        shape = gc.shape[:2] + (size[0] + full[0] + full[1], size[1] + full[2] + full[3])
        dxp = add_windows(_workspace.zeros(shape, g.dtype), parts, kernel, stride, (1, 1))
        return (_batch_major(crop2d(dxp, full, size), self.unbatched),)


def adaptive_bounds(size: int, out: int):
    """torch's adaptive windows along one axis: ``[floor(o·size/out), ceil((o+1)·size/out))``."""
    o = np.arange(out)
    return (o * size) // out, -((-(o + 1) * size) // out)


class AdaptiveMaxPool(Function):
    """Maximum over torch's adaptive windows; forward returns the values, and ``indices``
    (flat positions in each input plane) are saved on the node and given to the caller."""

    NAME = "AdaptiveMaxPool2DBackward0"

    SAVES = (0,)  # torch saves the input (ember keeps offsets or shapes)

    def forward(self, x, out=(1, 1), sink=None):
        self.x_shape = x.shape
        n, c, h, w = (1,) * (4 - x.ndim) + x.shape
        flat = x.reshape(n * c, h * w)
        values = np.empty((n * c,) + tuple(out), x.dtype)
        indices = np.empty((n * c,) + tuple(out), np.int64)
        (r0, r1), (c0, c1) = adaptive_bounds(h, out[0]), adaptive_bounds(w, out[1])
        grid = np.arange(h * w).reshape(h, w)
        for a in range(out[0]):
            for b in range(out[1]):
                pos = grid[r0[a]:r1[a], c0[b]:c1[b]].ravel()
                win = flat[:, pos]
                k = _first_max(win)
                indices[:, a, b] = pos[k]
                values[:, a, b] = win[np.arange(n * c), k]
        self.indices = indices.reshape(x.shape[:-2] + tuple(out))
        if sink is not None:
            sink.append(self.indices)
        return values.reshape(self.indices.shape)

    def backward(self, g):
        n, c, h, w = (1,) * (4 - len(self.x_shape)) + self.x_shape
        dx = np.zeros((n * c, h * w), g.dtype)
        rows = np.arange(n * c)
        gf = g.reshape(n * c, -1)
        idx = self.indices.reshape(n * c, -1)
        for k in range(idx.shape[1]):  # one output position at a time: no two hits on one row
            dx[rows, idx[:, k]] += gf[:, k]
        return (dx.reshape(self.x_shape),)


def _first_max(win: np.ndarray) -> np.ndarray:
    """Index of each row's maximum (the first NaN when a row holds one, as torch picks)."""
    if win.dtype.kind == "f":
        nan = np.isnan(win)
        if nan.any():
            return np.where(nan.any(axis=1), nan.argmax(axis=1), np.nanargmax(
                np.where(nan, -np.inf, win), axis=1))
    return win.argmax(axis=1)


def _batch_major(a: np.ndarray, unbatched: bool) -> np.ndarray:
    """A channel-major ``(C, N, H, W)`` result as ``(N, C, H, W)`` (``(C, H, W)`` when the
    caller passed one unbatched sample)."""
    return a[:, 0] if unbatched else a.transpose(1, 0, 2, 3)


def _channel_major(g: np.ndarray, unbatched: bool) -> np.ndarray:
    """The inverse of :func:`_batch_major`."""
    return g[:, None] if unbatched else g.transpose(1, 0, 2, 3)
