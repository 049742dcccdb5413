"""``Node``: one call of a layer on symbolic tensors, the edge list of a functional model.

Calling a layer on ``KerasTensor``\\ s records a Node (the layer, the call's arguments, the output
tensors) in ``layer._inbound_nodes`` and stamps each output with its ``_keras_history``
(layer, node index, output index); ``keras.Model(inputs, outputs)`` walks these back from the
outputs to find its graph.
"""
from __future__ import annotations

from collections import namedtuple

from .. import _tree

__all__ = ["Node", "KerasHistory", "is_symbolic"]

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
