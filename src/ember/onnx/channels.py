"""ONNX converters of ``ChannelShuffle`` (a reshape to ``(N, groups, C / groups, -1)``, a
transpose of the two group axes and a reshape back to the input's shape) and ``CrossMapLRN2d``
(the squares summed over torch's channel windows by a 1×1 ``Conv`` whose kernel is the 0/1
window matrix, so its quirk at channel 0 and even sizes export exactly; then
``x · (k + alpha / size · sums) ** -beta``). ``FractionalMaxPool2d/3d`` have none: their windows
are drawn at random on every call, in eval mode too, or fixed by ``_random_samples`` for one
batch size only (``torch.onnx`` cannot export them either).
"""
from __future__ import annotations

import numpy as np

from ..nn.functional.spatial_extra import cross_map_window


def channel_shuffle(g, m, inputs, shapes):
    """(N, C, *S) -> the same shape, channel g·(C/groups) + i moved to i·groups + g."""
    x, c = inputs[0], shapes[0][1]
    parts = g.op("Reshape", x, g.ints([0, int(m.groups), c // int(m.groups), -1]))
    swapped = g.op("Transpose", parts, perm=[0, 2, 1, 3])
    return g.op("Reshape", swapped, g.op("Shape", x), hint="channel_shuffle")


def cross_map_lrn2d(g, m, inputs, shapes):
    """(N, C, H, W) -> x · (k + alpha / size · Σ_window x²) ** -beta."""
    x, c = inputs[0], shapes[0][1]
    kernel = cross_map_window(c, int(m.size), np.float32).reshape(c, c, 1, 1)
    sums = g.op("Conv", g.op("Mul", x, x), g.const(kernel, "lrn_window"), kernel_shape=[1, 1])
    scale = g.op("Add", g.op("Mul", sums, g.const(np.float32(m.alpha / m.size), "lrn_alpha")),
                 g.const(np.float32(m.k), "lrn_k"))
    return g.op("Mul", x, g.op("Pow", scale, g.const(np.float32(-m.beta), "lrn_beta")),
                hint="cross_map_lrn2d")
