"""Sampling an image at real-valued coordinates: nearest or (multi)linear interpolation between
the pixels around each point, with a rule for points outside the image.

One :class:`Sample` serves ``keras.ops.image.map_coordinates`` / ``affine_transform`` and
torch's ``F.grid_sample`` (which first maps its normalised grid to pixel coordinates).
``x`` is ``(N, C, *spatial)``; ``coords`` is ``(N, *out, d)`` with ``d = len(spatial)``, the
last axis giving a position along each spatial axis in pixel units (0 is the first pixel's
centre). The output is ``(N, C, *out)``.

Outside the image each integer neighbour index is fixed by ``fill_mode`` (Keras's rules):
'constant' (a neighbour outside counts as ``fill_value``), 'nearest' (clamped to the edge),
'wrap' (periodic), 'mirror' (reflected about the edge pixels' centres: torch's 'reflection'
with ``align_corners=True``) or 'reflect' (about the edges: torch's 'reflection' otherwise).
Gradients: scattered back to ``x`` with the interpolation weights; to ``coords`` by the
derivative of the weights (zero for nearest).

Example::

    >>> import numpy as np
    >>> from ember.ops.sampling import Sample
    >>> x = np.arange(4.0).reshape(1, 1, 4)              # one row 0 1 2 3
    >>> Sample().forward(x, np.array([[[0.5], [2.25]]]))
    array([[[0.5 , 2.25]]])
"""
from __future__ import annotations

import itertools

import numpy as np

from ..autograd.function import Function

__all__ = ["Sample", "AffineGrid", "FILL_MODES", "fix_index"]

FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


def _mirror(index, size):
    if size == 1:
        return np.zeros_like(index)
    s = size - 1
    return np.abs((index + s) % (2 * s) - s)


def fix_index(index: np.ndarray, size: int, fill_mode: str) -> np.ndarray:
    """``index`` (ints, possibly outside ``[0, size)``) moved inside by ``fill_mode``."""
    if fill_mode in ("constant", "nearest"):
        return np.clip(index, 0, size - 1)
    if fill_mode == "wrap":
        return index % size
    if fill_mode == "mirror":
        return _mirror(index, size)
    return (_mirror(2 * index + 1, 2 * size + 1) - 1) // 2          # 'reflect'


def _cubic(x, dtype, a=-0.75):
    """Keys' cubic kernel at ``x`` and its derivative (torch's bicubic coefficients)."""
    ax = np.abs(x)
    near = ((a + 2) * ax - (a + 3)) * ax * ax + 1
    far = ((a * ax - 5 * a) * ax + 8 * a) * ax - 4 * a
    d_near = (3 * (a + 2) * ax - 2 * (a + 3)) * ax
    d_far = (3 * a * ax - 10 * a) * ax + 8 * a
    w = np.where(ax < 1, near, np.where(ax < 2, far, 0.0))
    dw = np.sign(x) * np.where(ax < 1, d_near, np.where(ax < 2, d_far, 0.0))
    return w.astype(dtype), dw.astype(dtype)


class Sample(Function):
    """``x`` ``(N, C, *S)`` sampled at ``coords`` ``(N, *O, d)`` → ``(N, C, *O)``.

    Args (keywords of :meth:`forward`):
        order: 0 (nearest neighbour, ties to even), 1 (linear along each axis) or 3 (Keys'
            cubic, ``a = -0.75``, over four neighbours per axis: torch's bicubic).
        fill_mode: one of :data:`FILL_MODES`.
        fill_value: the value of neighbours outside the image in 'constant' mode.
    """

    NAME = "GridSampler2DBackward0"

    def forward(self, x, coords, order=1, fill_mode="constant", fill_value=0.0):
        n, c, spatial = x.shape[0], x.shape[1], x.shape[2:]
        self.xshape, self.cshape = x.shape, coords.shape
        self.order, self.fill_mode, self.fill_value = order, fill_mode, fill_value
        self.x, self.coords = x, coords
        flat = coords.reshape(n, -1, len(spatial))
        corners = self._corners(flat, spatial, x.dtype)
        rows = self._rows(x)
        out = np.zeros((n, c, flat.shape[1]), x.dtype)
        for index, valid, weights, _ in corners:
            out += np.prod(weights, axis=0)[:, None, :] * self._gather(rows, index, valid)
        return out.reshape((n, c) + coords.shape[1:-1])

    def _corners(self, flat, spatial, dtype):
        """Per neighbour: its flat pixel index ``(N, Q)``, whether it lies inside (or None when
        every neighbour counts), its weight along each axis ``(d, N, Q)`` and, per axis, that
        weight's derivative in the coordinate."""
        per_axis = []
        for k, size in enumerate(spatial):
            pos = flat[..., k]
            if self.order == 0:
                nodes = [(np.round(pos).astype(np.int64), np.ones_like(pos, dtype), 0)]
            elif self.order == 1:
                lo = np.floor(pos)
                hi_w = (pos - lo).astype(dtype)
                nodes = [(lo.astype(np.int64), 1 - hi_w, -1), (lo.astype(np.int64) + 1, hi_w, 1)]
            else:                                     # 3: Keys' cubic (a = -0.75), four taps
                lo = np.floor(pos)
                frac = pos - lo
                nodes = [(lo.astype(np.int64) + j, *_cubic(frac - j, dtype)) for j in (-1, 0, 1, 2)]
            per_axis.append([(fix_index(i, size, self.fill_mode), (i >= 0) & (i < size), w, side)
                             for i, w, side in nodes])
        strides = np.cumprod((1,) + tuple(spatial[::-1]))[:-1][::-1]
        out = []
        for combo in itertools.product(*per_axis):
            index = sum(node[0] * s for node, s in zip(combo, strides))
            valid = None
            if self.fill_mode == "constant":
                valid = np.logical_and.reduce([node[1] for node in combo])
            out.append((index, valid, np.stack([node[2] for node in combo]),
                        tuple(node[3] for node in combo)))
        return out

    @staticmethod
    def _rows(x):
        """``x`` as ``(N, P, C)`` pixel rows (no copy when ``x`` is a channels-last view)."""
        n, c = x.shape[:2]
        return np.moveaxis(x, 1, -1).reshape(n, -1, c)

    def _gather(self, rows, index, valid):
        """The pixels ``index`` ``(N, Q)`` of each image → ``(N, C, Q)`` (one index per pixel,
        all channels at once)."""
        n, p, c = rows.shape
        v = np.take(rows.reshape(n * p, c), index + (np.arange(n) * p)[:, None], axis=0)
        v = np.moveaxis(v, -1, 1)
        if valid is not None:
            v = np.where(valid[:, None, :], v, np.asarray(self.fill_value, rows.dtype))
        return v

    def backward(self, g):
        n, c = self.xshape[:2]
        spatial = self.xshape[2:]
        flat = self.coords.reshape(n, -1, len(spatial))
        g = g.reshape(n, c, -1)
        corners = self._corners(flat, spatial, g.dtype)
        gx = gc = None
        if self.needs_grad(0):
            size = int(np.prod(spatial))
            base = (np.arange(n * c) * size).reshape(n, c, 1)
            gx = np.zeros(n * c * size, g.dtype)
            for index, valid, weights, _ in corners:
                contrib = g * np.prod(weights, axis=0)[:, None, :]
                if valid is not None:
                    contrib = contrib * valid[:, None, :]
                gx += np.bincount((base + index[:, None, :]).ravel(), contrib.ravel(),
                                  minlength=gx.size).astype(g.dtype)
            gx = gx.reshape(self.xshape)
        if len(self.cshape) and self.needs_grad(1):
            gc = np.zeros(flat.shape, g.dtype)
            if self.order > 0:
                rows = self._rows(self.x)
                for index, valid, weights, slopes in corners:
                    gv = np.sum(g * self._gather(rows, index, valid), axis=1)    # (N, Q)
                    for k, slope in enumerate(slopes):
                        others = np.prod(np.delete(weights, k, axis=0), axis=0)
                        gc[..., k] += slope * gv * others
            gc = gc.reshape(self.cshape).astype(self.coords.dtype)
        return gx, gc


def _base_axis(n: int, align: bool, dtype) -> np.ndarray:
    """torch's normalised positions of ``n`` pixels along one axis (0 for a single pixel)."""
    if n <= 1:
        return np.zeros(n, dtype)
    if align:
        return np.linspace(-1.0, 1.0, n).astype(dtype)
    return ((np.arange(n) * 2.0 + 1.0) / n - 1.0).astype(dtype)


class AffineGrid(Function):
    """The normalised sampling grid of affine matrices ``theta`` ``(N, d, d + 1)`` over the
    spatial ``size`` (``(H, W)`` or ``(D, H, W)``) → ``(N, *size, d)``, each point
    ``theta · (x, y[, z], 1)``; backward ``gθ = gᵀ · base``."""

    NAME = "AffineGridGeneratorBackward0"

    def forward(self, theta, size=(), align_corners=False):
        spatial, d = tuple(size), len(size)
        axes = [_base_axis(n, align_corners, theta.dtype) for n in spatial[::-1]]  # x first
        mesh = np.meshgrid(*axes[::-1], indexing="ij")
        base = np.stack(list(mesh[::-1]) + [np.ones(spatial, theta.dtype)], axis=-1)
        self.base = base.reshape(-1, d + 1)                                 # (P, d + 1)
        out = self.base @ np.swapaxes(theta, 1, 2)                          # (N, P, d)
        return out.reshape((theta.shape[0],) + spatial + (d,))

    def backward(self, g):
        g = g.reshape(g.shape[0], -1, g.shape[-1])                          # (N, P, d)
        return (np.swapaxes(g, 1, 2) @ self.base,)
