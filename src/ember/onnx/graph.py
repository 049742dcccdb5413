"""``Graph``: the ONNX graph an export builds, one node at a time (names, initializers, nodes).

Converters (``torch_layers``, ``keras_layers``) call ``graph.op("Relu", x)`` and
``graph.const(array)``; ``graph.model(...)`` turns the result into an ``onnx.ModelProto``.
The ``onnx`` package is imported lazily (``ember.onnx._require``).

Example::

    >>> g = Graph(onnx_module, opset=17)
    >>> y = g.op("MatMul", "x", g.const(np.eye(3, dtype=np.float32)))
"""
from __future__ import annotations

import numpy as np


class ExportError(RuntimeError):
    """A model, layer or input that ``ember.onnx.export`` cannot write (the message names it)."""


class Graph:
    """Collects the nodes and initializers of one exported model.

    Args:
        onnx: the imported ``onnx`` module.
        opset: the ONNX opset the nodes are written for.
    """

    def __init__(self, onnx, opset: int) -> None:
        self.onnx, self.opset = onnx, opset
        self.nodes: list = []
        self.initializers: list = []
        self._count: dict = {}
        self.values: dict = {}  # id(tensor) -> the ONNX name of a traced tensor (see ``Tracer``)
        self.masks: dict = {}  # ONNX name of a value -> that of the Keras mask it carries
        self.input_masks: list = []  # the masks' names of the converted layer's inputs (Keras)
        self.call_args: tuple = ()  # the converted layer's positional arguments (tensors)
        self.alive: list = []  # tensors bound here by hooks, kept so that their ids stay unique

    def bind(self, tensor, name: str) -> None:
        """Names ``tensor`` (a value a hook found, e.g. a Keras mask) in the graph."""
        self.values[id(tensor)] = name
        self.alive.append(tensor)

    def value_of(self, tensor):
        """The ONNX name of a traced tensor (a graph input or a converted module's output), or
        None for a tensor the export has not seen (a constant, or one computed outside it)."""
        return self.values.get(id(tensor))

    def name(self, hint: str) -> str:
        """A fresh value name starting with ``hint``."""
        n = self._count.get(hint, 0)
        self._count[hint] = n + 1
        return hint if n == 0 else f"{hint}_{n}"

    def const(self, value, hint: str = "const", dtype=None) -> str:
        """An initializer holding ``value`` (a NumPy array or a number list)."""
        array = np.ascontiguousarray(np.asarray(value, dtype=dtype))
        name = self.name(hint)
        self.initializers.append(self.onnx.numpy_helper.from_array(array, name))
        return name

    def ints(self, values, hint: str = "shape") -> str:
        """An int64 initializer (shapes, axes, pads for ops that take them as inputs)."""
        return self.const(np.asarray(values, dtype=np.int64).reshape(-1), hint)

    def reduce(self, op_type: str, x: str, axes, keepdims: int = 1, hint: str | None = None) -> str:
        """``ReduceMean``/``ReduceSum``/... over ``axes``: the axes are an input from opset 18
        (ReduceSum's from 13), an attribute before."""
        axes = [int(a) for a in axes]
        if self.opset >= 18 or op_type == "ReduceSum":
            return self.op(op_type, x, self.ints(axes), keepdims=keepdims, hint=hint)
        return self.op(op_type, x, axes=axes, keepdims=keepdims, hint=hint)

    def op(self, op_type: str, *inputs: str, outputs: int = 1, hint: str | None = None, **attrs):
        """Appends one node; returns its output name (or a list of ``outputs`` names).

        An input given as ``""`` is an omitted optional input."""
        base = hint or op_type.lower()
        names = [self.name(base) for _ in range(outputs)]
        self.nodes.append(self.onnx.helper.make_node(op_type, list(inputs), names,
                                                     name=self.name(f"{op_type}_node"), **attrs))
        return names[0] if outputs == 1 else names

    def subgraph(self) -> "Graph":
        """A graph for a loop body (``Scan``): value names unique with this graph's, and its
        constants stored here (visible inside)."""
        body = Graph(self.onnx, self.opset)
        body._count, body.initializers = self._count, self.initializers
        return body

    def body(self, sub: "Graph", inputs: list, outputs: list, hint: str = "scan_body"):
        """The ``GraphProto`` of the subgraph ``sub`` with the given ``(name, element type)``
        inputs and outputs (shapes left to the runtime)."""
        info = self.onnx.helper.make_tensor_value_info
        return self.onnx.helper.make_graph(sub.nodes, self.name(hint),
                                           [info(n, e, None) for n, e in inputs],
                                           [info(n, e, None) for n, e in outputs])

    def model(self, inputs: list, outputs: list, producer: str):
        """The ``onnx.ModelProto`` with the given ``ValueInfoProto`` inputs and outputs."""
        helper = self.onnx.helper
        graph = helper.make_graph(self.nodes, "ember", inputs, outputs, self.initializers)
        model = helper.make_model(graph, producer_name="ember", producer_version=producer,
                                  opset_imports=[helper.make_opsetid("", self.opset)])
        model.ir_version = min(model.ir_version, 9)  # onnxruntime reads IR 9 everywhere
        return model


def prune(graph: Graph, outputs: list) -> None:
    """Drops the nodes and initializers that no output depends on (what a traced forward
    computed on the side: an activity regularizer's penalty, a value it printed)."""
    needed, kept = set(outputs), []
    for node in reversed(graph.nodes):
        if any(name in needed for name in node.output):
            kept.append(node)
            needed.update(_inputs(node))
    graph.nodes = kept[::-1]
    graph.initializers = [t for t in graph.initializers if t.name in needed]


def _inputs(node) -> set:
    """The names ``node`` reads, the outer values its subgraphs (Scan, Loop, If bodies) read
    included."""
    names = set(node.input)
    for attr in node.attribute:
        for sub in ([attr.g] if attr.HasField("g") else []) + list(attr.graphs):
            for inner in sub.node:
                names |= _inputs(inner)
    return names
