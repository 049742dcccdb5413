"""Holding Ctrl-C back while a file that must stay consistent is being written.

Example::

    >>> with deferred_interrupts():
    ...     save_checkpoint(...)      # a Ctrl-C here is raised once the block is done
"""
from __future__ import annotations

import contextlib
import signal
import threading


@contextlib.contextmanager
def deferred_interrupts():
    """Runs the block with SIGINT recorded instead of raised; raises ``KeyboardInterrupt``
    after the block if one arrived. Outside the main thread the block runs unchanged."""
    if threading.current_thread() is not threading.main_thread():
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
