"""Switches for gradient recording: ``no_grad``, ``enable_grad``, ``set_grad_enabled``."""
from __future__ import annotations

import functools
import threading

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "inference_mode",
           "is_inference_mode_enabled", "set_multithreading_enabled", "enforce_grad_layout_policy"]


class _State(threading.local):
    """Grad mode is per thread, as in torch: a no_grad block in a DataLoader worker thread
    never switches recording off for the training loop running beside it."""

    enabled = True
    inference = False


STATE = _State()


def is_grad_enabled() -> bool:
    """True when operations on tensors that require grad are being recorded."""
    return STATE.enabled


class _GradSwitch:
    """Base of the context managers; also usable as a decorator."""

    _mode = True

    def __enter__(self):
        self._prev = STATE.enabled
        STATE.enabled = self._mode
        return self

    def __exit__(self, *exc) -> None:
        STATE.enabled = self._prev

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)
        return wrapper


class no_grad(_GradSwitch):
    """Context manager and decorator that disables gradient recording.

    Example::

        >>> w = ember.ones(2, requires_grad=True)
        >>> (w * w).sum().backward()
        >>> with ember.no_grad():
        ...     w -= 0.1 * w.grad
        >>> w
        tensor([0.8000, 0.8000], requires_grad=True)
    """

    _mode = False


class enable_grad(_GradSwitch):
    """Context manager and decorator that enables gradient recording inside ``no_grad``."""

    _mode = True


class set_grad_enabled(_GradSwitch):
    """Sets gradient recording on or off, as a function call or a context manager."""

    def __init__(self, mode: bool) -> None:
        self._prev = STATE.enabled
        self._mode = bool(mode)
        STATE.enabled = self._mode

    def __enter__(self):
        return self

    def __call__(self, fn):
        mode = self._mode
        STATE.enabled = self._prev

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            prev = STATE.enabled
            STATE.enabled = mode
            try:
                return fn(*args, **kwargs)
            finally:
                STATE.enabled = prev
        return wrapper


class inference_mode(_GradSwitch):
    """``no_grad`` for inference (torch's faster variant; in ember the two are the same).

    Example::

        >>> with ember.inference_mode():
        ...     y = ember.ones(2, requires_grad=True) * 2
        >>> y.requires_grad, ember.is_inference_mode_enabled()
        (False, False)
    """

    def __init__(self, mode: bool = True) -> None:
        self._mode = not mode

    def __enter__(self):
        self._prev_inference = STATE.inference
        STATE.inference = not self._mode
        return super().__enter__()

    def __exit__(self, *exc) -> None:
        STATE.inference = self._prev_inference
        super().__exit__(*exc)

    def __call__(self, fn):
        mode = not self._mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with inference_mode(mode):
                return fn(*args, **kwargs)
        return wrapper


def is_inference_mode_enabled() -> bool:
    """True inside an ``inference_mode()`` block."""
    return STATE.inference


class _Switch:
    """An on/off switch of torch's engine that ember accepts (nothing to switch), usable as a
    context manager."""

    def __init__(self, mode: bool = True) -> None:
        self.mode = mode

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> bool:
        return False


class set_multithreading_enabled(_Switch):
    """Accepted: ember's backward pass runs on the calling thread."""


class enforce_grad_layout_policy(_Switch):
    """Accepted: ember's gradients are always contiguous."""

    def __init__(self, enable: bool = True) -> None:
        super().__init__(enable)
