"""ember dtypes: thin named wrappers around NumPy dtypes, printed like torch's."""
from __future__ import annotations

import builtins

import numpy as np

__all__ = ["dtype", "float16", "float32", "float64", "int8", "int16", "int32", "int64",
           "uint8", "bool", "half", "float", "double", "short", "int", "long",
           "to_numpy_dtype", "from_numpy_dtype", "get_default_dtype", "set_default_dtype"]


class dtype:
    """A tensor element type, e.g. ``ember.float32``.

    Compares equal to itself, to the matching NumPy dtype and to its name::

        >>> ember.zeros(2).dtype == ember.float32
        True
    """

    __module__ = "ember"   # torch's classes say "torch"

    __slots__ = ("name", "np", "is_floating_point", "is_signed", "itemsize")

    def __init__(self, name: str, np_dtype) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = self.np.kind == "f"
        self.is_signed = self.np.kind in "fi"
        self.itemsize = self.np.itemsize

    def __repr__(self) -> str:
        return f"ember.{self.name}"

    def __eq__(self, other) -> bool:
        if isinstance(other, dtype):
            return self.np == other.np
        try:
            return self.np == np.dtype(other)
        except TypeError:
            return False

    def __hash__(self) -> int:
        return hash(self.np)

    def __reduce__(self):  # dtypes are singletons
        return (from_numpy_dtype, (self.np,))


float16 = dtype("float16", np.float16)
float32 = dtype("float32", np.float32)
float64 = dtype("float64", np.float64)
int8 = dtype("int8", np.int8)
int16 = dtype("int16", np.int16)
int32 = dtype("int32", np.int32)
int64 = dtype("int64", np.int64)
uint8 = dtype("uint8", np.uint8)
bool = dtype("bool", np.bool_)  # noqa: A001 - torch spells it ember.bool
half, float, double = float16, float32, float64  # noqa: A001
short, int, long = int16, int32, int64  # noqa: A001

#: torch's C++ scalar-type names (as its kernel errors and legacy tensor types print them)
TORCH_NAMES = {"float16": "Half", "bfloat16": "BFloat16", "float32": "Float", "float64": "Double",
               "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
               "bool": "Bool"}


def torch_dtype_name(arr) -> str:
    """torch's short name of ``arr``'s dtype (``Long`` for int64), as its kernel errors print."""
    d = getattr(arr, "dtype", arr)                  # an array, a tensor or a dtype
    name = d.name if isinstance(getattr(d, "name", None), str) else np.dtype(d).name
    return TORCH_NAMES.get(name, name)


_BY_NUMPY = {d.np: d for d in (float16, float32, float64, int8, int16, int32, int64, uint8, bool)}
_DEFAULT = [float32]


def from_numpy_dtype(np_dtype) -> dtype:
    """The ember dtype for a NumPy dtype (raises TypeError for unsupported ones)."""
    try:
        return _BY_NUMPY[np.dtype(np_dtype)]
    except KeyError:
        raise TypeError(f"unsupported dtype {np.dtype(np_dtype)}; ember supports "
                        f"{', '.join(d.name for d in _BY_NUMPY.values())}") from None


def to_numpy_dtype(d) -> np.dtype:
    """Accepts an ember dtype, a NumPy dtype, a Python type or a name; returns a NumPy dtype."""
    if isinstance(d, dtype):
        return d.np
    if d is builtins.float:
        return _DEFAULT[0].np
    if d is builtins.int:
        return int64.np
    if d is builtins.bool:
        return bool.np
    try:
        return from_numpy_dtype(d).np
    except TypeError:
        raise TypeError(f"dtype must be an ember dtype such as ember.float32, got {d!r}") from None


def get_default_dtype() -> dtype:
    """The dtype given to Python floats: ``ember.float32`` unless changed.

    Example::

        >>> ember.get_default_dtype(), ember.tensor(1.5).dtype
        (ember.float32, ember.float32)
    """
    return _DEFAULT[0]


def set_default_dtype(d) -> None:
    """Sets the floating dtype used for Python floats (float32 or float64)."""
    d = from_numpy_dtype(to_numpy_dtype(d))
    if not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _DEFAULT[0] = d
