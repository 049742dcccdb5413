"""The safetensors container: bytes out (:func:`serialize`) and bytes in (:func:`read`).

Layout (https://github.com/huggingface/safetensors): an 8-byte little-endian header size, a JSON
header ``{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}``,
then the tensor bytes, which the offsets must cover exactly, without holes or overlaps.

The reader is written here rather than delegated to the ``safetensors`` package because it has
to decide before allocating anything: the header's size is checked against the file's (or, for
a stream, read in bounded chunks), its depth and every entry are validated, the offsets and
shapes are checked against each other in Python integers (no overflow), and only then is the
data read, once, into one writable buffer that the arrays view. Memory stays about one file
size. It also loads ``BF16``, ``F8_E4M3`` and ``F8_E5M2`` tensors, which NumPy has no type for,
exactly as float32.

Example::

    >>> raw = serialize({"w": np.ones(3, np.float32)}, {"format": "x"})
    >>> tensors, metadata = read(io.BytesIO(raw), "the bytes")
    >>> tensors["w"], metadata
    (array([1., 1., 1.], dtype=float32), {'format': 'x'})
"""
from __future__ import annotations

import json
import math
import os

import numpy as np

from .bounded import json_census, loads_json, open_regular, read_exact
from .errors import CorruptFileError
from .schema import Int, ListOf, MapOf, Record, SchemaError, Str, check

__all__ = ["serialize", "read", "MAX_HEADER_BYTES"]

MAX_HEADER_BYTES = 100_000_000  # the safetensors package's own limit

# dtype code -> (numpy dtype of the stored bytes, converter to the loaded array or None)
_NATIVE = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I16": "<i2",
           "I8": "i1", "U64": "<u8", "U32": "<u4", "U16": "<u2", "U8": "u1", "BOOL": "?"}
_CODES = {np.dtype(v).name: k for k, v in _NATIVE.items()}


def _bf16(raw: np.ndarray) -> np.ndarray:
    """bfloat16 is the top half of a float32: shifting the bits back is exact."""
    return (raw.astype(np.uint32) << 16).view(np.float32)


def _e5m2(raw: np.ndarray) -> np.ndarray:
    """float8 e5m2 is the top byte of an IEEE float16 (infinities and NaN included)."""
    return (raw.astype(np.uint16) << 8).view(np.float16).astype(np.float32)


def _e4m3_table() -> np.ndarray:
    """The 256 values of float8 e4m3fn (bias 7, no infinities, NaN at S.1111.111)."""
    code = np.arange(256)
    sign = np.where(code & 0x80, -1.0, 1.0)
    exponent, mantissa = (code >> 3) & 0xF, code & 0x7
    value = np.where(exponent == 0, mantissa / 8 * 2.0 ** -6,
                     (1 + mantissa / 8) * 2.0 ** (exponent - 7))
    value = sign * value
    value[(exponent == 0xF) & (mantissa == 0x7)] = np.nan
    return value.astype(np.float32)


_E4M3 = _e4m3_table()
_WIDENED = {"BF16": ("<u2", _bf16), "F8_E5M2": ("u1", _e5m2), "F8_E4M3": ("u1", lambda r: _E4M3[r])}

_ENTRY = Record({"dtype": Str(max_len=16), "shape": ListOf(Int(min=0), max_len=64),
                 "data_offsets": ListOf(Int(min=0), min_len=2, max_len=2)})
_METADATA = MapOf(Str(max_len=MAX_HEADER_BYTES))


# ---------------------------------------------------------------------------------------------
# writing

def serialize(tensors: dict, metadata: dict) -> bytes:
    """The safetensors bytes, laid out deterministically (the same input gives the same file).

    Tensors go back to back, widest dtype first, after a header padded with spaces to a
    multiple of 8, so every tensor stays aligned.
    """
    header: dict = {"__metadata__": metadata}
    chunks, offset = [], 0
    for key in sorted(tensors, key=lambda k: (-tensors[k].dtype.itemsize, k)):
        array = tensors[key]
        code = _CODES.get(array.dtype.name)
        if code is None:
            raise TypeError(f"ember.save cannot store arrays of dtype {array.dtype} (at {key!r})")
        data = np.ascontiguousarray(array.astype(array.dtype.newbyteorder("<"), copy=False)).tobytes()
        header[key] = {"dtype": code, "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return len(text).to_bytes(8, "little") + text + b"".join(chunks)


# ---------------------------------------------------------------------------------------------
# reading

def _layout(header: dict, name: str) -> tuple[list, dict, int]:
    """``(entries sorted by offset, metadata, data length)`` after checking every entry."""
    try:
        metadata = check(header.pop("__metadata__", {}), _METADATA, f"{name} (metadata)")
        entries = []
        for key, entry in header.items():
            entry = check(entry, _ENTRY, f"{name} (tensor {key!r})")
            # plain tuples: the parsed header can go before the arrays are made
            entries.append((entry["data_offsets"][0], entry["data_offsets"][1], key, entry["dtype"],
                            tuple(entry["shape"])))
    except SchemaError as exc:
        raise CorruptFileError(f"{exc}") from None
    entries.sort(key=lambda e: (e[0], e[1]))
    position = 0
    for begin, end, key, code, shape in entries:
        if code in _NATIVE:
            itemsize = np.dtype(_NATIVE[code]).itemsize
        elif code in _WIDENED:
            itemsize = np.dtype(_WIDENED[code][0]).itemsize
        else:
            supported = ", ".join([*_NATIVE, *_WIDENED])
            raise CorruptFileError(f"{name}: tensor {key!r} has dtype {code!r}, which ember cannot "
                                   f"load (it reads {supported})")
        if begin != position or end < begin:
            raise CorruptFileError(f"{name}: tensor {key!r} has data_offsets [{begin}, {end}] but "
                                   f"the data must continue at byte {position} without holes")
        if (end - begin) != math.prod(shape) * itemsize:
            raise CorruptFileError(f"{name}: tensor {key!r} of dtype {code} and shape "
                                   f"{list(shape)} needs {math.prod(shape) * itemsize} "
                                   f"bytes, its data_offsets give {end - begin}")
        position = end
    return entries, metadata, position


_HEADER_DEPTH = 3  # the header object, a tensor's entry (or the metadata), a shape or offsets
_MIN_ENTRY_BYTES = 49  # '"":{"dtype":"U8","shape":[],"data_offsets":[0,0]}', the shortest entry
_CHECKED_FROM = 1 << 16  # header bytes from which its shape is checked before parsing
_NUMBERS = np.zeros(256, bool)  # what a shape or data_offsets list may hold
_NUMBERS[list(b"0123456789,[ \t\r\n")] = True


def _check_header_shape(text: bytearray, name: str) -> None:
    """Refuses a header that cannot be a safetensors header before it is parsed, where parsing
    it would take many times its size: more entries than its bytes can hold, more lists than
    its entries have, or anything but non-negative integers in shapes and offsets (the
    schema checks the rest once parsed). What is left costs ``json.loads`` at most about 17
    times the header's size (short metadata strings). A header under :data:`_CHECKED_FROM`
    bytes is parsed as it is (a few MiB at most), so that the schema names what is wrong."""
    if len(text) < _CHECKED_FROM:
        return
    table = json_census(text, _HEADER_DEPTH + 1)
    if table[_HEADER_DEPTH + 1].any():
        return  # too deep: loads_json says so
    entries = int(table[2, ord("{")] + table[2, ord("[")])  # tensors and the metadata
    lists = int(table[3, ord("{")] + table[3, ord("[")])
    if (entries - 1) * _MIN_ENTRY_BYTES > len(text) or lists > 2 * entries:
        raise CorruptFileError(f"{name} has a damaged header: {entries} entries and {lists} lists in "
                               f"{len(text)} bytes cannot describe tensors")
    odd = np.flatnonzero(table[3] * ~_NUMBERS)
    if odd.size:
        raise CorruptFileError(f"{name} has a damaged header: shapes and data_offsets hold "
                               f"non-negative integers only, not {chr(odd[0])!r}")


def _header_size(handle, name: str, limit: int | None) -> int:
    head = handle.read(8) or b""
    if len(head) < 8:
        raise CorruptFileError(f"{name} is truncated or not a safetensors file ({len(head)} bytes)")
    size = int.from_bytes(head, "little")
    if size < 2 or size > MAX_HEADER_BYTES or (limit is not None and size > limit - 8):
        room = f", file of {limit} bytes" if limit is not None else ""
        raise CorruptFileError(f"{name} is truncated or not a safetensors file "
                               f"(header of {size} bytes{room})")
    return size


def _array(data: bytearray, begin: int, end: int, code: str, shape: tuple) -> np.ndarray:
    stored = _NATIVE.get(code) or _WIDENED[code][0]
    dtype = np.dtype(stored)
    if code not in _WIDENED and dtype.isnative and not begin % dtype.itemsize:
        return np.ndarray(shape, dtype, buffer=data, offset=begin)  # one object per tensor
    if begin % dtype.itemsize:  # unaligned (other writers): a copy makes it aligned
        raw = np.frombuffer(bytes(data[begin:end]), dtype)
    else:
        raw = np.frombuffer(data, dtype, count=(end - begin) // dtype.itemsize, offset=begin)
    if code in _WIDENED:
        raw = _WIDENED[code][1](raw)
    elif dtype.byteorder == ">" or (dtype.byteorder == "<" and not np.little_endian):
        raw = raw.astype(dtype.newbyteorder("="))
    return raw.reshape(shape)


def read(f, name: str | None = None) -> tuple[dict, dict]:
    """``({key: ndarray}, metadata)`` from a path or a binary stream.

    Raises:
        CorruptFileError: not a regular file, truncated, damaged header or offsets, unknown dtype.
        FileNotFoundError, PermissionError: as ``open`` does.
    """
    if hasattr(f, "read"):
        return _read_stream(f, name or repr(getattr(f, "name", "the stream")), None)
    path = os.fspath(f)
    with open_regular(path, CorruptFileError) as handle:
        return _read_stream(handle, name or repr(path), os.fstat(handle.fileno()).st_size)


def _read_stream(handle, name: str, file_size: int | None) -> tuple[dict, dict]:
    size = _header_size(handle, name, file_size)
    known = file_size is not None
    text = read_exact(handle, size, CorruptFileError, name, "a header", available=known)
    _check_header_shape(text, name)
    header = loads_json(text, f"{name} (header)", CorruptFileError, max_depth=_HEADER_DEPTH)
    if not isinstance(header, dict):
        raise CorruptFileError(f"{name} has a damaged header (not a JSON object)")
    entries, metadata, length = _layout(header, name)
    text = header = None  # the parsed header goes before the arrays come
    if file_size is not None and file_size != 8 + size + length:
        raise CorruptFileError(f"{name} is truncated or damaged: its header describes "
                               f"{8 + size + length} bytes, the file has {file_size}")
    data = read_exact(handle, length, CorruptFileError, name, "tensor data", available=known)
    return {key: _array(data, begin, end, code, shape) for begin, end, key, code, shape in entries}, metadata
