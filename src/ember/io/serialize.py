"""``ember.save`` / ``ember.load``: nested Python objects holding tensors, as one safetensors file.

The file is a plain safetensors file. Every tensor or NumPy array is stored under a readable,
flattened key (``fc1.weight``, ``state.0.exp_avg``); the nested structure (dicts, OrderedDicts,
lists, tuples) and every non-tensor value (numbers, strings, bools, None) are kept as JSON in the
safetensors ``__metadata__`` map, with a SHA-256 checksum of the structure and the tensor bytes.
There is no pickle: loading a file never runs code. Writes are atomic (see ``ember.io.atomic``).

Example::

    >>> model = ember.nn.Linear(3, 2)
    >>> ember.save(model.state_dict(), "model.safetensors")
    >>> model.load_state_dict(ember.load("model.safetensors"))
"""
from __future__ import annotations

import hashlib
import json
import math
import os
from collections import OrderedDict

import numpy as np

from .._tensor import Tensor
from .atomic import atomic_write_bytes

__all__ = ["save", "load", "CorruptFileError", "FORMAT"]

FORMAT = "ember/1"


class CorruptFileError(ValueError):
    """A saved file is truncated, damaged or not an ember/safetensors file; nothing was loaded."""


# ---------------------------------------------------------------------------------------------
# encoding: Python object -> (JSON structure, {key: ndarray})

_SCALARS = (str, bool, int, type(None))


def _fresh_key(name: str, tensors: dict) -> str:
    name = name or "tensor"
    if name == "__metadata__":
        name = "_metadata_"
    key, n = name, 1
    while key in tensors:
        key, n = f"{name}#{n}", n + 1
    return key


def _contiguous(array: np.ndarray) -> np.ndarray:
    """A C-contiguous array of the same shape (``np.ascontiguousarray`` turns 0-d into 1-d)."""
    return array if array.flags.c_contiguous else array.copy(order="C")


def _child(prefix: str, key) -> str:
    return f"{prefix}.{key}" if prefix else str(key)


def _encode_float(value: float):
    if math.isfinite(value):
        return {"f": value}
    return {"f": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}


def _encode(obj, prefix: str, tensors: dict):
    if isinstance(obj, Tensor):
        key = _fresh_key(prefix, tensors)
        tensors[key] = _contiguous(obj._data)
        node = {"T": key}
        if obj.requires_grad:
            node["rg"] = True
        if type(obj).__name__ == "Parameter":
            node["param"] = True
        return node
    if isinstance(obj, np.ndarray):
        if obj.dtype == object:
            raise TypeError(f"ember.save cannot store NumPy arrays of dtype object (at {prefix!r})")
        key = _fresh_key(prefix, tensors)
        tensors[key] = _contiguous(obj)
        return {"A": key}
    if isinstance(obj, np.generic):
        key = _fresh_key(prefix, tensors)
        tensors[key] = np.asarray(obj).reshape(())
        return {"S": key}
    if isinstance(obj, _SCALARS):
        return obj
    if isinstance(obj, float):
        return _encode_float(obj)
    if isinstance(obj, dict):
        items = [[_encode_key(k, prefix), _encode(v, _child(prefix, k), tensors)] for k, v in obj.items()]
        return {"O" if isinstance(obj, OrderedDict) else "D": items}
    if isinstance(obj, list):
        return {"L": [_encode(v, _child(prefix, i), tensors) for i, v in enumerate(obj)]}
    if isinstance(obj, tuple):
        return {"U": [_encode(v, _child(prefix, i), tensors) for i, v in enumerate(obj)]}
    hint = "; save its .state_dict() instead" if hasattr(obj, "state_dict") else ""
    raise TypeError(f"ember.save cannot store an object of type {type(obj).__name__} (at {prefix!r}){hint}; "
                    "expected tensors, NumPy arrays, numbers, strings, bools, None, "
                    "and dicts/lists/tuples of them")


def _encode_key(key, prefix: str):
    if isinstance(key, _SCALARS):
        return key
    if isinstance(key, float):
        return _encode_float(key)
    if isinstance(key, tuple):
        return {"U": [_encode_key(k, prefix) for k in key]}
    raise TypeError(f"ember.save cannot store a dict key of type {type(key).__name__} (in {prefix!r})")


# ---------------------------------------------------------------------------------------------
# decoding: (JSON structure, {key: ndarray}) -> Python object

def _decode(node, tensors: dict):
    if not isinstance(node, dict):
        return node
    (tag, value), *rest = node.items()
    if tag == "T":
        return _make_tensor(tensors[value], node.get("rg", False), node.get("param", False))
    if tag == "A":
        return tensors[value]
    if tag == "S":
        return tensors[value][()]
    if tag == "f":
        return float(value)
    if tag in ("D", "O"):
        pairs = ((_decode_key(k), _decode(v, tensors)) for k, v in value)
        return OrderedDict(pairs) if tag == "O" else dict(pairs)
    if tag == "L":
        return [_decode(v, tensors) for v in value]
    if tag == "U":
        return tuple(_decode(v, tensors) for v in value)
    raise CorruptFileError(f"unknown entry {tag!r} in the file's structure")


def _decode_key(node):
    if isinstance(node, dict):
        if "U" in node:
            return tuple(_decode_key(k) for k in node["U"])
        return float(node["f"])
    return node


def _make_tensor(array: np.ndarray, requires_grad: bool, is_param: bool) -> Tensor:
    if is_param:
        try:
            from ..nn import Parameter
            return Parameter(Tensor._make(array), requires_grad=requires_grad)
        except ImportError:  # ember.nn not available: a plain tensor holds the same values
            pass
    tensor = Tensor._make(array)
    if requires_grad:
        tensor.requires_grad_(True)
    return tensor


# ---------------------------------------------------------------------------------------------
# checksum and file parsing

def _checksum(structure: str, tensors: dict) -> str:
    digest = hashlib.sha256(structure.encode("utf-8"))
    for key in sorted(tensors):
        array = tensors[key]
        digest.update(f"\0{key}\0{array.dtype.str}\0{array.shape}\0".encode("utf-8"))
        digest.update(_contiguous(array).data)
    return digest.hexdigest()


_DTYPES = {"float64": "F64", "float32": "F32", "float16": "F16", "int64": "I64", "int32": "I32",
           "int16": "I16", "int8": "I8", "uint64": "U64", "uint32": "U32", "uint16": "U16", "uint8": "U8",
           "bool": "BOOL"}


def _serialize(tensors: dict, metadata: dict) -> bytes:
    """The safetensors bytes, laid out deterministically (the same object gives the same file).

    Layout: 8-byte little-endian header size, JSON header (padded with spaces to a multiple of
    8), then the tensors back to back, widest dtype first so every tensor stays aligned.
    """
    header: dict = {"__metadata__": metadata}
    chunks, offset = [], 0
    for key in sorted(tensors, key=lambda k: (-tensors[k].dtype.itemsize, k)):
        array = tensors[key]
        code = _DTYPES.get(array.dtype.name)
        if code is None:
            raise TypeError(f"ember.save cannot store arrays of dtype {array.dtype} (at {key!r})")
        data = _contiguous(array.astype(array.dtype.newbyteorder("<"), copy=False)).tobytes()
        header[key] = {"dtype": code, "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return len(text).to_bytes(8, "little") + text + b"".join(chunks)


def _header(raw: bytes, name: str) -> dict:
    """The safetensors header (a JSON dict), or CorruptFileError when the bytes cannot hold one."""
    if len(raw) < 8:
        raise CorruptFileError(f"{name} is truncated or not a safetensors file ({len(raw)} bytes)")
    size = int.from_bytes(raw[:8], "little")
    if size > len(raw) - 8:
        raise CorruptFileError(f"{name} is truncated or not a safetensors file "
                               f"(header of {size} bytes, file of {len(raw)} bytes)")
    try:
        header = json.loads(raw[8:8 + size].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise CorruptFileError(f"{name} has a damaged header: {exc}") from None
    if not isinstance(header, dict):
        raise CorruptFileError(f"{name} has a damaged header (not a JSON object)")
    return header


def _read(f) -> tuple[bytes, str]:
    if hasattr(f, "read"):
        return f.read(), getattr(f, "name", "the file")
    path = os.fspath(f)
    with open(path, "rb") as handle:
        return handle.read(), repr(path)


# ---------------------------------------------------------------------------------------------
# public API

def save(obj, f, **kwargs) -> None:
    """Saves ``obj`` (tensors, arrays, numbers, strings and dicts/lists/tuples of them) to ``f``.

    Args:
        obj: what to save, e.g. ``model.state_dict()`` or a checkpoint dict.
        f: a path (written atomically) or a binary file object.
        kwargs: accepted for torch compatibility (``pickle_protocol`` …) and ignored.

    Example::

        >>> ember.save({"epoch": 3, "model": model.state_dict()}, "ckpt.safetensors")
    """
    tensors: dict = {}
    structure = json.dumps(_encode(obj, "", tensors), separators=(",", ":"), allow_nan=False)
    metadata = {"format": FORMAT, "structure": structure, "checksum": _checksum(structure, tensors)}
    data = _serialize(tensors, metadata)
    if hasattr(f, "write"):
        f.write(data)
    else:
        atomic_write_bytes(f, data)


def load(f, map_location=None, weights_only: bool = True, **kwargs):
    """Loads what ``ember.save`` wrote, checking the checksum first; never runs code.

    A plain safetensors file written by another tool loads as a ``dict`` of tensors.

    Args:
        f: a path or a binary file object.
        map_location, weights_only, kwargs: accepted for torch compatibility and ignored
            (ember runs on the CPU, and a file can only ever hold data).

    Raises:
        CorruptFileError: the file is truncated, damaged, or its checksum does not match.

    Example::

        >>> state = ember.load("model.safetensors")
    """
    raw, name = _read(f)
    header = _header(raw, name)
    metadata = header.get("__metadata__") or {}
    import safetensors
    import safetensors.numpy
    try:
        tensors = safetensors.numpy.load(raw)
    except safetensors.SafetensorError as exc:
        raise CorruptFileError(f"{name} is truncated or damaged: {exc}") from None
    if metadata.get("format") != FORMAT:  # a safetensors file from elsewhere: just its tensors
        return {key: Tensor._make(tensors[key]) for key in header if key != "__metadata__"}
    structure = metadata.get("structure", "")
    if _checksum(structure, tensors) != metadata.get("checksum"):
        raise CorruptFileError(f"{name} is corrupted: its checksum does not match its contents")
    try:
        return _decode(json.loads(structure), tensors)
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        raise CorruptFileError(f"{name} has a damaged structure: {exc!r}") from None
