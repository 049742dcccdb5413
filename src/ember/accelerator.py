"""``ember.accelerator``: torch's device-neutral accelerator API, with no accelerator present.

Example::

    >>> ember.accelerator.is_available(), ember.accelerator.current_accelerator()
    (False, None)
"""
from __future__ import annotations

__all__ = ["is_available", "current_accelerator", "device_count", "current_device_index",
           "current_device_idx", "set_device_index", "set_device_idx", "synchronize",
           "empty_cache", "memory_allocated", "max_memory_allocated", "memory_reserved",
           "max_memory_reserved", "reset_peak_memory_stats", "device_index"]

_NONE = "Cannot access accelerator device when none is available."


def is_available() -> bool:
    return False


def current_accelerator(check_available: bool = False):
    """None: there is no accelerator (torch returns None too)."""
    return None


def device_count() -> int:
    return 0


def _none(*args, **kwargs):
    raise RuntimeError(_NONE)


current_device_index = current_device_idx = set_device_index = set_device_idx = _none
synchronize = reset_peak_memory_stats = _none


def empty_cache() -> None:
    """Nothing to free."""


def memory_allocated(device_index=None) -> int:
    _none()


max_memory_allocated = memory_reserved = max_memory_reserved = memory_allocated


class device_index:
    """Context manager selecting an accelerator; ``device_index(None)`` does nothing."""

    def __init__(self, device, /) -> None:
        self.idx = device

    def __enter__(self):
        if self.idx is not None:
            _none()
        return self

    def __exit__(self, *exc) -> bool:
        return False
