"""The ONNX converter of Keras's ``EinsumDense``: one ``Einsum`` node (the layer's own
equation, ellipses included) with the kernel as a constant, then the bias and the activation
as ``Dense``'s converter adds them; registered with ``ember.onnx`` like the others.

Example::

    >>> model = keras.Sequential([keras.Input((5, 8)),
    ...                           keras.layers.EinsumDense("abc,cd->abd", (None, 4), bias_axes="d")])
    >>> model.export("model.onnx", format="onnx")
"""
from __future__ import annotations

import numpy as np

from .. import onnx as _onnx
from . import _onnx_export as K
from . import layers as L


def einsum_dense(g, layer, inputs, shapes):
    kernel = g.const(np.asarray(layer.kernel.detach().numpy(), np.float32), "kernel")
    y = g.op("Einsum", inputs[0], kernel, equation=layer.equation)
    if layer.bias is not None:
        y = g.op("Add", y, g.const(np.asarray(layer.bias.detach().numpy(), np.float32), "bias"))
    return K._activation(g, layer, layer.activation, y)


K.CONVERTERS[L.EinsumDense] = einsum_dense
_onnx.register(L.EinsumDense, einsum_dense)
