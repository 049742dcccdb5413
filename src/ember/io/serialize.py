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
from collections import OrderedDict

import numpy as np

from .._tensor import Tensor
from .atomic import atomic_write_bytes
from .bounded import loads_json
from .container import read, serialize
from .errors import CorruptFileError

__all__ = ["save", "load", "CorruptFileError", "FORMAT", "MAX_NESTING"]

FORMAT = "ember/1"
MAX_NESTING = 64  # dicts/lists/tuples inside each other; save refuses deeper, load too


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


def _encode(obj, prefix: str, tensors: dict, depth: int = 0):
    if depth > MAX_NESTING:
        raise ValueError(f"ember.save cannot store objects nested more than {MAX_NESTING} levels "
                         f"deep (at {prefix!r}); is a list or dict inside itself?")
    if isinstance(obj, Tensor):
        key = _fresh_key(prefix, tensors)
        tensors[key] = _contiguous(obj._data)
        node = {"T": key}
        if obj.requires_grad:
            node["rg"] = True
        if _is_parameter(obj):
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
        items = [[_encode_key(k, prefix), _encode(v, _child(prefix, k), tensors, depth + 1)]
                 for k, v in obj.items()]
        return {"O" if isinstance(obj, OrderedDict) else "D": items}
    if isinstance(obj, list):
        return {"L": [_encode(v, _child(prefix, i), tensors, depth + 1) for i, v in enumerate(obj)]}
    if isinstance(obj, tuple):
        return {"U": [_encode(v, _child(prefix, i), tensors, depth + 1) for i, v in enumerate(obj)]}
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
# decoding: (JSON structure, {key: ndarray}) -> Python object, trusting nothing

class _Bad(Exception):
    """A structure node that breaks the format (turned into CorruptFileError by ``load``)."""


_SPECIAL_FLOATS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def _tensor_key(value, tensors: dict):
    if not isinstance(value, str) or value not in tensors:
        raise _Bad(f"it refers to a tensor {value!r} that the file does not hold")
    return tensors[value]


def _float(value) -> float:
    if isinstance(value, str) and value in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[value]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _Bad(f"a float entry holds {value!r}")
    return float(value)


def _items(value, tag: str) -> list:
    if not isinstance(value, list):
        raise _Bad(f"a {tag!r} entry holds {type(value).__name__}, not a list")
    return value


def _decode(node, tensors: dict, depth: int = 0):
    if node is None or isinstance(node, (str, bool, int, float)):
        return node
    if depth > MAX_NESTING:
        raise _Bad(f"it nests containers more than {MAX_NESTING} levels deep")
    if not isinstance(node, dict) or not node:
        raise _Bad(f"unexpected entry {str(node)[:40]!r}")
    tag, value = next(iter(node.items()))
    if tag == "T":
        if set(node) - {"T", "rg", "param"}:
            raise _Bad(f"unexpected keys {sorted(node)} in a tensor entry")
        return _make_tensor(_tensor_key(value, tensors), node.get("rg") is True, node.get("param") is True)
    if len(node) != 1:
        raise _Bad(f"unexpected keys {sorted(node)} in an entry")
    if tag == "A":
        return _tensor_key(value, tensors)
    if tag == "S":
        array = _tensor_key(value, tensors)
        if array.shape != ():
            raise _Bad(f"scalar {value!r} has shape {array.shape}")
        return array[()]
    if tag == "f":
        return _float(value)
    if tag in ("D", "O"):
        pairs = []
        for pair in _items(value, tag):
            if not isinstance(pair, list) or len(pair) != 2:
                raise _Bad("a dict entry is not a [key, value] pair")
            pairs.append((_decode_key(pair[0]), _decode(pair[1], tensors, depth + 1)))
        return OrderedDict(pairs) if tag == "O" else dict(pairs)
    if tag == "L":
        return [_decode(v, tensors, depth + 1) for v in _items(value, tag)]
    if tag == "U":
        return tuple(_decode(v, tensors, depth + 1) for v in _items(value, tag))
    raise _Bad(f"unknown entry {tag!r}")


def _decode_key(node):
    if node is None or isinstance(node, (str, bool, int)):
        return node
    if isinstance(node, dict) and len(node) == 1 and "U" in node:
        return tuple(_decode_key(k) for k in _items(node["U"], "U"))
    if isinstance(node, dict) and len(node) == 1 and "f" in node:
        return _float(node["f"])
    raise _Bad(f"unexpected dict key {str(node)[:40]!r}")


def _is_parameter(obj) -> bool:
    try:
        from ..nn.parameter import Parameter
    except ImportError:  # ember.nn not available
        return False
    return isinstance(obj, Parameter)


def _make_tensor(array: np.ndarray, requires_grad: bool, is_param: bool) -> Tensor:
    if is_param:
        try:
            from ..nn.parameter import Parameter
            return Parameter(Tensor._make(array), requires_grad=requires_grad)
        except ImportError:  # ember.nn not available: a plain tensor holds the same values
            pass
    tensor = Tensor._make(array)
    if requires_grad:
        tensor.requires_grad_(True)
    return tensor


def _checksum(structure: str, tensors: dict) -> str:
    digest = hashlib.sha256(structure.encode("utf-8"))
    for key in sorted(tensors):
        array = tensors[key]
        digest.update(f"\0{key}\0{array.dtype.str}\0{array.shape}\0".encode("utf-8"))
        digest.update(_contiguous(array).data)
    return digest.hexdigest()


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
    data = serialize(tensors, metadata)
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

    Nothing in the file is trusted: only a regular file is opened (a FIFO or ``/dev/zero`` is
    refused), the header's size, depth and every entry are checked before the data is read,
    and the data is read once (memory stays about the file's size). ``BF16``, ``F8_E4M3`` and
    ``F8_E5M2`` tensors load as float32, exactly.

    Raises:
        CorruptFileError: not a regular file; truncated, damaged, nested more than
            ``MAX_NESTING`` deep, or its checksum does not match.
        FileNotFoundError, PermissionError: as ``open`` raises them.

    Example::

        >>> state = ember.load("model.safetensors")
    """
    name = repr(getattr(f, "name", "the stream")) if hasattr(f, "read") else repr(str(f))
    tensors, metadata = read(f, name)
    if metadata.get("format") != FORMAT:  # a safetensors file from elsewhere: just its tensors
        return {key: Tensor._make(array) for key, array in tensors.items()}
    structure = metadata.get("structure", "")
    if _checksum(structure, tensors) != metadata.get("checksum"):
        raise CorruptFileError(f"{name} is corrupted: its checksum does not match its contents")
    # each level of nesting takes at most 3 JSON brackets ({"D": [[key, value]]})
    tree = loads_json(structure, f"{name} (structure)", CorruptFileError, max_depth=3 * MAX_NESTING + 4)
    try:
        return _decode(tree, tensors)
    except _Bad as exc:
        raise CorruptFileError(f"{name} has a damaged structure: {exc}") from None
