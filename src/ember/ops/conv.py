"""Convolution ops: convolution, transposed convolution, unfold (im2col) and fold (col2im).

Each is one :class:`Function` over ``(N, C, *S)`` arrays with one, two or three spatial axes.
A convolution is one im2col copy and one matmul per group; its backward is two matmuls and one
col2im (one strided add per kernel offset). Results stay channel-major in memory (see
:mod:`ember.ops._sliding`), so the next convolution or pooling reads contiguous rows.

Example::

    >>> import numpy as np
    >>> from ember.ops.conv import Convolution
    >>> x, w = ember.ones(1, 1, 3, 3), ember.ones(2, 1, 2, 2, requires_grad=True)
    >>> Convolution.apply(x, w).shape
    ember.Size([1, 2, 2, 2])
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from . import _workspace
from ._sliding import (add_windows, channel_major, col2im, crop_spatial, im2col, out_size,
                       pad_spatial, windows)

__all__ = ["Convolution", "ConvolutionTranspose", "Unfold", "Fold"]


def _grouped_mm(a: np.ndarray, b: np.ndarray, groups: int) -> np.ndarray:
    """``a`` ``(G, M, K)`` times ``b`` ``(G·K, L)``, group by group → ``(G·M, L)``."""
    out = _workspace.empty((groups, a.shape[1], b.shape[1]), np.result_type(a, b))
    if groups == 1:
        np.matmul(a[0], b, out=out[0])
    else:
        np.matmul(a, b.reshape(groups, a.shape[2], -1), out=out)
    return out.reshape(groups * a.shape[1], -1)


def _grouped_mm_t(a: np.ndarray, b: np.ndarray, groups: int) -> np.ndarray:
    """``a`` ``(G·M, L)`` times the transpose of ``b`` ``(G·K, L)``, group by group → ``(G, M, K)``."""
    if groups == 1:
        return np.matmul(a, b.T)[None]
    return np.matmul(a.reshape(groups, -1, a.shape[1]),
                     b.reshape(groups, -1, b.shape[1]).transpose(0, 2, 1))


def _channel_matrix(a: np.ndarray) -> np.ndarray:
    """``(N, C, *S)`` → ``(C, N·prod(S))`` (a view when ``a`` is already channel-major)."""
    return channel_major(a).reshape(a.shape[1], -1)


class Convolution(Function):
    """Cross-correlation of ``x`` ``(N, C, *S)`` with ``w`` ``(O, C/groups, *kernel)`` over
    one, two or three spatial axes.

    ``pads`` is ``(before_0, after_0, before_1, after_1, …)`` in zeros; ``stride`` and
    ``dilation`` have one entry per spatial axis. Output ``(N, O, *S_out)``, channel-major in
    memory.
    """

    NAME = "ConvolutionBackward0"

    SAVES = (0, 1)  # torch saves input and weight (ember keeps columns)

    def forward(self, x, w, b=None, stride=(1, 1), pads=(0, 0, 0, 0), dilation=(1, 1), groups=1):
        xp = pad_spatial(channel_major(x), pads)                       # (C, N, *Sp)
        kernel = w.shape[2:]
        out = tuple(out_size(xp.shape[2 + a], kernel[a], stride[a], 0, dilation[a])
                    for a in range(len(kernel)))
        cols = im2col(xp, kernel, stride, dilation, out)               # (C·prod(k), N·prod(out))
        wm = w.reshape(groups, w.shape[0] // groups, -1)
        y = _grouped_mm(wm, cols, groups)                              # (O, N·prod(out))
        if b is not None:
            y += b[:, None]
        self.geometry = (kernel, stride, dilation, out, pads, xp.shape, x.shape[2:], groups)
        self.w_shape = w.shape
        self.cols = cols if self.needs_grad(1) else None
        self.wm = wm if self.needs_grad(0) else None
        return channel_major(y.reshape(w.shape[0], x.shape[0], *out))

    def backward(self, g):
        kernel, stride, dilation, out, pads, xp_shape, size, groups = self.geometry
        gm = _channel_matrix(g)                                        # (O, N·prod(out))
        dx = dw = db = None
        if self.needs_grad(0):
            dcols = _grouped_mm(self.wm.transpose(0, 2, 1), gm, groups)
            dxp = col2im(dcols, xp_shape, kernel, stride, dilation, out)
            dx = channel_major(crop_spatial(dxp, pads, size))
        if self.needs_grad(1):
            dw = _grouped_mm_t(gm, self.cols, groups).reshape(self.w_shape)
        if self.needs_grad(2):
            db = gm.sum(axis=1)
        return dx, dw, db


class ConvolutionTranspose(Function):
    """The adjoint of :class:`Convolution` in ``x``: ``x`` ``(N, C, *S)``, ``w``
    ``(C, O/groups, *kernel)``; output ``(N, O, *S_out)`` with, along each axis,
    ``S_out = (S - 1)·stride - before - after + dilation·(k - 1) + output_padding + 1``.
    """

    NAME = "ConvolutionBackward0"

    SAVES = (0, 1)  # torch saves input and weight (ember keeps columns)

    def forward(self, x, w, b=None, stride=(1, 1), pads=(0, 0, 0, 0), output_padding=(0, 0),
                dilation=(1, 1), groups=1):
        n, c = x.shape[:2]
        grid = x.shape[2:]
        kernel = w.shape[2:]
        dims = range(len(kernel))
        o = w.shape[1] * groups
        full = tuple((grid[a] - 1) * stride[a] + dilation[a] * (kernel[a] - 1) + 1
                     + output_padding[a] for a in dims)
        size = tuple(full[a] - pads[2 * a] - pads[2 * a + 1] for a in dims)
        xm = _channel_matrix(x)                                        # (C, N·prod(S))
        wm = w.reshape(groups, c // groups, -1)                        # (G, C/G, O/G·prod(k))
        cols = _grouped_mm(wm.transpose(0, 2, 1), xm, groups)          # (O·prod(k), N·prod(S))
        yp = col2im(cols, (o, n) + full, kernel, stride, dilation, grid)
        y = crop_spatial(yp, pads, size)
        if b is not None:
            y += b.reshape((-1,) + (1,) * (len(kernel) + 1))
        self.geometry = (kernel, stride, dilation, grid, pads, groups)
        self.w_shape, self.x_shape = w.shape, x.shape
        self.xm = xm if self.needs_grad(1) else None
        self.wm = wm if self.needs_grad(0) else None
        return channel_major(y)

    def backward(self, g):
        kernel, stride, dilation, grid, pads, groups = self.geometry
        gcols = im2col(pad_spatial(channel_major(g), pads), kernel, stride, dilation, grid)
        dx = dw = db = None
        if self.needs_grad(0):
            n, c = self.x_shape[:2]
            dx = channel_major(_grouped_mm(self.wm, gcols, groups).reshape(c, n, *grid))
        if self.needs_grad(1):
            dw = _grouped_mm_t(self.xm, gcols, groups).reshape(self.w_shape)
        if self.needs_grad(2):
            db = g.sum(axis=(0,) + tuple(range(2, g.ndim)))
        return dx, dw, db


class Unfold(Function):
    """im2col: ``(N, C, H, W)`` → ``(N, C·kh·kw, L)``, every sliding block as a column
    (unbatched ``(C, H, W)`` → ``(C·kh·kw, L)``)."""

    NAME = "Im2ColBackward0"

    def forward(self, x, kernel=(1, 1), dilation=(1, 1), pads=(0, 0, 0, 0), stride=(1, 1)):
        self.unbatched = x.ndim == 3
        x = x[None] if self.unbatched else x
        xp = pad_spatial(x, pads)
        out = tuple(out_size(xp.shape[2 + a], kernel[a], stride[a], 0, dilation[a]) for a in (0, 1))
        self.geometry = (kernel, stride, dilation, out, pads, xp.shape, x.shape[2:])
        v = windows(xp, kernel, stride, dilation, out)
        y = v.reshape(x.shape[0], -1, out[0] * out[1])
        return y[0] if self.unbatched else y

    def backward(self, g):
        kernel, stride, dilation, out, pads, xp_shape, size = self.geometry
        parts = g.reshape(xp_shape[:2] + tuple(kernel) + out)
        dxp = add_windows(np.zeros(xp_shape, g.dtype), parts, kernel, stride, dilation)
        dx = crop_spatial(dxp, pads, size)
        return (dx[0] if self.unbatched else dx,)


class Fold(Function):
    """col2im: ``(N, C·kh·kw, L)`` blocks summed into ``(N, C, *output_size)`` (or unbatched
    ``(C·kh·kw, L)`` → ``(C, *output_size)``)."""

    NAME = "Col2ImBackward0"

    def forward(self, x, size=(1, 1), kernel=(1, 1), dilation=(1, 1), pads=(0, 0, 0, 0),
                stride=(1, 1)):
        self.unbatched = x.ndim == 2
        x = x[None] if self.unbatched else x
        n = x.shape[0]
        c = x.shape[1] // (kernel[0] * kernel[1])
        xp_shape = (n, c, size[0] + pads[0] + pads[1], size[1] + pads[2] + pads[3])
        out = tuple(out_size(xp_shape[2 + a], kernel[a], stride[a], 0, dilation[a]) for a in (0, 1))
        self.geometry = (kernel, stride, dilation, out, pads, x.shape)
        parts = x.reshape((n, c) + tuple(kernel) + out)
        yp = add_windows(np.zeros(xp_shape, x.dtype), parts, kernel, stride, dilation)
        y = crop_spatial(yp, pads, size)
        return y[0] if self.unbatched else y

    def backward(self, g):
        kernel, stride, dilation, out, pads, x_shape = self.geometry
        v = windows(pad_spatial(g[None] if self.unbatched else g, pads), kernel, stride, dilation, out)
        dx = v.reshape(x_shape)
        return (dx[0] if self.unbatched else dx,)
