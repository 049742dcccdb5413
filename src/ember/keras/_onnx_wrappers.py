"""ONNX converters of the Keras wrappers (``Bidirectional``, ``TimeDistributed``), the
convolutions beyond ``Conv1D``/``Conv2D`` (``Conv2DTranspose``, ``DepthwiseConv2D``,
``SeparableConv2D``), ``UpSampling2D`` and ``Dot``, registered with ``ember.onnx`` like those of
``ember.keras._onnx_export``.

``Bidirectional`` is one ONNX recurrent node with ``direction="bidirectional"`` (ONNX's reverse
direction is Keras's ``go_backwards`` layer with its sequence flipped back); ``TimeDistributed``
folds time into the batch around its layer's own converter.

Example::

    >>> model = keras.Sequential([keras.Input((5, 3)), keras.layers.Bidirectional(
    ...     keras.layers.LSTM(4)), keras.layers.Dense(2)])
    >>> model.export("model.onnx", format="onnx")
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from .. import onnx as _onnx
from ..onnx import recurrent as _rec, spatial as _resize
from ..onnx.trace import flatten
from . import _onnx_export as K, _onnx_masks as M
from . import layers as L
from .layers.masking import _mask_args
from .ops import nn_conv as _conv

_KINDS = {L.LSTM: "LSTM", L.GRU: "GRU", L.SimpleRNN: "RNN"}


def _kind(wrapper, layer) -> str:
    kind = _KINDS.get(type(layer))
    if kind is None:
        K._refuse(wrapper, f"it wraps {type(layer).__name__}; only LSTM, GRU, SimpleRNN and RNN "
                           f"are exported")
    return kind


# ---------------------------------------------------------------------------------- wrappers
_EACH_DIRECTION = (L.RNN, L.ConvLSTM1D, L.ConvLSTM2D, L.ConvLSTM3D)  # one converter each way


def _each_direction(g, layer, inputs, shapes, kwargs):
    """Each direction of a ``Bidirectional`` written by its own layer's converter (an ``RNN``
    of a cell or of stacked cells, a ``ConvLSTM``, or any recurrent layer with a mask: each a
    masked ``Scan``), the backward sequence flipped back."""
    initial = K.initial_states(g, layer, inputs, kwargs)
    half = len(initial) // 2
    ys = []
    for sub, states in ((layer.forward_layer, initial[:half]), (layer.backward_layer, initial[half:])):
        convert = _onnx.converter_for(sub)
        if convert is None:
            K._refuse(layer, f"it wraps {type(sub).__name__}, which has no ONNX converter")
        out = convert(g, sub, [inputs[0], states or None], shapes, {"mask": kwargs.get("mask")})
        ys.append(flatten(out) if sub.return_state else [out])
    if layer.return_sequences:  # Keras flips the backward layer's sequence to time order
        ys[1][0] = _rec.flip_steps(g, ys[1][0], 1)
    return _merge(g, layer, [tuple(y) if layer.return_state else y[0] for y in ys])


def bidirectional(g, layer, inputs, shapes, kwargs):
    forward, backward = layer.forward_layer, layer.backward_layer
    if type(forward) in _EACH_DIRECTION and type(backward) is type(forward):
        return _each_direction(g, layer, inputs, shapes, kwargs)
    kind = _kind(layer, forward)
    if _kind(layer, backward) != kind or forward.go_backwards or not backward.go_backwards:
        K._refuse(layer, "its backward layer must be the forward one's kind with go_backwards")
    if M.mask_name(g, layer, kwargs.get("mask")) is not None:
        return _each_direction(g, layer, inputs, shapes, kwargs)
    initial = K.initial_states(g, layer, inputs, kwargs)
    weights, attrs = zip(*(K.cell_weights(sub, kind) for sub in (forward, backward)))
    both = {**attrs[0], **{k: attrs[0][k] + attrs[1][k]  # one list: forward's, then backward's
                           for k in ("activations", "activation_alpha", "activation_beta")}}
    if attrs[0].get("linear_before_reset") != attrs[1].get("linear_before_reset"):
        K._refuse(layer, "its two GRUs differ in reset_after")
    x = g.op("Transpose", inputs[0], perm=[1, 0, 2])
    half = len(initial) // 2
    start = [g.op("Concat", *[g.op("Unsqueeze", s, g.ints([0])) for s in pair], axis=0)
             for pair in zip(initial[:half], initial[half:])]
    outs = _rec.layer_node(g, kind, x, list(weights), forward.cell.units,
                           direction="bidirectional", attrs=K._nonempty(both), initial=start)
    return _merge(g, layer, [K.recurrent_outputs(g, sub, outs, d, kind)
                             for d, sub in enumerate((forward, backward))])


def _merge(g, layer, ys):
    """Bidirectional's output from each direction's (sequence or last output, *states)."""
    states = []
    if layer.return_state:
        states = [s for y in ys for s in y[1:]]
        ys = [y[0] for y in ys]
    y, y_rev = ys
    mode = layer.merge_mode
    if mode is None:
        return (y, y_rev, *states)
    if mode == "concat":
        out = g.op("Concat", y, y_rev, axis=-1)
    elif mode == "mul":
        out = g.op("Mul", y, y_rev)
    else:
        out = g.op("Add", y, y_rev)
        if mode == "ave":
            out = g.op("Div", out, g.const(np.float32(2.0)))
    return (out, *states) if states else out


bidirectional.takes_kwargs = bidirectional.keeps_none = True


def time_distributed(g, layer, inputs, shapes, kwargs):
    """(N, T, *f) -> (N*T, *f) -> the wrapped layer's converter -> (N, T, *g). A mask is
    refused where the wrapped layer would use it (it takes a ``mask``)."""
    inner = layer.layer
    convert = _onnx.converter_for(inner)
    if convert is None:
        K._refuse(layer, f"its layer {type(inner).__name__} has no ONNX converter")
    if kwargs.get("mask") is not None and "mask" in _mask_args(type(inner)):
        K._refuse(layer, f"its layer {type(inner).__name__} would use the mask at every step "
                         f"(masks inside TimeDistributed are not exported)")
    shape = tuple(shapes[0])
    x = g.op("Reshape", inputs[0], g.ints([-1] + list(shape[2:])))
    step = [(shape[0] * shape[1],) + shape[2:]]
    y = convert(g, inner, [x], step, {}) if getattr(convert, "takes_kwargs", False) else \
        convert(g, inner, [x], step)
    if len(flatten(y)) != 1:
        K._refuse(layer, f"its layer {type(inner).__name__} returns several tensors")
    lead = g.op("Slice", g.op("Shape", inputs[0]), g.ints([0]), g.ints([2]), g.ints([0]))
    rest = g.op("Slice", g.op("Shape", y), g.ints([1]), g.ints([np.iinfo(np.int64).max]),
                g.ints([0]))
    return g.op("Reshape", y, g.op("Concat", lead, rest, axis=0), hint="time_distributed")


time_distributed.takes_kwargs = True


def _inner_output(g, layer, inner, inputs, shapes):
    """The ONNX output of ``inner`` (a layer inside ``layer``) on ``inputs`` at inference."""
    convert = _onnx.converter_for(inner)
    if convert is None:
        K._refuse(layer, f"its layer {type(inner).__name__} has no ONNX converter")
    return convert(g, inner, inputs, shapes, {}) if getattr(convert, "takes_kwargs", False) \
        else convert(g, inner, inputs, shapes)


def spectral_normalization(g, layer, inputs, shapes):
    """At inference SpectralNormalization is its layer with the kernel as it stands."""
    return _inner_output(g, layer, layer.layer, inputs, shapes)


def pipeline(g, layer, inputs, shapes):
    """A Pipeline is its layers' converters in turn (each layer's output shape from
    ``compute_output_shape``; the batch axis stays as given)."""
    shape = tuple(shapes[0])
    for inner in layer.layers:
        out = _inner_output(g, layer, inner, inputs, [shape])
        if len(flatten(out)) != 1:
            K._refuse(layer, f"its layer {type(inner).__name__} returns several tensors")
        shape = (shape[0], *tuple(inner.compute_output_shape(shape))[1:])
        inputs = [out]
    return inputs[0]


def cell(kind: str):
    """``SimpleRNNCell``/``GRUCell``/``LSTMCell`` called on one step: ``cell(x, states)`` ->
    ``(output, new_states)``, the cell's own maths (``_onnx_masks.step``)."""
    def convert(g, layer, inputs, shapes):
        if len(inputs) < 2:
            K._refuse(layer, "it must be called as cell(inputs, states)")
        states = list(inputs[1]) if isinstance(inputs[1], (list, tuple)) else [inputs[1]]
        xw = M.input_projection(g, layer, inputs[0])
        h, c = M.step(g, kind, layer, *K.cell_activations(layer), xw, states[0],
                      states[1] if kind == "LSTM" else None)
        return h, [h, c] if kind == "LSTM" else [h]
    return convert


# ---------------------------------------------------------------------------------- convolutions
def _bias_first(g, y, bias, n):
    return g.op("Add", y, g.const(bias.reshape((-1,) + (1,) * n), "bias"))


def conv_transpose(g, layer, inputs, shapes):
    """Keras's (JAX's) transposed convolution: the full ONNX ConvTranspose, cropped or padded
    on each side as ``ember.keras.ops.conv_transpose`` does."""
    last, n, _ = K._spatial(layer, shapes)
    x = K._to_first(g, inputs[0], n) if last else inputs[0]
    kernel = K._np(layer.kernel)  # (*k, out, in) -> (in, out, *k)
    weight = np.ascontiguousarray(np.transpose(kernel, [n + 1, n] + list(range(n))))
    out_pad = layer.output_padding or (None,) * n
    crops = []
    for k, s, d, p in zip(layer.kernel_size, layer.strides, layer.dilation_rate, out_pad):
        left, right = _conv._transpose_padding(k, s, d, layer.padding, p)
        extent = (k - 1) * d + 1
        crops.append((left - (extent - 1), right - (extent - 1)))
    cut = [max(-c[0], 0) for c in crops] + [max(-c[1], 0) for c in crops]
    y = g.op("ConvTranspose", x, g.const(weight, "kernel"), kernel_shape=list(layer.kernel_size),
             strides=list(layer.strides), dilations=list(layer.dilation_rate), pads=cut,
             hint="conv_transpose")
    grow = [max(c[0], 0) for c in crops] + [max(c[1], 0) for c in crops]
    if any(grow):
        y = g.op("Pad", y, g.ints([0, 0] + grow[:n] + [0, 0] + grow[n:], "pads"), mode="constant")
    if layer.use_bias:
        y = _bias_first(g, y, K._np(layer.bias), n)
    y = K._to_last(g, y, n) if last else y
    return K._activation(g, layer, layer.activation, y)


def _depthwise(g, layer, x, kernel, bias, spatial):
    """(*k, C, M) depthwise kernel -> one Conv with C groups of M filters."""
    channels = kernel.shape[-2]
    flat = kernel.reshape(kernel.shape[:-2] + (1, -1))
    return K.conv_node(g, layer, x, flat, bias, channels, spatial)


def depthwise_conv(g, layer, inputs, shapes):
    last, n, spatial = K._spatial(layer, shapes)
    x = K._to_first(g, inputs[0], n) if last else inputs[0]
    bias = K._np(layer.bias) if layer.use_bias else None
    y = _depthwise(g, layer, x, K._np(layer.kernel), bias, spatial)
    y = K._to_last(g, y, n) if last else y
    return K._activation(g, layer, layer.activation, y)


def separable_conv(g, layer, inputs, shapes):
    last, n, spatial = K._spatial(layer, shapes)
    x = K._to_first(g, inputs[0], n) if last else inputs[0]
    y = _depthwise(g, layer, x, K._np(layer.depthwise_kernel), None, spatial)
    bias = K._np(layer.bias) if layer.use_bias else None
    y = K.conv_node(g, layer, y, K._np(layer.pointwise_kernel), bias, 1, None, pads=[0] * (2 * n))
    y = K._to_last(g, y, n) if last else y
    return K._activation(g, layer, layer.activation, y)


def up_sampling2d(g, layer, inputs, shapes):
    last, n, spatial = K._spatial(layer, shapes)
    x = K._to_first(g, inputs[0], n) if last else inputs[0]
    mode = "nearest" if layer.interpolation == "nearest" else "bilinear"
    if layer.interpolation not in ("nearest", "bilinear"):
        K._refuse(layer, f"interpolation={layer.interpolation!r}")
    resize = SimpleNamespace(size=None, scale_factor=tuple(float(f) for f in layer.size),  # any size
                             mode=mode, align_corners=False, recompute_scale_factor=None)
    first_shape = [(shapes[0][0], shapes[0][-1] if last else shapes[0][1], *spatial)]
    y = _resize.upsample(g, resize, [x], first_shape)
    return K._to_last(g, y, n) if last else y


# ---------------------------------------------------------------------------------- merging
def dot(g, layer, inputs, shapes):
    """Keras's ``batch_dot`` of two inputs along ``axes`` (an Einsum), after an L2
    normalization along them with ``normalize``."""
    (x, y), (sx, sy) = list(inputs[0]), shapes
    a1, a2 = layer._axes(sx, sy)
    if layer.normalize:
        x, y = (g.op("Div", v, g.op("Max", g.op("Sqrt", g.reduce("ReduceSumSquare", v, [a])),
                                    g.const(np.float32(1e-12))))
                for v, a in ((x, a1), (y, a2)))
    letters = iter("abcdefghijklm")
    left = ["n"] + ["z" if i == a1 else next(letters) for i in range(1, len(sx))]
    right = ["n"] + ["z" if i == a2 else next(letters) for i in range(1, len(sy))]
    out = [c for c in left + right[1:] if c != "z"]
    equation = f"{''.join(left)},{''.join(right)}->{''.join(out)}"
    z = g.op("Einsum", x, y, equation=equation, hint="dot")
    return g.op("Unsqueeze", z, g.ints([1])) if len(out) == 1 else z


CONVERTERS = {
    L.Dot: dot, L.Bidirectional: bidirectional, L.TimeDistributed: time_distributed,
    L.Conv2DTranspose: conv_transpose, L.DepthwiseConv2D: depthwise_conv,
    L.SeparableConv2D: separable_conv, L.UpSampling2D: up_sampling2d,
    L.SimpleRNNCell: cell("RNN"), L.GRUCell: cell("GRU"), L.LSTMCell: cell("LSTM"),
    L.Conv1DTranspose: conv_transpose, L.Conv3DTranspose: conv_transpose,
    L.DepthwiseConv1D: depthwise_conv, L.SeparableConv1D: separable_conv,
    L.SpectralNormalization: spectral_normalization, L.Pipeline: pipeline,
}
for _cls, _converter in CONVERTERS.items():
    K.CONVERTERS[_cls] = _converter
    _onnx.register(_cls, _converter)

