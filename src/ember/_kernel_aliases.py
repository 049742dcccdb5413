"""torch's bare kernels behind ``nn``'s recurrent layers, embeddings and CTC, as the
``torch`` namespace has them: ``torch.lstm``/``gru``/``rnn_tanh``/``rnn_relu`` (a stack of
layers from a flat weight tuple), their ``*_cell`` steps, ``torch.embedding`` (table first),
``torch.embedding_renorm_`` and ``torch.ctc_loss`` (reduction as ATen's integer). They run the
same code as the modules (``nn.functional.recurrent``), imported on first call.

Example::

    >>> x, h = ember.randn(3, 4), ember.zeros(3, 5)
    >>> w_ih, w_hh = ember.randn(20, 4), ember.randn(20, 5)
    >>> h1, c1 = ember.lstm_cell(x, (h, h), w_ih, w_hh)
    >>> h1.shape
    ember.Size([3, 5])
"""
from __future__ import annotations

import numpy as np

__all__ = ["lstm", "gru", "rnn_tanh", "rnn_relu", "lstm_cell", "gru_cell", "rnn_tanh_cell",
           "rnn_relu_cell", "embedding", "embedding_renorm_", "ctc_loss"]

_REDUCTIONS = {0: "none", 1: "mean", 2: "sum"}


def _F():
    from .nn import functional
    return functional


def _cell(kind, input, hx, c, w_ih, w_hh, b_ih, b_hh, activation="tanh"):
    from .nn.functional.recurrent import recurrent_layer
    if input.ndim != 2 or hx.ndim != 2:  # the bare kernels take batches only (as torch's)
        raise RuntimeError(f"Dimension out of range (expected to be in range of [-1, 0], but got "
                           f"1): {kind} cells take input (batch, features) and hx (batch, "
                           f"hidden); got {tuple(input.shape)} and {tuple(hx.shape)}")
    options = {"activation": activation} if kind == "rnn" else {}
    _, h1, c1 = recurrent_layer(kind, input.unsqueeze(0), hx, c, w_ih, w_hh, b_ih, b_hh,
                                **options)
    return h1 if kind != "lstm" else (h1, c1)


def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One step ``tanh(x w_ihᵀ + b_ih + h w_hhᵀ + b_hh)``."""
    return _cell("rnn", input, hx, None, w_ih, w_hh, b_ih, b_hh)


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One step ``relu(x w_ihᵀ + b_ih + h w_hhᵀ + b_hh)``."""
    return _cell("rnn", input, hx, None, w_ih, w_hh, b_ih, b_hh, "relu")


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One LSTM step; ``hx`` is ``(h, c)``; returns ``(h', c')``."""
    h, c = hx
    return _cell("lstm", input, h, c, w_ih, w_hh, b_ih, b_hh)


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One GRU step (gates ``r z n``)."""
    return _cell("gru", input, hx, None, w_ih, w_hh, b_ih, b_hh)


def _stack(kind, input, h0, c0, params, has_biases, num_layers, dropout, train,
           bidirectional, batch_first, activation="tanh"):
    from .nn.functional.recurrent import recurrent_stack
    from .nn.utils.rnn import PackedSequence
    per = (4 if has_biases else 2)
    directions = 2 if bidirectional else 1
    params = list(params)
    extra = len(params) - per * num_layers * directions
    if extra not in (0, num_layers * directions) or (extra and kind != "lstm"):
        raise RuntimeError(f"{kind}: got {len(params)} weights for {num_layers} layer(s) x "
                           f"{directions} direction(s) (expected {per} per layer and direction"
                           f"{', or ' + str(per + 1) + ' with projections' if kind == 'lstm' else ''})")
    step = per + (1 if extra else 0)

    def weights(k):
        w = params[k * step:(k + 1) * step]
        b_ih, b_hh = (w[2], w[3]) if has_biases else (None, None)
        return w[0], w[1], b_ih, b_hh, (w[-1] if extra else None)

    if isinstance(input, PackedSequence):
        from .nn.utils.rnn import _padded_from_packed, _packed_index
        x = _padded_from_packed(input, 0.0, int(input.batch_sizes.shape[0]))
        sizes = input.batch_sizes._data
        mask = np.arange(int(sizes[0]))[None, :] < sizes[:, None]
        y, h, c = recurrent_stack(kind, x, h0, c0, weights, num_layers, bidirectional, dropout,
                                  train, mask, activation)
        flat = y.reshape((y.shape[0] * y.shape[1],) + tuple(y.shape[2:]))
        index, _ = _packed_index(input.lengths(), y.shape[1])
        return flat[index], h, c
    x = input.transpose(0, 1) if batch_first else input
    y, h, c = recurrent_stack(kind, x, h0, c0, weights, num_layers, bidirectional, dropout, train,
                              None, activation)
    return (y.transpose(0, 1) if batch_first else y), h, c


def _packed(data, batch_sizes):
    from .nn.utils.rnn import PackedSequence
    return PackedSequence(data, batch_sizes)


def _call(kind, input, hx, params, has_biases, num_layers, dropout, train, bidirectional,
          batch_first, data, batch_sizes, activation="tanh"):
    """Both of torch's overloads: ``(input, hx, params, …, batch_first)`` and the packed
    ``(data, batch_sizes, hx, params, …, bidirectional)``, given by position or keyword."""
    moved = hx if kind == "lstm" else params  # a tuple in the padded form, a tensor if packed
    if data is None and not isinstance(moved, (tuple, list)):  # positional packed form: every argument after data moved one place
        (batch_sizes, hx, params, has_biases, num_layers, dropout, train, bidirectional) = (
            hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first)
        data, batch_first = input, False
    state, cell = (hx[0], hx[1]) if kind == "lstm" else (hx, None)
    source = input if data is None else data
    if batch_sizes is not None:
        source, batch_first = _packed(source, batch_sizes), False
    y, h, c = _stack(kind, source, state, cell, params, has_biases, num_layers, dropout, train,
                     bidirectional, batch_first, activation)
    return (y, h, c) if kind == "lstm" else (y, h)


def lstm(input=None, hx=None, params=None, has_biases=True, num_layers=1, dropout=0.0,
         train=False, bidirectional=False, batch_first=False, *, data=None, batch_sizes=None):
    """``torch.lstm(input, (h0, c0), params, has_biases, num_layers, dropout, train,
    bidirectional, batch_first)`` → ``(output, h_n, c_n)``; or the packed form ``(data,
    batch_sizes, (h0, c0), params, has_biases, num_layers, dropout, train, bidirectional)``.
    ``params`` holds each layer and direction's ``w_ih, w_hh[, b_ih, b_hh][, w_hr]``."""
    return _call("lstm", input, hx, params, has_biases, num_layers, dropout, train,
                 bidirectional, batch_first, data, batch_sizes)


def gru(input=None, hx=None, params=None, has_biases=True, num_layers=1, dropout=0.0,
        train=False, bidirectional=False, batch_first=False, *, data=None, batch_sizes=None):
    """``torch.gru(input, h0, params, has_biases, num_layers, dropout, train, bidirectional,
    batch_first)`` → ``(output, h_n)`` (or the packed form with ``data, batch_sizes``)."""
    return _call("gru", input, hx, params, has_biases, num_layers, dropout, train,
                 bidirectional, batch_first, data, batch_sizes)


def rnn_tanh(input=None, hx=None, params=None, has_biases=True, num_layers=1, dropout=0.0,
             train=False, bidirectional=False, batch_first=False, *, data=None,
             batch_sizes=None):
    """As :func:`gru`, for the tanh RNN."""
    return _call("rnn", input, hx, params, has_biases, num_layers, dropout, train,
                 bidirectional, batch_first, data, batch_sizes)


def rnn_relu(input=None, hx=None, params=None, has_biases=True, num_layers=1, dropout=0.0,
             train=False, bidirectional=False, batch_first=False, *, data=None,
             batch_sizes=None):
    """As :func:`gru`, for the ReLU RNN."""
    return _call("rnn", input, hx, params, has_biases, num_layers, dropout, train,
                 bidirectional, batch_first, data, batch_sizes, "relu")


def embedding(weight, indices, padding_idx: int = -1, scale_grad_by_freq: bool = False,
              sparse: bool = False):
    """``F.embedding`` with the table first; a negative ``padding_idx`` means none."""
    return _F().embedding(indices, weight, None if padding_idx < 0 else padding_idx, None, 2.0,
                          scale_grad_by_freq, sparse)


def embedding_renorm_(input, indices, max_norm: float, norm_type: float):
    """Rescales, in place, the rows of ``input`` used by ``indices`` whose norm exceeds
    ``max_norm``; returns ``input``."""
    from .autograd.grad_mode import no_grad
    from .nn.functional.embedding import _renorm_
    from .ops._util import as_tensor
    with no_grad():
        _renorm_(input, as_tensor(indices)._data, max_norm, norm_type)
    return input


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank: int = 0,
             reduction: int = 1, zero_infinity: bool = False):
    """``F.ctc_loss`` with ATen's integer ``reduction`` (0 none, 1 mean, 2 sum)."""
    return _F().ctc_loss(log_probs, targets, input_lengths, target_lengths, blank,
                         _REDUCTIONS.get(reduction, reduction), zero_infinity)
