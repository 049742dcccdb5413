"""The graph of a functional model: the nodes between its inputs and outputs, their depths, and
its layers in Keras's order (deepest first, ties in the order met walking back from the outputs).

Example::

    >>> a = keras.Input((4,), name="a")
    >>> h = keras.layers.Dense(3, name="h")(a)
    >>> nodes, layers, _ = map_graph([a], [h])
    >>> [layer.name for layer in layers]
    ['a', 'h']
"""
from __future__ import annotations

__all__ = ["map_graph"]


def _path(outputs_struct_paths, index) -> str:
    return outputs_struct_paths[index] if outputs_struct_paths else ""


def map_graph(inputs, outputs, output_paths=None):
    """Returns ``(nodes, layers, nodes_by_depth)``: the nodes to run, in execution order
    (deepest first), the layers in Keras's ``model.layers`` order (input layers first), and
    every node of the graph (input nodes included) by depth.

    Raises:
        ValueError: an output depends on a tensor that is not computed from ``inputs``.
    """
    input_ids = {id(t) for t in inputs}
    finished, in_progress = set(), set()
    nodes_in_decreasing_depth, layer_indices = [], {}

    for index, output in enumerate(outputs):
        stack = [(output, False)]
        while stack:
            tensor, expanded = stack.pop()
            layer, node_index, _ = tensor._keras_history
            node = layer._inbound_nodes[node_index]
            if expanded:
                in_progress.discard(id(node))
                if id(node) not in finished:
                    finished.add(id(node))
                    nodes_in_decreasing_depth.append(node)
                continue
            if id(node) in finished:
                continue
            if id(node) in in_progress:
                raise ValueError(f"Tensor {tensor} from layer '{layer.name}' is part of a cycle.")
            layer_indices.setdefault(id(layer), (len(layer_indices), layer))
            stack.append((tensor, True))
            if id(tensor) in input_ids:
                continue
            if node.is_input:
                raise ValueError(
                    f"Output with path `{_path(output_paths, index)}` is not connected to "
                    f"`inputs`: it needs the input \"{layer.name}\" (shape={tensor.shape}), which "
                    f"is not one of the model's inputs "
                    f"{[t._keras_history.operation.name for t in inputs]}.")
            in_progress.add(id(node))
            for parent in reversed(node.input_tensors):
                stack.append((parent, False))

    node_depth, layer_depth = {}, {}
    for node in reversed(nodes_in_decreasing_depth):
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(node.operation), 0))
        layer_depth[id(node.operation)] = depth
        node_depth[id(node)] = depth
        for parent in node.parent_nodes:
            node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    for tensor in inputs:  # inputs that no output uses still belong to the model
        layer = tensor._keras_history.operation
        if id(layer) not in layer_depth:
            layer_depth[id(layer)] = 0
            layer_indices[id(layer)] = (-1, layer)

    by_depth: dict[int, list] = {}
    for key, depth in layer_depth.items():
        by_depth.setdefault(depth, []).append(layer_indices[key])
    layers = [layer for depth in sorted(by_depth, reverse=True)
              for _, layer in sorted(by_depth[depth], key=lambda p: p[0])]
    nodes_by_depth: dict[int, list] = {}
    for node in nodes_in_decreasing_depth:
        nodes_by_depth.setdefault(node_depth[id(node)], []).append(node)
    # the nodes that produce the inputs do not run: the model is given their values
    producers = {id(t._keras_history.operation._inbound_nodes[t._keras_history.node_index])
                 for t in inputs}
    nodes = sorted((n for n in nodes_in_decreasing_depth if id(n) not in producers),
                   key=lambda n: -node_depth[id(n)])
    return nodes, layers, nodes_by_depth
