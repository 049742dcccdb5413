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
    ends = [shapes[0][axis] - b if shapes[0][axis] is not None else -b if b else
            2 ** 62 for axis, (_, b) in zip(axes, layer.cropping)]
    return g.op("Slice", inputs[0], g.ints(starts, "starts"), g.ints(ends, "ends"),
                g.ints(axes, "axes"))


def up_sampling(g, layer, inputs, shapes):
    """Each spatial axis repeated ``factor`` times: a new axis after it, broadcast to the
    factor, then merged back (``0`` keeps the batch size, ``-1`` an unknown length)."""
    x, shape = inputs[0], list(shapes[0])
    for axis, factor in zip(layer._axes(), layer._factors):
        if factor == 1:
            continue
        x = g.op("Unsqueeze", x, g.ints([axis + 1]))
        expand = [1] * (len(shape) + 1)
        expand[axis + 1] = factor
        x = g.op("Expand", x, g.ints(expand, "expand"))
        shape[axis] = None if shape[axis] is None else shape[axis] * factor
        target = [0] + [-1 if s is None else s for s in shape[1:]]
        x = g.op("Reshape", x, g.ints(target, "shape"))
    return x




CONVERTERS = {
    L.ZeroPadding1D: zero_padding, L.ZeroPadding3D: zero_padding,
    L.Cropping1D: cropping, L.Cropping2D: cropping, L.Cropping3D: cropping,
    L.UpSampling1D: up_sampling, L.UpSampling3D: up_sampling,
}
for _cls, _converter in CONVERTERS.items():
    K.CONVERTERS[_cls] = _converter
    _onnx.register(_cls, _converter)
