"""Small helpers shared by ember.keras: array conversion, name lookup, unique layer names."""
from __future__ import annotations

import re

import numpy as np

from .._tensor import Tensor

EPSILON = 1e-7  # Keras's backend.epsilon()
FLOATX = np.float32


def to_array(x, dtype=None) -> np.ndarray:
    """Converts data (list, ndarray, Tensor, pandas) to an ndarray; floats become float32 like Keras."""
    if isinstance(x, Tensor):
        arr = x._data
    elif hasattr(x, "to_numpy"):
        arr = np.asarray(x.to_numpy())
    else:
        arr = np.asarray(x)
    if dtype is not None:
        return arr.astype(dtype, copy=False)
    if arr.dtype.kind == "f" and arr.dtype != FLOATX:
        arr = arr.astype(FLOATX)
    elif arr.dtype == np.bool_:
        arr = arr.astype(FLOATX)
    return arr


def to_tensor(x) -> Tensor:
    """Wraps data as a Tensor without copying when possible (float data as float32)."""
    if isinstance(x, Tensor):
        return x
    return Tensor._make(to_array(x))


def snake_case(name: str) -> str:
    """``BatchNormalization`` -> ``batch_normalization`` (Keras's default layer names)."""
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()


_NAME_COUNTS: dict[str, int] = {}


def unique_name(base: str) -> str:
    """``dense``, ``dense_1``, ``dense_2``… like Keras's auto-naming."""
    n = _NAME_COUNTS.get(base, 0)
    _NAME_COUNTS[base] = n + 1
    return base if n == 0 else f"{base}_{n}"


def bind_arguments(class_name: str, params: list, args: tuple, kwargs: dict) -> dict:
    """Binds ``args``/``kwargs`` to ``params`` (``(name, default)`` pairs in signature order)
    as Python would, raising Python's TypeError for too many or unknown arguments."""
    names = [p for p, _ in params]
    if len(args) > len(names):
        raise TypeError(f"{class_name}() takes at most {len(names)} positional arguments "
                        f"({len(args)} given)")
    values = dict(params)
    values.update(zip(names, args))
    for key, value in kwargs.items():
        if key not in values:
            raise TypeError(f"{class_name}.__init__() got an unexpected keyword argument '{key}'")
        values[key] = value
    return values


def lookup(kind: str, identifier, table: dict, received: str | None = None):
    """Finds ``identifier`` in ``table`` (case-insensitive); unknown names list the valid ones."""
    key = str(identifier).lower()
    folded = {k.lower(): v for k, v in table.items()}
    if key in folded:
        return folded[key]
    valid = ", ".join(sorted(table))
    raise ValueError(f"Could not interpret {kind} identifier: {identifier!r}. "
                     f"Expected one of: {valid}")
