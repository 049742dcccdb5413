"""The ONNX converters of the core Keras layers, registered with ``ember.onnx`` (which writes the
file; ``model.export(path, format="onnx")`` is in ``ember.keras._onnx_model_export``).

Keras layers are channels-last: convolutions and pools transpose to ONNX's channels-first
around the node; batch normalization is written as its inference affine map on its axis.

Example::

    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="relu")])
    >>> model.export("model.onnx", format="onnx")   # batch axis dynamic
"""
from __future__ import annotations

import numpy as np

from .. import onnx as _onnx
from .._tensor import Tensor
from ..onnx import recurrent as _rec
from ..onnx.graph import ExportError
from ..onnx.torch_layers import gelu as _torch_gelu
from . import _onnx_masks as M
from . import activations as _act
from . import layers as L


def _np(variable) -> np.ndarray:
    return np.asarray(variable._data)


def _f32(value) -> np.ndarray:
    return np.float32(value)


def _refuse(layer, why: str):
    raise ExportError(f"ember.onnx.export cannot export {type(layer).__name__} '{layer.name}': {why}")


# ---------------------------------------------------------------------------------- activations
def _relu(g, x, negative_slope=0.0, max_value=None, threshold=0.0):
    if negative_slope == 0 and threshold == 0:
        y = g.op("Relu", x)
    else:
        keep = g.op("GreaterOrEqual", x, g.const(_f32(threshold)))
        leak = g.op("Mul", g.op("Sub", x, g.const(_f32(threshold))), g.const(_f32(negative_slope)))
        y = g.op("Where", keep, x, leak if negative_slope else g.const(_f32(0.0)))
    if max_value is not None:
        y = g.op("Min", y, g.const(_f32(max_value)))
    return y


class _Approx:
    def __init__(self, approximate):
        self.approximate = "tanh" if approximate else "none"


ACTIVATIONS = {
    "linear": lambda g, x: x,
    "relu": _relu,
    "relu6": lambda g, x: g.op("Clip", x, g.const(_f32(0)), g.const(_f32(6))),
    "leaky_relu": lambda g, x: g.op("LeakyRelu", x, alpha=0.2),
    "sigmoid": lambda g, x: g.op("Sigmoid", x),
    "hard_sigmoid": lambda g, x: g.op("HardSigmoid", x, alpha=1 / 6, beta=0.5),
    "tanh": lambda g, x: g.op("Tanh", x),
    "softmax": lambda g, x: g.op("Softmax", x, axis=-1),
    "log_softmax": lambda g, x: g.op("LogSoftmax", x, axis=-1),
    "elu": lambda g, x: g.op("Elu", x, alpha=1.0),
    "selu": lambda g, x: g.op("Selu", x),
    "softplus": lambda g, x: g.op("Softplus", x),
    "softsign": lambda g, x: g.op("Softsign", x),
    "silu": lambda g, x: g.op("Mul", x, g.op("Sigmoid", x)),
    "swish": lambda g, x: g.op("Mul", x, g.op("Sigmoid", x)),
    "gelu": lambda g, x: _torch_gelu(g, _Approx(False), [x], None),
    "exponential": lambda g, x: g.op("Exp", x),
}


def _activation(g, layer, fn, x):
    try:
        name = _act.serialize(fn)
    except ValueError:
        name = None
    if name not in ACTIVATIONS:
        _refuse(layer, f"its activation {getattr(fn, '__name__', fn)!r} has no ONNX converter")
    return ACTIVATIONS[name](g, x)


# ---------------------------------------------------------------------------------- core layers
def dense(g, layer, inputs, shapes):
    y = g.op("MatMul", inputs[0], g.const(_np(layer.kernel), "kernel"), hint="dense")
    if layer.use_bias:
        y = g.op("Add", y, g.const(_np(layer.bias), "bias"))
    return _activation(g, layer, layer.activation, y)


def activation(g, layer, inputs, shapes):
    return _activation(g, layer, layer.activation, inputs[0])


def identity(g, layer, inputs, shapes):
    return inputs[0]


def relu(g, layer, inputs, shapes):
    return _relu(g, inputs[0], layer.negative_slope, layer.max_value, layer.threshold)


def leaky_relu(g, layer, inputs, shapes):
    return g.op("LeakyRelu", inputs[0], alpha=float(layer.negative_slope))


def elu(g, layer, inputs, shapes):
    return g.op("Elu", inputs[0], alpha=float(layer.alpha))


def softmax(g, layer, inputs, shapes):
    axis = layer.axis
    if not isinstance(axis, int):
        _refuse(layer, f"softmax over several axes {axis}")
    return g.op("Softmax", inputs[0], axis=axis)


def prelu(g, layer, inputs, shapes):
    return g.op("PRelu", inputs[0], g.const(_np(layer.alpha), "alpha"))


def flatten(g, layer, inputs, shapes):
    return g.op("Flatten", inputs[0], axis=1)


def reshape(g, layer, inputs, shapes):
    return g.op("Reshape", inputs[0], g.ints([0] + list(layer.target_shape)))


def rescaling(g, layer, inputs, shapes):
    scale = np.asarray(layer.scale, np.float32)
    y = g.op("Mul", inputs[0], g.const(scale, "scale"))
    return g.op("Add", y, g.const(np.asarray(layer.offset, np.float32), "offset"), hint="rescaling")


def permute(g, layer, inputs, shapes):
    return g.op("Transpose", inputs[0], perm=[0] + [int(d) for d in layer.dims])


def repeat_vector(g, layer, inputs, shapes):
    y = g.op("Unsqueeze", inputs[0], g.ints([1]))
    return g.op("Tile", y, g.ints([1, int(layer.n), 1]), hint="repeat_vector")


def zero_padding2d(g, layer, inputs, shapes):
    (top, bottom), (left, right) = layer.padding
    if layer.data_format == "channels_last":
        begins, ends = [0, top, left, 0], [0, bottom, right, 0]
    else:
        begins, ends = [0, 0, top, left], [0, 0, bottom, right]
    return g.op("Pad", inputs[0], g.ints(begins + ends, "pads"), mode="constant")


def embedding(g, layer, inputs, shapes):
    index = g.op("Cast", inputs[0], to=int(g.onnx.TensorProto.INT64))  # Keras feeds floats too
    out = g.op("Gather", g.const(_np(layer.embeddings), "embeddings"), index, axis=0,
               hint="embedding")
    if layer.mask_zero:
        M.produce(g, out, g.op("Not", g.op("Equal", index, g.ints([0]))))
    return out


def reversible_embedding(g, layer, inputs, shapes, kwargs):
    """``ReversibleEmbedding``: a Gather forward; ``reverse=True`` a MatMul with the (tied or
    own) table, then ``tanh(logits / cap) * cap`` with ``logit_soft_cap``."""
    args = list(g.call_args) + [False, False]
    if not kwargs.get("reverse", args[1]):
        return embedding(g, layer, inputs, shapes)
    if layer.reverse_dtype not in (None, "float32"):
        _refuse(layer, f"reverse_dtype={layer.reverse_dtype!r} (float32 only)")
    kernel = _np(layer.embeddings).T if layer.tie_weights else _np(layer.reverse_embeddings)
    out = g.op("MatMul", inputs[0], g.const(np.ascontiguousarray(kernel), "reverse_embeddings"))
    if layer.logit_soft_cap is not None:
        cap = g.const(np.float32(layer.logit_soft_cap))
        out = g.op("Mul", g.op("Tanh", g.op("Div", out, cap)), cap)
    return out


reversible_embedding.takes_kwargs = True


# ---------------------------------------------------------------------------------- normalization
def _axis(layer, rank):
    axis = layer.axis
    axis = axis[0] if isinstance(axis, (list, tuple)) and len(axis) == 1 else axis
    if not isinstance(axis, int):
        _refuse(layer, f"normalization over several axes {axis}")
    return axis % rank


def batch_norm(g, layer, inputs, shapes):
    rank = len(shapes[0])
    axis = _axis(layer, rank)
    mean, var = _np(layer.moving_mean), _np(layer.moving_variance)
    gamma = _np(layer.gamma) if layer.scale else np.ones_like(mean)
    beta = _np(layer.beta) if layer.center else np.zeros_like(mean)
    scale = (gamma / np.sqrt(var + np.float32(layer.epsilon))).astype(np.float32)
    shift = (beta - mean * scale).astype(np.float32)
    shape = [1] * rank
    shape[axis] = -1
    y = g.op("Mul", inputs[0], g.const(scale.reshape(shape), "bn_scale"))
    return g.op("Add", y, g.const(shift.reshape(shape), "bn_shift"), hint="batch_norm")


# ---------------------------------------------------------------------------------- conv and pools
def _to_first(g, x, n):
    return g.op("Transpose", x, perm=[0, n + 1] + list(range(1, n + 1)))


def _to_last(g, x, n):
    return g.op("Transpose", x, perm=[0] + list(range(2, n + 2)) + [1])


def _pads(layer, kernel, dilation) -> dict:
    """The ONNX padding attributes of Keras's 'valid', 'causal' and 'same' (TensorFlow's, the
    odd pixel at the end: ONNX's ``SAME_UPPER``, computed at run time for any size)."""
    n = len(kernel)
    if layer.padding == "same":
        return {"auto_pad": "SAME_UPPER"}
    if layer.padding == "causal":
        return {"pads": [(kernel[0] - 1) * dilation[0], 0]}
    return {"pads": [0] * (2 * n)}


def _spatial(layer, shapes):
    last = getattr(layer, "data_format", "channels_last") == "channels_last"
    n = len(shapes[0]) - 2
    return last, n, list(shapes[0][1:n + 1] if last else shapes[0][2:])


def conv_node(g, layer, x, kernel, bias, group, spatial, pads=None):
    """One channels-first ONNX Conv of a Keras ``kernel`` ``(*k, in/group, out)`` with the
    layer's strides, dilation and padding (``pads`` given: a 1x1 step after a depthwise one)."""
    n = kernel.ndim - 2
    weight = np.ascontiguousarray(np.transpose(kernel, [n + 1, n] + list(range(n))))
    args = [x, g.const(weight, "kernel")]
    if bias is not None:
        args.append(g.const(bias, "bias"))
    ks = list(kernel.shape[:n])
    st, dl = (list(layer.strides), list(layer.dilation_rate)) if pads is None else ([1] * n, [1] * n)
    padding = _pads(layer, ks, dl) if pads is None else {"pads": pads}
    return g.op("Conv", *args, kernel_shape=ks, strides=st, dilations=dl, group=int(group),
                hint="conv", **padding)


def conv(g, layer, inputs, shapes):
    last, n, spatial = _spatial(layer, shapes)
    x = _to_first(g, inputs[0], n) if last else inputs[0]
    bias = _np(layer.bias) if layer.use_bias else None
    y = conv_node(g, layer, x, _np(layer.kernel), bias, layer.groups, spatial)
    y = _to_last(g, y, n) if last else y
    return _activation(g, layer, layer.activation, y)


def pool(g, layer, inputs, shapes):
    last, n, spatial = _spatial(layer, shapes)
    x = _to_first(g, inputs[0], n) if last else inputs[0]
    ks, st = list(layer.pool_size), list(layer.strides)
    padding = _pads(layer, ks, [1] * n)
    if "Max" in type(layer).__name__:
        y = g.op("MaxPool", x, kernel_shape=ks, strides=st, **padding)
    else:
        y = g.op("AveragePool", x, kernel_shape=ks, strides=st, count_include_pad=0, **padding)
    return _to_last(g, y, n) if last else y


def global_pool(g, layer, inputs, shapes, kwargs):
    last, n, _ = _spatial(layer, shapes)
    axes = list(range(1, n + 1)) if last else list(range(2, n + 2))
    mask = M.mask_name(g, layer, kwargs.get("mask"))
    if mask is not None:  # GlobalAveragePooling1D: the mean of the unmasked steps
        return M.masked_mean(g, inputs[0], mask, axes[0], bool(layer.keepdims))
    op = "ReduceMax" if "Max" in type(layer).__name__ else "ReduceMean"
    return g.reduce(op, inputs[0], axes, keepdims=int(bool(layer.keepdims)))


global_pool.takes_kwargs = True


# ---------------------------------------------------------------------------------- recurrent
#: Keras activation -> (ONNX recurrent activation, its (alpha, beta) or None): only
#: parametrized activations consume alpha/beta values, in order (Keras 3's hard_sigmoid is
#: relu6(x + 3) / 6).
RNN_ACTIVATIONS = {"tanh": ("Tanh", None), "sigmoid": ("Sigmoid", None), "relu": ("Relu", None),
                   "hard_sigmoid": ("HardSigmoid", (1 / 6, 0.5))}


def cell_weights(layer, kind: str):
    """ONNX (W, R, B) and attributes (activations, GRU's ``linear_before_reset``) of a Keras
    ``SimpleRNN``/``GRU``/``LSTM`` layer's cell."""
    cell = layer.cell
    names = [_act.serialize(cell.activation)]
    if kind != "RNN":  # ONNX's order: gates (f), candidate (g)[, cell output (h)]
        names = [_act.serialize(cell.recurrent_activation)] + names * (2 if kind == "LSTM" else 1)
    unknown = sorted({n for n in names if n not in RNN_ACTIVATIONS})
    if unknown or layer.stateful:
        _refuse(layer, f"activations {unknown} have no ONNX recurrent equivalent" if unknown else
                "stateful=True")
    acts = [RNN_ACTIVATIONS[n] for n in names]
    params = [p for _, p in acts if p is not None]
    attrs = {"activations": [a for a, _ in acts], "activation_alpha": [p[0] for p in params],
             "activation_beta": [p[1] for p in params]}
    if kind == "GRU":
        attrs["linear_before_reset"] = int(bool(cell.reset_after))
    order = _rec.KERAS_ORDER[kind]
    kernel = _rec.gates(_np(cell.kernel).T, order)
    recurrent_kernel = _rec.gates(_np(cell.recurrent_kernel).T, order)
    n_gates = kernel.shape[0]
    if not cell.use_bias:
        bias = np.zeros(2 * n_gates, np.float32)
    elif kind == "GRU" and cell.reset_after:  # (2, 3H): input bias, recurrent bias
        b = _np(cell.bias)
        bias = np.concatenate([_rec.gates(b[0], order), _rec.gates(b[1], order)])
    else:
        bias = np.concatenate([_rec.gates(_np(cell.bias), order), np.zeros(n_gates, np.float32)])
    return (kernel, recurrent_kernel, bias), attrs


def recurrent_outputs(g, layer, outs, direction: int, kind: str):
    """One direction's Keras outputs from an ONNX recurrent node's (Y, Y_h[, Y_c]): the
    sequence ``(N, T, H)`` or last output, then the states when ``return_state``."""
    index = g.ints([direction], "direction")

    def pick(value, axis):
        return g.op("Squeeze", g.op("Gather", value, index, axis=axis), g.ints([axis]))

    y = g.op("Transpose", pick(outs[0], 1), perm=[1, 0, 2]) if layer.return_sequences else \
        pick(outs[1], 0)
    if not layer.return_state:
        return y
    states = [pick(outs[1], 0)]
    if kind == "LSTM":
        states.append(pick(outs[2], 0))
    return (y, *states)


def _nonempty(attrs: dict) -> dict:
    return {k: v for k, v in attrs.items() if v != []}


def initial_states(g, layer, inputs, kwargs) -> list:
    """The ONNX names of the ``initial_state`` a recurrent layer was called with ([] if none),
    given positionally or by keyword."""
    given = kwargs.get("initial_state")
    if given is None:
        names = inputs[1] if len(inputs) > 1 else None
        return [] if names is None else list(names) if isinstance(names, (list, tuple)) else [names]
    given = list(given) if isinstance(given, (list, tuple)) else [given]
    names = [g.value_of(t) if isinstance(t, Tensor) else None for t in given]
    if any(n is None for n in names):
        _refuse(layer, "its initial_state is computed outside the exported layers; pass it as "
                       "an input of the model")
    return names


def cell_activations(layer):
    """The (activation, recurrent activation) of a recurrent layer's cell (or of a cell) as
    ``(graph, x) -> name`` functions."""
    cell = getattr(layer, "cell", layer)
    names = [_act.serialize(f) for f in
             (cell.activation, getattr(cell, "recurrent_activation", cell.activation))]
    unknown = sorted({n for n in names if n not in ACTIVATIONS})
    if unknown:
        _refuse(layer, f"activations {unknown} have no ONNX converter")
    return tuple(ACTIVATIONS[n] for n in names)


def recurrent(kind: str):
    def convert(g, layer, inputs, shapes, kwargs):
        weights, attrs = cell_weights(layer, kind)
        initial = initial_states(g, layer, inputs, kwargs)
        mask = M.mask_name(g, layer, kwargs.get("mask"))
        if mask is not None:
            return M.masked_recurrence(g, layer, kind, inputs[0], mask, initial,
                                       *cell_activations(layer))
        x = g.op("Transpose", inputs[0], perm=[1, 0, 2])
        backwards = bool(layer.go_backwards)
        outs = _rec.layer_node(g, kind, x, [weights], layer.cell.units, attrs=_nonempty(attrs),
                               direction="reverse" if backwards else "forward",
                               initial=[g.op("Unsqueeze", s, g.ints([0])) for s in initial])
        if backwards and layer.return_sequences:  # Keras lists the steps in processing order
            outs = [_rec.flip_steps(g, outs[0], 0), *outs[1:]]
        return recurrent_outputs(g, layer, outs, 0, kind)
    convert.takes_kwargs = convert.keeps_none = True
    return convert


CONVERTERS = {
    L.Dense: dense, L.Activation: activation, L.ReLU: relu, L.LeakyReLU: leaky_relu, L.ELU: elu,
    L.Softmax: softmax, L.PReLU: prelu, L.Flatten: flatten, L.Reshape: reshape,
    L.Dropout: identity, L.GaussianNoise: identity, L.GaussianDropout: identity,
    L.AlphaDropout: identity, L.ActivityRegularization: identity, L.InputLayer: identity,
    L.Identity: identity, L.SpatialDropout2D: identity, L.Rescaling: rescaling,
    L.Permute: permute, L.RepeatVector: repeat_vector, L.ZeroPadding2D: zero_padding2d,
    L.Embedding: embedding, L.ReversibleEmbedding: reversible_embedding,
    L.BatchNormalization: batch_norm,
    L.Conv1D: conv, L.Conv2D: conv, L.MaxPooling1D: pool, L.MaxPooling2D: pool,
    L.AveragePooling1D: pool, L.AveragePooling2D: pool, L.GlobalAveragePooling1D: global_pool,
    L.GlobalAveragePooling2D: global_pool, L.GlobalMaxPooling1D: global_pool,
    L.GlobalMaxPooling2D: global_pool,
    L.Conv3D: conv, L.MaxPooling3D: pool, L.AveragePooling3D: pool,
    L.GlobalAveragePooling3D: global_pool, L.GlobalMaxPooling3D: global_pool,
    L.SpatialDropout1D: identity, L.SpatialDropout3D: identity,
    L.SimpleRNN: recurrent("RNN"), L.GRU: recurrent("GRU"), L.LSTM: recurrent("LSTM"),
    L.Masking: M.masking,
}
for _cls, _converter in CONVERTERS.items():
    _onnx.register(_cls, _converter)
_onnx.register_hook(M.bind_masks)
#: layers exported through the ops their call runs (``ember.onnx.op_trace``)
TRACED = (L.Lambda,)
_onnx.TRACED.extend(c for c in TRACED if c not in _onnx.TRACED)


# ---------------------------------------------------------------------------------- merging
def merge(op_type: str):
    def convert(g, layer, inputs, shapes):
        names = list(inputs[0])
        y = names[0]
        for other in names[1:]:
            y = g.op(op_type, y, other)
        if type(layer).__name__ == "Average":
            y = g.op("Div", y, g.const(_f32(len(names))))
        return y
    return convert


def concatenate(g, layer, inputs, shapes):
    return g.op("Concat", *inputs[0], axis=int(layer.axis))


for _cls, _converter in {L.Add: merge("Add"), L.Subtract: merge("Sub"), L.Multiply: merge("Mul"),
                         L.Average: merge("Add"), L.Maximum: merge("Max"), L.Minimum: merge("Min"),
                         L.Concatenate: concatenate}.items():
    CONVERTERS[_cls] = _converter
    _onnx.register(_cls, _converter)
