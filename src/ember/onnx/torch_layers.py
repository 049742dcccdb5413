"""ONNX converters for ``ember.nn`` modules, in their eval form (dropout is the identity,
batch norm uses its running statistics).

``CONVERTERS`` maps a module class to ``convert(graph, module, inputs, shapes)``: ``inputs`` are
the ONNX names of the module's tensor arguments, ``shapes`` their traced shapes; it returns the
output name (or a nested tuple of names shaped like the module's output).
"""
from __future__ import annotations

import math

import numpy as np

from .. import nn
from .graph import ExportError


def _np(tensor) -> np.ndarray:
    return tensor.detach().numpy()


def _pair(value, n: int) -> list:
    return list(value) if isinstance(value, (tuple, list)) else [value] * n


def _refuse(module, why: str):
    raise ExportError(f"ember.onnx.export cannot export {type(module).__name__}: {why}")


# ---------------------------------------------------------------------------------- dense
def linear(g, m, inputs, shapes):
    y = g.op("MatMul", inputs[0], g.const(_np(m.weight).T, "weight"), hint="linear")
    return g.op("Add", y, g.const(_np(m.bias), "bias")) if m.bias is not None else y


def identity(g, m, inputs, shapes):
    return inputs[0]


def _sizes(g, x, start: int, stop: int):
    """The run-time sizes of axes ``start:stop`` of ``x`` (a 1-D int64 value)."""
    return g.op("Slice", g.op("Shape", x), g.ints([start]), g.ints([stop]), g.ints([0]))


def flatten(g, m, inputs, shapes):
    rank = len(shapes[0])
    start, end = m.start_dim % rank, m.end_dim % rank
    if start == 1 and end == rank - 1:
        return g.op("Flatten", inputs[0], axis=1)
    target = g.op("Concat", _sizes(g, inputs[0], 0, start), g.ints([-1]),
                  _sizes(g, inputs[0], end + 1, rank), axis=0)
    return g.op("Reshape", inputs[0], target)


def unflatten(g, m, inputs, shapes):
    rank = len(shapes[0])
    dim = m.dim % rank
    target = g.op("Concat", _sizes(g, inputs[0], 0, dim), g.ints(list(m.unflattened_size)),
                  _sizes(g, inputs[0], dim + 1, rank), axis=0)
    return g.op("Reshape", inputs[0], target)


# ---------------------------------------------------------------------------------- activations
def _simple(op_type, **attrs):
    return lambda g, m, inputs, shapes: g.op(op_type, inputs[0], **attrs)


def leaky_relu(g, m, inputs, shapes):
    return g.op("LeakyRelu", inputs[0], alpha=float(m.negative_slope))


def rrelu(g, m, inputs, shapes):
    """Eval form: a leaky ReLU of slope (lower + upper) / 2."""
    return g.op("LeakyRelu", inputs[0], alpha=float((m.lower + m.upper) / 2))


def elu(g, m, inputs, shapes):
    return g.op("Elu", inputs[0], alpha=float(m.alpha))


def celu(g, m, inputs, shapes):
    return g.op("Celu", inputs[0], alpha=float(m.alpha))


def gelu(g, m, inputs, shapes):
    x = inputs[0]
    if m.approximate == "tanh":  # 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
        cube = g.op("Mul", x, g.op("Mul", x, x))
        inner = g.op("Add", x, g.op("Mul", cube, g.const(np.float32(0.044715))))
        t = g.op("Tanh", g.op("Mul", inner, g.const(np.float32(math.sqrt(2 / math.pi)))))
    else:  # 0.5 x (1 + erf(x / sqrt 2))
        t = g.op("Erf", g.op("Div", x, g.const(np.float32(math.sqrt(2.0)))))
    half = g.op("Mul", x, g.const(np.float32(0.5)))
    return g.op("Mul", half, g.op("Add", t, g.const(np.float32(1.0))), hint="gelu")


def softplus(g, m, inputs, shapes):
    beta = float(m.beta)
    if beta == 1.0:
        soft = g.op("Softplus", inputs[0])
    else:
        scaled = g.op("Mul", inputs[0], g.const(np.float32(beta)))
        soft = g.op("Div", g.op("Softplus", scaled), g.const(np.float32(beta)))
    # torch returns x itself where beta * x > threshold
    over = g.op("Greater", g.op("Mul", inputs[0], g.const(np.float32(beta))),
                g.const(np.float32(m.threshold)))
    return g.op("Where", over, inputs[0], soft, hint="softplus")


def silu(g, m, inputs, shapes):
    return g.op("Mul", inputs[0], g.op("Sigmoid", inputs[0]), hint="silu")


def mish(g, m, inputs, shapes):
    return g.op("Mul", inputs[0], g.op("Tanh", g.op("Softplus", inputs[0])), hint="mish")


def hardtanh(g, m, inputs, shapes):
    return g.op("Clip", inputs[0], g.const(np.float32(m.min_val)), g.const(np.float32(m.max_val)))


def hardsigmoid(g, m, inputs, shapes):
    return g.op("HardSigmoid", inputs[0], alpha=1.0 / 6.0, beta=0.5)


def shrink(g, m, inputs, shapes):
    bias = 0.0 if isinstance(m, nn.Hardshrink) and not isinstance(m, nn.Softshrink) else m.lambd
    return g.op("Shrink", inputs[0], lambd=float(m.lambd), bias=float(bias))


def tanhshrink(g, m, inputs, shapes):
    return g.op("Sub", inputs[0], g.op("Tanh", inputs[0]), hint="tanhshrink")


def log_sigmoid(g, m, inputs, shapes):
    return g.op("Neg", g.op("Softplus", g.op("Neg", inputs[0])), hint="logsigmoid")


def threshold(g, m, inputs, shapes):
    over = g.op("Greater", inputs[0], g.const(np.float32(m.threshold)))
    return g.op("Where", over, inputs[0], g.const(np.float32(m.value)), hint="threshold")


def prelu(g, m, inputs, shapes):
    slope = _np(m.weight)
    rank = len(shapes[0])
    if slope.size > 1 and rank > 2:  # one slope per channel (axis 1)
        slope = slope.reshape((-1,) + (1,) * (rank - 2))
    return g.op("PRelu", inputs[0], g.const(slope, "slope"))


def _softmax_dim(m, shapes):
    if m.dim is None:
        return 0 if len(shapes[0]) in (0, 1, 3) else 1  # torch's legacy implicit choice
    return m.dim


def softmax(g, m, inputs, shapes):
    axis = _softmax_dim(m, shapes)
    if isinstance(m, nn.LogSoftmax):
        return g.op("LogSoftmax", inputs[0], axis=axis)
    x = g.op("Neg", inputs[0]) if isinstance(m, nn.Softmin) else inputs[0]
    return g.op("Softmax", x, axis=axis)


def softmax2d(g, m, inputs, shapes):
    return g.op("Softmax", inputs[0], axis=-3)


def glu(g, m, inputs, shapes):
    a, b = g.op("Split", inputs[0], outputs=2, axis=m.dim, num_outputs=2) if g.opset >= 18 else \
        g.op("Split", inputs[0], outputs=2, axis=m.dim)
    return g.op("Mul", a, g.op("Sigmoid", b), hint="glu")


# ---------------------------------------------------------------------------------- normalization
def normalize(g, x, axes: list, eps: float):
    """``(x - mean) / sqrt(biased variance + eps)``, the statistics over ``axes`` of ``x``."""
    centered = g.op("Sub", x, g.reduce("ReduceMean", x, axes))
    var = g.reduce("ReduceMean", g.op("Mul", centered, centered), axes)
    return g.op("Div", centered, g.op("Sqrt", g.op("Add", var, g.const(np.float32(eps)))))


def channel_affine(g, y, scale: np.ndarray, bias: np.ndarray, rank: int, hint: str):
    """``y * scale + bias`` with one value per channel (axis 1) of a rank-``rank`` value."""
    channel = (-1,) + (1,) * (rank - 2)
    y = g.op("Mul", y, g.const(scale.reshape(channel), f"{hint}_scale"))
    return g.op("Add", y, g.const(bias.reshape(channel), f"{hint}_bias"), hint=hint)


def batch_norm(g, m, inputs, shapes):
    n, rank = m.num_features, len(shapes[0])
    scale = _np(m.weight) if m.weight is not None else np.ones(n, np.float32)
    bias = _np(m.bias) if getattr(m, "bias", None) is not None else np.zeros(n, np.float32)
    if not m.track_running_stats or m.running_mean is None:
        # no running statistics: the batch's own, even in eval mode
        y = normalize(g, inputs[0], [0] + list(range(2, rank)), m.eps)
        return channel_affine(g, y, scale, bias, rank, "batch_norm")
    return g.op("BatchNormalization", inputs[0], g.const(scale, "bn_scale"), g.const(bias, "bn_bias"),
                g.const(_np(m.running_mean), "running_mean"), g.const(_np(m.running_var), "running_var"),
                epsilon=float(m.eps))


def layer_norm(g, m, inputs, shapes):
    shape = tuple(m.normalized_shape)
    scale = _np(m.weight) if m.weight is not None else np.ones(shape, np.float32)
    bias = _np(m.bias) if getattr(m, "bias", None) is not None else np.zeros(shape, np.float32)
    return g.op("LayerNormalization", inputs[0], g.const(scale, "ln_scale"), g.const(bias, "ln_bias"),
                axis=-len(shape), epsilon=float(m.eps))


# ---------------------------------------------------------------------------------- convolution
_PAD_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def _conv_pads(m, n):
    if m.padding == "valid":
        return [0] * (2 * n)
    if m.padding == "same":  # torch puts the odd pixel at the end
        total = [d * (k - 1) for d, k in zip(m.dilation, m.kernel_size)]
        return [t // 2 for t in total] + [t - t // 2 for t in total]
    return list(m.padding) * 2


def conv(g, m, inputs, shapes):
    n = len(m.kernel_size)
    pads, x = _conv_pads(m, n), inputs[0]
    if m.padding_mode != "zeros" and any(pads):
        if m.padding_mode == "circular" and g.opset < 19:
            _refuse(m, "padding_mode='circular' needs opset_version >= 19")
        full = [0, 0] + pads[:n] + [0, 0] + pads[n:]
        x = g.op("Pad", x, g.ints(full, "pads"), mode=_PAD_MODES[m.padding_mode])
        pads = [0] * (2 * n)
    bias = g.const(_np(m.bias), "bias") if m.bias is not None else None
    return conv_node(g, x, g.const(_np(m.weight), "weight"), bias, m.kernel_size, m.stride,
                     m.dilation, pads, m.groups)


def conv_node(g, x, weight, bias, kernel, stride, dilation, pads, groups):
    """The Conv node (``pads`` in ONNX's order: all begins, then all ends); ``F.conv*d`` too."""
    args = [x, weight] + ([bias] if bias is not None else [])
    return g.op("Conv", *args, kernel_shape=list(kernel), strides=list(stride),
                dilations=list(dilation), pads=list(pads), group=int(groups), hint="conv")


def conv_transpose(g, m, inputs, shapes):
    n = len(m.kernel_size)
    if m.padding_mode != "zeros":
        _refuse(m, f"padding_mode={m.padding_mode!r} (only 'zeros' exists for transposed convolution)")
    bias = g.const(_np(m.bias), "bias") if m.bias is not None else None
    return conv_transpose_node(g, inputs[0], g.const(_np(m.weight), "weight"), bias, m.kernel_size,
                               m.stride, m.dilation, list(m.padding) * 2, m.output_padding, m.groups)


def conv_transpose_node(g, x, weight, bias, kernel, stride, dilation, pads, output_padding, groups):
    """The ConvTranspose node (``pads``: all begins, then all ends); ``F.conv_transpose*d`` too."""
    args = [x, weight] + ([bias] if bias is not None else [])
    return g.op("ConvTranspose", *args, kernel_shape=list(kernel), strides=list(stride),
                dilations=list(dilation), pads=list(pads), output_padding=list(output_padding),
                group=int(groups), hint="conv_transpose")


# ---------------------------------------------------------------------------------- pooling
def _spatial(shapes):
    return len(shapes[0]) - 2


def avg_pool(g, m, inputs, shapes):
    n = _spatial(shapes)
    kernel = _pair(m.kernel_size, n)
    divisor = getattr(m, "divisor_override", None)
    if divisor and m.ceil_mode:
        _refuse(m, "divisor_override with ceil_mode=True (ONNX AveragePool's windows cut at the "
                   "edge have no fixed size to undo)")
    y = g.op("AveragePool", inputs[0], kernel_shape=kernel, strides=_pair(m.stride, n),
             pads=_pair(m.padding, n) * 2, ceil_mode=int(m.ceil_mode),
             count_include_pad=int(m.count_include_pad or bool(divisor)))
    if not divisor:
        return y
    # every window lies inside the padded input: its sum is the mean over the whole kernel
    scale = np.float32(int(np.prod(kernel)) / float(divisor))
    return g.op("Mul", y, g.const(scale), hint="avg_pool")


def adaptive_pool(g, m, inputs, shapes):
    if getattr(m, "return_indices", False):
        _refuse(m, "return_indices=True (export the pooled values only)")
    n = _spatial(shapes)
    return adaptive(g, inputs[0], list(shapes[0][2:]), _pair(m.output_size, n),
                    "Max" in type(m).__name__)


def adaptive(g, x, size_in: list, given: list, is_max: bool):
    """Adaptive average/max pooling of ``(N, C, *size_in)`` ``x`` to ``given`` (None keeps an
    axis), one axis after another (the mean and the maximum over a box are those over its rows
    of those over its columns): window ``i`` of ``o`` over ``L`` steps is
    ``[floor(i*L/o), ceil((i+1)*L/o))``, ``L`` read at run time (any size, dynamic axes too)."""
    size_out = [s if o is None else o for s, o in zip(size_in, given)]
    if all(o == 1 for o in size_out):
        return g.op("GlobalMaxPool" if is_max else "GlobalAveragePool", x)
    reduce = "ReduceMax" if is_max else "ReduceMean"
    for axis, o in enumerate(given, start=2):
        if o is None:
            continue
        length = _sizes(g, x, axis, axis + 1)
        if o == 1:
            x = g.reduce(reduce, x, [axis], keepdims=1)
            continue
        pieces = []
        for i in range(o):
            start = g.op("Div", g.op("Mul", length, g.ints([i])), g.ints([o]))
            end = g.op("Div", g.op("Add", g.op("Mul", length, g.ints([i + 1])), g.ints([o - 1])),
                       g.ints([o]))
            window = g.op("Slice", x, start, end, g.ints([axis]))
            pieces.append(g.reduce(reduce, window, [axis], keepdims=1))
        x = g.op("Concat", *pieces, axis=axis, hint="adaptive_pool")
    return x


# ---------------------------------------------------------------------------------- embedding
def embedding_rows(g, m, index, hint: str = "embedding"):
    """The rows of ``m.weight`` (an ``Embedding``/``EmbeddingBag``) at ``index``; with
    ``max_norm``, a row whose ``norm_type`` norm exceeds it scaled by ``max_norm / (norm +
    1e-7)``, the value torch's in-place renormalization gives it."""
    rows = g.op("Gather", g.const(_np(m.weight), "embedding"), index, axis=0, hint=hint)
    if m.max_norm is None:
        return rows
    p = float(m.norm_type)
    size = g.op("Abs", rows)
    if np.isinf(p):
        norm = g.reduce("ReduceMax", size, [-1])
    else:
        total = g.reduce("ReduceSum", g.op("Pow", size, g.const(np.float32(p))), [-1])
        norm = g.op("Pow", total, g.const(np.float32(1.0 / p)))
    limit = g.const(np.float32(m.max_norm))
    scale = g.op("Div", limit, g.op("Add", norm, g.const(np.float32(1e-7))))
    scale = g.op("Where", g.op("Greater", norm, limit), scale, g.const(np.float32(1.0)))
    return g.op("Mul", rows, scale, hint=hint)


def embedding(g, m, inputs, shapes):
    return embedding_rows(g, m, inputs[0])


def group_norm(g, m, inputs, shapes):
    """(N, C, *) -> groups of C/G channels normalized together, then the per-channel affine."""
    x, rank = inputs[0], len(shapes[0])
    grouped = g.op("Reshape", x, g.ints([0, m.num_groups, -1]))
    y = g.op("Reshape", normalize(g, grouped, [2], m.eps), g.op("Shape", x))
    return channel_affine(g, y, _np(m.weight), _np(m.bias), rank, "group_norm") if m.affine else y


def rms_norm(g, m, inputs, shapes):
    x = inputs[0]
    axes = list(range(-len(m.normalized_shape), 0))
    square = g.op("Mul", x, x)
    mean = g.reduce("ReduceMean", square, axes)
    eps = m.eps if m.eps is not None else float(np.finfo(np.float32).eps)
    y = g.op("Div", x, g.op("Sqrt", g.op("Add", mean, g.const(np.float32(eps)))))
    if m.elementwise_affine:
        y = g.op("Mul", y, g.const(_np(m.weight), "rms_scale"), hint="rms_norm")
    return y


_PAD_KIND = {"Constant": "constant", "Zero": "constant", "Reflection": "reflect",
             "Replication": "edge", "Circular": "wrap"}


def pad(g, m, inputs, shapes):
    """torch's (last_left, last_right, prev_left, …) padding as ONNX's (begins…, ends…)."""
    rank = len(shapes[0])
    kind = next(v for k, v in _PAD_KIND.items() if type(m).__name__.startswith(k))
    if kind == "wrap" and g.opset < 19:
        _refuse(m, "circular padding needs opset_version >= 19")
    begins, ends = [0] * rank, [0] * rank
    for i in range(len(m.padding) // 2):
        begins[rank - 1 - i], ends[rank - 1 - i] = m.padding[2 * i], m.padding[2 * i + 1]
    args = [inputs[0], g.ints(begins + ends, "pads")]
    if kind == "constant":
        args.append(g.const(np.float32(getattr(m, "value", 0.0)), "pad_value"))
    return g.op("Pad", *args, mode=kind, hint="pad")


# ---------------------------------------------------------------------------------- two inputs
def bilinear(g, m, inputs, shapes):
    """``x1^T W_k x2 + b_k`` over the last dims (an Einsum)."""
    y = g.op("Einsum", inputs[0], g.const(_np(m.weight), "weight"), inputs[1],
             equation="...i,oij,...j->...o", hint="bilinear")
    return g.op("Add", y, g.const(_np(m.bias), "bias")) if m.bias is not None else y


def _norm(g, m, x, p, axis, keepdims):
    """The ``p``-norm of ``x`` over ``axis`` (1, 2, inf or any other positive ``p``)."""
    if p == 2:
        return g.op("Sqrt", g.reduce("ReduceSumSquare", x, [axis], keepdims))
    if p == 1:
        return g.reduce("ReduceL1", x, [axis], keepdims)
    if math.isinf(p) and p > 0:
        return g.reduce("ReduceMax", g.op("Abs", x), [axis], keepdims)
    if not p > 0:
        _refuse(m, f"the p={p} norm has no ONNX converter")
    power = g.op("Pow", g.op("Abs", x), g.const(np.float32(p)))
    return g.op("Pow", g.reduce("ReduceSum", power, [axis], keepdims), g.const(np.float32(1 / p)))


def pairwise_distance(g, m, inputs, shapes):
    diff = g.op("Add", g.op("Sub", inputs[0], inputs[1]), g.const(np.float32(m.eps)))
    return _norm(g, m, diff, float(m.norm), -1, int(bool(m.keepdim)))


def cosine_similarity(g, m, inputs, shapes):
    """``x1 . x2 / (max(||x1||, eps) max(||x2||, eps))`` along ``dim`` (inputs broadcast)."""
    shape = list(np.broadcast_shapes(*[tuple(s) for s in shapes]))
    units = []
    for x, own in zip(inputs, shapes):
        if list(own) != shape:
            x = g.op("Expand", x, g.op("Shape", g.op("Add", inputs[0], inputs[1])))
        norm = g.op("Max", _norm(g, m, x, 2, m.dim, 1), g.const(np.float32(m.eps)))
        units.append(g.op("Div", x, norm))
    return g.reduce("ReduceSum", g.op("Mul", *units), [m.dim], keepdims=0, hint="cosine")
