"""The ONNX converter of Keras's generic ``RNN`` layer: around one built-in cell
(``SimpleRNNCell``, ``GRUCell``, ``LSTMCell``) it is exported exactly as ``SimpleRNN``/``GRU``/
``LSTM`` (an ONNX recurrent node, or a ``Scan`` over the cell with a mask); a user's cell or a
stack of cells raises an error naming the layer.

Example::

    >>> model = keras.Sequential([keras.Input((5, 3)), keras.layers.RNN(keras.layers.GRUCell(4))])
    >>> model.export("model.onnx", format="onnx")
"""
from __future__ import annotations

from .. import onnx as _onnx
from . import _onnx_export as K
from . import layers as L

_KINDS = {L.SimpleRNNCell: "RNN", L.GRUCell: "GRU", L.LSTMCell: "LSTM"}
_BY_KIND = {kind: K.recurrent(kind) for kind in ("RNN", "GRU", "LSTM")}


def rnn(g, layer, inputs, shapes, kwargs):
    kind = _KINDS.get(type(layer.cell))
    if kind is None:
        K._refuse(layer, f"its cell is {type(layer.cell).__name__}; RNN is exported around "
                         f"SimpleRNNCell, GRUCell or LSTMCell")
    return _BY_KIND[kind](g, layer, inputs, shapes, kwargs)


rnn.takes_kwargs = rnn.keeps_none = True
K.CONVERTERS[L.RNN] = rnn
_onnx.register(L.RNN, rnn)
