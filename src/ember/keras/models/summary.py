"""The text of ``model.summary()``: Keras's box table and the parameter totals.

Sequential-like models get three columns (layer, output shape, parameters); a functional model
whose graph branches or merges gets a fourth, "Connected to" (``layer[node][tensor]``). Column
widths follow Keras: fractions of the line length (the terminal's width less 4, at most 88 or
108), shrunk evenly to fit, as the ``rich`` tables Keras prints do.

Example::

    >>> model.summary()
    Model: "sequential"
    ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
    ┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
    ...
"""
from __future__ import annotations

import shutil
import textwrap

from ..optimizers.schedules import LearningRateSchedule

__all__ = ["render"]


def _fmt_bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} GB"  # pragma: no cover


def _shape(shape) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ")"


def _layer_shape(layer) -> str:
    if layer._inbound_nodes:
        outputs = layer._inbound_nodes[-1].outputs
    else:
        try:
            outputs = layer.output_shape
        except NotImplementedError:
            return "?"
        if outputs is None:
            return "?"
    flat = _flat_shapes(outputs)
    if len(flat) == 1:
        return _shape(flat[0])
    return str(_map_shapes(outputs)).replace("'", "")


def _flat_shapes(x) -> list:
    if hasattr(x, "shape") and not isinstance(x, (tuple, list)):
        return [x.shape]
    if isinstance(x, (tuple, list)) and all(s is None or isinstance(s, int) for s in x):
        return [tuple(x)]
    return [s for v in (x.values() if isinstance(x, dict) else x) for s in _flat_shapes(v)]


def _map_shapes(x):
    if hasattr(x, "shape") and not isinstance(x, (tuple, list)):
        return _shape(x.shape)
    if isinstance(x, (tuple, list)) and all(s is None or isinstance(s, int) for s in x):
        return _shape(x)
    if isinstance(x, dict):
        return {k: _map_shapes(v) for k, v in x.items()}
    return type(x)(_map_shapes(v) for v in x)


def _sequential_like(model) -> bool:
    """Keras's test: no depth of the graph holds two nodes or a node with two inputs, and no
    layer is called twice."""
    by_depth = getattr(model, "_nodes_by_depth", None)
    if by_depth is None:
        return True
    for nodes in by_depth.values():
        if len(nodes) > 1 or (len(nodes) == 1 and len(nodes[0].input_tensors) > 1):
            return False
    ours = {id(n) for nodes in by_depth.values() for n in nodes}
    return all(sum(id(n) in ours for n in layer._inbound_nodes) <= 1 for layer in model.layers)


def _fit(text: str, width: int) -> str:
    """A word longer than its cell ends in an ellipsis, as rich's columns cut it."""
    return text if len(text) <= width else text[:max(width - 1, 0)] + "…"


def _widths(positions, line_length: int) -> list[int]:
    """Cell widths (padding included) as Keras computes them and rich shrinks them."""
    widths, current = [], 0
    for pos in positions:
        width = int(pos * line_length) - current
        widths.append(width + 2)
        current += width
    excess = sum(widths) - (line_length - len(widths) - 1)
    if excess > 0:  # rich's ratio_reduce with equal ratios
        remaining, ratio_left = excess, len(widths)
        for i, w in enumerate(widths):
            cut = min(w, round(remaining / ratio_left))
            widths[i] = w - cut
            remaining -= cut
            ratio_left -= 1
    return widths


def _connections(layer, model_nodes) -> str:
    out = []
    for node in layer._inbound_nodes:
        if id(node) not in model_nodes:
            continue
        for tensor in node.input_tensors:
            source, node_index, tensor_index = tensor._keras_history
            out.append(f"{source.name}[{node_index}][{tensor_index}]")
    return ", ".join(out) or "-"


def render(model, line_length=None, positions=None) -> str:
    sequential_like = _sequential_like(model)
    if sequential_like:
        default, positions = 88, positions or [0.45, 0.80, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #"]
        align = ["<", "<", ">"]
    else:
        default, positions = 108, positions or [0.3, 0.56, 0.74, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        align = ["<", "<", ">", "<"]
        model_nodes = {id(n) for nodes in model._nodes_by_depth.values() for n in nodes}
    line_length = line_length or min(default, shutil.get_terminal_size().columns - 4)
    widths = _widths(positions, line_length)

    def rule(left, cross, right, fill):
        return left + cross.join(fill * w for w in widths) + right

    def row(cells, bar="│"):
        wrapped = [[_fit(line, w - 2) for line in textwrap.wrap(
            c, w - 2, break_on_hyphens=False, break_long_words=False)] or [""]
            for c, w in zip(cells, widths)]
        lines = []
        for i in range(max(len(w) for w in wrapped)):
            parts = [f" {(w[i] if i < len(w) else ''):{a}{width - 2}} "
                     for w, a, width in zip(wrapped, align, widths)]
            lines.append(bar + bar.join(parts) + bar)
        return lines

    lines = [f'Model: "{model.name}"', rule("┏", "┳", "┓", "━"), *row(header, "┃"),
             rule("┡", "╇", "┩", "━")]
    layers = getattr(model, "operations", None) or model.layers  # a functional model's ops too
    for i, layer in enumerate(layers):
        if not layer.built:
            params = "0 (unbuilt)"
        else:
            params = f"{layer.count_params():,}"
        cells = [f"{layer.name} ({type(layer).__name__})", _layer_shape(layer), params]
        if not sequential_like:
            cells.append(_connections(layer, model_nodes))
        lines.extend(row(cells))
        if i < len(layers) - 1:
            lines.append(rule("├", "┼", "┤", "─"))
    lines.append(rule("└", "┴", "┘", "─"))
    trainable = sum(w._data.size for w in {id(w): w for w in model.trainable_weights}.values())
    non_trainable = sum(w._data.size for w in
                        {id(w): w for w in model.non_trainable_weights}.values())
    opt = model.optimizer
    opt_params = 0
    if opt is not None and getattr(opt, "built", False):
        opt_params = sum(a.size for a in opt.state_arrays().values())
        if not isinstance(opt._learning_rate, LearningRateSchedule):
            opt_params += 1  # Keras keeps a float learning rate in a variable and counts it
    total = trainable + non_trainable + opt_params
    lines.append(f" Total params: {total:,} ({_fmt_bytes(4 * total)})")
    lines.append(f" Trainable params: {trainable:,} ({_fmt_bytes(4 * trainable)})")
    lines.append(f" Non-trainable params: {non_trainable:,} ({_fmt_bytes(4 * non_trainable)})")
    if opt_params:
        lines.append(f" Optimizer params: {opt_params:,} ({_fmt_bytes(4 * opt_params)})")
    return "\n".join(lines)

