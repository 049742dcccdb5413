"""ONNX converters for recurrent layers: ``ember.nn.RNN/GRU/LSTM`` here, and the helpers the Keras
``SimpleRNN/GRU/LSTM`` converters (``ember.keras.onnx_export``) share; all are written as ONNX's
RNN/GRU/LSTM ops (one node per stacked layer); an LSTM with ``proj_size`` (ONNX's LSTM has no
projection) is a ``Scan`` over its step per layer and direction.

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


def flip_steps(g, y, axis: int):
    """``y`` with its steps (axis ``axis``) in reverse order."""
    return g.op("Slice", y, g.ints([-1]), g.ints([np.iinfo(np.int64).min]), g.ints([axis]),
                g.ints([-1]), hint="flip_steps")


def merge_directions(g, y):
    """ONNX's Y (seq, dirs, batch, hidden) -> (seq, batch, dirs*hidden) as torch and Keras lay it."""
    y = g.op("Transpose", y, perm=[0, 2, 1, 3])
    return g.op("Reshape", y, g.ints([0, 0, -1]))


def torch_rnn(g, m, inputs, shapes):
    """``nn.RNN``/``nn.GRU``/``nn.LSTM`` -> (output, h_n) or (output, (h_n, c_n))."""
    if len(shapes[0]) != 3:
        raise ExportError(f"ember.onnx.export cannot export {type(m).__name__} on an unbatched "
                          f"input of shape {tuple(shapes[0])}; expected (batch, seq, features) or "
                          f"(seq, batch, features)")
    if m.proj_size:
        return projected_lstm(g, m, inputs)
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


def _lstm_scan(g, x, params: dict, h0, c0, reverse: bool):
    """One direction of a projected LSTM layer over ``x (T, N, in)`` as an ONNX ``Scan``
    (torch's gate order i, f, g, o; ``h = (o * tanh(c)) @ W_hr^T``): (ys (T, N, P), h_T, c_T)."""
    FLOAT = g.onnx.TensorProto.FLOAT
    xw = g.op("MatMul", x, g.const(np.ascontiguousarray(params["weight_ih"].T), "W_ih"))
    if "bias_ih" in params:
        xw = g.op("Add", xw, g.const(params["bias_ih"] + params["bias_hh"], "B"))
    H = params["weight_hh"].shape[0] // 4
    b = g.subgraph()
    h, c, xw_t = b.name("h_in"), b.name("c_in"), b.name("xw_t")
    z = b.op("Add", xw_t, b.op("MatMul", h, b.const(np.ascontiguousarray(params["weight_hh"].T), "W_hh")))
    i, f, cand, o = (b.op("Slice", z, b.ints([k * H]), b.ints([(k + 1) * H]), b.ints([-1]))
                     for k in range(4))
    c_new = b.op("Add", b.op("Mul", b.op("Sigmoid", f), c),
                 b.op("Mul", b.op("Sigmoid", i), b.op("Tanh", cand)), hint="c_out")
    h_full = b.op("Mul", b.op("Sigmoid", o), b.op("Tanh", c_new))
    h_new = b.op("MatMul", h_full, b.const(np.ascontiguousarray(params["weight_hr"].T), "W_hr"),
                 hint="h_out")
    y_t = b.op("Identity", h_new, hint="y_t")
    body = g.body(b, [(h, FLOAT), (c, FLOAT), (xw_t, FLOAT)],
                  [(h_new, FLOAT), (c_new, FLOAT), (y_t, FLOAT)])
    attrs = {"scan_input_directions": [1], "scan_output_directions": [1]} if reverse else {}
    h_t, c_t, ys = g.op("Scan", h0, c0, xw, outputs=3, body=body, num_scan_inputs=1,
                        hint="lstm_scan", **attrs)
    return ys, h_t, c_t


def projected_lstm(g, m, inputs):
    """``nn.LSTM(proj_size=P)`` (ONNX's LSTM has no projection): a ``Scan`` per layer and
    direction -> (output, (h_n (L*D, N, P), c_n (L*D, N, H)))."""
    x = g.op("Transpose", inputs[0], perm=[1, 0, 2]) if m.batch_first else inputs[0]
    dirs, P, H = 2 if m.bidirectional else 1, m.proj_size, m.hidden_size
    batch = g.op("Slice", g.op("Shape", x), g.ints([1]), g.ints([2]), g.ints([0]))

    def initial(given, k, size):
        if given is None:
            return g.op("Expand", g.const(np.zeros((1, size), np.float32)),
                        g.op("Concat", batch, g.ints([size]), axis=0))
        return g.op("Squeeze", g.op("Gather", given, g.ints([k]), axis=0), g.ints([0]))

    h0, c0 = inputs[1] if len(inputs) > 1 else (None, None)
    h_n, c_n = [], []
    for layer in range(m.num_layers):
        ys = []
        for d in range(dirs):
            k = layer * dirs + d
            names = m._all_weights[k]
            params = {n.split("_l")[0]: getattr(m, n).detach().numpy() for n in names}
            y, h_t, c_t = _lstm_scan(g, x, params, initial(h0, k, P), initial(c0, k, H), d == 1)
            ys.append(y)
            h_n.append(g.op("Unsqueeze", h_t, g.ints([0])))
            c_n.append(g.op("Unsqueeze", c_t, g.ints([0])))
        x = ys[0] if dirs == 1 else g.op("Concat", *ys, axis=2)
    out = g.op("Transpose", x, perm=[1, 0, 2]) if m.batch_first else x
    return out, tuple(v[0] if len(v) == 1 else g.op("Concat", *v, axis=0) for v in (h_n, c_n))


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

