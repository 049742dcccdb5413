"""``Node``: one call of a layer on symbolic tensors, the edge list of a functional model.

Calling a layer on ``KerasTensor``\\ s records a Node (the layer, the call's arguments, the output
tensors) in ``layer._inbound_nodes`` and stamps each output with its ``_keras_history``
(layer, node index, output index); ``keras.Model(inputs, outputs)`` walks these back from the
outputs to find its graph.
"""
from __future__ import annotations

from collections import namedtuple

from .. import _tree

__all__ = ["Node", "KerasHistory", "get_source_inputs", "is_symbolic"]

KerasHistory = namedtuple("KerasHistory", ["operation", "node_index", "tensor_index"])


def is_symbolic(x) -> bool:
    return getattr(x, "_keras_symbolic", False)


class Node:
    """A layer call in a graph: ``operation(*call_args, **call_kwargs) -> outputs``.

    Attributes:
        input_tensors: the KerasTensors among the arguments, in order.
        output_tensors: the outputs, flattened.
        parent_nodes: the nodes that produced ``input_tensors``.
    """

    def __init__(self, operation, call_args=(), call_kwargs=None, outputs=()):
        self.operation = operation
        self.call_args = tuple(call_args)
        self.call_kwargs = dict(call_kwargs or {})
        self.outputs = outputs
        self.input_tensors = [x for x in _tree.flatten((self.call_args, self.call_kwargs))
                              if is_symbolic(x)]
        self.output_tensors = _tree.flatten(outputs)
        index = len(operation._inbound_nodes)
        operation._inbound_nodes.append(self)
        for i, tensor in enumerate(self.output_tensors):
            tensor._keras_history = KerasHistory(operation, index, i)

    @property
    def parent_nodes(self) -> list:
        out = []
        for t in self.input_tensors:
            layer, node_index, _ = t._keras_history
            out.append(layer._inbound_nodes[node_index])
        return out

    @property
    def is_input(self) -> bool:
        return not self.input_tensors

    def __repr__(self):
        return f"<Node of {self.operation.name}, {len(self.input_tensors)} input(s)>"


def get_source_inputs(tensor) -> list:
    """The ``keras.Input`` tensors that ``tensor`` is computed from, each once, in the order the
    graph reaches them (``keras.utils.get_source_inputs``); a tensor with no recorded history
    comes back as it is.

    Example::

        >>> from ember import keras
        >>> a, b = keras.Input((3,)), keras.Input((3,))
        >>> out = keras.layers.Dense(2)(keras.layers.Add()([a, b]))
        >>> [t is a for t in keras.utils.get_source_inputs(out)]
        [True, False]
    """
    history = getattr(tensor, "_keras_history", None)
    if history is None:
        return tensor
    operation, node_index, _ = history
    if not operation or not operation._inbound_nodes:
        return [tensor]
    node = operation._inbound_nodes[node_index]
    if node.is_input:
        return list(node.output_tensors)
    sources = []
    for parent in node.input_tensors:
        for x in get_source_inputs(parent):
            if all(x is not seen for seen in sources):
                sources.append(x)
    return sources
