"""Padding: constant, reflect, replicate and circular, one :class:`Function`.

Constant padding writes the input into a filled array (backward: the interior slice). The
other modes gather along each padded axis by an index array (:func:`source_index`), and
their backward scatter-adds the gradient back through the same indices.

Example::

    >>> from ember.ops.padding import source_index
    >>> source_index(3, 2, 2, "reflect")
    array([2, 1, 0, 1, 2, 1, 0])
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function

__all__ = ["Pad", "source_index"]


def source_index(size: int, before: int, after: int, mode: str) -> np.ndarray:
    """For each position of the padded axis, the input position it copies."""
    pos = np.arange(-before, size + after)
    if mode == "replicate":
        return np.clip(pos, 0, size - 1)
    if mode == "circular":
        return pos % size
    period = 2 * (size - 1)  # reflect: mirror about the edge elements (they are not repeated)
    pos = np.abs(pos) % period if period else np.zeros_like(pos)
    return np.where(pos >= size, period - pos, pos)


class Pad(Function):
    """Pads axis ``a`` by ``widths[a] = (before, after)`` (every axis listed).

    Args:
        mode: 'constant' (with ``value``; a negative width crops, as in torch), 'reflect',
            'replicate' or 'circular'.
    """

    NAME = "ConstantPadNdBackward0"

    def forward(self, x, widths=(), mode="constant", value=0.0):
        self.mode, self.shape = mode, x.shape
        self.SAVES = (0,) if mode in ("reflect", "replicate") else ()  # what torch saves
        if mode == "constant":  # a negative width crops
            self.kept = tuple(slice(max(-a, 0), n - max(-b, 0)) for (a, b), n in zip(widths, x.shape))
            grown = [(max(a, 0), max(b, 0)) for a, b in widths]
            self.slices = tuple(slice(a, a + k.stop - k.start) for (a, _), k in zip(grown, self.kept))
            return np.pad(x[self.kept], grown, constant_values=value)
        self.index = [(axis, source_index(n, a, b, mode))
                      for axis, ((a, b), n) in enumerate(zip(widths, x.shape)) if a or b]
        for axis, idx in self.index:
            x = np.take(x, idx, axis=axis)
        return x

    def backward(self, g):
        if self.mode == "constant":
            if all(k.start == 0 and k.stop == n for k, n in zip(self.kept, self.shape)):
                return (g[self.slices],)
            dx = np.zeros(self.shape, g.dtype)
            dx[self.kept] = g[self.slices]
            return (dx,)
        for axis, idx in reversed(self.index):
            shape = g.shape[:axis] + (self.shape[axis],) + g.shape[axis + 1:]
            out = np.zeros(shape, g.dtype)
            np.add.at(np.moveaxis(out, axis, 0), idx, np.moveaxis(g, axis, 0))
            g = out
        return (g,)
