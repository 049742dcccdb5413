"""Temporary files for the fuzz tests (one per example, always removed)."""
import contextlib
import os
import tempfile


@contextlib.contextmanager
def temp_file(data: bytes, suffix: str):
    """The path of a new file holding ``data``; removed afterwards."""
    handle, path = tempfile.mkstemp(suffix=suffix)
    try:
        with os.fdopen(handle, "wb") as f:
            f.write(data)
        yield path
    finally:
        os.unlink(path)
