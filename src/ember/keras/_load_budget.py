"""How much a model file may make ``load_model`` allocate before its weights are checked.

A saved config says which layers to build, and building them allocates their weights (and, for
a layer that has no ``compute_output_shape``, runs it once on zeros of its input's shape). A few
edited bytes (``Dense(units=30000)``, an input of a billion features) would make that gigabytes.
While :func:`load_budget` is active, every weight a layer creates is counted against the number
of weight values the file holds, and each zeros input against the larger of that number and
``MIN_PROBE`` values: a config that asks for more is refused before anything is allocated.

Example::

    >>> with load_budget(n_values=1_000, source="model.keras"):
    ...     keras.layers.Dense(30000).build((None, 4))
    Traceback (most recent call last):
    ...
    ValueError: model.keras: layer 'dense' asks for a weight of shape (4, 30000) (120,000 values), ...
"""
from __future__ import annotations

import contextlib
import contextvars
import math

__all__ = ["load_budget", "take_weight", "check_probe", "MIN_PROBE"]

MIN_PROBE = 1 << 20  # zeros inputs of up to a million values are always allowed (4 MiB float32)

_ACTIVE: contextvars.ContextVar = contextvars.ContextVar("ember_keras_load_budget", default=None)


class _Budget:
    def __init__(self, n_values: int, source: str) -> None:
        self.total, self.left, self.source = n_values, n_values, source


@contextlib.contextmanager
def load_budget(n_values: int, source: str):
    """Within the block, the weights created may hold at most ``n_values`` values in all.

    Args:
        n_values: the number of weight values the file holds (summed over its arrays).
        source: the file, named in the error.
    """
    token = _ACTIVE.set(_Budget(int(n_values), str(source)))
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def _count(shape) -> int:
    return math.prod(max(int(s), 0) for s in shape)


def take_weight(shape, layer_name: str) -> None:
    """Counts a weight of ``shape`` that ``layer_name`` is about to create (no-op outside a
    :func:`load_budget` block); raises ``ValueError`` when the file cannot hold it."""
    budget = _ACTIVE.get()
    if budget is None:
        return
    need = _count(shape)
    if need > budget.left:
        raise ValueError(f"{budget.source}: layer '{layer_name}' asks for a weight of shape "
                         f"{tuple(shape)} ({need:,} values), more than the file's weights hold "
                         f"({budget.total:,} values in all); the saved config does not match the "
                         f"saved weights")
    budget.left -= need


def check_probe(shape, layer_name: str) -> None:
    """Refuses, within a :func:`load_budget` block, a zeros input of ``shape`` larger than the
    file's weights (or than ``MIN_PROBE`` values, whichever is more)."""
    budget = _ACTIVE.get()
    if budget is None:
        return
    need = _count(shape)
    if need > max(budget.total, MIN_PROBE):
        raise ValueError(f"{budget.source}: building layer '{layer_name}' would run it on an "
                         f"input of shape {tuple(shape)} ({need:,} values), far more than the "
                         f"file's weights hold ({budget.total:,} values); the saved config does "
                         f"not match the saved weights")
