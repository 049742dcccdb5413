"""ONNX converters for resampling and sliding blocks: ``ember.nn.Upsample`` (and
``UpsamplingNearest2d``/``UpsamplingBilinear2d``) as ONNX ``Resize``, ``Unfold`` (im2col) as a
grouped ``Conv`` with one-hot kernels, and ``Fold`` (col2im) as the matching ``ConvTranspose``,
which sums overlapping blocks as ``Fold`` does.

``Resize`` reproduces ``F.interpolate``'s coordinate rules: 'nearest' is torch's legacy floor
rule (``asymmetric``/``floor``), 'nearest-exact' rounds half-pixel centres
(``half_pixel``/``round_prefer_ceil``), 'linear'/'bilinear' clamp at the border
(``pytorch_half_pixel``, or ``align_corners``), 'bicubic' is ONNX's cubic with torch's
``a = -0.75``; 'area' is adaptive average pooling.
"""
from __future__ import annotations

import numpy as np

from .graph import ExportError
from .torch_layers import adaptive

_NEAREST = {"nearest": ("asymmetric", "floor"), "nearest-exact": ("half_pixel", "round_prefer_ceil")}


def _refuse(m, why: str):
    raise ExportError(f"ember.onnx.export cannot export {type(m).__name__}: {why}")


def _tuple(value, n: int) -> list:
    return [int(v) for v in value] if isinstance(value, (tuple, list)) else [int(value)] * n


def upsample(g, m, inputs, shapes):
    """``F.interpolate(x, size|scale_factor, mode, align_corners)`` on (N, C, L), (N, C, H, W) or
    (N, C, D, H, W)."""
    x, shape = inputs[0], shapes[0]
    n = len(shape) - 2
    spatial = list(shape[2:])
    if m.size is not None:
        out = _tuple(m.size, n)
    else:
        scales = list(m.scale_factor) if isinstance(m.scale_factor, tuple) else [m.scale_factor] * n
        out = [int(np.floor(s * float(f))) for s, f in zip(spatial, scales)]
    if m.mode == "area":  # torch's adaptive average pooling to the output size
        return adaptive(g, x, spatial, out, is_max=False)
    if m.mode in _NEAREST:
        transform, rounding = _NEAREST[m.mode]
        attrs = {"mode": "nearest", "nearest_mode": rounding}
    elif m.mode in ("linear", "bilinear", "trilinear"):
        transform = "align_corners" if m.align_corners else "pytorch_half_pixel"
        attrs = {"mode": "linear"}
    elif m.mode == "bicubic":  # torch's Keys kernel (a = -0.75), the taps clamped to the edge
        transform = "align_corners" if m.align_corners else "half_pixel"
        attrs = {"mode": "cubic", "cubic_coeff_a": -0.75}
    else:
        _refuse(m, f"mode={m.mode!r} has no ONNX converter")
    if m.size is not None or m.recompute_scale_factor:
        # the scale is out/in: ONNX's sizes input (the batch and channel sizes from the input)
        lead = g.op("Slice", g.op("Shape", x), g.ints([0]), g.ints([2]), g.ints([0]))
        if m.size is not None:
            out = g.ints(out)
        else:  # floor(in * scale), read at run time
            spatial_in = g.op("Cast", g.op("Slice", g.op("Shape", x), g.ints([2]), g.ints([2 + n]),
                                           g.ints([0])), to=int(g.onnx.TensorProto.DOUBLE))
            scaled = g.op("Mul", spatial_in, g.const(np.asarray(scales, np.float64)))
            out = g.op("Cast", g.op("Floor", scaled), to=int(g.onnx.TensorProto.INT64))
        sizes = g.op("Concat", lead, out, axis=0)
        return g.op("Resize", x, "", "", sizes, coordinate_transformation_mode=transform,
                    hint="upsample", **attrs)
    scales = g.const(np.asarray([1.0, 1.0] + [float(s) for s in scales], np.float32), "scales")
    return g.op("Resize", x, "", scales, coordinate_transformation_mode=transform,
                hint="upsample", **attrs)


def _blocks_kernel(channels: int, kernel: list) -> np.ndarray:
    """(C*kh*kw, 1, kh, kw) one-hot kernels: output channel c*kh*kw + i*kw + j picks pixel (i, j)
    of channel c, Unfold's column order."""
    size = int(np.prod(kernel))
    eye = np.eye(size, dtype=np.float32).reshape([size, 1] + kernel)
    return np.ascontiguousarray(np.tile(eye, (channels, 1, 1, 1)))


def _block_args(m):
    return [_tuple(getattr(m, a), 2) for a in ("kernel_size", "dilation", "padding", "stride")]


def unfold(g, m, inputs, shapes):
    """(N, C, H, W) -> (N, C*kh*kw, L) (an unbatched (C, H, W) input gives (C*kh*kw, L))."""
    batched = len(shapes[0]) == 4
    x = inputs[0] if batched else g.op("Unsqueeze", inputs[0], g.ints([0]))
    channels = shapes[0][-3]
    kernel, dilation, padding, stride = _block_args(m)
    cols = g.op("Conv", x, g.const(_blocks_kernel(channels, kernel), "unfold_kernel"),
                kernel_shape=kernel, strides=stride, dilations=dilation, pads=padding * 2,
                group=channels)
    y = g.op("Reshape", cols, g.ints([0, 0, -1]), hint="unfold")
    return y if batched else g.op("Squeeze", y, g.ints([0]))


def fold(g, m, inputs, shapes):
    """(N, C*kh*kw, L) -> (N, C, *output_size), overlapping blocks summed (unbatched too)."""
    batched = len(shapes[0]) == 3
    x = inputs[0] if batched else g.op("Unsqueeze", inputs[0], g.ints([0]))
    kernel, dilation, padding, stride = _block_args(m)
    size = _tuple(m.output_size, 2)
    blocks = [(o + 2 * p - d * (k - 1) - 1) // s + 1
              for o, p, d, k, s in zip(size, padding, dilation, kernel, stride)]
    channels = shapes[0][-2] // int(np.prod(kernel))
    extra = [o - ((b - 1) * s - 2 * p + d * (k - 1) + 1)
             for o, b, s, p, d, k in zip(size, blocks, stride, padding, dilation, kernel)]
    grid = g.op("Reshape", x, g.ints([0, 0] + blocks))
    y = g.op("ConvTranspose", grid, g.const(_blocks_kernel(channels, kernel), "fold_kernel"),
             kernel_shape=kernel, strides=stride, dilations=dilation, pads=padding * 2,
             output_padding=extra, group=channels, hint="fold")
    return y if batched else g.op("Squeeze", y, g.ints([0]))
