"""What every ``keras.ops`` function starts with: Keras's conversion of its inputs to tensors
and Keras's dtype rules (``standardize_dtype``, ``result_type``), on ember Tensors.

Keras converts a Python ``int`` to int32 (int64 beyond int32's range), a Python ``float`` to
``floatx()`` (float32), a list of them by the same rules, and keeps a NumPy array's dtype.
``result_type`` is Keras's promotion lattice (taken from JAX): ``int + float32 -> float32``,
``int64 + float32 -> float32``, and a Python scalar is "weak" (it does not widen a tensor).

Example::

    >>> from ember.keras import ops
    >>> ops.convert_to_tensor([1, 2]).dtype
    ember.int32
    >>> ops.result_type("int32", float)
    'float32'
"""
from __future__ import annotations

import builtins
import functools

import numpy as np

from ... import _dtype
from ..._tensor import Tensor
from ...ops import elementwise as _ew

FLOATX = "float32"
ALLOWED = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64")
_ALLOWED_SET = frozenset(ALLOWED)
_NP_NAMES = {np.dtype(n): n for n in ALLOWED}
_PYTHON = {builtins.bool: "bool", builtins.int: "int32", builtins.float: "float32",
           "int": "int32", "float": "float32"}


def standardize_dtype(dtype) -> str:
    """A dtype given as a name, a Python type, a NumPy dtype or an ember dtype -> its name.

    Example::

        >>> standardize_dtype(float), standardize_dtype(ember.int64)
        ('float32', 'int64')
    """
    if dtype is None:
        return FLOATX
    if dtype.__class__ is str and dtype in _ALLOWED_SET:  # the common case, kept fast
        return dtype
    if isinstance(dtype, (str, type)) and dtype in _PYTHON:
        return _PYTHON[dtype]
    if isinstance(dtype, _dtype.dtype):
        name = dtype.name
    elif isinstance(dtype, str):
        name = dtype.split(".")[-1]
    else:
        try:
            name = np.dtype(dtype).name
        except TypeError:
            name = str(dtype).split(".")[-1]
    if name not in ALLOWED:
        raise ValueError(f"Invalid dtype: {dtype}. Expected one of {', '.join(ALLOWED)}")
    return name


# ---- Keras's promotion lattice: each dtype's immediately higher ones ("int"/"float" are weak)
_LATTICE = {
    "bool": ["int"], "int": ["uint8", "int8"], "uint8": ["int16"], "int8": ["int16"],
    "int16": ["int32"], "int32": ["int64"], "int64": ["float"], "float": ["float16"],
    "float16": ["float32"], "float32": ["float64"], "float64": [],
}


def _upper_bounds() -> dict:
    bounds = {}
    for node in _LATTICE:
        seen, todo = {node}, [node]
        while todo:
            for up in _LATTICE[todo.pop()]:
                if up not in seen:
                    seen.add(up)
                    todo.append(up)
        bounds[node] = seen
    return bounds


_UB = _upper_bounds()


def _least_upper_bound(nodes: frozenset) -> str:
    common = set.intersection(*(_UB[n] for n in nodes))
    lub = (common & nodes) or {c for c in common if common <= _UB[c]}
    return lub.pop()


@functools.lru_cache(maxsize=256)
def _result_type(args: tuple) -> str:
    names = [standardize_dtype(a) for a in args]
    weak = [a is builtins.int or a is builtins.float for a in args]
    if len(set(names)) == 1 and not builtins.all(weak):
        return _TO_32.get(names[0], names[0])
    if builtins.all(weak):
        out = _least_upper_bound(frozenset(names))
        out_weak = True
    else:
        nodes = frozenset(("float" if "float" in n else "int" if "int" in n else n) if w else n
                          for n, w in zip(names, weak))
        out = _least_upper_bound(nodes)
        out_weak = out in ("int", "float")
    if out_weak and out != "bool":
        out = "int32" if "int" in out else FLOATX
    return _TO_32.get(out, out)  # Keras (as JAX) narrows 64-bit results on this backend


_TO_32 = {"int64": "int32", "float64": "float32"}


def result_type(*dtypes) -> str:
    """The dtype Keras gives an operation on ``dtypes`` (Python ``int``/``float`` are weak;
    64-bit results narrow to 32 bits, as Keras's own ``result_type`` does).

    Example::

        >>> result_type("int32", "float32"), result_type("float16", float)
        ('float32', 'float16')
    """
    if not dtypes:
        return FLOATX
    return _result_type(tuple(FLOATX if d is None else d for d in dtypes))


def dtype_of(x) -> str:
    """The Keras dtype name of a tensor."""
    dt = x._data.dtype
    return _NP_NAMES.get(dt) or dt.name


def is_float(x) -> bool:
    return x._data.dtype.kind == "f"


def _scalar_dtype(x) -> str:
    if isinstance(x, builtins.bool):
        return "bool"
    if isinstance(x, builtins.int):
        return "int32" if -(2 ** 31) <= x < 2 ** 31 else "int64"
    return FLOATX


def _flat_types(x, out: list) -> list:
    if isinstance(x, (list, tuple)):
        for item in x:
            _flat_types(item, out)
    elif isinstance(x, (np.ndarray, np.generic)):
        out.append(x.dtype.name)
    else:
        out.append(type(x))
    return out


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None) -> Tensor:
    """``x`` (Tensor, array, list or scalar) as an ember Tensor, with Keras's dtype rules.

    A Tensor comes back as it is (so gradients still flow), cast when ``dtype`` is given.

    Example::

        >>> convert_to_tensor([1.0, 2.0]).dtype, convert_to_tensor(np.zeros(2)).dtype
        (ember.float32, ember.float64)
    """
    if sparse:
        raise ValueError("`sparse=True` is not supported by ember.keras")
    if ragged:
        raise ValueError("`ragged=True` is not supported by ember.keras")
    if isinstance(x, Tensor):
        return x if dtype is None else cast(x, dtype)
    if isinstance(x, (builtins.bool, builtins.int, builtins.float)):
        name = standardize_dtype(dtype) if dtype is not None else _scalar_dtype(x)
        return Tensor._make(np.asarray(x, dtype=name))
    if isinstance(x, (list, tuple)) and x and builtins.any(isinstance(i, Tensor) for i in x):
        from ...ops.shape import stack
        return stack([convert_to_tensor(i, dtype) for i in x])
    if hasattr(x, "to_numpy"):
        x = x.to_numpy()
    if hasattr(x, "__array__") and not isinstance(x, (np.ndarray, np.generic)):
        x = np.asarray(x)  # e.g. a torch tensor or a Keras variable
    if isinstance(x, (np.ndarray, np.generic)):
        arr = np.asarray(x)
        if arr.dtype.kind == "u" and arr.dtype != np.uint8:
            arr = arr.astype(np.int64)
        name = standardize_dtype(dtype) if dtype is not None else arr.dtype.name
        return Tensor._make(arr.astype(name, copy=False))
    if dtype is None:
        types = _flat_types(x, [])
        name = result_type(*[_scalar_type(t) for t in types]) if types else FLOATX
    else:
        name = standardize_dtype(dtype)
    return Tensor._make(np.array(x, dtype=name))


def _scalar_type(t):
    return t if isinstance(t, str) or t in (builtins.bool, builtins.int, builtins.float) \
        else builtins.float


def cast(x, dtype) -> Tensor:
    """``x`` converted to ``dtype``; gradients flow through float-to-float casts.

    Example::

        >>> cast([1.7, -1.7], "int32")
        tensor([ 1, -1], dtype=ember.int32)
    """
    name = standardize_dtype(dtype)
    x = t(x)
    return x if dtype_of(x) == name else _ew.to_dtype(x, name)


def t(x) -> Tensor:
    """Short for ``convert_to_tensor(x)`` (the first line of most ops)."""
    return x if isinstance(x, Tensor) else convert_to_tensor(x)


def float_tensor(x) -> Tensor:
    """``x`` as a tensor; integers and booleans become ``floatx()`` (Keras's float-only ops)."""
    x = t(x)
    return x if is_float(x) else cast(x, FLOATX)


def constant(value, dtype) -> Tensor:
    return Tensor._make(np.asarray(value, dtype=standardize_dtype(dtype)))


def promote(x1, x2, *extra):
    """Both converted and cast to Keras's ``result_type`` of their dtypes (and ``extra``)."""
    x1, x2 = t(x1), t(x2)
    name = result_type(dtype_of(x1), dtype_of(x2), *extra)
    return cast(x1, name), cast(x2, name)


def axes_tuple(axis, ndim: int):
    """``axis`` (None, int or sequence) as a tuple of non-negative axes (None stays None)."""
    if axis is None:
        return None
    if isinstance(axis, (builtins.int, np.integer)):
        axis = (builtins.int(axis),)
    out = []
    for a in axis:
        a = builtins.int(a)
        if not -ndim <= a < builtins.max(ndim, 1):
            raise ValueError(f"axis {a} is out of bounds for a tensor of rank {ndim}")
        out.append(a % ndim if ndim else 0)
    return tuple(out)
