"""ONNX converters of the pools beyond plain max/average: ``MaxPool1d/2d/3d`` (with
``return_indices``), ``MaxUnpool1d/2d/3d`` and ``LPPool1d/2d/3d``.

torch numbers a pooled maximum by its position in its own ``(n, c)`` plane; ONNX's ``MaxPool``
indices and ``MaxUnpool`` count over the whole ``(N, C, *spatial)`` tensor, so the plane's
offset ``(n * C + c) * prod(spatial)`` is taken off (pool) or put back (unpool) at run time.

``LPPool`` is written as torch computes it, not as ONNX ``LpPool`` (which takes ``|x|``):
``(sign(s) * relu(|s|) * prod(kernel)) ** (1/p)`` where ``s`` is the average pool of ``x ** p``
(so an odd ``p`` keeps the sign of negative sums, and a window cut by ``ceil_mode`` is scaled
by the full kernel size over the count it covers, as torch does).

Example::

    >>> model = ember.nn.Sequential(ember.nn.LPPool2d(3, 2, ceil_mode=True), ember.nn.Flatten())
    >>> ember.onnx.export(model, ember.randn(1, 3, 7, 7), "lp_pool.onnx")
"""
from __future__ import annotations

import math

import numpy as np

from .graph import ExportError


def _refuse(m, why: str):
    raise ExportError(f"ember.onnx.export cannot export {type(m).__name__}: {why}")


def _tuple(value, n: int) -> list:
    return [int(v) for v in value] if isinstance(value, (tuple, list)) else [int(value)] * n


def _plane_offsets(g, x, plane_size):
    """``(N, C, 1, ...)`` int64 values ``(n * C + c) * plane_size`` for ``x`` of shape
    ``(N, C, *spatial)`` (N and C read at run time; ``plane_size`` an ONNX int64 scalar or
    1-element value)."""
    shape = g.op("Shape", x)
    lead = g.op("Slice", shape, g.ints([0]), g.ints([2]), g.ints([0]))
    count = g.reduce("ReduceProd", lead, [0], keepdims=0)
    planes = g.op("Range", g.const(np.int64(0)), count, g.const(np.int64(1)))
    rank_rest = g.op("Sub", g.op("Size", shape), g.ints([2]))
    ones = g.op("Expand", g.ints([1]), rank_rest)
    planes = g.op("Reshape", planes, g.op("Concat", lead, ones, axis=0))
    return g.op("Mul", planes, plane_size, hint="plane_offsets")


def _spatial_size(g, x):
    """The run-time product of the spatial sizes of ``(N, C, *spatial)`` ``x`` (1 element)."""
    spatial = g.op("Slice", g.op("Shape", x), g.ints([2]), g.ints([np.iinfo(np.int64).max]),
                   g.ints([0]))
    return g.reduce("ReduceProd", spatial, [0], keepdims=1)


def max_pool(g, m, inputs, shapes):
    """``MaxPool1d/2d/3d``; with ``return_indices`` also torch's per-plane int64 indices."""
    n = len(shapes[0]) - 2
    attrs = dict(kernel_shape=_tuple(m.kernel_size, n), strides=_tuple(m.stride, n),
                 pads=_tuple(m.padding, n) * 2, dilations=_tuple(m.dilation, n),
                 ceil_mode=int(m.ceil_mode))
    if not m.return_indices:
        return g.op("MaxPool", inputs[0], **attrs)
    y, flat = g.op("MaxPool", inputs[0], outputs=2, **attrs)
    offsets = _plane_offsets(g, inputs[0], _spatial_size(g, inputs[0]))
    return y, g.op("Sub", flat, offsets, hint="max_pool_indices")


def max_unpool(g, m, inputs, shapes, kwargs):
    """``MaxUnpool1d/2d/3d(input, indices, output_size=None)``: ONNX ``MaxUnpool`` writing each
    value at its index of an ``(N, C, *output_size)`` tensor of zeros."""
    x, indices = inputs[0], inputs[1]
    n = len(m.kernel_size)
    if len(shapes[0]) != n + 2:
        _refuse(m, f"input of rank {len(shapes[0])} (export a batch: (N, C, *spatial) of rank "
                   f"{n + 2})")
    kernel, stride, padding = list(m.kernel_size), list(m.stride), list(m.padding)
    given = kwargs.get("output_size")
    if given is None:  # torch's default size, (in - 1) * stride + kernel - 2 * padding, at run time
        spatial = g.op("Slice", g.op("Shape", x), g.ints([2]), g.ints([n + 2]), g.ints([0]))
        size = g.op("Add", g.op("Mul", g.op("Sub", spatial, g.ints([1])), g.ints(stride)),
                    g.ints([k - 2 * p for k, p in zip(kernel, padding)]))
        flat = g.op("Add", indices, _plane_offsets(g, x, g.reduce("ReduceProd", size, [0])))
        return g.op("MaxUnpool", x, flat, kernel_shape=kernel, strides=stride, pads=padding * 2,
                    hint="max_unpool")
    default = [(i - 1) * s + k - 2 * p for i, s, k, p in zip(shapes[0][2:], stride, kernel, padding)]
    size = [int(s) for s in given][-n:]
    # onnxruntime refuses an output smaller than the one the pads give; torch allows one up to
    # a stride smaller: the end pads (used for nothing else once the size is given) make room
    ends = [p + max(0, d - o) for p, d, o in zip(padding, default, size)]
    lead = g.op("Slice", g.op("Shape", x), g.ints([0]), g.ints([2]), g.ints([0]))
    out_shape = g.op("Concat", lead, g.ints(size), axis=0)
    flat = g.op("Add", indices, _plane_offsets(g, x, g.ints([math.prod(size)])))
    return g.op("MaxUnpool", x, flat, out_shape, kernel_shape=kernel, strides=stride,
                pads=padding + ends, hint="max_unpool")


max_unpool.takes_kwargs = True


def lp_pool(g, m, inputs, shapes):
    """``LPPool1d/2d/3d`` as torch's ``lp_pool``: power, average pool, signed root."""
    x, n = inputs[0], len(shapes[0]) - 2
    kernel = _tuple(m.kernel_size, n)
    stride = kernel if m.stride is None else _tuple(m.stride, n)
    p = float(m.norm_type)
    window = dict(kernel_shape=kernel, strides=stride, pads=[0] * (2 * n), ceil_mode=int(m.ceil_mode))
    if math.isinf(p):  # the largest (p = inf) or smallest (p = -inf) |x| of each window
        magnitude = g.op("Abs", x)
        if p > 0:
            return g.op("MaxPool", magnitude, hint="lp_pool", **window)
        return g.op("Neg", g.op("MaxPool", g.op("Neg", magnitude), **window), hint="lp_pool")
    powered = g.op("Pow", x, g.const(np.float32(p)))
    mean = g.op("AveragePool", powered, count_include_pad=0, **window)
    signed = g.op("Mul", g.op("Sign", mean), g.op("Relu", g.op("Abs", mean)))
    total = g.op("Mul", signed, g.const(np.float32(math.prod(kernel))))
    return g.op("Pow", total, g.const(np.float32(1.0 / p)), hint="lp_pool")
