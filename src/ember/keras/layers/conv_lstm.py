"""Keras's convolutional LSTM layers ``ConvLSTM1D/2D/3D`` (Shi et al., 2015): an LSTM whose input
and recurrent transformations are convolutions. Keras 3's weights on ``layer.cell``
(``kernel (*kernel_size, channels, 4·filters)``, ``recurrent_kernel (*kernel_size, filters,
4·filters)``, ``bias (4·filters,)``, gates ``i f c o``), the input convolution with the layer's
strides/padding/dilation and the recurrent one with stride 1 and 'same' padding, dropout masks
drawn once per call (one per gate), masks, ``go_backwards`` and ``return_state``.

The recurrence is :class:`~ember.keras.layers.RNN`'s Python loop over the time steps, each step
two ``keras.ops`` convolutions (eight with dropout) and the gate arithmetic; slower than the
fused LSTM, but every operation is an existing ember op, so this module owns no maths.

Example::

    >>> import numpy as np
    >>> from ember.keras import layers
    >>> layer = layers.ConvLSTM2D(4, 3, padding="same", return_sequences=True)
    >>> layer(np.zeros((2, 5, 8, 8, 3), np.float32)).shape
    ember.Size([2, 5, 8, 8, 4])
"""
from __future__ import annotations

import numpy as np

from ..._tensor import Tensor
from ...ops.shape import chunk
from .. import activations as _act
from .. import random as _random
from ..config import standardize_data_format
from ..ops import nn_conv as _conv
from .base import Layer
from .convolutional import conv_output_length, spatial_axes, with_spatial
from .rnn import cell_options_config, forget_bias_initializer, set_cell_options
from .rnn_base import RNN

__all__ = ["ConvLSTMCell", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"]

_GATES = 4


class ConvLSTMCell(Layer):
    """One step of a convolutional LSTM on ``(batch, *spatial, channels)`` (or channels first);
    states ``[h, c]`` of the convolution's output shape with ``filters`` channels.

    Args:
        rank: 1, 2 or 3. filters: output channels. kernel_size, strides, padding ('valid' or
            'same'), data_format, dilation_rate: of the input convolution.
        activation (tanh), recurrent_activation (sigmoid), use_bias, unit_forget_bias (the
            forget gate's bias starts at 1), initializers (``glorot_uniform``, ``orthogonal``,
            ``zeros``), regularizers and constraints: as Keras's ``LSTMCell``.
        dropout, recurrent_dropout: rates of the per-gate masks on the input and on ``h``.
        seed: of the dropout masks.

    Example::

        >>> import numpy as np
        >>> from ember.keras.layers.conv_lstm import ConvLSTMCell
        >>> cell = ConvLSTMCell(2, 4, 3, padding="same")
        >>> h, (h, c) = cell(np.zeros((1, 6, 6, 2), np.float32),
        ...                  [np.zeros((1, 6, 6, 4), np.float32)] * 2)
        >>> tuple(cell.kernel.shape), h.shape
        ((3, 3, 2, 16), ember.Size([1, 6, 6, 4]))
    """

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if rank not in (1, 2, 3):
            raise ValueError(f"Rank {rank} convolutions are not currently implemented. "
                             f"Received: rank={rank}")
        if isinstance(filters, bool) or not isinstance(filters, (int, np.integer)) or filters <= 0:
            raise ValueError(f"Invalid value for argument `filters`. Expected a strictly "
                             f"positive value. Received filters={filters}.")
        self.rank, self.filters = rank, int(filters)
        self.kernel_size = _conv.ntuple(kernel_size, rank, "kernel_size")
        self.strides = _conv.ntuple(strides, rank, "strides")
        self.padding = _conv._padding_arg(padding, allow_causal=False)
        self.data_format = standardize_data_format(data_format)
        self.dilation_rate = _conv.ntuple(dilation_rate, rank, "dilation_rate")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"Specifying `strides > 1` is not compatible with `dilation_rate > "
                             f"1`. Please provide `strides=1` or `dilation_rate=1`. Received: "
                             f"strides={self.strides} and dilation_rate={self.dilation_rate}")
        self.activation = _act.get(activation)
        self.recurrent_activation = _act.get(recurrent_activation)
        self.use_bias, self.unit_forget_bias = bool(use_bias), bool(unit_forget_bias)
        set_cell_options(self, kernel_initializer, recurrent_initializer, bias_initializer,
                         kernel_regularizer, recurrent_regularizer, bias_regularizer,
                         kernel_constraint, recurrent_constraint, bias_constraint, dropout,
                         recurrent_dropout, seed)
        self.state_size = -1  # as Keras: the states' shape follows from the input's
        self.reset_dropout_masks()

    def build(self, inputs_shape, states_shape=None):
        axes, channel_axis = spatial_axes(self.data_format, self.rank)
        self.spatial_dims = tuple(inputs_shape[a] for a in axes)
        if None in self.spatial_dims:
            raise ValueError(f"ConvLSTM layers only support static input shapes for the spatial "
                             f"dimension. Received invalid input shape: "
                             f"input_shape={tuple(inputs_shape)}")
        self.input_dim = inputs_shape[channel_axis]
        if self.input_dim is None:
            raise ValueError(f"The channel dimension of the inputs (last axis) should be "
                             f"defined. Found None. Full input shape received: "
                             f"input_shape={tuple(inputs_shape)}")
        F4 = _GATES * self.filters
        self.kernel = self.add_weight(shape=self.kernel_size + (self.input_dim, F4), name="kernel",
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            shape=self.kernel_size + (self.filters, F4), name="recurrent_kernel",
            initializer=self.recurrent_initializer, regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(shape=(F4,), name="bias", initializer=self._bias_init(),
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)

    def _bias_init(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        return forget_bias_initializer(self.bias_initializer, self.filters)

    def reset_dropout_masks(self) -> None:
        """Forgets the masks of the last call (the layer draws new ones for each call)."""
        self._masks = {}

    def _dropout_masks(self, name, x, rate, training):
        """Keras's four masks (one per gate) for ``x``, drawn once per layer call."""
        if not training or not 0.0 < rate < 1.0:
            return None
        if name not in self._masks:
            ones = Tensor._make(np.ones(x.shape, x._data.dtype))
            self._masks[name] = [_random.dropout(ones, rate, seed=self.seed_generator)
                                 for _ in range(_GATES)]
        return self._masks[name]

    def _gates(self, x, masks, kernel, bias, strides, padding, dilation):
        """The four gates' convolutions of ``x`` (one convolution when no mask splits them)."""
        axis = 1 if self.data_format == "channels_first" else -1
        if masks is None:
            y = _conv.conv_with_bias(x, kernel, bias, strides, padding, self.data_format,
                                     dilation)
            return chunk(y, _GATES, axis)
        kernels = chunk(kernel, _GATES, self.rank + 1)
        biases = [None] * _GATES if bias is None else chunk(bias, _GATES, 0)
        return [_conv.conv_with_bias(x * m, k, b, strides, padding, self.data_format, dilation)
                for m, k, b in zip(masks, kernels, biases)]

    def call(self, inputs, states, training=False):
        h_tm1, c_tm1 = states[0], states[1]
        x_i, x_f, x_c, x_o = self._gates(inputs, self._dropout_masks("x", inputs, self.dropout,
                                                                     training),
                                         self.kernel, self.bias, self.strides, self.padding,
                                         self.dilation_rate)
        h_i, h_f, h_c, h_o = self._gates(h_tm1, self._dropout_masks("h", h_tm1,
                                                                    self.recurrent_dropout,
                                                                    training),
                                         self.recurrent_kernel, None, 1, "same", 1)
        i = self.recurrent_activation(x_i + h_i)
        f = self.recurrent_activation(x_f + h_f)
        c = f * c_tm1 + i * self.activation(x_c + h_c)
        o = self.recurrent_activation(x_o + h_o)
        h = o * self.activation(c)
        return h, [h, c]

    def compute_output_shape(self, inputs_shape, states_shape=None):
        axes, _ = spatial_axes(self.data_format, self.rank)
        spatial = [conv_output_length(inputs_shape[a], k, s, self.padding, d)
                   for a, k, s, d in zip(axes, self.kernel_size, self.strides,
                                         self.dilation_rate)]
        out = with_spatial(inputs_shape, self.data_format, self.rank, spatial, self.filters)
        return out, [out, out]

    def get_initial_state(self, batch_size=None):
        if self.data_format == "channels_last":
            shape = (batch_size,) + self.spatial_dims + (self.input_dim,)
        else:
            shape = (batch_size, self.input_dim) + self.spatial_dims
        state_shape = self.compute_output_shape(shape)[0]
        return [Tensor._make(np.zeros(state_shape, np.float32)) for _ in range(2)]

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": self.kernel_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate,
                "activation": _act.serialize(self.activation),
                "recurrent_activation": _act.serialize(self.recurrent_activation),
                "use_bias": self.use_bias, "unit_forget_bias": self.unit_forget_bias,
                **cell_options_config(self)}


_CELL_ARGS = ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
              "activation", "recurrent_activation", "use_bias", "kernel_initializer",
              "recurrent_initializer", "bias_initializer", "unit_forget_bias",
              "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
              "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
              "recurrent_dropout", "seed")


class _ConvLSTM(RNN):
    """Keras's ``ConvLSTM``: :class:`RNN` over a :class:`ConvLSTMCell` of rank ``RANK``; the
    cell's options are read through the layer (``layer.filters``, ``layer.kernel_size``...)."""

    RANK = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, **kwargs):
        given = locals()
        cell = ConvLSTMCell(self.RANK, **{k: given[k] for k in _CELL_ARGS},
                            name="conv_lstm_cell", dtype=kwargs.get("dtype"))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.input_ndim = self.RANK + 3

    def __getattr__(self, name):
        cell = self.__dict__.get("_modules", {}).get("cell")
        if cell is not None and name in _CELL_ARGS:
            return getattr(cell, name)
        return super().__getattr__(name)

    def call(self, sequences, initial_state=None, mask=None, training=False):
        self.cell.reset_dropout_masks()
        try:
            return super().call(sequences, initial_state=initial_state, mask=mask,
                                training=training)
        finally:
            self.cell.reset_dropout_masks()

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch, steps = sequences_shape[0], sequences_shape[1]
        state = tuple(self.cell.compute_output_shape((batch,) + tuple(sequences_shape[2:]))[0])
        out = (batch, steps) + state[1:] if self.return_sequences else state
        return (out, state, state) if self.return_state else out

    def compute_mask(self, _, mask):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out = mask if self.return_sequences else None
        return [out, None, None] if self.return_state else out

    def get_config(self):
        cell = self.cell.get_config()
        for key in ("name", "trainable"):
            cell.pop(key, None)
        config = super().get_config()
        del config["cell"]
        return {**config, **cell}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class ConvLSTM1D(_ConvLSTM):
    """Convolutional LSTM over ``(batch, time, steps, channels)`` (or ``(batch, time,
    channels, steps)`` with ``data_format='channels_first'``).

    Args:
        filters, kernel_size, strides, padding ('valid'/'same'), data_format, dilation_rate:
            of the input convolution (the recurrent one uses stride 1 and 'same').
        activation, recurrent_activation, use_bias, unit_forget_bias, kernel/recurrent/bias
            _initializer, _regularizer, _constraint, activity_regularizer, dropout,
            recurrent_dropout, seed: as :class:`LSTM`.
        return_sequences, return_state, go_backwards: as :class:`RNN`. stateful: refused.

    Shape: ``(B, T, L, C)`` → ``(B, L', filters)`` (``(B, T, L', filters)`` with
    ``return_sequences``).

    Example::

        >>> import numpy as np
        >>> from ember.keras import layers
        >>> layers.ConvLSTM1D(4, 3)(np.zeros((2, 5, 10, 3), np.float32)).shape
        ember.Size([2, 8, 4])
    """

    RANK = 1


class ConvLSTM2D(_ConvLSTM):
    """Convolutional LSTM over ``(batch, time, rows, cols, channels)`` (or channels first);
    arguments as :class:`ConvLSTM1D`.

    Example::

        >>> import numpy as np
        >>> from ember.keras import layers
        >>> layer = layers.ConvLSTM2D(4, (3, 3), padding="same")
        >>> layer(np.zeros((2, 5, 6, 6, 1), np.float32)).shape
        ember.Size([2, 6, 6, 4])
    """

    RANK = 2


class ConvLSTM3D(_ConvLSTM):
    """Convolutional LSTM over ``(batch, time, dim1, dim2, dim3, channels)`` (or channels
    first); arguments as :class:`ConvLSTM1D`.

    Example::

        >>> import numpy as np
        >>> from ember.keras import layers
        >>> layers.ConvLSTM3D(2, 3)(np.zeros((1, 3, 4, 4, 4, 1), np.float32)).shape
        ember.Size([1, 2, 2, 2, 2])
    """

    RANK = 3
