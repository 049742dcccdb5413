"""The command line's one error path: every user error is ONE line on stderr and exit status 2.

How a command reports a problem (``train``, ``predict`` … and any command added later):

* Raise :class:`CLIError` with one sentence naming the cause and what to do
  (``"--out runs/a already holds a run; give --overwrite to replace it"``).
* The library's documented errors for bad input need no wrapping: ``DataError``
  (``ember.datasets``), ``CorruptFileError`` and ``SchemaError`` (``ember.io``) are printed the
  same way (:data:`USER_ERRORS`).
* An ``OSError`` (missing file, permissions, disk full, read-only file system …) becomes one
  line naming the path and the remedy (:func:`os_error_message`); a ``MemoryError`` one line
  suggesting smaller sizes. Wrap a write with :func:`writing` to say what was being written.

``ember.cli.main.run_command`` applies all of this around a command's ``run(args)``; a new
command only registers itself in ``ember.cli.main.COMMANDS``. Every message is collapsed onto
one line before it is printed. Anything else (a bug) keeps its traceback.

Example::

    >>> with writing("the predictions", "out/p.csv"):
    ...     atomic_write_text("out/p.csv", text)   # ENOSPC -> CLIError: cannot write ...
"""
from __future__ import annotations

import contextlib
import errno

from ..datasets import DataError
from ..io import CorruptFileError, SchemaError

__all__ = ["CLIError", "USER_ERRORS", "os_error_message", "one_line", "writing"]


class CLIError(Exception):
    """Bad input from the user: printed as ``ember: error: <message>``, exit status 2."""

    def __init__(self, message: str, status: int = 2) -> None:
        super().__init__(message)
        self.status = status


USER_ERRORS = (CLIError, DataError, CorruptFileError, SchemaError)

_REMEDIES = {
    errno.EACCES: "permission denied; check its permissions or choose another location",
    errno.EPERM: "operation not permitted; check its permissions or choose another location",
    errno.ENOSPC: "no space left on the device; free some space or choose another location",
    errno.EDQUOT: "disk quota exceeded; free some space or choose another location",
    errno.EROFS: "the file system is read-only; choose another location",
    errno.EFBIG: "the file grew larger than this system allows; choose another location or "
                 "raise the file-size limit",
    errno.ENOENT: "no such file or folder; check the path",
    errno.ENOTDIR: "a part of the path is not a folder; check the path",
    errno.EISDIR: "it is a folder; give a file path",
    errno.ENAMETOOLONG: "the path is too long; choose a shorter one",
    errno.EMFILE: "too many open files; close other programs or raise the limit",
    errno.EIO: "an input/output error on the device; check the disk",
}


def os_error_message(exc: OSError, action: str | None = None) -> str:
    """One line for an ``OSError``: what failed, on which path, and what to do."""
    path = exc.filename if exc.filename is not None else None
    remedy = _REMEDIES.get(exc.errno) or (exc.strerror or str(exc) or type(exc).__name__)
    what = action or "file operation failed"
    return f"{what}{f' ({path})' if path is not None else ''}: {remedy}"


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (newlines, tabs) collapsed to one space."""
    return " ".join(str(text).split())


@contextlib.contextmanager
def writing(what: str, path):
    """Turns an ``OSError`` raised while writing ``what`` to ``path`` into a :class:`CLIError`
    naming ``path`` (not the temporary file an atomic write was using)."""
    try:
        yield
    except OSError as exc:
        exc.filename = str(path)
        raise CLIError(os_error_message(exc, f"cannot write {what}")) from None
