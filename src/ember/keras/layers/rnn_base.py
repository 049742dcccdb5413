"""Keras's ``RNN`` layer around any cell, and ``StackedRNNCells``.

``RNN(cell)`` walks the time axis of ``(batch, time, features)`` with ``cell``: a built-in cell
(``SimpleRNNCell``, ``LSTMCell``, ``GRUCell``) runs the whole sequence as one ember node
(:meth:`run`); any other cell, a layer with a ``state_size`` and ``call(inputs, states)``
returning ``(output, new_states)``, is called once per step, as Keras 3's loop does: a masked
step keeps the previous states and output (zeros with ``zero_output_for_mask``). A list of
cells is stacked (:class:`StackedRNNCells`).

Example::

    >>> import numpy as np
    >>> from ember import keras
    >>> layer = keras.layers.RNN([keras.layers.LSTMCell(4), keras.layers.GRUCell(3)],
    ...                          return_sequences=True)
    >>> layer(np.zeros((2, 5, 6), np.float32)).shape
    ember.Size([2, 5, 3])
"""
from __future__ import annotations

import numpy as np

from ..._tensor import Tensor
from ...ops.elementwise import where
from ...ops.shape import flip, stack
from .. import _tree
from ..saving.serialization import deserialize_keras_object, serialize_keras_object
from .base import Layer

__all__ = ["RNN", "StackedRNNCells"]


def _check_cell(cell, what: str = "cell") -> None:
    if "call" not in dir(cell):
        raise ValueError(f"Argument `{what}` should have a `call` method. Received: {what}={cell}")
    if "state_size" not in dir(cell):
        raise ValueError(f"The RNN cell should have a `state_size` attribute (single integer or "
                         f"list of integers, one integer per RNN state). Received: {what}={cell}")


def _output_size(cell) -> int:
    size = getattr(cell, "output_size", None)
    if size is not None:
        return size
    state = cell.state_size
    return state[0] if isinstance(state, (list, tuple)) else state


def _zero_states(state_size, batch: int, dtype) -> list:
    """Zeros ``(batch, d)`` for each entry of ``state_size`` (nested as it is)."""
    sizes = state_size if isinstance(state_size, (list, tuple)) else [state_size]
    return [_zero_states(d, batch, dtype) if isinstance(d, (list, tuple))
            else Tensor._make(np.zeros((batch, d), dtype)) for d in sizes]


def _zeros_like(t):
    return Tensor._make(np.zeros(t.shape, t._data.dtype))


def _call_cell(cell, inputs, states, training):
    if isinstance(cell, Layer) and cell._accepts_training():
        return cell(inputs, states, training=training)
    return cell(inputs, states) if callable(cell) else cell.call(inputs, states)


class StackedRNNCells(Layer):
    """Cells applied one after another at each step, as one cell: the output of each is the
    input of the next; the states are the cells' states, one entry per cell.

    Example::

        >>> import numpy as np
        >>> from ember import keras
        >>> cells = keras.layers.StackedRNNCells([keras.layers.SimpleRNNCell(4),
        ...                                       keras.layers.LSTMCell(2)])
        >>> cells.state_size, cells.output_size
        ([4, [2, 2]], 2)
    """

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        for cell in cells:
            _check_cell(cell)
        self.cells = list(cells)

    @property
    def state_size(self):
        return [c.state_size for c in self.cells]

    @property
    def output_size(self):
        return _output_size(self.cells[-1])

    def get_initial_state(self, batch_size=None):
        out = []
        for cell in self.cells:
            fn = getattr(cell, "get_initial_state", None)
            if fn is not None:
                out.append(fn(batch_size=batch_size))
            elif isinstance(cell.state_size, int):
                out.append(_zero_states(cell.state_size, batch_size, np.float32)[0])
            else:
                out.append(_zero_states(cell.state_size, batch_size, np.float32))
        return out

    def build(self, input_shape):
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell.build(input_shape)
                cell.built = True
            input_shape = (_tree.flatten(input_shape)[0], _output_size(cell))

    def call(self, inputs, states, training=False):
        new_states = []
        for cell, state in zip(self.cells, states):
            was_list = _tree.is_nested(state)
            state = list(state) if was_list else [state]
            inputs, state = _call_cell(cell, inputs, state, training)
            state = list(state) if _tree.is_nested(state) else [state]
            new_states.append(state if was_list or len(state) != 1 else state[0])
        return inputs, (new_states[0] if len(new_states) == 1 else new_states)

    def get_config(self):
        return {**super().get_config(),
                "cells": [serialize_keras_object(cell) for cell in self.cells]}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        return cls([deserialize_keras_object(c) for c in config.pop("cells")], **config)


class RNN(Layer):
    """A recurrent layer over ``(batch, time, features)`` from a cell (Keras 3's ``RNN``).

    Args:
        cell: a cell (a layer with ``state_size``, optional ``output_size`` and
            ``get_initial_state``, and ``call(inputs, states)`` returning ``(output,
            new_states)``), or a list of cells (stacked).
        return_sequences: every step's output ``(B, T, output_size)`` rather than the last.
        return_state: also return the final states. go_backwards: walk the steps in reverse
            (the outputs come in the order walked, as Keras).
        zero_output_for_mask: zeros, not the previous output, at masked steps.
        stateful, unroll: ``stateful=True`` is refused; ``unroll`` changes nothing here.

    Example::

        >>> import numpy as np
        >>> from ember import keras
        >>> out, h, c = keras.layers.RNN(keras.layers.LSTMCell(8), return_state=True)(
        ...     np.zeros((2, 5, 3), np.float32))
        >>> out.shape, c.shape
        (ember.Size([2, 8]), ember.Size([2, 8]))
    """

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        _check_cell(cell)
        if stateful:
            raise NotImplementedError("ember.keras recurrent layers do not support "
                                      "stateful=True")
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards, self.stateful, self.unroll = bool(go_backwards), False, bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        size = getattr(cell, "state_size", None)
        if size is None:
            raise ValueError("state_size must be specified.")
        self.state_size = list(size) if isinstance(size, (list, tuple)) else [size]
        self.input_ndim = 3  # (batch, time, features); a convolutional cell's steps have more

    def _check_ndim(self, shape) -> None:
        if len(shape) != self.input_ndim:
            raise ValueError(f"Input 0 of layer \"{self.name}\" is incompatible with the layer: "
                             f"expected ndim={self.input_ndim}, found ndim={len(shape)}. Full "
                             f"shape received: {tuple(shape)}")

    def build(self, sequences_shape, initial_state_shape=None):
        self._check_ndim(sequences_shape)
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell.build((sequences_shape[0],) + tuple(sequences_shape[2:]))
            self.cell.built = True
            for w in self.cell.weights:  # Keras's path: built inside this layer's scope
                w.path = f"{self.name}/{w.path}"

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch = sequences_shape[0]
        states = [[(batch, s) for s in size] if isinstance(size, (list, tuple)) else (batch, size)
                  for size in self.state_size]
        size = _output_size(self.cell)
        out = (batch, sequences_shape[1], size) if self.return_sequences else (batch, size)
        return (out, *states) if self.return_state else out

    def compute_mask(self, _, mask):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        out = mask if self.return_sequences else None
        return [out] + [None] * len(self.state_size) if self.return_state else out

    def get_initial_state(self, batch_size):
        fn = getattr(self.cell, "get_initial_state", None)
        if fn is None:
            return _zero_states(self.state_size, batch_size, np.float32)
        state = fn(batch_size=batch_size)
        return list(state) if _tree.is_nested(state) else [state]

    def call(self, sequences, initial_state=None, mask=None, training=False):
        self._check_ndim(sequences.shape)
        batch, steps = sequences.shape[0], sequences.shape[1]
        if mask is not None:
            shape = tuple(getattr(mask, "shape", np.shape(mask)))
            if shape != (batch, steps):
                raise ValueError(f"The mask of layer \"{self.name}\" must have shape (batch, "
                                 f"timesteps)=({batch}, {steps}); received mask.shape={shape}")
        if initial_state is None:
            dtype = sequences._data.dtype
            states = _tree.map_structure(lambda s: Tensor._make(s._data.astype(dtype)),
                                         self.get_initial_state(batch))
        else:
            states = list(initial_state) if _tree.is_nested(initial_state) else [initial_state]
        fused = getattr(self.cell, "_fused_ok", None)
        if fused is not None and fused():  # a built-in cell: the whole sequence as one node
            y, states = self.cell.run(sequences, states, mask=mask, training=training,
                                      go_backwards=self.go_backwards,
                                      zero_output_for_mask=self.zero_output_for_mask)
            outputs, last = y.transpose(0, 1), (y[0] if self.go_backwards else y[-1])
            if self.go_backwards and self.return_sequences:
                outputs = flip(outputs, (1,))  # Keras returns the steps in the order walked
        else:
            last, outputs, states = self._loop(sequences, states, mask, training)
        output = outputs if self.return_sequences else last
        return (output, *states) if self.return_state else output

    def _loop(self, sequences, states, mask, training):
        """Keras's step loop: ``(last output, outputs (B, T, ·) in the order walked, states)``."""
        steps = range(sequences.shape[1])
        order = list(reversed(steps)) if self.go_backwards else list(steps)
        keep = None if mask is None else Tensor._make(
            np.asarray(getattr(mask, "_data", mask), bool))
        outputs = []
        for t in order:
            out, new = _call_cell(self.cell, sequences[:, t], states, training)
            new = list(new) if _tree.is_nested(new) else [new]
            if keep is not None:
                k = keep[:, t].reshape((-1,) + (1,) * (out.ndim - 1))
                prev = outputs[-1] if outputs else _zeros_like(out)
                out = where(k, out, prev)
                flat = [where(k, n, s) for n, s in zip(_tree.flatten(new), _tree.flatten(states))]
                new = _tree.pack_sequence_as(states, flat)
            outputs.append(out)
            states = new
        seq = stack(outputs, 1)
        last = outputs[-1]
        if keep is not None and self.zero_output_for_mask:
            walked = keep[:, order[-1]].reshape((-1,) + (1,) * (last.ndim - 1))
            last = where(walked, last, _zeros_like(last))
            walked_order = keep if not self.go_backwards else flip(keep, (1,))
            seq = where(walked_order.reshape(tuple(keep.shape) + (1,) * (seq.ndim - 2)), seq,
                        _zeros_like(seq))
        return last, seq, states

    def get_config(self):
        return {**super().get_config(), "cell": serialize_keras_object(self.cell),
                "return_sequences": self.return_sequences, "return_state": self.return_state,
                "go_backwards": self.go_backwards, "stateful": self.stateful,
                "unroll": self.unroll, "zero_output_for_mask": self.zero_output_for_mask}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        return cls(deserialize_keras_object(config.pop("cell")), **config)
