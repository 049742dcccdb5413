"""ONNX converters of Keras's ``AdaptiveAveragePooling1D/2D/3D`` and
``AdaptiveMaxPooling1D/2D/3D``: the ``nn.AdaptiveAvgPool*``/``AdaptiveMaxPool*`` converter
(``ember.onnx.torch_layers.adaptive_pool``, one code path for both front doors) between
transposes to and from channels-first for ``channels_last`` data.

Example::

    >>> model = keras.Sequential([keras.Input((8, 6, 3)),
    ...                           keras.layers.AdaptiveAveragePooling2D((4, 3))])
    >>> model.export("model.onnx", format="onnx")
"""
from __future__ import annotations

from .. import onnx as _onnx
from ..onnx.torch_layers import adaptive_pool as _adaptive_pool
from . import _onnx_export as K
from . import layers as L


def adaptive_pool(g, layer, inputs, shapes):
    last, n, spatial = K._spatial(layer, shapes)
    if not last:
        return _adaptive_pool(g, layer, inputs, shapes)
    first = (shapes[0][0], shapes[0][-1], *spatial)
    y = _adaptive_pool(g, layer, [K._to_first(g, inputs[0], n)], [first])
    return K._to_last(g, y, n)


for _cls in (L.AdaptiveAveragePooling1D, L.AdaptiveAveragePooling2D, L.AdaptiveAveragePooling3D,
             L.AdaptiveMaxPooling1D, L.AdaptiveMaxPooling2D, L.AdaptiveMaxPooling3D):
    K.CONVERTERS[_cls] = adaptive_pool
    _onnx.register(_cls, adaptive_pool)
