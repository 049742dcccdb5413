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
from ...ops.recurrent_gru import GRURecurrence

__all__ = ["recurrent_layer"]

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
