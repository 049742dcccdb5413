"""Keras's recurrent layers: ``SimpleRNN``, ``LSTM``, ``GRU`` and their cells, with Keras 3's
weights (``kernel (input, G·units)``, ``recurrent_kernel (units, G·units)``, ``bias``; LSTM
gates ``i f c o``, GRU gates ``z r h`` and ``reset_after``), initialisers, dropout (one mask per
gate with ``recurrent_dropout``, as Keras draws them) and masks. The weights live on
``layer.cell``; the whole sequence runs as one ember node
(:func:`ember.nn.functional.recurrent.recurrent_layer`), so this module owns no maths.

Example::

    >>> from ember.keras import layers
    >>> lstm = layers.LSTM(8, return_sequences=True, return_state=True)
    >>> out, h, c = lstm(np.zeros((2, 5, 3), np.float32))
    >>> out.shape, h.shape, c.shape
    (ember.Size([2, 5, 8]), ember.Size([2, 8]), ember.Size([2, 8]))
"""
from __future__ import annotations

import numpy as np

from ..._tensor import Tensor
from ...nn.functional.recurrent import recurrent_layer
from ...ops.recurrent import ACTIVATIONS
from .. import activations as _act
from .. import initializers as _init
from .. import random as _random
from .. import regularizers as _reg
from .base import Layer
from .rnn_base import RNN

__all__ = ["SimpleRNNCell", "LSTMCell", "GRUCell", "SimpleRNN", "LSTM", "GRU"]


def _activation_name(fn, arg: str) -> str:
    name = _act.serialize(fn)
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise NotImplementedError(f"ember.keras recurrent layers support the activations "
                                  f"{sorted(ACTIVATIONS)}; received {arg}={fn!r}")
    return name


def set_cell_options(cell, kernel_initializer, recurrent_initializer, bias_initializer,
                     kernel_regularizer, recurrent_regularizer, bias_regularizer,
                     kernel_constraint, recurrent_constraint, bias_constraint, dropout,
                     recurrent_dropout, seed) -> None:
    """Stores a recurrent cell's weight options, dropout rates (clipped to [0, 1] as Keras
    clips them) and seed generator on ``cell``."""
    cell.kernel_initializer = _init.get(kernel_initializer)
    cell.recurrent_initializer = _init.get(recurrent_initializer)
    cell.bias_initializer = _init.get(bias_initializer)
    cell.kernel_regularizer = _reg.get(kernel_regularizer)
    cell.recurrent_regularizer = _reg.get(recurrent_regularizer)
    cell.bias_regularizer = _reg.get(bias_regularizer)
    cell.kernel_constraint, cell.recurrent_constraint = kernel_constraint, recurrent_constraint
    cell.bias_constraint = bias_constraint
    cell.dropout = min(1.0, max(0.0, float(dropout)))
    cell.recurrent_dropout = min(1.0, max(0.0, float(recurrent_dropout)))
    cell.seed = seed
    cell.seed_generator = _random.SeedGenerator(seed)


def cell_options_config(cell) -> dict:
    """The config entries of :func:`set_cell_options`'s options."""
    return {"kernel_initializer": _init.serialize(cell.kernel_initializer),
            "recurrent_initializer": _init.serialize(cell.recurrent_initializer),
            "bias_initializer": _init.serialize(cell.bias_initializer),
            "kernel_regularizer": _reg.serialize(cell.kernel_regularizer),
            "recurrent_regularizer": _reg.serialize(cell.recurrent_regularizer),
            "bias_regularizer": _reg.serialize(cell.bias_regularizer),
            "dropout": cell.dropout, "recurrent_dropout": cell.recurrent_dropout,
            "seed": cell.seed}


def forget_bias_initializer(base, n: int):
    """Keras's ``unit_forget_bias``: the gates ``i f c o`` of ``n`` units each from ``base``,
    the forget gate's from ones."""
    def init(shape, dtype=None):
        parts = [np.asarray(getattr(p, "_data", p)) for p in
                 (base((n,), dtype=dtype), np.ones(n), base((2 * n,), dtype=dtype))]
        return np.concatenate(parts).astype(dtype or np.float32)
    return init


class _Cell(Layer):
    """One step of a recurrent layer; holds the weights and the configuration."""

    KIND, GATES = "rnn", 1

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units <= 0:
            raise ValueError(f"Received an invalid value for argument `units`, expected a "
                             f"positive integer, got {units}.")
        super().__init__(**kwargs)
        self.units = int(units)
        self.activation = _act.get(activation)
        self.recurrent_activation = _act.get(recurrent_activation)
        self._act_names = (_activation_name(self.activation, "activation"),
                           _activation_name(self.recurrent_activation, "recurrent_activation"))
        self.use_bias = bool(use_bias)
        set_cell_options(self, kernel_initializer, recurrent_initializer, bias_initializer,
                         kernel_regularizer, recurrent_regularizer, bias_regularizer,
                         kernel_constraint, recurrent_constraint, bias_constraint, dropout,
                         recurrent_dropout, seed)
        self.state_size = self.units
        self.output_size = self.units

    def build(self, input_shape):
        G, H = self.GATES, self.units
        self.kernel = self.add_weight(shape=(input_shape[-1], G * H), name="kernel",
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(shape=(H, G * H), name="recurrent_kernel",
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(shape=self._bias_shape(), name="bias",
                                        initializer=self._bias_init(),
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.units)

    def _bias_shape(self):
        return (self.GATES * self.units,)

    def _bias_init(self):
        return self.bias_initializer

    # the weights in torch's layout for the recurrence node
    def _biases(self):
        return self.bias, None

    def _options(self) -> dict:
        act, ract = self._act_names
        return {"activation": act} if self.KIND == "rnn" else \
            {"activation": act, "recurrent_activation": ract}

    def _dropout_masks(self, batch: int, input_dim: int, dtype, training) -> dict:
        """Keras's masks: one per gate with recurrent dropout (implementation 1), else one
        shared input mask; drawn once per call and fixed over the time steps."""
        out = {}
        per_gate = self.recurrent_dropout > 0 or self.GATES == 1
        for name, rate, width in (("x_mask", self.dropout, input_dim),
                                  ("h_mask", self.recurrent_dropout, self.units)):
            if not training or not 0 < rate < 1:
                continue
            count = self.GATES if per_gate else 1
            ones = Tensor._make(np.ones((batch, width), dtype))
            masks = [_random.dropout(ones, rate, seed=self.seed_generator)._data
                     for _ in range(count)]
            out[name] = np.stack(masks * (self.GATES // count))
        return out

    def run(self, sequences, states, mask=None, training=False, go_backwards=False,
            zero_output_for_mask=False):
        """The whole sequence ``(B, T, I)``: ``(outputs (T, B, H), final states)``."""
        x = sequences.transpose(0, 1)
        b_ih, b_hh = self._biases()
        opts = self._options()
        opts.update(self._dropout_masks(x.shape[1], x.shape[2], x._data.dtype, training))
        if mask is not None:
            opts["mask"] = np.asarray(getattr(mask, "_data", mask), bool).T
            opts["masked_output"] = "zero" if zero_output_for_mask else "carry"
        c0 = states[1] if self.KIND == "lstm" else None
        y, h, c = recurrent_layer(self.KIND, x, states[0], c0, self.kernel.T,
                                  self.recurrent_kernel.T, b_ih, b_hh, reverse=go_backwards,
                                  **opts)
        return y, ([h, c] if self.KIND == "lstm" else [h])

    @classmethod
    def _fused_ok(cls) -> bool:
        """Whether :meth:`run` computes what :meth:`call` would (a subclass may change a step)."""
        return cls.call is _Cell.call

    def call(self, inputs, states, training=False):
        """One step: ``(output, new_states)`` for ``inputs (B, I)``."""
        states = list(states) if isinstance(states, (list, tuple)) else [states]
        y, new = self.run(inputs.unsqueeze(1), states, training=training)
        return y[0], new

    def get_initial_state(self, batch_size=None):
        zeros = Tensor._make(np.zeros((batch_size, self.units), np.float32))
        return [zeros, Tensor._make(np.zeros((batch_size, self.units), np.float32))] \
            if self.KIND == "lstm" else [zeros]

    def get_config(self):
        config = {**super().get_config(), "units": self.units,
                  "activation": _act.serialize(self.activation), "use_bias": self.use_bias,
                  **cell_options_config(self)}
        if self.KIND != "rnn":
            config["recurrent_activation"] = _act.serialize(self.recurrent_activation)
        return config


class SimpleRNNCell(_Cell):
    """One step of ``SimpleRNN``: ``h = activation(x·kernel + h·recurrent_kernel + bias)``."""

    def __init__(self, units, activation="tanh", use_bias=True, **kwargs):
        super().__init__(units, activation=activation, use_bias=use_bias, **kwargs)


class LSTMCell(_Cell):
    """One step of ``LSTM`` (gates ``i f c o``); ``unit_forget_bias`` starts the forget bias
    at 1."""

    KIND, GATES = "lstm", 4

    def __init__(self, units, unit_forget_bias=True, **kwargs):
        super().__init__(units, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.state_size = [self.units, self.units]

    def _bias_init(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        return forget_bias_initializer(self.bias_initializer, self.units)

    def get_config(self):
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias}


class GRUCell(_Cell):
    """One step of ``GRU`` (gates ``z r h``); ``reset_after=True`` applies the reset gate after
    the recurrent matmul and keeps two biases (``bias`` of shape ``(2, 3·units)``)."""

    KIND, GATES = "gru", 3

    def __init__(self, units, reset_after=True, **kwargs):
        super().__init__(units, **kwargs)
        self.reset_after = bool(reset_after)

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _biases(self):
        if self.bias is None or not self.reset_after:
            return self.bias, None
        return self.bias[0], self.bias[1]

    def _options(self) -> dict:
        return {**super()._options(), "order": "zrn", "reset_after": self.reset_after}

    def get_config(self):
        return {**super().get_config(), "reset_after": self.reset_after}


class _RNN(RNN):
    """A recurrent layer over ``(batch, time, features)``: Keras's ``RNN`` on a built-in cell
    made from the layer's arguments (the cell's options are read through the layer)."""

    CELL = SimpleRNNCell
    _LAYER_ARGS = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll",
                   "zero_output_for_mask")

    def __init__(self, units, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, use_cudnn="auto",
                 **kwargs):
        layer_kwargs = {k: kwargs.pop(k) for k in ("name", "trainable", "dtype", "input_shape",
                                                   "input_dim", "batch_input_shape",
                                                   "batch_size", "activity_regularizer")
                        if k in kwargs}
        if stateful:
            raise NotImplementedError("ember.keras recurrent layers do not support "
                                      "stateful=True")
        cell_name = self.CELL.__name__.replace("RNNCell", "_rnn_cell").replace("Cell", "_cell")
        cell = self.CELL(units, name=cell_name.lower().lstrip("_"), **kwargs)
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, unroll=unroll,
                         zero_output_for_mask=zero_output_for_mask, **layer_kwargs)
        self.use_cudnn = use_cudnn

    def __getattr__(self, name):
        cell = self.__dict__.get("_modules", {}).get("cell")
        if cell is not None and name in ("units", "activation", "recurrent_activation",
                                         "use_bias", "dropout", "recurrent_dropout",
                                         "unit_forget_bias", "reset_after", "kernel_initializer",
                                         "recurrent_initializer", "bias_initializer", "seed"):
            return getattr(cell, name)
        return super().__getattr__(name)

    def get_config(self):
        cell = self.cell.get_config()
        for key in ("name", "trainable"):
            cell.pop(key, None)
        config = Layer.get_config(self)
        return {**config, **cell, **{k: getattr(self, k) for k in self._LAYER_ARGS}}

    @classmethod
    def from_config(cls, config):
        return Layer.from_config.__func__(cls, config)


class SimpleRNN(_RNN):
    """Fully connected RNN: ``h_t = activation(x_t·kernel + h_{t-1}·recurrent_kernel + bias)``.

    Args:
        units: size of the state. activation: default ``tanh``. use_bias: default True.
        kernel/recurrent/bias _initializer, _regularizer, _constraint: as Keras
            (``glorot_uniform``, ``orthogonal``, ``zeros``).
        dropout, recurrent_dropout: rates for the inputs and the state (training only).
        return_sequences: every step's output ``(B, T, units)`` rather than the last.
        return_state: also return the final state(s). go_backwards: walk the steps in reverse.

    Example::

        >>> layers.SimpleRNN(4)(np.zeros((2, 3, 5), np.float32)).shape
        ember.Size([2, 4])
    """

    CELL = SimpleRNNCell


class LSTM(_RNN):
    """Long short-term memory (Hochreiter & Schmidhuber, 1997), Keras's gates ``i f c o``;
    arguments as :class:`SimpleRNN` plus ``recurrent_activation`` (``sigmoid``) and
    ``unit_forget_bias`` (True). States are ``[h, c]``.

    Example::

        >>> layers.LSTM(4, return_state=True)(np.zeros((2, 3, 5), np.float32))[2].shape
        ember.Size([2, 4])
    """

    CELL = LSTMCell


class GRU(_RNN):
    """Gated recurrent unit (Cho et al., 2014), Keras's gates ``z r h``; arguments as
    :class:`SimpleRNN` plus ``recurrent_activation`` (``sigmoid``) and ``reset_after`` (True:
    reset after the recurrent matmul, torch's and cuDNN's form).

    Example::

        >>> layers.GRU(4, return_sequences=True)(np.zeros((2, 3, 5), np.float32)).shape
        ember.Size([2, 3, 4])
    """

    CELL = GRUCell
