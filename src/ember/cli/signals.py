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
    after the block if one arrived. Outside the main thread, or where SIGINT is ignored (a
    background job started with ``nohup`` or ``&``), the block runs unchanged."""
    if threading.current_thread() is not threading.main_thread() \
            or signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
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
