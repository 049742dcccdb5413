"""The model summary table: each layer, its output shape and its parameter count.

Example output::

    #  layer                          output shape  params
    0  Linear(64 → 128)               (N, 128)       8,320
    1  ReLU                           (N, 128)           0
"""
from __future__ import annotations

import numpy as np

import ember

from .. import nn


def _describe(layer) -> str:
    name = type(layer).__name__
    if isinstance(layer, nn.Linear):
        return f"{name}({layer.in_features} → {layer.out_features})"
    if isinstance(layer, (nn.BatchNorm1d, nn.BatchNorm2d)):
        return f"{name}({layer.num_features})"
    if isinstance(layer, nn.Conv2d):
        k = "×".join(map(str, layer.kernel_size))
        return f"{name}({layer.in_channels} → {layer.out_channels}, {k})"
    if isinstance(layer, nn.MaxPool2d):
        return f"{name}({layer.kernel_size})"
    if isinstance(layer, nn.Unflatten):
        return f"{name}({'×'.join(map(str, layer.unflattened_size))})"
    if isinstance(layer, nn.Dropout):
        return f"{name}(p={layer.p})"
    return name


def model_rows(model, n_in: int) -> list:
    """``[{"index", "layer", "shape", "params"}]`` for a Sequential, found by a dummy forward pass."""
    was_training = model.training
    model.eval()
    rows = []
    x = ember.zeros(2, n_in)
    with ember.no_grad():
        for index, layer in enumerate(model.children()):
            x = layer(x)
            params = sum(int(np.prod(p.shape)) for p in layer.parameters())
            shape = "(N, " + ", ".join(str(d) for d in x.shape[1:]) + ")"
            rows.append({"index": index, "layer": _describe(layer), "shape": shape, "params": params})
    model.train(was_training)
    return rows


def format_table(rows: list) -> str:
    """The rows as an aligned plain-text table with a total line."""
    width = max([len(r["layer"]) for r in rows] + [5])
    lines = [f"{'#':>2}  {'layer':<{width}}  {'output shape':<14}{'params':>10}"]
    for r in rows:
        lines.append(f"{r['index']:>2}  {r['layer']:<{width}}  {r['shape']:<14}{r['params']:>10,}")
    total = sum(r["params"] for r in rows)
    lines.append(f"{'':>2}  {'total':<{width}}  {'':<14}{total:>10,}")
    return "\n".join(lines)
