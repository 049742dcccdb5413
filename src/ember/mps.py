"""``ember.mps``: torch's Apple-GPU module, with no Apple GPU present.

Example::

    >>> ember.mps.device_count()
    0
"""
from __future__ import annotations

__all__ = ["device_count", "synchronize", "empty_cache", "manual_seed", "seed",
           "current_allocated_memory", "driver_allocated_memory"]


def device_count() -> int:
    return 0


def synchronize() -> None:
    raise RuntimeError("Cannot execute deviceSynchronize() without MPS backend.")


def empty_cache() -> None:
    """Nothing to free."""


def manual_seed(seed: int) -> None:
    """Does nothing (no MPS generator)."""


def seed() -> None:
    """Does nothing."""


def current_allocated_memory() -> int:
    return 0


driver_allocated_memory = current_allocated_memory
