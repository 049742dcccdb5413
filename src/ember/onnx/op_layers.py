"""ONNX converters of the layer ops a traced ``forward`` calls as functions (``F.conv2d``,
``F.conv_transpose2d``, ``torch.gather``, ``F.adaptive_max_pool2d``,
``F.max_pool2d``, ``F.avg_pool2d``, ``F.adaptive_avg_pool2d``, ``F.batch_norm`` and
``F.layer_norm`` in eval form, ``F.embedding``): ``converter(call) -> ONNX name``. Weights given
as constants reuse the module converters (``torch_layers``), so each ONNX form is written once.

Example::

    >>> import io, ember.onnx
    >>> class Pooled(ember.nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.w = ember.nn.Parameter(ember.randn(4, 1, 3, 3))
    ...     def forward(self, x):
    ...         return ember.nn.functional.max_pool2d(ember.nn.functional.conv2d(x, self.w), 2)
    >>> proto = ember.onnx.export(Pooled(), ember.randn(2, 1, 8, 8), io.BytesIO())
    >>> [node.op_type for node in proto.graph.node]
    ['Conv', 'MaxPool', 'Identity']
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from .._tensor import Tensor
from ..ops import conv, dropout, embedding, normalization, pooling, resample, shape
from . import torch_layers as T


def _pads(pairs) -> list:
    """(begin, end) per axis, as ember's ops keep them -> ONNX's begins then ends."""
    pairs = [int(p) for p in pairs]
    return pairs[0::2] + pairs[1::2]


def _conv(c):
    w = c.shape(1)
    bias = c.name(2) if len(c.inputs) > 2 and c.inputs[2] is not None else None
    return T.conv_node(c.graph, c.name(0), c.name(1), bias, w[2:], c.params["stride"],
                       c.params["dilation"], _pads(c.params["pads"]), c.params["groups"])


def _conv_transpose(c):
    w = c.shape(1)
    bias = c.name(2) if len(c.inputs) > 2 and c.inputs[2] is not None else None
    return T.conv_transpose_node(c.graph, c.name(0), c.name(1), bias, w[2:], c.params["stride"],
                                 c.params["dilation"], _pads(c.params["pads"]),
                                 c.params["output_padding"], c.params["groups"])


def _gather(c):
    """``torch.gather(x, dim, index)``: GatherElements."""
    return c.graph.op("GatherElements", c.name(0), c.name(1, np.int64), axis=int(c.params["axis"]))


def _floor_out(size, kernel, stride, pads, dilation) -> list:
    return [(n + a + b - d * (k - 1) - 1) // s + 1
            for n, k, s, a, b, d in zip(size, kernel, stride, pads[0::2], pads[1::2], dilation)]


def _pool(op_type: str):
    def convert(c):
        p = c.params
        kernel, stride = list(p["kernel"]), list(p["stride"])
        dilation = list(p.get("dilation", (1,) * len(kernel)))
        size = c.shape(0)[-len(kernel):]
        ceil = int(list(p["out"]) != _floor_out(size, kernel, stride, p["pads"], dilation))
        attrs = {"kernel_shape": kernel, "strides": stride, "pads": _pads(p["pads"]),
                 "ceil_mode": ceil}
        if op_type == "MaxPool":
            if p.get("sink") is not None:
                c.refuse("returns indices (export the pooled values only)")
            attrs["dilations"] = dilation
        else:
            if p.get("divisor_override"):
                c.refuse("has a divisor_override, which ONNX AveragePool lacks")
            attrs["count_include_pad"] = int(bool(p.get("count_include_pad", True)))
        return c.graph.op(op_type, c.name(0), **attrs)
    return convert


def _adaptive_max(c):
    """``F.adaptive_max_pool*d`` (the values): the ``nn.AdaptiveMaxPool*d`` converter's."""
    return T.adaptive(c.graph, c.name(0), list(c.shape(0)[2:]), list(c.params["out"]), True)


def _resample(c):
    """One constant matrix per trailing axis (adaptive average pooling, linear upsampling): a
    MatMul along each, the axis moved last and back."""
    g, y = c.graph, c.name(0)
    rank, mats = len(c.shape(0)), list(c.params["mats"])
    for i, m in enumerate(mats):
        axis = rank - len(mats) + i
        perm = list(range(rank))
        perm[axis], perm[-1] = perm[-1], perm[axis]
        moved = y if axis == rank - 1 else g.op("Transpose", y, perm=perm)
        y = g.op("MatMul", moved, g.const(np.ascontiguousarray(m.T), "resample"))
        y = y if axis == rank - 1 else g.op("Transpose", y, perm=perm)
    return y


def _batch_norm(c):
    if c.params.get("batch_stats"):
        c.refuse("normalizes with the batch's statistics (training=True); export the eval form")
    mean = np.asarray(c.params["mean"])
    m = SimpleNamespace(track_running_stats=True, running_mean=Tensor._make(mean),
                        running_var=Tensor._make(np.asarray(c.params["var"])),
                        num_features=mean.shape[0], weight=c.tensor(1), bias=c.tensor(2),
                        eps=c.params.get("eps", 1e-5))
    return T.batch_norm(c.graph, m, [c.name(0)], [c.shape(0)])


def _layer_norm(c):
    k = int(c.params.get("k", 1))
    m = SimpleNamespace(normalized_shape=c.shape(0)[-k:], weight=c.tensor(1), bias=c.tensor(2),
                        eps=c.params.get("eps", 1e-5))
    return T.layer_norm(c.graph, m, [c.name(0)], [c.shape(0)])


def _embedding(c):
    return c.graph.op("Gather", c.name(0), c.name(1, np.int64), axis=0, hint="embedding")


def _dropout(c):
    c.refuse("drops at random (training=True); export the eval form, where dropout is the identity")


OPS = {
    conv.Convolution: _conv, conv.ConvolutionTranspose: _conv_transpose, shape.Gather: _gather,
    pooling.MaxPool: _pool("MaxPool"), pooling.AvgPool: _pool("AveragePool"),
    resample.Resample: _resample, pooling.AdaptiveMaxPool: _adaptive_max,
    normalization.BatchNorm: _batch_norm,
    normalization.LayerNorm: _layer_norm, embedding.Embedding: _embedding,
    dropout.Dropout: _dropout,
}
