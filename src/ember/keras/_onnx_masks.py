"""Keras masks in ONNX export: the boolean ``(batch, time)`` mask that travels with a layer's
output (made by ``Embedding(mask_zero=True)`` or ``Masking``) is written as a graph value and
applied where ember's layers apply it (recurrent layers, attention, ``GlobalAveragePooling1D``).

``bind_masks`` runs before each layer's conversion (``ember.onnx.register_hook``): the mask
tensors carried by the layer's inputs get the ONNX names their producers recorded in
``graph.masks`` (keyed by the value they travel with), and ``graph.input_masks`` lists them in
the order of the inputs. A mask that did not come from an exported layer or a graph input
stops the export with an error naming the layer.

A recurrent layer with a mask is one ONNX ``Scan`` over the steps whose body is the Keras cell
(ONNX's RNN/GRU/LSTM ops only know right-padded lengths): at a masked step the states carry
over and the output is the last one (zeros before a row's first step), or zeros with
``zero_output_for_mask``, as ember's recurrence does. The same cell step (``step``) exports the
cells (``LSTMCell``...) called one step at a time.

Example::

    >>> model = keras.Sequential([keras.Input((7,), dtype="int64"),
    ...                           keras.layers.Embedding(10, 4, mask_zero=True),
    ...                           keras.layers.LSTM(3)])
    >>> model.export("masked.onnx", format="onnx")
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..onnx.graph import ExportError, Graph
from ..onnx.trace import flatten
from .layers.masking import get_keras_mask


def _refuse(layer, why: str):
    raise ExportError(f"ember.onnx.export cannot export {type(layer).__name__} "
                      f"'{getattr(layer, 'name', '')}': {why}")


# ---------------------------------------------------------------------------------- plumbing
def bind_masks(g, module, args, kwargs) -> None:
    """Names the masks carried by ``module``'s inputs (a hook of ``ember.onnx``)."""
    g.input_masks, g.call_args = [], args
    for value in flatten(args):
        mask = get_keras_mask(value)
        if mask is not None and g.value_of(mask) is None:
            name = g.masks.get(g.value_of(value))
            if name is not None:
                g.bind(mask, name)
        g.input_masks.append(mask)  # the tensor: ``mask_name`` names it, or says why not


def mask_name(g, layer, mask, what: str = "mask"):
    """The ONNX name (bool) of a mask tensor given to ``layer``, or None for no mask."""
    if mask is None:
        return None
    if isinstance(mask, (list, tuple)):
        _refuse(layer, f"its {what} is a list")
    if not isinstance(mask, Tensor):
        _refuse(layer, f"its {what} is a {type(mask).__name__}, expected a tensor")
    name = g.value_of(mask)
    if name is None:
        _refuse(layer, f"its {what} is computed outside the exported layers; make it with "
                       f"Embedding(mask_zero=True) or Masking, or pass it as an input of the model")
    if mask.numpy().dtype != np.bool_:
        name = g.op("Cast", name, to=int(g.onnx.TensorProto.BOOL))
    return name


def produce(g, value: str, mask: str) -> str:
    """Records that ``mask`` travels with the value ``value``; returns ``value``."""
    g.masks[value] = mask
    return value


def masking(g, layer, inputs, shapes):
    """``Masking``: steps whose features all equal ``mask_value`` become zeros and masked."""
    x = inputs[0]
    differs = g.op("Not", g.op("Equal", x, g.const(np.float32(layer.mask_value))))
    as_float = g.op("Cast", differs, to=int(g.onnx.TensorProto.FLOAT))
    keep = g.op("Greater", g.reduce("ReduceMax", as_float, [-1], keepdims=1),
                g.const(np.float32(0)))
    out = g.op("Where", keep, x, g.const(np.float32(0)), hint="masking")
    return produce(g, out, g.op("Squeeze", keep, g.ints([-1])))


def masked_mean(g, x, mask, axis: int, keepdims: bool):
    """``GlobalAveragePooling1D`` over the unmasked steps (axis 1 or 2 of ``x``)."""
    keep = g.op("Unsqueeze", mask, g.ints([2 if axis == 1 else 1]))
    total = g.reduce("ReduceSum", g.op("Where", keep, x, g.const(np.float32(0))), [axis],
                     keepdims=int(keepdims))
    count = g.reduce("ReduceSum", g.op("Cast", keep, to=int(g.onnx.TensorProto.FLOAT)), [axis],
                     keepdims=int(keepdims))
    return g.op("Div", total, count, hint="masked_mean")


# ---------------------------------------------------------------------------------- recurrence
def _np(variable) -> np.ndarray:
    return np.asarray(variable._data, np.float32)


def _body_graph(g) -> Graph:
    """A graph for a loop body (``Graph.subgraph``)."""
    return g.subgraph()


def _value_info(g, name, elem):
    return g.onnx.helper.make_tensor_value_info(name, elem, None)


def input_projection(g, cell, x):
    """``x @ kernel + input bias`` of a Keras cell."""
    xw = g.op("MatMul", x, g.const(_np(cell.kernel), "kernel"))
    if cell.use_bias:
        bias = _np(cell.bias)
        xw = g.op("Add", xw, g.const(bias[0] if bias.ndim == 2 else bias, "bias"))
    return xw


def step(b, kind, cell, act, ract, xw, h, c):
    """One Keras cell step in the body graph ``b``: (h', c' or None)."""
    H = cell.units

    def part(value, i):
        return b.op("Slice", value, b.ints([i * H]), b.ints([(i + 1) * H]), b.ints([-1]))

    recurrent = _np(cell.recurrent_kernel)
    if kind == "GRU" and not cell.reset_after:
        hr = b.op("MatMul", h, b.const(recurrent[:, :2 * H], "recurrent_kernel"))
    else:
        hr = b.op("MatMul", h, b.const(recurrent, "recurrent_kernel"))
    if kind == "GRU" and cell.reset_after and cell.use_bias:
        hr = b.op("Add", hr, b.const(_np(cell.bias)[1], "recurrent_bias"))
    if kind == "RNN":
        return act(b, b.op("Add", xw, hr)), None
    if kind == "LSTM":
        z = b.op("Add", xw, hr)
        i, f, o = (ract(b, part(z, k)) for k in (0, 1, 3))
        c_new = b.op("Add", b.op("Mul", f, c), b.op("Mul", i, act(b, part(z, 2))))
        return b.op("Mul", o, act(b, c_new)), c_new
    z = ract(b, b.op("Add", part(xw, 0), part(hr, 0)))
    r = ract(b, b.op("Add", part(xw, 1), part(hr, 1)))
    if cell.reset_after:
        candidate = b.op("Add", part(xw, 2), b.op("Mul", r, part(hr, 2)))
    else:
        candidate = b.op("Add", part(xw, 2), b.op("MatMul", b.op("Mul", r, h),
                                                  b.const(recurrent[:, 2 * H:], "recurrent_kernel")))
    hh = act(b, candidate)
    one_minus = b.op("Sub", b.const(np.float32(1)), z)
    return b.op("Add", b.op("Mul", z, h), b.op("Mul", one_minus, hh)), None



def masked_recurrence(g, layer, kind, x, mask, initial, act, ract):
    """A Keras ``SimpleRNN``/``GRU``/``LSTM`` layer over ``x (N, T, F)`` with ``mask (N, T)`` as
    an ONNX ``Scan``: returns the layer's outputs (sequence or last output, then the states
    when ``return_state``). ``act``/``ract``: ``(graph, x) -> name`` of the cell's activations."""
    cell, H = layer.cell, layer.cell.units
    FLOAT, BOOL = g.onnx.TensorProto.FLOAT, g.onnx.TensorProto.BOOL
    xw = g.op("Transpose", input_projection(g, cell, x), perm=[1, 0, 2])          # (T, N, G*H)
    steps_mask = g.op("Unsqueeze", g.op("Transpose", mask, perm=[1, 0]), g.ints([2]))  # (T, N, 1)
    first = g.op("Gather", steps_mask, g.ints([0]), axis=0)                        # (1, N, 1)
    seen0 = g.op("Squeeze", g.op("Xor", first, first), g.ints([0]))                # False (N, 1)
    zeros = g.op("Expand", g.const(np.zeros((1, H), np.float32)),
                 g.op("Concat", g.op("Slice", g.op("Shape", x), g.ints([0]), g.ints([1])),
                      g.ints([H]), axis=0))
    states = list(initial) if initial else [zeros] * (2 if kind == "LSTM" else 1)
    b = _body_graph(g)
    names = [b.name("h_in")] + ([b.name("c_in")] if kind == "LSTM" else []) + \
        [b.name("seen_in"), b.name("xw_t"), b.name("mask_t")]
    h, c = names[0], names[1] if kind == "LSTM" else None
    seen_in, xw_t, m_t = names[-3:]
    h_new, c_new = step(b, kind, cell, act, ract, xw_t, h, c)
    h_out = b.op("Where", m_t, h_new, h, hint="h_out")
    outs = [h_out]
    if kind == "LSTM":
        outs.append(b.op("Where", m_t, c_new, c, hint="c_out"))
    seen = b.op("Or", seen_in, m_t, hint="seen_out")
    shown = m_t if layer.zero_output_for_mask else seen
    y_t = b.op("Where", shown, h_out, b.const(np.float32(0)), hint="y_t")
    outs += [seen, y_t]
    elems = [FLOAT] * (len(names) - 3) + [BOOL, FLOAT, BOOL]
    body = g.body(b, list(zip(names, elems)), list(zip(outs, elems[:len(outs) - 2] + [BOOL, FLOAT])))
    attrs = {"scan_input_directions": [1, 1]} if layer.go_backwards else {}
    results = g.op("Scan", *states, seen0, xw, steps_mask, outputs=len(outs), body=body,
                   num_scan_inputs=2, hint="scan", **attrs)
    finals, ys = results[:len(states)], results[-1]                 # ys: processing order
    if layer.return_sequences:
        y = g.op("Transpose", ys, perm=[1, 0, 2])
    else:
        y = g.op("Squeeze", g.op("Gather", ys, g.ints([-1]), axis=0), g.ints([0]))
    return (y, *finals) if layer.return_state else y
