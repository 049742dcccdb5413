"""Argument checks shared by the spatial functions (convolution, pooling, fold, resampling):
torch's rules for int-or-tuple arguments, ranks and the unbatched form.

Example::

    >>> ntuple(3, 2, "kernel_size")
    (3, 3)
"""
from __future__ import annotations

import builtins

import numpy as np

from ...ops import shape as _shape

__all__ = ["ntuple", "spatial_rank", "batched", "unbatch", "torch_size"]


def ntuple(value, n: int, name: str) -> tuple:
    """An int (repeated ``n`` times) or a sequence of ``n`` ints → a tuple of ``n`` Python ints."""
    if isinstance(value, (builtins.int, np.integer)) and not isinstance(value, builtins.bool):
        return (builtins.int(value),) * n
    try:
        out = tuple(builtins.int(v) for v in value)
    except TypeError:
        raise TypeError(f"{name} must be an int or a tuple of {n} ints, got {value!r}") from None
    if len(out) == 1:
        return out * n
    if len(out) != n:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} values "
                           f"to match the convolution dimensions, but got {name}={list(out)}")
    return out


def torch_size(shape) -> str:
    """``[2, 3, 4]``: how torch prints a size in its messages."""
    return str(list(shape))


def spatial_rank(x, dims: int, name: str, message: str | None = None) -> bool:
    """Checks that ``x`` has ``dims`` spatial axes, with or without a batch axis; returns
    True when it is batched. ``message`` overrides torch's conv-style error."""
    if x.ndim not in (dims + 1, dims + 2):
        raise RuntimeError(message or f"Expected {dims + 1}D (unbatched) or {dims + 2}D (batched) "
                                      f"input to {name}, but got input of size: "
                                      f"{torch_size(x.shape)}")
    return x.ndim == dims + 2


def batched(x, is_batched: bool):
    """Adds the batch axis to unbatched input (as torch does, through an unsqueeze node)."""
    return x if is_batched else _shape.unsqueeze(x, 0)


def unbatch(y, is_batched: bool):
    """Removes the batch axis that :func:`batched` added."""
    return y if is_batched else _shape.squeeze(y, 0)
