"""Reading untrusted files without trusting them: regular files only, sizes checked before
anything is allocated, JSON with a bounded nesting depth.

Every reader in ember (``ember.load``, checkpoints, run folders, config files, CSV files) opens
its file with :func:`open_regular` and parses JSON with :func:`loads_json`, so that

* a FIFO, a device (``/dev/zero``), a socket or a folder is refused at once instead of hanging
  or reading until memory runs out;
* a file is never read past what its own size (or its header) announces;
* a JSON text nested deeper than ``max_depth`` is refused before it is parsed, so neither the
  parser nor the code walking the result can hit Python's recursion limit.

Each function takes the error class to raise (``CorruptFileError`` for saved files,
``DataError`` for data …), so every caller keeps its one documented error type.

Example::

    >>> with open_regular("model.safetensors", CorruptFileError) as handle:
    ...     raw = handle.read()
    >>> loads_json('{"a": [1, 2]}', "config.json", ValueError)
    {'a': [1, 2]}
"""
from __future__ import annotations

import json
import os
import stat

import numpy as np

__all__ = ["open_regular", "read_exact", "read_at_most", "loads_json", "json_depth", "json_census", "memory_budget",
           "MAX_JSON_DEPTH"]

MAX_JSON_DEPTH = 64

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))


def _kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def open_regular(path, error: type, what: str = "file"):
    """Opens ``path`` for binary reading, refusing anything but a regular file.

    The file is opened without blocking (so a FIFO with no writer cannot hang) and checked
    with ``fstat`` on the open descriptor (so it cannot be swapped in between).

    Raises:
        FileNotFoundError, PermissionError: as ``open`` does.
        error: ``path`` is a folder, FIFO, device or socket.
    """
    path = os.fspath(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) \
        | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except IsADirectoryError:
        raise error(f"{path!r} is a folder, not a {what}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise error(f"{path!r} is {_kind(mode)}, not a {what}; give the path of a regular {what}")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_exact(handle, size: int, error: type, name: str, what: str = "data",
               available: bool = False) -> bytearray:
    """Reads exactly ``size`` bytes into a fresh, writable buffer.

    With ``available`` (the caller checked that the file holds them) the buffer is allocated
    once and filled in place; otherwise the stream is read in chunks, so a stream that ends
    early is reported without first allocating what it only claimed to hold.

    Raises:
        error: the stream ends before ``size`` bytes.
    """
    if available:
        data = bytearray(size)
        view, done = memoryview(data), 0
        while done < size:
            got = handle.readinto(view[done:])
            if not got:
                break
            done += got
        view.release()
        if done == size:
            return data
        got = done
    else:
        parts, got, chunk = [], 0, 1 << 24
        while got < size:
            part = handle.read(min(chunk, size - got))
            if not part:
                break
            parts.append(part)
            got += len(part)
        if got == size:
            return bytearray().join(parts) if len(parts) != 1 else bytearray(parts[0])
    raise error(f"{name} is truncated: {what} of {size} bytes expected, only {got} found")


def read_at_most(handle, limit: int) -> bytes:
    """Up to ``limit + 1`` bytes of an open regular file (one more than ``limit`` tells the
    caller the file is too large), allocating no more than the file holds: ``read(n)`` sets
    aside ``n`` bytes at once, so a 1 KiB file read with a 64 MiB limit would take 64 MiB.

    Example::

        >>> with open_regular("config.json", ValueError) as handle:
        ...     raw = read_at_most(handle, 1 << 20)
    """
    size = os.fstat(handle.fileno()).st_size
    return handle.read(min(size, limit) + 1)


_OPEN, _CLOSE = np.zeros(256, np.int8), np.zeros(256, np.int8)
_OPEN[[ord("["), ord("{")]] = 1
_CLOSE[[ord("]"), ord("}")]] = 1
_QUOTE, _BACKSLASH = ord('"'), ord("\\")
_CHUNK = 1 << 14  # bytes scanned at once: the scratch memory stays a few MiB for any text


def _scan(text):
    """Per chunk of a JSON text: ``(bytes, depth after each byte, inside a string)``, computed
    with NumPy over chunks of :data:`_CHUNK` bytes (strings and escapes followed across them)."""
    codes = np.frombuffer(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text, np.uint8)
    depth = quotes = 0
    backslashes = 0  # consecutive backslashes at the end of the previous chunk
    for start in range(0, len(codes), _CHUNK):
        part = codes[start:start + _CHUNK]
        index = np.arange(len(part))
        # the last index at or before i that is not a backslash (before the chunk: -1 - run)
        last_plain = np.maximum.accumulate(np.where(part == _BACKSLASH, -1 - backslashes, index))
        run = index - last_plain  # backslashes ending at i
        before = np.concatenate(([backslashes], run[:-1]))
        real_quote = (part == _QUOTE) & (before % 2 == 0)  # a quote no backslash escapes
        in_string = (quotes + np.cumsum(real_quote)) % 2 == 1
        steps = np.where(in_string, 0, _OPEN[part].astype(np.int64) - _CLOSE[part])
        running = np.cumsum(steps) + depth
        yield part, running, in_string
        depth, quotes, backslashes = int(running[-1]), quotes + int(real_quote.sum()), int(run[-1])


def json_depth(text) -> int:
    """The deepest nesting of ``[``/``{`` in a JSON text, without parsing it (strings skipped).

    Runs in linear time with NumPy over chunks of the text, so its scratch memory is a few MiB
    whatever the text's length, depth or escapes (a regular expression over strings kept
    backtracking state per character: a hundred times the text's size).

    Example::

        >>> json_depth('{"a": [1, "]]]"]}')
        2
    """
    if isinstance(text, str) and "[" not in text and "{" not in text:
        return 0
    deepest = 0
    for _, running, _ in _scan(text):
        deepest = max(deepest, int(running.max()))
    return deepest


def json_census(text, levels: int) -> np.ndarray:
    """How often each byte occurs outside strings at each nesting depth of a JSON text, without
    parsing it: ``table[d, b]`` counts byte ``b`` where the depth (after the byte) is ``d``, with
    depths above ``levels`` counted at ``levels``. A string's closing quote counts, so a string
    shows where it sits. Lets a reader refuse a text whose shape cannot be what it expects
    before ``json.loads`` turns it into objects (30 times the text's size for ``[[],[],...]``).

    Example::

        >>> table = json_census('{"a": [1, 2]}', 2)
        >>> int(table[2, ord("[")]), int(table[2, ord(",")]), int(table[1, ord('"')])
        (1, 1, 1)
    """
    table = np.zeros((levels + 1) * 256, np.int64)
    for part, running, in_string in _scan(text):
        outside = ~in_string
        cell = np.clip(running[outside], 0, levels) * 256 + part[outside]  # unbalanced: depth 0
        table += np.bincount(cell, minlength=table.size)
    return table.reshape(levels + 1, 256)


def loads_json(text, name: str, error: type, max_depth: int = MAX_JSON_DEPTH):
    """``json.loads`` that refuses texts nested deeper than ``max_depth`` and turns every parse
    failure (bad syntax, bad UTF-8) into ``error`` naming ``name``."""
    depth = json_depth(text)  # on the bytes where given: a str would be encoded again
    if isinstance(text, (bytes, bytearray, memoryview)):
        try:
            text = str(text, "utf-8")
        except UnicodeDecodeError as exc:
            raise error(f"{name} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if depth > max_depth:
        raise error(f"{name} nests {depth} levels deep; at most {max_depth} are allowed")
    try:
        return json.loads(text)
    except RecursionError:  # cannot happen below max_depth; kept as a last guard
        raise error(f"{name} nests too deeply to be read") from None
    except ValueError as exc:
        raise error(f"{name} is not valid JSON: {exc}") from None


def memory_budget() -> int:
    """The most memory one allocation decided by input data may take: half of this machine's
    physical memory (8 GiB where the system cannot say)."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2
    except (AttributeError, ValueError, OSError):
        return 8 << 30
