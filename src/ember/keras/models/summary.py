"""The text of ``model.summary()``: Keras's box table and the parameter totals."""
from __future__ import annotations

import textwrap

from ..optimizers.schedules import LearningRateSchedule

COLS = (33, 24, 15)


def _fmt_bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} GB"  # pragma: no cover


def _row(cells, bar="│") -> str:
    left, mid, right = cells
    return (f"{bar} {left:<{COLS[0] - 2}} {bar} {mid:<{COLS[1] - 2}} {bar} {right:>{COLS[2] - 2}} {bar}")


def _rule(left, cross, right, fill) -> str:
    return left + cross.join(fill * w for w in COLS) + right


def _shape(shape) -> str:
    if shape is None:
        return "?"
    return "(" + ", ".join("None" if s is None else str(s) for s in shape) + \
        ("," if len(shape) == 1 else "") + ")"


def render(model) -> str:
    lines = [f'Model: "{model.name}"',
             _rule("┏", "┳", "┓", "━"),
             _row(("Layer (type)", "Output Shape", "Param #"), "┃"),
             _rule("┡", "╇", "┩", "━")]
    for i, layer in enumerate(model.layers):
        params = layer.count_params() if layer.built else 0
        shape = _shape(layer.output_shape) if layer.built else "?"
        names = textwrap.wrap(f"{layer.name} ({type(layer).__name__})", COLS[0] - 2,
                              break_on_hyphens=False) or [""]
        lines.append(_row((names[0], shape, f"{params:,}" if layer.built else "0 (unbuilt)")))
        lines.extend(_row((extra, "", "")) for extra in names[1:])
        if i < len(model.layers) - 1:
            lines.append(_rule("├", "┼", "┤", "─"))
    lines.append(_rule("└", "┴", "┘", "─"))
    trainable = sum(w._data.size for w in model.trainable_weights)
    non_trainable = sum(w._data.size for w in model.non_trainable_weights)
    opt = model.optimizer
    opt_params = 0
    if opt is not None and opt.built:
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
