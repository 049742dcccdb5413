"""Scratch arrays that a node keeps from forward to backward, recycled once the node lets go.

A recurrent layer keeps several ``(T, B, H)`` buffers per call; allocating them fresh every
training step costs more in page faults than the arithmetic they hold (the C library hands
large freed blocks back to the kernel). A :class:`Workspace` takes arrays from a small shared
free list and returns them there when it is garbage (the node released after ``backward()``,
or dropped at once under ``no_grad``). Only arrays that never leave the op may come from it.

Example::

    >>> from ember.ops._workspace import Workspace
    >>> ws = Workspace()
    >>> a = ws.empty((2, 3), "float32")
    >>> del ws                         # a is back on the free list (do not use it any more)
"""
from __future__ import annotations

import numpy as np

__all__ = ["Workspace"]

_FREE: dict = {}            # (shape, dtype) -> arrays
_FREE_BYTES = [0]
_LIMIT_BYTES = 256 * 2**20  # what the free list may hold at most
_PER_KEY = 4


class Workspace:
    """Hands out uninitialised arrays (like ``np.empty``) and takes them back on deletion."""

    __slots__ = ("_held",)

    def __init__(self) -> None:
        self._held = []

    def empty(self, shape, dtype) -> np.ndarray:
        key = (tuple(shape), np.dtype(dtype).str)
        free = _FREE.get(key)
        if free:
            arr = free.pop()
            _FREE_BYTES[0] -= arr.nbytes
        else:
            arr = np.empty(key[0], key[1])
        self._held.append(arr)
        return arr

    def __del__(self) -> None:
        for arr in self._held:
            if _FREE_BYTES[0] + arr.nbytes > _LIMIT_BYTES:
                break
            free = _FREE.setdefault((arr.shape, arr.dtype.str), [])
            if len(free) < _PER_KEY:
                free.append(arr)
                _FREE_BYTES[0] += arr.nbytes
        self._held = []
