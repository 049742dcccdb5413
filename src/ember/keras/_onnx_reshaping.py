"""ONNX converters of the Keras padding, cropping and up-sampling layers of every rank
(``ZeroPadding1D``/``3D``, ``Cropping1D``/``2D``/``3D``, ``UpSampling1D``/``3D``), registered
with ``ember.onnx`` like those of ``ember.keras._onnx_export``: ``Pad``, ``Slice``, nearest
up-sampling as ``Unsqueeze`` → ``Expand`` → ``Reshape`` per axis (any rank, dynamic batch).

Example::

    >>> model = keras.Sequential([keras.Input((6, 3)), keras.layers.Cropping1D((1, 2)),
    ...                           keras.layers.UpSampling1D(2)])
    >>> model.export("model.onnx", format="onnx")
"""
from __future__ import annotations

import numpy as np

from .. import onnx as _onnx
from . import _onnx_export as K
from . import layers as L


def zero_padding(g, layer, inputs, shapes):
    rank = len(shapes[0])
    begins, ends = [0] * rank, [0] * rank
    for axis, (a, b) in zip(layer._axes(), layer.padding):
        begins[axis], ends[axis] = a, b
    return g.op("Pad", inputs[0], g.ints(begins + ends, "pads"), mode="constant")


def cropping(g, layer, inputs, shapes):
    axes = list(layer._axes())
    starts = [a for a, _ in layer.cropping]
    ends = [-b if b else 2 ** 62 for _, b in layer.cropping]  # from the end: any length
    return g.op("Slice", inputs[0], g.ints(starts, "starts"), g.ints(ends, "ends"),
                g.ints(axes, "axes"))


def up_sampling(g, layer, inputs, shapes):
    """Each spatial axis repeated ``factor`` times: a new axis after it, broadcast to the
    factor, then merged back into it (sizes read at run time: any length)."""
    x, rank = inputs[0], len(shapes[0])
    for axis, factor in zip(layer._axes(), layer._factors):
        if factor == 1:
            continue
        x = g.op("Unsqueeze", x, g.ints([axis + 1]))
        expand = [1] * (rank + 1)
        expand[axis + 1] = factor
        x = g.op("Expand", x, g.ints(expand, "expand"))
        size = g.op("Shape", x)
        merged = g.reduce("ReduceProd", g.op("Slice", size, g.ints([axis]), g.ints([axis + 2])),
                          [0], keepdims=1)
        target = g.op("Concat", g.op("Slice", size, g.ints([0]), g.ints([axis])), merged,
                      g.op("Slice", size, g.ints([axis + 2]), g.ints([rank + 1])), axis=0)
        x = g.op("Reshape", x, target)
    return x




CONVERTERS = {
    L.ZeroPadding1D: zero_padding, L.ZeroPadding3D: zero_padding,
    L.Cropping1D: cropping, L.Cropping2D: cropping, L.Cropping3D: cropping,
    L.UpSampling1D: up_sampling, L.UpSampling3D: up_sampling,
}
for _cls, _converter in CONVERTERS.items():
    K.CONVERTERS[_cls] = _converter
    _onnx.register(_cls, _converter)
