"""ONNX converters of the image layers of issue 15's second part: ``PixelShuffle`` as ONNX
``DepthToSpace`` (mode CRD is torch's channel order), ``PixelUnshuffle`` as a reshape, a
transpose and a reshape, ``InstanceNorm1d/2d/3d`` as ``InstanceNormalization`` (or, in eval
mode with running statistics, ``BatchNormalization``), and ``LocalResponseNorm`` as ``LRN``
(odd sizes: ONNX centres an even window on the other side).
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
    if m.size % 2 == 0:
        _refuse(m, f"size={m.size}: ONNX LRN centres an even window one channel later than torch")
    if len(shapes[0]) < 3:
        _refuse(m, f"input of rank {len(shapes[0])}")
    return g.op("LRN", inputs[0], size=int(m.size), alpha=float(m.alpha), beta=float(m.beta),
                bias=float(m.k))
