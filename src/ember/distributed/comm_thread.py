"""A communication thread: blocking MPI collectives run on it, in the order they were submitted,
while the submitting thread goes on computing (NumPy and mpi4py both release the GIL).

Why a thread and not MPI's non-blocking calls: Open MPI's blocking collectives pick tuned
algorithms (a 7.5 MB float32 ``Allreduce`` between two processes on one host takes about 2 ms),
while its non-blocking ones (``Iallreduce``, libnbc) are several times slower on large buffers
and only progress while the caller is inside MPI. The thread keeps the blocking speed, lets the
collective overlap the caller's work, and the caller still waits with a timeout, so a rank that
never arrives makes the others raise instead of hanging forever.

Example::

    thread = CommThread(comm)                 # comm: an mpi4py communicator (a Dup of world)
    job = thread.submit(lambda: comm.Allreduce(MPI.IN_PLACE, buf))
    ...                                       # compute while it runs
    job.wait(60.0, on_timeout)                # re-raises the collective's error, if any
"""
from __future__ import annotations

import queue
import threading

__all__ = ["CommThread", "Job"]


class Job:
    """One submitted call: ``wait`` blocks until it has run (or the timeout passes)."""

    __slots__ = ("fn", "done", "error")

    def __init__(self, fn) -> None:
        self.fn = fn
        self.done = threading.Event()
        self.error = None

    def is_completed(self) -> bool:
        return self.done.is_set()

    def wait(self, timeout_s: float, on_timeout) -> None:
        """Waits up to ``timeout_s`` seconds; then raises ``on_timeout()`` (an exception)."""
        if not self.done.wait(timeout_s):
            raise on_timeout()
        if self.error is not None:
            raise self.error


class CommThread:
    """A daemon thread that runs submitted callables one after another (FIFO).

    Every rank must submit its collectives in the same order, as with any MPI communicator; the
    communicator the thread uses should be its own (``comm.Dup()``) so collectives the main
    thread runs meanwhile on another communicator cannot interleave with the thread's.
    """

    def __init__(self, name: str = "ember-comm") -> None:
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def submit(self, fn) -> Job:
        """Queues ``fn()`` to run on the thread; returns its :class:`Job`."""
        job = Job(fn)
        self._jobs.put(job)
        return job

    def close(self, timeout_s: float = 5.0) -> bool:
        """Ends the thread once the jobs already queued have run; returns whether it ended
        within ``timeout_s`` seconds (a collective a rank never joined keeps it waiting)."""
        self._jobs.put(None)
        self._thread.join(timeout_s)
        return not self._thread.is_alive()

    def _loop(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            try:
                job.fn()
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
                job.error = exc
            job.done.set()
