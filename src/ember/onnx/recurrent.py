"""ONNX converters for recurrent layers: ``ember.nn.RNN/GRU/LSTM`` here, and the helpers the Keras
``SimpleRNN/GRU/LSTM`` converters (``ember.keras.onnx_export``) share; all are written as ONNX's
RNN/GRU/LSTM ops (one node per stacked layer).

The gate orders differ: torch's LSTM is (i, f, g, o), Keras's (i, f, c, o), ONNX's (i, o, f, c);
torch's GRU is (r, z, n), Keras's and ONNX's (z, r, h). torch's GRU and Keras's ``reset_after``
GRU apply the reset gate after the recurrent matmul (ONNX ``linear_before_reset=1``).
"""
from __future__ import annotations

import numpy as np

from .graph import ExportError

_ONNX_OP = {"LSTM": "LSTM", "GRU": "GRU", "RNN_TANH": "RNN", "RNN_RELU": "RNN"}
_TORCH_ORDER = {"LSTM": [0, 3, 1, 2], "GRU": [1, 0, 2], "RNN_TANH": [0], "RNN_RELU": [0]}
KERAS_ORDER = {"LSTM": [0, 3, 1, 2], "GRU": [0, 1, 2], "RNN": [0]}


def gates(array: np.ndarray, order: list, axis: int = 0) -> np.ndarray:
    return np.concatenate([np.split(array, len(order), axis=axis)[i] for i in order], axis=axis)


def layer_node(g, op_type, x, weights, hidden, *, direction, attrs, initial=()):
    """One ONNX recurrent node; ``weights`` is a list (per direction) of (W, R, B) arrays."""
    w = g.const(np.stack([w for w, _, _ in weights]), "W")
    r = g.const(np.stack([r for _, r, _ in weights]), "R")
    b = g.const(np.stack([b for _, _, b in weights]), "B")
    n_out = 3 if op_type == "LSTM" else 2
    args = [x, w, r, b, "", *initial]
    return g.op(op_type, *args, outputs=n_out, hidden_size=hidden, direction=direction,
                hint=op_type.lower(), **attrs)


def merge_directions(g, y):
    """ONNX's Y (seq, dirs, batch, hidden) -> (seq, batch, dirs*hidden) as torch and Keras lay it."""
    y = g.op("Transpose", y, perm=[0, 2, 1, 3])
    return g.op("Reshape", y, g.ints([0, 0, -1]))


def torch_rnn(g, m, inputs, shapes):
    """``nn.RNN``/``nn.GRU``/``nn.LSTM`` -> (output, h_n) or (output, (h_n, c_n))."""
    if m.proj_size:
        raise ExportError("ember.onnx.export cannot export LSTM with proj_size > 0 (ONNX's LSTM "
                          "has no projection)")
    if len(shapes[0]) != 3:
        raise ExportError(f"ember.onnx.export cannot export {type(m).__name__} on an unbatched "
                          f"input of shape {tuple(shapes[0])}; expected (batch, seq, features) or "
                          f"(seq, batch, features)")
    op_type, order, hidden = _ONNX_OP[m.mode], _TORCH_ORDER[m.mode], m.hidden_size
    dirs = 2 if m.bidirectional else 1
    attrs = {}
    if m.mode == "GRU":
        attrs["linear_before_reset"] = 1
    if m.mode == "RNN_RELU":
        attrs["activations"] = ["Relu"] * dirs
    x = g.op("Transpose", inputs[0], perm=[1, 0, 2]) if m.batch_first else inputs[0]
    h0 = c0 = None
    if len(inputs) > 1:
        h0 = inputs[1] if m.mode != "LSTM" else inputs[1][0]
        c0 = inputs[1][1] if m.mode == "LSTM" else None
    h_n, c_n = [], []
    for layer in range(m.num_layers):
        weights = []
        for d in range(dirs):
            names = m._all_weights[layer * dirs + d]
            params = [getattr(m, n).detach().numpy() for n in names]
            w_ih, w_hh = gates(params[0], order), gates(params[1], order)
            if m.bias:
                b = np.concatenate([gates(params[2], order), gates(params[3], order)])
            else:
                b = np.zeros(2 * w_ih.shape[0], np.float32)
            weights.append((w_ih, w_hh, b))
        initial = []
        if h0 is not None:
            initial.append(g.op("Slice", h0, g.ints([layer * dirs]), g.ints([(layer + 1) * dirs]),
                                g.ints([0])))
        if c0 is not None:
            initial.append(g.op("Slice", c0, g.ints([layer * dirs]), g.ints([(layer + 1) * dirs]),
                                g.ints([0])))
        outs = layer_node(g, op_type, x, weights, hidden, attrs=attrs, initial=initial,
                      direction="bidirectional" if dirs == 2 else "forward")
        x = merge_directions(g, outs[0])
        h_n.append(outs[1])
        if op_type == "LSTM":
            c_n.append(outs[2])
    out = g.op("Transpose", x, perm=[1, 0, 2]) if m.batch_first else x
    h = h_n[0] if len(h_n) == 1 else g.op("Concat", *h_n, axis=0)
    if op_type != "LSTM":
        return out, h
    return out, (h, c_n[0] if len(c_n) == 1 else g.op("Concat", *c_n, axis=0))


def torch_cell(g, m, inputs, shapes):
    """``nn.RNNCell``/``nn.GRUCell`` -> h', ``nn.LSTMCell`` -> (h', c'): one step of the ONNX
    recurrent op on a length-1 sequence (batched ``(N, in)`` or unbatched ``(in,)`` input)."""
    op_type = {"lstm": "LSTM", "gru": "GRU"}.get(m._kind, "RNN")
    mode = "RNN_RELU" if getattr(m, "nonlinearity", "tanh") == "relu" else \
        {"RNN": "RNN_TANH"}.get(op_type, op_type)
    order, hidden = _TORCH_ORDER[mode], m.hidden_size
    batched = len(shapes[0]) == 2
    lead = [0] if batched else [0, 1]  # -> (1, N, features)
    x = g.op("Unsqueeze", inputs[0], g.ints(lead))
    w_ih, w_hh = (gates(getattr(m, n).detach().numpy(), order) for n in ("weight_ih", "weight_hh"))
    if m.bias:
        b = np.concatenate([gates(getattr(m, n).detach().numpy(), order)
                            for n in ("bias_ih", "bias_hh")])
    else:
        b = np.zeros(2 * w_ih.shape[0], np.float32)
    states = list(inputs[1]) if len(inputs) > 1 and op_type == "LSTM" else inputs[1:]
    initial = [g.op("Unsqueeze", s, g.ints(lead)) for s in states]
    attrs = {"linear_before_reset": 1} if op_type == "GRU" else {}
    if mode == "RNN_RELU":
        attrs["activations"] = ["Relu"]
    outs = layer_node(g, op_type, x, [(w_ih, w_hh, b)], hidden, direction="forward",
                      attrs=attrs, initial=initial)
    h = g.op("Squeeze", outs[1], g.ints(lead))
    return (h, g.op("Squeeze", outs[2], g.ints(lead))) if op_type == "LSTM" else h

