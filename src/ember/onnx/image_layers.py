"""ONNX converters of the image layers of issue 15's second part: ``PixelShuffle`` as ONNX
``DepthToSpace`` (mode CRD is torch's channel order), ``PixelUnshuffle`` as a reshape, a
transpose and a reshape, ``InstanceNorm1d/2d/3d`` as ``InstanceNormalization`` (or, in eval
mode with running statistics, ``BatchNormalization``), and ``LocalResponseNorm`` as ``LRN``
(odd sizes; ONNX centres an even window one channel later than torch, so an even size is
composed: the squares, zero-padded over the channel axis as torch pads them, averaged by an
``AveragePool`` of ``size`` channels).
"""
from __future__ import annotations

import numpy as np

from .graph import ExportError
from .torch_layers import batch_norm


def _refuse(m, why: str):
    raise ExportError(f"ember.onnx.export cannot export {type(m).__name__}: {why}")


def _np(t) -> np.ndarray:
    return np.ascontiguousarray(t.detach().numpy())


def pixel_shuffle(g, m, inputs, shapes):
    if len(shapes[0]) != 4:
        _refuse(m, f"input of rank {len(shapes[0])} (ONNX DepthToSpace takes (N, C, H, W))")
    return g.op("DepthToSpace", inputs[0], blocksize=int(m.upscale_factor), mode="CRD")


def pixel_unshuffle(g, m, inputs, shapes):
    if len(shapes[0]) != 4:
        _refuse(m, f"input of rank {len(shapes[0])} (only (N, C, H, W) is exported)")
    _, c, h, w = shapes[0]
    r = int(m.downscale_factor)
    x = g.op("Reshape", inputs[0], g.ints([0, c, h // r, r, w // r, r]))
    x = g.op("Transpose", x, perm=[0, 1, 3, 5, 2, 4])
    return g.op("Reshape", x, g.ints([0, c * r * r, h // r, w // r]), hint="pixel_unshuffle")


def instance_norm(g, m, inputs, shapes):
    if len(shapes[0]) == m._dims[0]:
        _refuse(m, "unbatched input (export a batch)")
    if not m.training and m.track_running_stats:
        return batch_norm(g, m, inputs, shapes)
    c = shapes[0][1]
    scale = _np(m.weight) if m.weight is not None else np.ones(c, np.float32)
    bias = _np(m.bias) if m.bias is not None else np.zeros(c, np.float32)
    return g.op("InstanceNormalization", inputs[0], g.const(scale, "in_scale"),
                g.const(bias, "in_bias"), epsilon=float(m.eps))


def local_response_norm(g, m, inputs, shapes):
    """``x / (k + alpha * mean of x² over `size` channels) ** beta`` on ``(N, C, *)``."""
    rank, size = len(shapes[0]), int(m.size)
    if rank < 3:
        _refuse(m, f"input of rank {rank}")
    x = inputs[0]
    if size % 2:
        return g.op("LRN", x, size=size, alpha=float(m.alpha), beta=float(m.beta),
                    bias=float(m.k))
    # torch's window: size//2 channels before, (size-1)//2 after, zeros beyond the edges
    channels = int(shapes[0][1])
    squares = g.op("Reshape", g.op("Mul", x, x), g.ints([0, 1, channels, -1]))
    padded = g.op("Pad", squares, g.ints([0, 0, size // 2, 0, 0, 0, (size - 1) // 2, 0], "pads"))
    mean = g.op("AveragePool", padded, kernel_shape=[size, 1], strides=[1, 1])
    mean = g.op("Reshape", mean, g.op("Shape", x))
    scaled = g.op("Add", g.op("Mul", mean, g.const(np.float32(m.alpha))), g.const(np.float32(m.k)))
    return g.op("Div", x, g.op("Pow", scaled, g.const(np.float32(m.beta))), hint="local_response_norm")
