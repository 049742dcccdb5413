"""Recurrent layers with torch's names, parameters and numbers: ``RNN``, ``LSTM``, ``GRU`` and
their single-step cells. Each layer and direction is one node of the graph
(:mod:`ember.ops.recurrent`), so long sequences cost no recursion and no per-step graph.
"""
from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from ... import _creation
from ..._tensor import Tensor
from .. import functional as F
from .. import init
from ..functional.recurrent import recurrent_layer, recurrent_stack
from ..module import Module
from ..parameter import Parameter
from ..utils.rnn import PackedSequence, _padded_from_packed

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}
_KIND = {"LSTM": "lstm", "GRU": "gru", "RNN_TANH": "rnn", "RNN_RELU": "rnn"}


def _check_type(name: str, value, kind) -> None:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(f"{name} should be of type {kind.__name__}, got: {type(value).__name__}")


def _uniform_init(module) -> None:
    stdv = 1.0 / math.sqrt(module.hidden_size) if module.hidden_size > 0 else 0
    for weight in module.parameters():
        init.uniform_(weight, -stdv, stdv)


class RNNBase(Module):
    """The shared machinery of ``RNN``, ``LSTM`` and ``GRU`` (torch's ``RNNBase``).

    Parameters per layer ``k`` and direction: ``weight_ih_l{k}`` ``(G·H, in)``,
    ``weight_hh_l{k}`` ``(G·H, H)``, ``bias_ih_l{k}``, ``bias_hh_l{k}`` (``G`` gates: 1, 3 or
    4), and ``weight_hr_l{k}`` with ``proj_size``; the reverse direction adds ``_reverse``.
    All start as U(±1/√hidden_size).
    """

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None,
                 dtype=None) -> None:
        super().__init__()
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + str(mode))
        if not isinstance(dropout, numbers.Number) or isinstance(dropout, bool) \
                or not 0 <= dropout <= 1:
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                          "non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}", stacklevel=2)
        _check_type("bias", bias, bool)
        _check_type("batch_first", batch_first, bool)
        _check_type("input_size", input_size, int)
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        _check_type("hidden_size", hidden_size, int)
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        self.mode = mode
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first = bias, batch_first
        self.dropout, self.bidirectional, self.proj_size = float(dropout), bidirectional, proj_size
        gate_size = _GATES[mode] * hidden_size
        directions = 2 if bidirectional else 1
        real_hidden = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(directions):
                layer_input = input_size if layer == 0 else real_hidden * directions
                suffix = "_reverse" if direction == 1 else ""
                shapes = [("weight_ih_l{}{}", (gate_size, layer_input)),
                          ("weight_hh_l{}{}", (gate_size, real_hidden))]
                if bias:
                    shapes += [("bias_ih_l{}{}", (gate_size,)), ("bias_hh_l{}{}", (gate_size,))]
                if proj_size > 0:
                    shapes += [("weight_hr_l{}{}", (proj_size, hidden_size))]
                names = []
                for pattern, shape in shapes:
                    name = pattern.format(layer, suffix)
                    setattr(self, name, Parameter(_creation.empty(*shape, dtype=dtype)))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """torch's default: every weight and bias U(±1/√hidden_size)."""
        _uniform_init(self)

    def flatten_parameters(self) -> None:
        """A no-op kept for torch code (cuDNN weight packing)."""

    @property
    def _flat_weights(self) -> list:
        return [getattr(self, name) for name in self._flat_weights_names]

    @property
    def all_weights(self) -> list:
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # ------------------------------------------------------------------ forward
    def _layer_weights(self, index: int) -> tuple:
        names = self._all_weights[index]
        params = [getattr(self, n) for n in names]
        w_ih, w_hh = params[0], params[1]
        b_ih = b_hh = w_hr = None
        if self.bias:
            b_ih, b_hh = params[2], params[3]
        if self.proj_size > 0:
            w_hr = params[-1]
        return w_ih, w_hh, b_ih, b_hh, w_hr

    def _check_input(self, x) -> None:
        w = self.weight_ih_l0
        if x.dtype != w.dtype:
            raise ValueError(f"RNN input dtype ({x.dtype}) does not match weight dtype "
                             f"({w.dtype}). Convert input: input.to({w.dtype}), or convert "
                             f"model: model.to({x.dtype})")
        if x.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {x.shape[-1]}")

    def _expected_hidden(self, batch: int, width: int) -> tuple:
        return (self.num_layers * (2 if self.bidirectional else 1), batch, width)

    @staticmethod
    def _check_hidden(hx, expected: tuple, msg: str = "Expected hidden size {}, got {}") -> None:
        if tuple(hx.shape) != expected:
            raise RuntimeError(msg.format(expected, list(hx.shape)))

    def _prepare(self, input):
        """Time-major input, its mask and packing details, and whether it was batched."""
        if isinstance(input, PackedSequence):
            x = _padded_from_packed(input, 0.0, int(input.batch_sizes.shape[0]))
            bs = input.batch_sizes._data
            mask = np.arange(int(bs[0]))[None, :] < bs[:, None]
            return x, mask, input, True
        if input.ndim not in (2, 3):
            raise ValueError(self._rank_message(input.ndim))
        if input.ndim == 2:
            return input.unsqueeze(1), None, None, False
        return (input.transpose(0, 1) if self.batch_first else input), None, None, True

    def _rank_message(self, ndim: int) -> str:
        name = {"RNN_TANH": "RNN", "RNN_RELU": "RNN"}.get(self.mode, self.mode)
        tail = " tensor instead" if name == "RNN" else " instead"
        return f"{name}: Expected input to be 2D or 3D, got {ndim}D{tail}"

    def _run(self, x, h0, c0, mask):
        """Every layer and direction; returns the top layer's output and the final states."""
        return recurrent_stack(_KIND[self.mode], x, h0, c0, self._layer_weights,
                               self.num_layers, self.bidirectional, self.dropout, self.training,
                               mask, "relu" if self.mode == "RNN_RELU" else "tanh")

    def _finish(self, output, packed, batched):
        if packed is not None:
            from ..utils.rnn import _packed_index
            flat = output.reshape((output.shape[0] * output.shape[1],) + tuple(output.shape[2:]))
            index, _ = _packed_index(packed.lengths(), output.shape[1])
            return PackedSequence(flat[index], packed.batch_sizes, packed.sorted_indices,
                                  packed.unsorted_indices)
        if not batched:
            return output.squeeze(1)
        return output.transpose(0, 1) if self.batch_first else output

    @staticmethod
    def _permute(hx, packed, key: str):
        """Reorders the batch axis of a state by the packed sequence's sorted/unsorted order."""
        if packed is None or hx is None:
            return hx
        order = getattr(packed, key)
        return hx if order is None else hx[:, order._data]

    def forward(self, input, hx=None):
        x, mask, packed, batched = self._prepare(input)
        self._check_input(x)
        batch = x.shape[1]
        width = self.proj_size or self.hidden_size
        expected = self._expected_hidden(batch, width)
        if hx is None:
            h0 = _creation.zeros(*expected, dtype=x.dtype)
        else:
            want = 3 if batched else 2
            if hx.ndim != want:
                shape = "batched 3-D" if batched else "unbatched 2-D"
                raise RuntimeError(f"For {shape} input, hx should also be {want}-D but got "
                                   f"{hx.ndim}-D tensor")
            h0 = hx if batched else hx.unsqueeze(1)
            self._check_hidden(h0, expected)
            h0 = self._permute(h0, packed, "sorted_indices")
        output, h_n, _ = self._run(x, h0, None, mask)
        h_n = self._permute(h_n, packed, "unsorted_indices")
        return self._finish(output, packed, batched), (h_n if batched else h_n.squeeze(1))


class RNN(RNNBase):
    """Elman RNN: ``h_t = act(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh)``, ``act`` tanh or relu.

    Args:
        input_size, hidden_size: features of the input and of the state.
        num_layers: stacked layers (1). nonlinearity: ``"tanh"`` or ``"relu"``.
        bias: use ``b_ih``/``b_hh``. batch_first: input/output ``(B, T, *)``.
        dropout: dropout on the output of every layer but the last (training only).
        bidirectional: run a reverse direction too; outputs are concatenated.

    Shape: input ``(T, B, in)`` (or ``(B, T, in)``, or unbatched ``(T, in)``, or a
    ``PackedSequence``); h0 ``(layers·dirs, B, H)``; returns ``(output, h_n)``.

    Example::

        >>> rnn = ember.nn.RNN(10, 20, 2)
        >>> out, h = rnn(ember.randn(5, 3, 10), ember.randn(2, 3, 20))
        >>> out.shape, h.shape
        (ember.Size([5, 3, 20]), ember.Size([2, 3, 20]))
    """

    def __init__(self, *args, **kwargs) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self_nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self_nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self_nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self_nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{self_nonlinearity}'. Select from 'tanh' "
                             f"or 'relu'.")
        super().__init__(mode, *args, **kwargs)
        self.nonlinearity = self_nonlinearity


class GRU(RNNBase):
    """Gated recurrent unit, torch's gates ``r z n``: ``n = tanh(W_in x + b_in + r ⊙ (W_hn h +
    b_hn))``, ``h' = (1 - z) ⊙ n + z ⊙ h``. Arguments and shapes as :class:`RNN`.

    Example::

        >>> gru = ember.nn.GRU(4, 8, batch_first=True)
        >>> out, h = gru(ember.randn(2, 7, 4))
        >>> out.shape, h.shape
        (ember.Size([2, 7, 8]), ember.Size([1, 2, 8]))
    """

    def __init__(self, *args, **kwargs) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)


class LSTM(RNNBase):
    """Long short-term memory, torch's gates ``i f g o``: ``c' = f ⊙ c + i ⊙ g``,
    ``h' = o ⊙ tanh(c')`` (then ``h' W_hrᵀ`` with ``proj_size``). Arguments as :class:`RNN`.

    Shape: ``lstm(input, (h0, c0))`` returns ``(output, (h_n, c_n))``; ``c`` has hidden_size
    features, ``h`` proj_size when set.

    Example::

        >>> lstm = ember.nn.LSTM(10, 20, num_layers=2)
        >>> out, (h, c) = lstm(ember.randn(5, 3, 10))
        >>> out.shape, h.shape, c.shape
        (ember.Size([5, 3, 20]), ember.Size([2, 3, 20]), ember.Size([2, 3, 20]))
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__("LSTM", *args, **kwargs)

    def forward(self, input, hx=None):
        x, mask, packed, batched = self._prepare(input)
        self._check_input(x)
        batch = x.shape[1]
        width = self.proj_size or self.hidden_size
        expected_h = self._expected_hidden(batch, width)
        expected_c = self._expected_hidden(batch, self.hidden_size)
        if hx is None:
            h0 = _creation.zeros(*expected_h, dtype=x.dtype)
            c0 = _creation.zeros(*expected_c, dtype=x.dtype)
        else:
            h0, c0 = hx
            want = 3 if batched else 2
            if h0.ndim != want or c0.ndim != want:
                shape = "batched 3-D" if batched else "unbatched 2-D"
                raise RuntimeError(f"For {shape} input, hx and cx should also be {want}-D but "
                                   f"got ({h0.ndim}-D, {c0.ndim}-D) tensors")
            if not batched:
                h0, c0 = h0.unsqueeze(1), c0.unsqueeze(1)
            self._check_hidden(h0, expected_h, "Expected hidden[0] size {}, got {}")
            self._check_hidden(c0, expected_c, "Expected hidden[1] size {}, got {}")
            h0 = self._permute(h0, packed, "sorted_indices")
            c0 = self._permute(c0, packed, "sorted_indices")
        output, h_n, c_n = self._run(x, h0, c0, mask)
        h_n = self._permute(h_n, packed, "unsorted_indices")
        c_n = self._permute(c_n, packed, "unsorted_indices")
        if not batched:
            h_n, c_n = h_n.squeeze(1), c_n.squeeze(1)
        return self._finish(output, packed, batched), (h_n, c_n)


# ---------------------------------------------------------------------- cells
class RNNCellBase(Module):
    """One step of a recurrent layer: ``weight_ih (G·H, in)``, ``weight_hh (G·H, H)``,
    ``bias_ih``, ``bias_hh``, all U(±1/√hidden_size)."""

    _kind = "rnn"

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device=None, dtype=None) -> None:
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        self.weight_ih = Parameter(_creation.empty(num_chunks * hidden_size, input_size, dtype=dtype))
        self.weight_hh = Parameter(_creation.empty(num_chunks * hidden_size, hidden_size, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(_creation.empty(num_chunks * hidden_size, dtype=dtype))
            self.bias_hh = Parameter(_creation.empty(num_chunks * hidden_size, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """torch's default: every weight and bias U(±1/√hidden_size)."""
        _uniform_init(self)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _batch(self, input, states):
        """Checks ranks and sizes (torch's messages); returns 2-D input and states."""
        name = type(self).__name__
        if input.ndim not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.ndim}D instead")
        for s in states:
            if s is not None and s.ndim not in (1, 2):
                raise ValueError(f"{name}: Expected hidden to be 1D or 2D, got {s.ndim}D instead")
        batched = input.ndim == 2
        x = input if batched else input.unsqueeze(0)
        if x.shape[1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {x.shape[1]} expected "
                               f"{self.input_size}")
        out = []
        for k, s in enumerate(states):
            if s is None:
                s = _creation.zeros(x.shape[0], self.hidden_size, dtype=x.dtype)
            elif not batched:
                s = s.unsqueeze(0)
            if s.shape[1] != self.hidden_size:
                raise RuntimeError(f"hidden{k} has inconsistent hidden_size: got {s.shape[1]}, "
                                   f"expected {self.hidden_size}")
            if s.shape[0] != x.shape[0]:
                raise RuntimeError(f"Input batch size {x.shape[0]} doesn't match hidden{k} batch "
                                   f"size {s.shape[0]}")
            out.append(s)
        return x, out, batched

    def _step(self, x, h, c=None, **options):
        return recurrent_layer(self._kind, x.unsqueeze(0), h, c, self.weight_ih, self.weight_hh,
                               self.bias_ih, self.bias_hh, cell=True, **options)


class RNNCell(RNNCellBase):
    """``h' = act(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)`` for one step.

    Example::

        >>> cell = ember.nn.RNNCell(3, 5)
        >>> cell(ember.randn(2, 3)).shape
        ember.Size([2, 5])
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=1, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        x, (h,), batched = self._batch(input, [hx])
        _, out, _ = self._step(x, h, activation=self.nonlinearity)
        return out if batched else out.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step; ``cell(x, (h, c))`` returns ``(h', c')``.

    Example::

        >>> cell = ember.nn.LSTMCell(3, 5)
        >>> h, c = cell(ember.randn(2, 3))
        >>> h.shape, c.shape
        (ember.Size([2, 5]), ember.Size([2, 5]))
    """

    _kind = "lstm"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=4, dtype=dtype)

    def forward(self, input, hx=None):
        states = [None, None] if hx is None else list(hx)
        x, (h, c), batched = self._batch(input, states)
        _, h1, c1 = self._step(x, h, c)
        return (h1, c1) if batched else (h1.squeeze(0), c1.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step (torch's gates ``r z n``).

    Example::

        >>> cell = ember.nn.GRUCell(3, 5)
        >>> cell(ember.randn(2, 3)).shape
        ember.Size([2, 5])
    """

    _kind = "gru"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=3, dtype=dtype)

    def forward(self, input, hx=None):
        x, (h,), batched = self._batch(input, [hx])
        _, out, _ = self._step(x, h)
        return out if batched else out.squeeze(0)
