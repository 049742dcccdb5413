"""The error ``ember.io``'s readers raise for a file they cannot trust."""
from __future__ import annotations

__all__ = ["CorruptFileError"]


class CorruptFileError(ValueError):
    """A file is truncated, damaged, not a regular file, or not an ember/safetensors file ember
    can read (its message names the file and what is wrong); nothing was loaded.

    Example::

        >>> try:
        ...     ember.load("/dev/zero")
        ... except ember.io.CorruptFileError as error:
        ...     print(error)
        '/dev/zero' is a character device, not a file; give the path of a regular file
    """
