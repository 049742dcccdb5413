"""Pooling ops: max and average pooling over sliding windows, adaptive and fractional max
pooling and max unpooling.

Inputs are ``(N, C, *S)`` or unbatched ``(C, *S)`` arrays with two or three spatial axes (1-D
pooling is 2-D pooling of ``(N, C, 1, L)``, between an unsqueeze and a squeeze, as torch's graph
shows). Work is done channel-major in vectorised passes over the output grid, one per window
offset;
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

import math

import numpy as np

from ..autograd.function import Function
from . import _workspace
from ._sliding import (add_windows, channel_major, crop_spatial, offset_slices, offsets,
                       pad_spatial, windows)

__all__ = ["max_windows", "first_max", "window_indices", "fit_pads", "MaxPool", "AvgPool",
           "adaptive_bounds", "AdaptiveMaxPool", "scatter_max", "fractional_starts",
           "FractionalMaxPool", "MaxUnpool", "lowest"]


def lowest(dtype) -> float | int:
    """The padding value a max-pool never picks: -inf for floats, the minimum for integers."""
    return -np.inf if np.dtype(dtype).kind == "f" else np.iinfo(dtype).min


def max_windows(xp: np.ndarray, kernel, stride, dilation, out):
    """Maximum of every window of ``xp`` ``(A, B, *Sp)`` and the flat (C-order) offset of its
    first maximum in the window, as torch picks it (a NaN wins: the last NaN). Both
    ``(A, B, *out)``."""
    v = windows(xp, kernel, stride, dilation, out)
    return first_max([v[(slice(None), slice(None)) + o] for o in offsets(kernel)])


def first_max(cands):
    """The running maximum of the equal-shaped arrays ``cands`` (one per window offset, in
    window order) and the index of the first array that holds it, as torch picks it (a NaN
    wins: the last NaN)."""
    best = _workspace.empty(cands[0].shape, cands[0].dtype)
    np.copyto(best, cands[0])
    offset = np.zeros(best.shape, np.min_scalar_type(len(cands)))
    took = np.empty(best.shape, bool)
    for k in range(1, len(cands)):
        np.greater(cands[k], best, out=took)
        np.maximum(best, cands[k], out=best)      # NaN propagates, as in torch
        offset += took * (k - offset)             # offset < k here, so no wrap-around
    if best.dtype.kind == "f":
        nan = np.isnan(best)
        if nan.any():  # torch keeps the position of the last NaN in the window
            for k, cand in enumerate(cands):
                offset[nan & np.isnan(cand)] = k
    return best, offset


def window_indices(offset: np.ndarray, kernel, stride, dilation, pads, size) -> np.ndarray:
    """torch's ``return_indices``: each maximum's flat position in its (unpadded) input plane
    of spatial ``size``, as int64, from the window offsets of :func:`max_windows`."""
    dims = len(kernel)
    within = np.unravel_index(offset.astype(np.int64), kernel)
    flat = np.zeros(offset.shape, np.int64)
    for a in range(dims):
        start = np.arange(offset.shape[2 + a]) * stride[a] - pads[2 * a]
        coord = start.reshape((-1,) + (1,) * (dims - 1 - a)) + within[a] * dilation[a]
        flat = flat * size[a] + coord
    return flat


def fit_pads(size, pads, kernel, stride, dilation, out) -> tuple:
    """``pads`` grown at the end of each axis so the last window fits (``ceil_mode`` windows
    may hang past the padding)."""
    grown = list(pads)
    for a in range(len(kernel)):
        need = (out[a] - 1) * stride[a] + dilation[a] * (kernel[a] - 1) + 1
        grown[2 * a + 1] += max(need - (size[a] + pads[2 * a] + pads[2 * a + 1]), 0)
    return tuple(grown)


def _padded_shape(gc: np.ndarray, size, full) -> tuple:
    return gc.shape[:2] + tuple(n + full[2 * a] + full[2 * a + 1] for a, n in enumerate(size))


class MaxPool(Function):
    """Maximum of each window over two or three spatial axes; the gradient goes to the (first)
    maximum of the window.

    ``sink``, when given, receives torch's ``return_indices`` array (see :func:`window_indices`).
    """

    NAME = "MaxPool2DWithIndicesBackward0"

    SAVES = (0,)  # torch saves the input (ember keeps offsets or shapes)

    def forward(self, x, kernel=(1, 1), stride=(1, 1), pads=(0, 0, 0, 0), dilation=(1, 1),
                out=(1, 1), sink=None):
        dims = len(kernel)
        self.label = f"MaxPool{dims}DWithIndicesBackward0"
        self.unbatched = x.ndim == dims + 1
        x = x[None] if self.unbatched else x
        size = x.shape[2:]
        full = fit_pads(size, pads, kernel, stride, dilation, out)
        xp = pad_spatial(channel_major(x), full, lowest(x.dtype))
        values, self.offsets = max_windows(xp, kernel, stride, dilation, out)
        self.geometry = (kernel, stride, dilation, full, size)
        if sink is not None:
            idx = window_indices(self.offsets, kernel, stride, dilation, pads, size)
            sink.append(_batch_major(idx, self.unbatched))
        return _batch_major(values, self.unbatched)

    def backward(self, g):
        kernel, stride, dilation, full, size = self.geometry
        gc = _channel_major(g, self.unbatched)
        dxp = _workspace.zeros(_padded_shape(gc, size, full), g.dtype)
        for k, offset in enumerate(offsets(kernel)):
            dxp[offset_slices(offset, stride, dilation, gc.shape[2:])] += gc * (self.offsets == k)
        return (_batch_major(crop_spatial(dxp, full, size), self.unbatched),)


def _avg_divisor(size: int, kernel: int, stride: int, pad: int, out: int, include_pad: bool):
    """Per-output window sizes along one axis, as torch divides (the padded extent when
    ``include_pad``, but never what ``ceil_mode`` adds past the padding)."""
    start = np.arange(out) * stride - pad
    end = np.minimum(start + kernel, size + pad)
    if include_pad:
        return end - start
    return np.minimum(end, size) - np.maximum(start, 0)


class AvgPool(Function):
    """Mean over each window of two or three spatial axes (zero padding; ``ceil_mode`` windows
    are clipped at the edge)."""

    NAME = "AvgPool2DBackward0"

    SAVES = (0,)  # torch saves the input (ember keeps offsets or shapes)

    def forward(self, x, kernel=(1, 1), stride=(1, 1), pads=(0, 0, 0, 0), out=(1, 1),
                count_include_pad=True, divisor_override=None):
        dims = len(kernel)
        self.label = f"AvgPool{dims}DBackward0"
        self.unbatched = x.ndim == dims + 1
        x = x[None] if self.unbatched else x
        size = x.shape[2:]
        ones = (1,) * dims
        full = fit_pads(size, pads, kernel, stride, ones, out)
        v = windows(pad_spatial(channel_major(x), full), kernel, stride, ones, out)
        picks = [(slice(None), slice(None)) + o for o in offsets(kernel)]
        total = v[picks[0]].copy()
        for pick in picks[1:]:
            total += v[pick]
        if divisor_override:
            scale = np.asarray(1.0 / divisor_override)
        else:
            count = np.ones((), np.int64)
            for a in range(dims):
                along = _avg_divisor(size[a], kernel[a], stride[a], pads[2 * a], out[a],
                                     count_include_pad)
                count = np.multiply.outer(count, along)
            scale = 1.0 / count
        self.scale = scale.astype(x.dtype)
        self.geometry = (kernel, stride, full, size)
        total *= self.scale
        return _batch_major(total, self.unbatched)

    def backward(self, g):
        kernel, stride, full, size = self.geometry
        g = g * self.scale
        gc = _channel_major(g, self.unbatched)
        parts = np.broadcast_to(gc[(slice(None), slice(None)) + (None,) * len(kernel)],
                                gc.shape[:2] + tuple(kernel) + gc.shape[2:])
        dxp = add_windows(_workspace.zeros(_padded_shape(gc, size, full), g.dtype), parts,
                          kernel, stride, (1,) * len(kernel))
        return (_batch_major(crop_spatial(dxp, full, size), self.unbatched),)


def adaptive_bounds(size: int, out: int):
    """torch's adaptive windows along one axis: ``[floor(o·size/out), ceil((o+1)·size/out))``."""
    o = np.arange(out)
    return (o * size) // out, -((-(o + 1) * size) // out)


class AdaptiveMaxPool(Function):
    """Maximum over torch's adaptive windows of the last ``len(out)`` axes; forward returns the
    values, and ``indices`` (flat positions in each input plane) are saved on the node and
    given to the caller."""

    NAME = "AdaptiveMaxPool2DBackward0"

    SAVES = (0,)  # torch saves the input (ember keeps offsets or shapes)

    def forward(self, x, out=(1, 1), sink=None):
        dims = len(out)
        self.label = f"AdaptiveMaxPool{dims}DBackward0"
        self.x_shape = x.shape
        size = x.shape[x.ndim - dims:]
        self.rows = rows = int(np.prod(x.shape[:x.ndim - dims]))
        flat = x.reshape(rows, int(np.prod(size)))
        values = np.empty((rows,) + tuple(out), x.dtype)
        indices = np.empty((rows,) + tuple(out), np.int64)
        bounds = [adaptive_bounds(n, o) for n, o in zip(size, out)]
        grid = np.arange(flat.shape[1]).reshape(size)
        for cell in offsets(out):
            pos = grid[tuple(slice(lo[i], hi[i]) for i, (lo, hi) in zip(cell, bounds))].ravel()
            win = flat[:, pos]
            k = _first_max(win)
            indices[(slice(None),) + cell] = pos[k]
            values[(slice(None),) + cell] = win[np.arange(rows), k]
        self.indices = indices.reshape(x.shape[:x.ndim - dims] + tuple(out))
        if sink is not None:
            sink.append(self.indices)
        return values.reshape(self.indices.shape)

    def backward(self, g):
        return (scatter_max(g, self.indices, self.rows, self.x_shape),)


def scatter_max(g: np.ndarray, indices: np.ndarray, rows: int, x_shape) -> np.ndarray:
    """The gradient of a max pool whose maxima sit at ``indices`` (flat positions in each of
    ``rows`` input planes): ``g`` summed into zeros of ``x_shape`` there (windows may overlap;
    one ``bincount`` over the global positions, summed in float64)."""
    size = int(np.prod(x_shape))
    if rows == 0 or size == 0:
        return np.zeros(x_shape, g.dtype)
    plane = size // rows
    where = (indices.reshape(rows, -1) + np.arange(rows)[:, None] * plane).ravel()
    dx = np.bincount(where, weights=g.reshape(-1), minlength=size)
    return dx.astype(g.dtype, copy=False).reshape(x_shape)


def fractional_starts(samples: np.ndarray, size: int, out: int, kernel: int) -> np.ndarray:
    """torch's ``generate_intervals``: the window starts ``(P, out)`` along one axis of length
    ``size`` for one uniform sample ``u`` per plane (``samples`` ``(P,)``), computed in the
    samples' dtype as torch computes them: ``int((i + u)·α) - int(u·α)`` with
    ``α = (size - kernel) / (out - 1)``, and the last window ending at the edge."""
    starts = np.empty(samples.shape + (out,), np.int64)
    if out > 1:
        dt = samples.dtype.type
        alpha = dt(size - kernel) / dt(out - 1)
        i = np.arange(out - 1, dtype=samples.dtype)
        u = samples[:, None]
        starts[:, :-1] = (((i + u) * alpha).astype(np.int64)
                          - (u * alpha).astype(np.int64))
    if out > 0:
        starts[:, -1] = size - kernel
    return starts


class FractionalMaxPool(Function):
    """Fractional max pooling of ``(N, C, *S)`` or ``(C, *S)`` (two or three spatial axes):
    windows of size ``kernel`` starting at pseudo-random positions that torch derives from ``samples``
    ``(>= N, C, len(S))`` (see :func:`fractional_starts`); the gradient goes to each window's
    maximum. ``sink``, when given, receives the flat indices of the maxima (int64)."""

    NAME = "FractionalMaxPool2DBackward0"

    SAVES = (0,)  # torch saves the indices (ember keeps them as an array)

    def forward(self, x, samples=None, kernel=(1, 1), out=(1, 1), sink=None):
        dims = len(kernel)
        self.label = f"FractionalMaxPool{dims}DBackward0"
        self.x_shape = x.shape
        x = x[None] if x.ndim == dims + 1 else x  # unbatched: one sample of samples[0]
        size = x.shape[2:]
        self.rows = rows = x.shape[0] * x.shape[1]
        u = np.asarray(samples)[:x.shape[0]].reshape(rows, dims)
        base = np.zeros((rows,) + tuple(out), np.int64)
        for a in range(dims):  # flat index of each window's first element
            start = fractional_starts(u[:, a], size[a], out[a], kernel[a])
            base = base * size[a] + start.reshape((rows,) + (1,) * a + (out[a],)
                                                  + (1,) * (dims - 1 - a))
        steps = [int(np.ravel_multi_index(o, size)) for o in offsets(kernel)]
        flat = x.reshape(rows, int(np.prod(size)))
        cands = [np.take_along_axis(flat, (base + s).reshape(rows, math.prod(out)), 1)
                 .reshape(base.shape) for s in steps]
        values, k = (first_max(cands) if cands and rows and base.size
                     else (np.empty(base.shape, x.dtype), np.zeros(base.shape, np.int64)))
        self.indices = (base + np.asarray(steps, np.int64)[k] if steps else base).reshape(
            self.x_shape[:-dims] + tuple(out))
        if sink is not None:
            sink.append(self.indices)
        return values.reshape(self.indices.shape)

    def backward(self, g):
        return (scatter_max(g, self.indices, self.rows, self.x_shape),)


class MaxUnpool(Function):
    """The inverse of a max pool: each value of ``x`` ``(*, *S)`` goes to its flat position
    ``indices`` in a zero plane of spatial ``size``; the gradient is read back from there."""

    NAME = "MaxUnpool2DBackward0"

    SAVES = (0,)  # torch saves the indices (ember keeps them as an array)

    def forward(self, x, indices=None, size=(1, 1)):
        self.label = f"MaxUnpool{len(size)}DBackward0"
        lead = x.shape[:x.ndim - len(size)]
        rows, plane = int(np.prod(lead)), int(np.prod(size))
        idx = np.asarray(indices).reshape(rows, -1)
        bad = idx[(idx < 0) | (idx >= plane)]
        if bad.size:
            raise RuntimeError(f"Found an invalid max index: {bad.flat[0]} (output volumes are of "
                               f"size {'x'.join(map(str, size))})")
        out = np.zeros((rows, plane), x.dtype)
        out[np.arange(rows)[:, None], idx] = x.reshape(rows, -1)
        self.idx, self.x_shape = idx, x.shape
        return out.reshape(lead + tuple(size))

    def backward(self, g):
        gf = g.reshape(self.idx.shape[0], -1)
        return (np.take_along_axis(gf, self.idx, axis=1).reshape(self.x_shape),)


def _first_max(win: np.ndarray) -> np.ndarray:
    """Index of each row's maximum (the first NaN when a row holds one, as torch picks)."""
    if win.dtype.kind == "f":
        nan = np.isnan(win)
        if nan.any():
            return np.where(nan.any(axis=1), nan.argmax(axis=1), np.nanargmax(
                np.where(nan, -np.inf, win), axis=1))
    return win.argmax(axis=1)


def _batch_major(a: np.ndarray, unbatched: bool) -> np.ndarray:
    """A channel-major ``(C, N, *S)`` result as ``(N, C, *S)`` (``(C, *S)`` when the caller
    passed one unbatched sample)."""
    return a[:, 0] if unbatched else channel_major(a)


def _channel_major(g: np.ndarray, unbatched: bool) -> np.ndarray:
    """The inverse of :func:`_batch_major`."""
    return g[:, None] if unbatched else channel_major(g)
