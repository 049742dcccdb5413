"""Anomaly detection, as torch's autograd switches it (recorded; ember's engine already names
the failing op in its errors).

Example::

    >>> with ember.autograd.detect_anomaly():
    ...     ember.is_anomaly_enabled()
    True
"""
from __future__ import annotations

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled"]

_STATE = {"enabled": False, "check_nan": True}


def is_anomaly_enabled() -> bool:
    return _STATE["enabled"]


def is_anomaly_check_nan_enabled() -> bool:
    return _STATE["check_nan"]


class set_detect_anomaly:
    """Turns anomaly detection on or off (a function call or a context manager)."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = (_STATE["enabled"], _STATE["check_nan"])
        _STATE["enabled"], _STATE["check_nan"] = bool(mode), bool(check_nan)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> bool:
        _STATE["enabled"], _STATE["check_nan"] = self.prev
        return False


class detect_anomaly:
    """Context manager (and decorator) enabling anomaly detection inside its block."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan

    def __enter__(self):
        self.prev = (_STATE["enabled"], _STATE["check_nan"])
        _STATE["enabled"], _STATE["check_nan"] = True, self.check_nan
        return self

    def __exit__(self, *exc) -> bool:
        _STATE["enabled"], _STATE["check_nan"] = self.prev
        return False

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with detect_anomaly(self.check_nan):
                return fn(*args, **kwargs)
        return wrapper
