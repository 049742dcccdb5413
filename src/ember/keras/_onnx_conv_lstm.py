"""The ONNX converter of Keras's ``ConvLSTM1D/2D/3D``: one ``Scan`` over the time steps whose
body is the cell's step (the input ``Conv`` with the layer's strides, padding and dilation, the
recurrent ``Conv`` with stride 1 and 'same' padding, the gates ``i f c o``), channels first
inside, with Keras's masks (a masked step keeps the states and repeats the last output),
``go_backwards`` (steps listed in the order walked), initial states and ``return_state``.

Example::

    >>> model = keras.Sequential([keras.Input((4, 6, 6, 2)), keras.layers.ConvLSTM2D(3, 3)])
    >>> model.export("conv_lstm.onnx", format="onnx")
"""
from __future__ import annotations

import numpy as np

from .. import onnx as _onnx
from . import _onnx_export as K
from . import _onnx_masks as M
from . import layers as L


def _states(g, cell, x, shape, initial, last):
    """The initial ``h, c`` channels first: the given ones, or zeros ``(N, filters, *out)``."""
    n = cell.rank
    if initial:
        if len(initial) != 2:
            K._refuse(cell, f"it takes 2 initial states (h, c); received {len(initial)}")
        return [g.op("Transpose", s, perm=[0, n + 1] + list(range(1, n + 1))) if last else s
                for s in initial]
    step = (shape[0],) + tuple(shape[2:])
    out = cell.compute_output_shape(step)[0]
    per_sample = [cell.filters] + [int(d) for d in (out[1:n + 1] if last else out[2:])]
    batch = g.op("Slice", g.op("Shape", x), g.ints([0]), g.ints([1]))
    size = g.op("Concat", batch, g.ints(per_sample), axis=0)
    zeros = g.op("Expand", g.const(np.zeros((), np.float32)), size)
    return [zeros, zeros]


def _same_pads(kernel_size) -> list:
    """'same' padding of a stride-1 convolution, the odd pixel at the end (Keras's)."""
    before = [(k - 1) // 2 for k in kernel_size]
    return before + [k - 1 - b for k, b in zip(kernel_size, before)]


def conv_lstm(g, layer, inputs, shapes, kwargs=None):
    kwargs = kwargs or {}
    cell, n = layer.cell, layer.cell.rank
    last = cell.data_format == "channels_last"
    mask = M.mask_name(g, layer, kwargs.get("mask"))
    initial = K.initial_states(g, layer, inputs, kwargs)
    x = inputs[0]
    channels = [n + 2] + list(range(2, n + 2)) if last else list(range(2, n + 3))
    steps = g.op("Transpose", x, perm=[1, 0] + channels)  # (T, N, C, *spatial)
    h0, c0 = _states(g, cell, x, shapes[0], initial, last)

    FLOAT = g.onnx.TensorProto.FLOAT
    b = g.subgraph()
    h, c, x_t = b.name("h_in"), b.name("c_in"), b.name("x_t")
    bias = K._np(cell.bias) if cell.use_bias else None
    z = b.op("Add", K.conv_node(b, cell, x_t, K._np(cell.kernel), bias, 1, None),
             K.conv_node(b, cell, h, K._np(cell.recurrent_kernel), None, 1, None,
                         pads=_same_pads(cell.kernel_size)))
    F = cell.filters
    gi, gf, gc, go = (b.op("Slice", z, b.ints([k * F]), b.ints([(k + 1) * F]), b.ints([1]))
                      for k in range(4))

    def act(v):
        return K._activation(b, layer, cell.activation, v)

    def ract(v):
        return K._activation(b, layer, cell.recurrent_activation, v)

    c_new = b.op("Add", b.op("Mul", ract(gf), c), b.op("Mul", ract(gi), act(gc)))
    h_new = b.op("Mul", ract(go), act(c_new))
    inputs_info = [(h, FLOAT), (c, FLOAT), (x_t, FLOAT)]
    scans = [steps]
    y_t = None
    if mask is not None:  # a masked step keeps h and c; its output repeats the last one (or is
        m_t = b.name("mask_t")  # zeros with zero_output_for_mask, as inside Bidirectional)
        inputs_info.append((m_t, g.onnx.TensorProto.BOOL))
        if layer.zero_output_for_mask:
            y_t = b.op("Where", m_t, h_new, b.const(np.zeros((), np.float32)), hint="y_t")
        h_new, c_new = (b.op("Where", m_t, new, old) for new, old in ((h_new, h), (c_new, c)))
        keep = g.op("Unsqueeze", g.op("Transpose", mask, perm=[1, 0]),
                    g.ints(list(range(2, n + 3))))  # (T, N, 1, ...)
        scans.append(keep)
    h_out, c_out = b.op("Identity", h_new, hint="h_out"), b.op("Identity", c_new, hint="c_out")
    y_t = y_t or b.op("Identity", h_new, hint="y_t")
    body = g.body(b, inputs_info, [(h_out, FLOAT), (c_out, FLOAT), (y_t, FLOAT)])
    attrs = {"scan_input_directions": [1] * len(scans)} if layer.go_backwards else {}
    h_t, c_t, ys = g.op("Scan", h0, c0, *scans, outputs=3, body=body,
                        num_scan_inputs=len(scans), hint="conv_lstm_scan", **attrs)

    def keras_layout(v):  # (N, F, *out) -> the layer's data format
        return K._to_last(g, v, n) if last else v

    if layer.return_sequences:  # (T, N, F, *out) -> (N, T, *out, F) or (N, T, F, *out)
        tail = list(range(3, n + 3)) + [2] if last else list(range(2, n + 3))
        out = g.op("Transpose", ys, perm=[1, 0] + tail)
    else:
        out = h_t
        if mask is not None and layer.zero_output_for_mask:  # zeros if the last step walked
            walked = -1 if not layer.go_backwards else 0  # is masked
            last_keep = g.op("Gather", keep, g.ints([walked]), axis=0)
            out = g.op("Where", g.op("Squeeze", last_keep, g.ints([0])), h_t,
                       g.const(np.zeros((), np.float32)))
        out = keras_layout(out)
    return (out, keras_layout(h_t), keras_layout(c_t)) if layer.return_state else out


conv_lstm.takes_kwargs = conv_lstm.keeps_none = True

for _cls in (L.ConvLSTM1D, L.ConvLSTM2D, L.ConvLSTM3D):
    K.CONVERTERS[_cls] = conv_lstm
    _onnx.register(_cls, conv_lstm)
