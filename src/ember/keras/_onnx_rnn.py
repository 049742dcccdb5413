"""The ONNX converter of Keras's generic ``RNN`` layer: around one built-in cell
(``SimpleRNNCell``, ``GRUCell``, ``LSTMCell``) it is exported exactly as ``SimpleRNN``/``GRU``/
``LSTM`` (an ONNX recurrent node, or a ``Scan`` over the cell with a mask). Around
``StackedRNNCells`` of built-in cells it is one such node per cell, each walking the whole
sequence of the previous one's outputs: stacking cells step by step computes what stacking
their layers does (a masked step leaves every cell's state as it was). A user's cell raises an
error naming the layer.

Example::

    >>> model = keras.Sequential([keras.Input((5, 3)), keras.layers.RNN(keras.layers.GRUCell(4))])
    >>> model.export("model.onnx", format="onnx")
    >>> stacked = keras.layers.RNN([keras.layers.LSTMCell(4), keras.layers.GRUCell(2)])
"""
from __future__ import annotations

from .. import onnx as _onnx
from .._tensor import Tensor
from ..onnx.recurrent import flip_steps
from ..onnx.trace import flatten
from . import _onnx_export as K
from . import layers as L

_KINDS = {L.SimpleRNNCell: "RNN", L.GRUCell: "GRU", L.LSTMCell: "LSTM"}
_BY_KIND = {kind: K.recurrent(kind) for kind in ("RNN", "GRU", "LSTM")}


def _kind(layer, cell) -> str:
    kind = _KINDS.get(type(cell))
    if kind is None:
        K._refuse(layer, f"its cell is {type(cell).__name__}; RNN is exported around "
                         f"SimpleRNNCell, GRUCell or LSTMCell, or StackedRNNCells of them")
    return kind


class _OneCell:
    """One cell of a stack seen by the recurrent converters as a one-cell ``RNN`` layer
    (their errors then name the stack's layer)."""

    def __init__(self, layer, cell, last: bool) -> None:
        self.name, self.cell, self.stateful = layer.name, cell, False
        self.go_backwards = layer.go_backwards
        self.return_sequences = layer.return_sequences if last else True
        self.return_state = layer.return_state
        self.zero_output_for_mask = layer.zero_output_for_mask


_OneCell.__name__ = "RNN"


def _stacked_initial_states(g, layer, inputs, kwargs) -> list:
    """The ONNX names of a stack's initial states, flat in the cells' order ([] if none)."""
    given = kwargs.get("initial_state")
    if given is None:
        return [] if len(inputs) < 2 or inputs[1] is None else flatten(inputs[1])
    names = [g.value_of(t) if isinstance(t, Tensor) else None for t in flatten(given)]
    if any(n is None for n in names):
        K._refuse(layer, "its initial_state is computed outside the exported layers; pass it "
                         "as an input of the model")
    return names


def _stacked(g, layer, inputs, kwargs):
    cells = layer.cell.cells
    kinds = [_kind(layer, cell) for cell in cells]
    counts = [2 if kind == "LSTM" else 1 for kind in kinds]
    initial = _stacked_initial_states(g, layer, inputs, kwargs)
    if initial and len(initial) != sum(counts):
        K._refuse(layer, f"{len(initial)} initial states for cells with {sum(counts)}")
    x, states, start = inputs[0], [], 0
    for i, (cell, kind, count) in enumerate(zip(cells, kinds, counts)):
        last = i == len(cells) - 1
        view = _OneCell(layer, cell, last)
        given = initial[start:start + count] or None
        start += count
        out = _BY_KIND[kind](g, view, [x, given], None, {"mask": kwargs.get("mask")})
        out = list(out) if view.return_state else [out]
        x, states = out[0], states + out[1:]
        if not last and layer.go_backwards:  # back to time order for the next cell's walk
            x = flip_steps(g, x, 1)
    return (x, *states) if layer.return_state else x


def rnn(g, layer, inputs, shapes, kwargs):
    if isinstance(layer.cell, L.StackedRNNCells):
        return _stacked(g, layer, inputs, kwargs)
    return _BY_KIND[_kind(layer, layer.cell)](g, layer, inputs, shapes, kwargs)


rnn.takes_kwargs = rnn.keeps_none = True
K.CONVERTERS[L.RNN] = rnn
_onnx.register(L.RNN, rnn)

