"""``keras.ops``'s NumPy-like arithmetic: elementwise maths, comparisons and logic.

Each function converts its inputs as Keras does, applies Keras's dtype rule (integers become
float32 for float-only functions) and calls ember's differentiable op, so gradients flow.

Example::

    >>> from ember.keras import ops
    >>> ops.exp(ops.convert_to_tensor([0, 1]))      # int32 in, float32 out (Keras's rule)
    tensor([1.0000, 2.7183])
"""
from __future__ import annotations

import builtins
import math

import numpy as np

import ember

from ..._tensor import Tensor
from ...nn import functional as F
from ._base import (FLOATX, cast, constant, convert_to_tensor, dtype_of, float_tensor, is_float,
                    promote, result_type, t)


def _keep_int(x) -> Tensor:
    """Keras's int-preserving ops on bool: cast to int32 first."""
    x = t(x)
    return cast(x, "int32") if dtype_of(x) == "bool" else x


def _int_to_float(x) -> Tensor:
    """int64 -> float32, other ints -> float32; float kept (Keras's floor/ceil rule)."""
    x = t(x)
    if dtype_of(x) == "int64":
        return cast(x, FLOATX)
    return cast(x, result_type(dtype_of(x), float))


def _dtype_or_type(x):
    """A Python number's type (weak in Keras's promotion), else the tensor's dtype name."""
    if isinstance(x, (builtins.int, builtins.float)) and not isinstance(x, builtins.bool):
        return type(x)
    return dtype_of(t(x))


def _weak_pair(x1, x2, *extra):
    """Keras's rule for maximum/minimum/divide_no_nan: Python numbers are weak."""
    name = result_type(_dtype_or_type(x1), _dtype_or_type(x2), *extra)
    return convert_to_tensor(x1, name), convert_to_tensor(x2, name)


# ---- arithmetic --------------------------------------------------------------------------
def add(x1, x2):
    return ember.add(t(x1), t(x2))


def subtract(x1, x2):
    x1, x2 = t(x1), t(x2)
    if dtype_of(x1) == "bool":
        x1 = cast(x1, dtype_of(x2))
    if dtype_of(x2) == "bool":
        x2 = cast(x2, dtype_of(x1))
    return ember.sub(x1, x2)


def multiply(x1, x2):
    return ember.mul(t(x1), t(x2))


def divide(x1, x2):
    return ember.div(t(x1), t(x2))


true_divide = divide


def divide_no_nan(x1, x2):
    """``x1 / x2``, with 0 where ``x2`` is 0 (and no NaN gradient there)."""
    x1, x2 = _weak_pair(x1, x2, float)
    name = dtype_of(x1)
    zero = ember.eq(x2, 0)
    safe = ember.where(zero, constant(1, name), x2)
    return ember.where(zero, constant(0, name), ember.div(x1, safe))


def floor_divide(x1, x2):
    name = result_type(_dtype_or_type(x1), _dtype_or_type(x2))
    return cast(ember.floor_divide(t(x1), t(x2)), name)


def mod(x1, x2):
    x1, x2 = t(x1), t(x2)
    if result_type(dtype_of(x1), dtype_of(x2)) == "bool":
        x1, x2 = cast(x1, "int32"), cast(x2, "int32")
    return ember.remainder(x1, x2)


def fmod(x1, x2):
    """Remainder with the sign of ``x1`` (C's fmod)."""
    x1, x2 = t(x1), t(x2)
    if result_type(dtype_of(x1), dtype_of(x2)) == "bool":
        x1, x2 = cast(x1, "int32"), cast(x2, "int32")
    return ember.fmod(x1, x2)


def power(x1, x2):
    return ember.pow(t(x1), t(x2))


def negative(x):
    return ember.neg(t(x))


def reciprocal(x):
    return ember.reciprocal(t(x))


def square(x):
    x = _keep_int(x)
    return ember.mul(x, x)


def sqrt(x):
    x = t(x)
    return ember.sqrt(cast(x, FLOATX) if dtype_of(x) == "int64" else x)


def rsqrt(x):
    return ember.rsqrt(float_tensor(x))


def cbrt(x):
    """Real cube root, ``sign(x) * |x| ** (1/3)``."""
    x = t(x)
    if dtype_of(x) == "bool":
        x = cast(x, "int32")
    elif dtype_of(x) == "int64":
        x = cast(x, "float64")
    return ember.mul(ember.sign(x), ember.pow(ember.abs(x), 1.0 / 3.0))


def absolute(x):
    x = t(x)
    return x if dtype_of(x) == "bool" else ember.abs(x)


abs = absolute  # noqa: A001 - Keras's name


def fabs(x):
    return ember.abs(float_tensor(x))


def sign(x):
    return ember.sign(t(x))


def maximum(x1, x2):
    return ember.maximum(*_weak_pair(x1, x2))


def minimum(x1, x2):
    return ember.minimum(*_weak_pair(x1, x2))


def fmax(x1, x2):
    """Elementwise maximum that ignores NaN (the other value wins)."""
    return ember.fmax(*_weak_pair(x1, x2))


def fmin(x1, x2):
    """Elementwise minimum that ignores NaN (the other value wins)."""
    return ember.fmin(*_weak_pair(x1, x2))


def clip(x, x_min, x_max):
    x = t(x)
    if dtype_of(x) == "bool":
        x = cast(x, "int32")
    lo, hi = t(x_min), t(x_max)
    if lo.ndim == 0 and hi.ndim == 0:  # scalars: one clamp node (gradient where inside, ends included)
        return ember.clamp(x, lo._data.item(), hi._data.item())
    return ember.clamp(x, lo, hi)


# ---- exponentials and logarithms ----------------------------------------------------------
def exp(x):
    return ember.exp(float_tensor(x))


def exp2(x):
    return ember.exp2(float_tensor(x))


def expm1(x):
    return ember.expm1(float_tensor(x))


def log(x):
    return ember.log(float_tensor(x))


def log1p(x):
    return ember.log1p(float_tensor(x))


def log2(x):
    return ember.log2(float_tensor(x))


def log10(x):
    return ember.log10(float_tensor(x))


def logaddexp(x1, x2):
    """``log(exp(x1) + exp(x2))`` computed stably."""
    return ember.logaddexp(*promote(x1, x2, float))


def logaddexp2(x1, x2):
    """``log2(2**x1 + 2**x2)`` computed stably."""
    return ember.logaddexp2(*promote(x1, x2, float))


# ---- trigonometry available on the engine --------------------------------------------------
def sin(x):
    return ember.sin(float_tensor(x))


def cos(x):
    return ember.cos(float_tensor(x))


def tan(x):
    return ember.tan(float_tensor(x))


def tanh(x):
    return ember.tanh(float_tensor(x))


def _float_op(fn):
    """A float-only engine function applied as Keras does: integers become float32 first."""
    def op(x):
        return fn(float_tensor(x))
    op.__name__, op.__doc__ = fn.__name__, f"Elementwise ``{fn.__name__}`` (float32 for integers)."
    return op


sinh, cosh = _float_op(ember.sinh), _float_op(ember.cosh)
arcsin, arccos, arctan = _float_op(ember.arcsin), _float_op(ember.arccos), _float_op(ember.arctan)
arcsinh, arccosh, arctanh = _float_op(ember.asinh), _float_op(ember.acosh), _float_op(ember.atanh)
erf, erfc, erfinv = _float_op(ember.erf), _float_op(ember.erfc), _float_op(ember.erfinv)
sinc = _float_op(ember.sinc)
sinh.__name__, cosh.__name__, arcsinh.__name__ = "sinh", "cosh", "arcsinh"
arccosh.__name__, arctanh.__name__ = "arccosh", "arctanh"


def arctan2(x1, x2):
    """The angle of the point ``(x2, x1)``, in ``[-pi, pi]``."""
    return ember.arctan2(*promote(x1, x2, float))


def i0(x):
    """The modified Bessel function of the first kind, order 0."""
    x = t(x)
    name = "float64" if dtype_of(x) in ("int64", "float64") else \
        dtype_of(x) if dtype_of(x) == "float16" else FLOATX
    return ember.i0(cast(x, name))


def _wide_int_to_float(x, out):
    return cast(out, "float64") if dtype_of(x) == "int64" else out


def deg2rad(x):
    x = t(x)
    return _wide_int_to_float(x, ember.deg2rad(float_tensor(x)))


def rad2deg(x):
    x = t(x)
    return _wide_int_to_float(x, ember.rad2deg(float_tensor(x)))


def _float_pair(x1, x2):
    """Keras's rule for hypot/heaviside: small ints to float32, int64 to float64."""
    a, b = promote(x1, x2)
    if not is_float(a):
        name = "float64" if dtype_of(a) == "int64" else FLOATX
        a, b = cast(a, name), cast(b, name)
    return a, b


def hypot(x1, x2):
    return ember.hypot(*_float_pair(x1, x2))


# ---- rounding ------------------------------------------------------------------------------
def floor(x):
    return ember.floor(_int_to_float(x))


def ceil(x):
    x = t(x)
    out_name = FLOATX if dtype_of(x) == "int64" else result_type(dtype_of(x), float)
    return cast(ember.ceil(cast(x, "uint8") if dtype_of(x) == "bool" else x), out_name)


def round(x, decimals=0):  # noqa: A001 - Keras's name
    x = t(x)
    if not is_float(x):
        return cast(ember.round(cast(x, FLOATX), decimals=decimals), dtype_of(x))
    return ember.round(x, decimals=decimals)


def trunc(x):
    x = t(x)
    return x if dtype_of(x) == "bool" else ember.trunc(x)


# ---- comparisons and logic (no gradient) ----------------------------------------------------
def _bool_op(fn):
    def op(x1, x2):
        return fn(t(x1), t(x2))
    op.__name__ = fn.__name__
    return op


equal = _bool_op(ember.eq)
not_equal = _bool_op(ember.ne)
greater = _bool_op(ember.gt)
greater_equal = _bool_op(ember.ge)
less = _bool_op(ember.lt)
less_equal = _bool_op(ember.le)
logical_and = _bool_op(ember.logical_and)
logical_or = _bool_op(ember.logical_or)
logical_xor = _bool_op(ember.logical_xor)
equal.__name__, not_equal.__name__ = "equal", "not_equal"
greater.__name__, greater_equal.__name__ = "greater", "greater_equal"
less.__name__, less_equal.__name__ = "less", "less_equal"


def logical_not(x):
    return ember.logical_not(t(x))


def _np_op(fn, *xs, dtype=None):
    out = np.asarray(fn(*(t(x)._data for x in xs)))
    return Tensor._make(out if dtype is None else out.astype(dtype))


def isnan(x):
    return ember.isnan(t(x))


def isinf(x):
    return ember.isinf(t(x))


def isfinite(x):
    return ember.isfinite(t(x))


def isneginf(x):
    return ember.isneginf(t(x))


def isposinf(x):
    return ember.isposinf(t(x))


def isreal(x):
    return _np_op(np.isreal, x)


def signbit(x):
    return ember.signbit(t(x))


def isclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    a, b = promote(x1, x2)
    if not is_float(a):
        return ember.eq(a, b)
    return _np_op(lambda p, q: np.isclose(p, q, rtol=rtol, atol=atol, equal_nan=equal_nan), a, b)


def allclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    return Tensor._make(np.asarray(np.all(isclose(x1, x2, rtol, atol, equal_nan)._data)))


def bitwise_and(x, y):
    return _np_op(np.bitwise_and, x, y)


def bitwise_or(x, y):
    return _np_op(np.bitwise_or, x, y)


def bitwise_xor(x, y):
    return _np_op(np.bitwise_xor, x, y)


def bitwise_invert(x):
    return _np_op(np.invert, x)


bitwise_not = bitwise_invert


def bitwise_left_shift(x, y):
    return _np_op(np.left_shift, x, y)


def bitwise_right_shift(x, y):
    return _np_op(np.right_shift, x, y)


left_shift, right_shift = bitwise_left_shift, bitwise_right_shift


def gcd(x1, x2):
    return _np_op(np.gcd, x1, x2)


def lcm(x1, x2):
    return _np_op(np.lcm, x1, x2)


def heaviside(x1, x2):
    return ember.heaviside(*_float_pair(x1, x2))


def ldexp(x1, x2):
    x1, x2 = t(x1), t(x2)
    if "int" not in dtype_of(x2):
        raise TypeError(f"ldexp exponent must be an integer type. Received: x2 dtype={dtype_of(x2)}")
    name = result_type(dtype_of(x1), dtype_of(x2), float)
    return cast(ember.ldexp(cast(x1, name), x2), name)


def nextafter(x1, x2):
    name = result_type(dtype_of(t(x1)), dtype_of(t(x2)), float)
    return cast(ember.nextafter(cast(x1, "float64"), cast(x2, "float64")), name)


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """NaN -> ``nan``, +inf -> ``posinf`` (default: largest float), -inf -> ``neginf``."""
    x = t(x)
    return ember.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf) if is_float(x) else x


def where(condition, x1=None, x2=None):
    """``x1`` where ``condition`` holds, else ``x2``; with one argument, the indices (stacked)."""
    cond = convert_to_tensor(condition, "bool")
    if x1 is None and x2 is None:
        return Tensor._make(np.stack(np.nonzero(cond._data)).astype(np.int64))
    if x1 is None or x2 is None:
        raise ValueError("`x1` and `x2` either both should be `None` or both should have a value. "
                         f"Received: x1={x1}, x2={x2}")
    return ember.where(cond, t(x1), t(x2))


def select(condlist, choicelist, default=0):
    """The first ``choicelist[i]`` whose ``condlist[i]`` holds, elementwise; else ``default``."""
    out = t(default)
    for c, v in reversed(list(zip(condlist, choicelist))):
        out = ember.where(t(c), t(v), out)
    return out


__all__ = [n for n in dir() if not n.startswith("_") and n not in (
    "annotations", "builtins", "math", "np", "ember", "F", "Tensor", "FLOATX", "cast", "constant",
    "convert_to_tensor", "dtype_of", "float_tensor", "is_float", "promote", "result_type", "t")]
