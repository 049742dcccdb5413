"""``ember.cpu``: torch's ``cpu`` device module (the one device ember has).

Example::

    >>> ember.cpu.is_available(), ember.cpu.device_count(), ember.cpu.current_device()
    (True, 1, 'cpu')
"""
from __future__ import annotations

import functools
import types

from . import amp as _amp

__all__ = ["is_available", "device_count", "current_device", "synchronize", "set_device",
           "current_stream", "amp"]


def is_available() -> bool:
    return True


def device_count() -> int:
    return 1


def current_device() -> str:
    return "cpu"


def synchronize(device=None) -> None:
    """Nothing to wait for: CPU work is done when the call returns."""


def set_device(device) -> None:
    """Does nothing, as torch's."""


def current_stream(device=None):
    return None


amp = types.SimpleNamespace(autocast=functools.partial(_amp.autocast, "cpu"),
                            GradScaler=functools.partial(_amp.GradScaler, "cpu"))
