"""ONNX converters of the Keras normalization layers beyond ``BatchNormalization``:
``LayerNormalization`` (ONNX ``LayerNormalization`` over trailing axes, else the statistics over
its axis), ``GroupNormalization``, ``UnitNormalization``, ``RMSNormalization`` and
``Normalization`` (its stored mean and variance), each the same formula as its ``call``,
registered with ``ember.onnx`` like those of ``ember.keras._onnx_export``.

Example::

    >>> model = keras.Sequential([keras.Input((6, 4)), keras.layers.GroupNormalization(2)])
    >>> model.export("model.onnx", format="onnx")
"""
from __future__ import annotations

import numpy as np

from .. import onnx as _onnx
from ..onnx.torch_layers import normalize
from . import _onnx_export as K
from . import layers as L
from .layers.normalization import _broadcast


def _axes(axis, rank: int) -> list:
    return sorted(a % rank for a in (axis if isinstance(axis, (list, tuple)) else [axis]))


def _rsqrt(g, x):
    return g.op("Reciprocal", g.op("Sqrt", x))


def layer_normalization(g, layer, inputs, shapes):
    rank = len(shapes[0])
    if getattr(layer, "rms_scaling", False):
        K._refuse(layer, "rms_scaling=True")
    axes = _axes(layer.axis, rank)
    shape = [s if a in axes else 1 for a, s in enumerate(shapes[0])]
    gamma = K._np(layer.gamma) if layer.gamma is not None else np.ones(shape, np.float32)
    beta = K._np(layer.beta) if layer.beta is not None else np.zeros(shape, np.float32)
    if axes == list(range(axes[0], rank)):
        shape = shape[axes[0]:]
        return g.op("LayerNormalization", inputs[0], g.const(gamma.reshape(shape), "ln_scale"),
                    g.const(beta.reshape(shape), "ln_bias"), axis=axes[0],
                    epsilon=float(layer.epsilon))
    y = normalize(g, inputs[0], axes, layer.epsilon)  # axis=1 of (N, T, F), say
    y = g.op("Mul", y, g.const(gamma.reshape(shape), "ln_scale"))
    return g.op("Add", y, g.const(beta.reshape(shape), "ln_bias"), hint="layer_norm")


def group_normalization(g, layer, inputs, shapes):
    """Channels split in ``groups``; each group normalized over its channels and the other
    non-batch axes, then ``gamma``/``beta`` per channel (Keras's ``call``)."""
    shape = list(shapes[0])
    grouped, axis = layer._group_shape(shape)
    grouped[0] = -1
    x = g.op("Reshape", inputs[0], g.ints(grouped))
    reduce = [i for i in range(1, len(grouped)) if i != axis]
    mean = g.reduce("ReduceMean", x, reduce)
    centered = g.op("Sub", x, mean)
    variance = g.reduce("ReduceMean", g.op("Mul", centered, centered), reduce)
    inv = _rsqrt(g, g.op("Add", variance, g.const(np.float32(layer.epsilon))))
    bshape = [1] * len(grouped)
    bshape[axis], bshape[axis + 1] = layer.groups, grouped[axis + 1]
    if layer.scale:
        inv = g.op("Mul", inv, g.const(K._np(layer.gamma).reshape(bshape), "gamma"))
    y = g.op("Mul", centered, inv)
    if layer.center:
        y = g.op("Add", y, g.const(K._np(layer.beta).reshape(bshape), "beta"))
    return g.op("Reshape", y, g.op("Shape", inputs[0]), hint="group_norm")


def unit_normalization(g, layer, inputs, shapes):
    """``x * min(1 / ||x||, 1e12)`` over ``axis`` (``ops.normalize`` with epsilon 1e-12)."""
    x = inputs[0]
    inv = _rsqrt(g, g.reduce("ReduceSumSquare", x, _axes(layer.axis, len(shapes[0]))))
    inv = g.op("Min", inv, g.const(np.float32(1e12)))
    return g.op("Mul", x, inv, hint="unit_norm")


def rms_normalization(g, layer, inputs, shapes):
    """``x / sqrt(mean(x^2) + epsilon) * scale`` over ``axis``."""
    x = inputs[0]
    mean = g.reduce("ReduceMean", g.op("Mul", x, x), _axes(layer.axis, len(shapes[0])))
    y = g.op("Mul", x, _rsqrt(g, g.op("Add", mean, g.const(np.float32(layer.epsilon)))))
    return g.op("Mul", y, g.const(K._np(layer.scale), "rms_scale"), hint="rms_norm")


def normalization(g, layer, inputs, shapes):
    """``(x - mean) / max(sqrt(variance), 1e-7)`` (or its inverse with ``invert``)."""
    from .._tensor import Tensor
    rank = len(shapes[0])
    std = np.maximum(np.sqrt(np.asarray(layer.adapt_variance._data)), np.float32(1e-7))
    mean, std = (_broadcast(Tensor._make(np.asarray(a, np.float32)), rank, layer.axis).numpy()
                 for a in (layer.adapt_mean._data, std))
    mean, std = g.const(mean, "norm_mean"), g.const(std, "norm_std")
    if layer.invert:
        return g.op("Add", mean, g.op("Mul", inputs[0], std), hint="normalization")
    return g.op("Div", g.op("Sub", inputs[0], mean), std, hint="normalization")


CONVERTERS = {
    L.LayerNormalization: layer_normalization, L.GroupNormalization: group_normalization, L.UnitNormalization: unit_normalization,
    L.RMSNormalization: rms_normalization, L.Normalization: normalization,
}
for _cls, _converter in CONVERTERS.items():
    K.CONVERTERS[_cls] = _converter
    _onnx.register(_cls, _converter)
