"""Holding Ctrl-C back while a file that must stay consistent is being written, and while
an epoch runs (so that the epoch can be finished and saved before stopping).

Example::

    >>> with deferred_interrupts():
    ...     save_checkpoint(...)      # a Ctrl-C here is raised once the block is done
    >>> with interrupts_between_epochs() as pending:
    ...     train_one_epoch()
    ...     if pending():             # a first Ctrl-C waits for the epoch's end
    ...         save_checkpoint(...)
"""
from __future__ import annotations

import contextlib
import signal
import threading


@contextlib.contextmanager
def deferred_interrupts():
    """Runs the block with SIGINT recorded instead of raised; raises ``KeyboardInterrupt``
    after the block if one arrived. Outside the main thread, or where SIGINT is ignored (a
    background job started with ``nohup`` or ``&``), the block runs unchanged."""
    if not _can_hold():
        yield
        return
    received = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.default_int_handler)
        if received:
            raise KeyboardInterrupt


def _can_hold() -> bool:
    return threading.current_thread() is threading.main_thread() \
        and signal.getsignal(signal.SIGINT) is not signal.SIG_IGN


@contextlib.contextmanager
def interrupts_between_epochs():
    """Yields ``pending()``: True once a Ctrl-C arrived. The first Ctrl-C is only recorded, so
    the caller can finish its epoch, save it, and then stop; a second one raises
    ``KeyboardInterrupt`` at once. Where Ctrl-C cannot be held (see :func:`deferred_interrupts`),
    ``pending()`` is always False and Ctrl-C acts as usual."""
    if not _can_hold():
        yield lambda: False
        return
    received = []

    def handler(*_signal):
        received.append(True)
        if len(received) > 1:
            raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield lambda: bool(received)
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.default_int_handler)
