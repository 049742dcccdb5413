"""One recurrent layer in one direction, as one graph node (:mod:`ember.ops.recurrent`):
``nn.RNN``/``LSTM``/``GRU``, their cells and the Keras recurrent layers all run through
:func:`recurrent_layer`.

Example::

    >>> from ember.nn.functional.recurrent import recurrent_layer
    >>> x = ember.randn(5, 2, 3)                      # (time, batch, features)
    >>> w_ih, w_hh = ember.randn(8, 3), ember.randn(8, 2)
    >>> y, h, c = recurrent_layer("lstm", x, ember.zeros(2, 2), ember.zeros(2, 2), w_ih, w_hh)
    >>> y.shape, h.shape, c.shape
    (ember.Size([5, 2, 2]), ember.Size([2, 2]), ember.Size([2, 2]))
"""
from __future__ import annotations

from ...ops.recurrent import LSTMRecurrence, RNNRecurrence
from ...ops.shape import cat, stack
from ...ops.recurrent_gru import GRURecurrence
from .layers import dropout as dropout_fn

__all__ = ["recurrent_layer", "recurrent_stack"]

_OPS = {"rnn": RNNRecurrence, "lstm": LSTMRecurrence, "gru": GRURecurrence}


def recurrent_layer(mode: str, x, h0, c0, w_ih, w_hh, b_ih=None, b_hh=None, w_hr=None,
                    **options):
    """Runs one layer over time-major ``x``; returns ``(y, h_n, c_n)``.

    Args:
        mode: ``"rnn"``, ``"lstm"`` or ``"gru"``.
        x: input ``(T, B, I)``.
        h0, c0: initial states ``(B, Hₒ)`` and ``(B, H)`` (``c0`` only for LSTM, else None).
        w_ih, w_hh, b_ih, b_hh: weights ``(G·H, I)``, ``(G·H, Hₒ)`` and biases ``(G·H,)`` in
            torch's gate order; w_hr: the LSTM projection ``(Hₒ, H)``.
        options: ``mask``, ``reverse``, ``masked_output``, ``x_mask``, ``h_mask``,
            ``activation``, ``recurrent_activation``, ``order``, ``reset_after``, ``cell`` (one
            step of an ``nn.RNNCell``-like cell; it decides what torch saves) (see
            :mod:`ember.ops.recurrent`).

    Shape: y ``(T, B, Hₒ)``, h_n ``(B, Hₒ)``, c_n ``(B, H)`` or None.
    """
    T, B = x.shape[0], x.shape[1]
    width = h0.shape[1]
    flat = _OPS[mode].apply(x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, **options)
    n = T * B * width
    y = flat[:n].view(T, B, width)
    h_n = flat[n:n + B * width].view(B, width)
    c_n = flat[n + B * width:].view(B, c0.shape[1]) if mode == "lstm" else None
    return y, h_n, c_n


def recurrent_stack(kind: str, x, h0, c0, weights, num_layers: int, bidirectional: bool,
                    dropout: float = 0.0, training: bool = False, mask=None,
                    activation: str = "tanh"):
    """``num_layers`` layers (each in one or two directions) over time-major ``x``: what
    ``nn.RNN``/``LSTM``/``GRU`` and torch's bare ``torch.lstm``/``gru``/``rnn_*`` run.

    Args:
        kind: ``"rnn"``, ``"lstm"`` or ``"gru"``. h0, c0: ``(L·D, B, Hₒ)``/``(L·D, B, H)``.
        weights: ``weights(k)`` → ``(w_ih, w_hh, b_ih, b_hh, w_hr)`` of layer-direction ``k``.
        dropout, training: dropout between layers. mask: ``(T, B)`` steps that exist (packed
        input). activation: the plain RNN's ``"tanh"`` or ``"relu"``.

    Returns ``(output (T, B, D·Hₒ), h_n, c_n or None)``.
    """
    options = {"mask": mask}
    if kind == "rnn":
        options["activation"] = activation
    directions = 2 if bidirectional else 1
    layer_input, h_n, c_n = x, [], []
    for layer in range(num_layers):
        outputs = []
        for direction in range(directions):
            k = layer * directions + direction
            y, h, c = recurrent_layer(kind, layer_input, h0[k], None if c0 is None else c0[k],
                                      *weights(k), reverse=direction == 1, **options)
            outputs.append(y)
            h_n.append(h)
            c_n.append(c)
        layer_input = outputs[0] if directions == 1 else cat(outputs, 2)
        if dropout and training and layer < num_layers - 1:
            layer_input = dropout_fn(layer_input, dropout, True)
    return layer_input, stack(h_n, 0), (stack(c_n, 0) if c0 is not None else None)
