"""ONNX converters of the Keras preprocessing layers ``Discretization`` (bucket indices, as
``ops.digitize``) and ``CategoryEncoding`` (one-hot, multi-hot or count vectors of integer ids),
registered with ``ember.onnx`` like those of ``ember.keras._onnx_export``.

Example::

    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Discretization([0.0, 1.0],
    ...                           output_mode="one_hot")])
    >>> model.export("model.onnx", format="onnx")
"""
from __future__ import annotations

import numpy as np

from .. import onnx as _onnx
from . import _onnx_export as K
from . import layers as L


def encode(g, layer, ids, shape, mode: str, depth: int):
    """``encode_categorical``: int64 ids of an input of ``shape`` as ``mode`` vectors of
    ``depth`` (one-hot of any rank, a trailing axis of 1 dropped; multi-hot and counts of
    batched 2-D ids)."""
    values = g.const(np.asarray([0.0, 1.0], np.float32), "on_off")
    if mode == "one_hot":
        if len(shape) > 1 and shape[-1] == 1:
            ids = g.op("Squeeze", ids, g.ints([-1]))
        return g.op("OneHot", ids, g.ints([depth], "depth"), values, axis=-1, hint="one_hot")
    if len(shape) != 2:
        K._refuse(layer, f"output_mode={mode!r} on a {len(shape)}-D input (batched 2-D inputs "
                         f"are exported)")
    hot = g.op("OneHot", ids, g.ints([depth], "depth"), values, axis=-1)
    return g.reduce("ReduceMax" if mode == "multi_hot" else "ReduceSum", hot, [1], keepdims=0,
                    hint=mode)


def _ids(g, x):
    return g.op("Cast", x, to=int(g.onnx.TensorProto.INT64))


def discretization(g, layer, inputs, shapes):
    """Bucket ``i`` holds ``edges[i-1] <= x < edges[i]``: the number of edges at or below x."""
    edges = np.asarray(layer.bin_boundaries, np.float32)
    x = g.op("Unsqueeze", g.op("Cast", inputs[0], to=int(g.onnx.TensorProto.FLOAT)), g.ints([-1]))
    above = g.op("Cast", g.op("GreaterOrEqual", x, g.const(edges, "bin_boundaries")),
                 to=int(g.onnx.TensorProto.INT64))
    ids = g.reduce("ReduceSum", above, [-1], keepdims=0)
    if layer.output_mode == "int":
        return g.op("Cast", ids, to=int(g.onnx.TensorProto.INT32), hint="discretization")
    return encode(g, layer, ids, shapes[0], layer.output_mode, len(edges) + 1)


def category_encoding(g, layer, inputs, shapes):
    return encode(g, layer, _ids(g, inputs[0]), shapes[0], layer.output_mode, layer.num_tokens)


CONVERTERS = {L.Discretization: discretization, L.CategoryEncoding: category_encoding}
for _cls, _converter in CONVERTERS.items():
    K.CONVERTERS[_cls] = _converter
    _onnx.register(_cls, _converter)
