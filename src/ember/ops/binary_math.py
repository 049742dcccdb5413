"""Two-operand maths beyond the arithmetic operators: atan2 (one node), and composites of
existing ops for hypot, xlogy, logaddexp(2), copysign, fmax/fmin, fmod, float_power, ldexp,
lerp, addcmul/addcdiv; integer gcd/lcm and bit shifts; comparisons by torch's other names.

Example::

    >>> ember.atan2(ember.tensor([1.0, -1.0]), ember.tensor([-1.0, -1.0]))
    tensor([ 2.3562, -2.3562])
"""
from __future__ import annotations

import math

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd.function import Function
from . import comparison as cmp
from . import elementwise as ew
from ._util import as_tensor, coerce, float_input, unbroadcast
from .incomplete_gamma import igamma_array

__all__ = ["atan2", "arctan2", "hypot", "xlogy", "logaddexp", "logaddexp2", "copysign", "fmax",
           "fmin", "fmod", "float_power", "ldexp", "lerp", "addcmul", "addcdiv", "nextafter",
           "gcd", "lcm", "bitwise_left_shift", "bitwise_right_shift", "greater", "greater_equal",
           "less", "less_equal", "not_equal", "isclose", "isin", "isneginf", "isposinf", "isreal",
           "absolute", "clamp_min", "clamp_max", "true_divide", "rsub", "igamma", "igammac"]


def _pair(input, other):
    """Both operands as float tensors of torch's promoted dtype."""
    a = as_tensor(input)
    a, b = coerce(a, other)
    b = as_tensor(b)
    if a._data.dtype.kind != "f":
        a, b = float_input(a), float_input(b)
    return a, b.to(a.dtype)


class Atan2(Function):
    def forward(self, y, x):
        self.y, self.x = y, x
        return np.arctan2(y, x)

    def backward(self, g):
        y, x = self.y, self.x
        with np.errstate(all="ignore"):
            r2 = x * x + y * y
            gy = unbroadcast(g * x / r2, y.shape) if self.needs_grad(0) else None
            gx = unbroadcast(-g * y / r2, x.shape) if self.needs_grad(1) else None
        return gy, gx


def atan2(input, other):
    """The angle of the point ``(other, input)``: ``atan(input / other)`` in the right quadrant."""
    a, b = _pair(input, other)
    return Atan2.apply(a, b)


arctan2 = atan2


def hypot(input, other):
    """``sqrt(input² + other²)``."""
    a, b = _pair(input, other)
    return ew.sqrt(a * a + b * b)


def xlogy(input, other):
    """``input * log(other)``, 0 where ``input`` is 0 (unless ``other`` is NaN)."""
    a, b = _pair(input, other)
    with np.errstate(all="ignore"):
        zero = Tensor._make((a._data == 0) & ~np.isnan(b._data))
        return ew.where(zero, 0.0, a * ew.log(ew.where(zero, 1.0, b)))


def logaddexp(input, other):
    """``log(exp(input) + exp(other))``, computed stably."""
    a, b = _pair(input, other)
    m = ew.maximum(a, b).detach()
    m = ew.where(Tensor._make(np.isfinite(m._data)), m, 0.0)
    return ew.log(ew.exp(a - m) + ew.exp(b - m)) + m


def logaddexp2(input, other):
    """``log2(2**input + 2**other)``, computed stably."""
    a, b = _pair(input, other)
    ln2 = math.log(2.0)
    return logaddexp(a * ln2, b * ln2) / ln2


def copysign(input, other):
    """``|input|`` with the sign of ``other`` (including -0.0)."""
    a, b = _pair(input, other)
    return ew.where(Tensor._make(np.signbit(b._data)), -ew.abs(a), ew.abs(a))


def fmax(input, other):
    """Elementwise maximum that ignores NaN (NaN only where both are)."""
    a, b = coerce(as_tensor(input), other)
    b = as_tensor(b)
    take_b = (b._data > a._data) | np.isnan(a._data)
    return ew.where(Tensor._make(take_b), b, a)


def fmin(input, other):
    """Elementwise minimum that ignores NaN."""
    a, b = coerce(as_tensor(input), other)
    b = as_tensor(b)
    take_b = (b._data < a._data) | np.isnan(a._data)
    return ew.where(Tensor._make(take_b), b, a)


def fmod(input, other):
    """C's remainder: ``input - trunc(input / other) * other``, with the sign of ``input``
    (``remainder`` takes the sign of ``other``)."""
    a = as_tensor(input)
    if a._data.dtype.kind in "iub" and not isinstance(other, float) and not (
            isinstance(other, Tensor) and other.is_floating_point()):
        b = other._data if isinstance(other, Tensor) else other
        if np.any(np.asarray(b) == 0):
            raise RuntimeError("ZeroDivisionError")
        return Tensor._make(np.fmod(a._data, b).astype(a._data.dtype))
    a, b = _pair(a, other)
    with np.errstate(all="ignore"):
        return a - ew.trunc(a / b) * b


def float_power(input, exponent):
    """``input ** exponent`` computed in float64."""
    a = as_tensor(input).to(_dtype.float64)
    e = exponent.to(_dtype.float64) if isinstance(exponent, Tensor) else float(exponent)
    return ew.pow(a, e)


def ldexp(input, other):
    """``input * 2 ** other``."""
    a = float_input(as_tensor(input))
    return a * ew.pow(2.0, float_input(as_tensor(other)))


def lerp(input, end, weight):
    """``input + weight * (end - input)``."""
    return input + weight * (end - input)


def addcmul(input, tensor1, tensor2, *, value=1):
    """``input + value * tensor1 * tensor2``."""
    return input + value * tensor1 * tensor2


def addcdiv(input, tensor1, tensor2, *, value=1):
    """``input + value * tensor1 / tensor2``."""
    t1 = as_tensor(tensor1)
    if t1._data.dtype.kind != "f" and as_tensor(tensor2)._data.dtype.kind != "f":
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a future "
                           "release addcdiv will perform a true division of tensor1 and tensor2. "
                           "The historic addcdiv behavior can be implemented as (input + value * "
                           "torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and "
                           "as (input + value * tensor1 / tensor2) for float inputs. The future "
                           "addcdiv behavior is just the latter implementation: (input + value * "
                           "tensor1 / tensor2), for all dtypes.")
    return input + value * t1 / tensor2


def nextafter(input, other):
    """The next floating-point value after ``input`` toward ``other`` (gradient 1 to ``input``)."""
    a, b = _pair(input, other)
    step = Tensor._make(np.nextafter(a._data, b._data) - a._data)
    return a + step


def _integer(name, fn):
    def op(input, other):
        a = as_tensor(input)
        b = other._data if isinstance(other, Tensor) else other
        if a._data.dtype.kind == "f" or np.asarray(b).dtype.kind == "f":
            raise RuntimeError(f'"{name}_cpu" not implemented for '
                               f"'{'Float' if a._data.dtype == np.float32 else 'Double'}'")
        return Tensor._make(np.asarray(fn(a._data, b)).astype(
            np.result_type(a._data.dtype, np.asarray(b).dtype)))
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise ``{name}`` of integer tensors."
    return op


gcd = _integer("gcd", np.gcd)
lcm = _integer("lcm", np.lcm)
bitwise_left_shift = _integer("lshift", np.left_shift)
bitwise_right_shift = _integer("rshift", np.right_shift)
bitwise_left_shift.__name__, bitwise_right_shift.__name__ = "bitwise_left_shift", "bitwise_right_shift"

greater, greater_equal, less, less_equal, not_equal = cmp.gt, cmp.ge, cmp.lt, cmp.le, cmp.ne
absolute, true_divide = ew.abs, ew.div


def rsub(input, other, alpha=1):
    """``other - alpha * input`` (subtraction with the operands reversed)."""
    return ew.sub(other, input, alpha=alpha) if isinstance(other, Tensor) else \
        ew.rsub(input * alpha if alpha != 1 else input, other)


def isclose(input, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False):
    """Elementwise ``|input - other| <= atol + rtol * |other|`` (a bool tensor)."""
    a, b = as_tensor(input)._data, as_tensor(other)._data
    return Tensor._make(np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def isin(elements, test_elements, *, assume_unique: bool = False, invert: bool = False):
    """True where an element of ``elements`` occurs in ``test_elements``."""
    a = as_tensor(elements)._data
    b = as_tensor(test_elements)._data
    return Tensor._make(np.isin(a, b, invert=invert))


def isneginf(input):
    return Tensor._make(np.isneginf(as_tensor(input)._data))


def isposinf(input):
    return Tensor._make(np.isposinf(as_tensor(input)._data))


def isreal(input):
    """All True: ember has no complex tensors."""
    return Tensor._make(np.ones(as_tensor(input).shape, np.bool_))


def clamp_min(input, min):  # noqa: A002 - torch's name
    return ew.clamp(input, min=min)


def clamp_max(input, max):  # noqa: A002 - torch's name
    return ew.clamp(input, max=max)


class Igamma(Function):
    """P(a, x) or Q(a, x); the gradient flows to ``x`` only (torch has none for ``a`` either)."""

    def forward(self, a, x, upper=False):
        self.a, self.x, self.upper = a, x, upper
        self.label = "IgammacBackward0" if upper else "IgammaBackward0"
        return igamma_array(a, x, upper)

    def backward(self, g):
        from .unary_math import lgamma_array
        if self.needs_grad(0):
            raise NotImplementedError(f"the derivative for '{'igammac' if self.upper else 'igamma'}"
                                      f": input' is not implemented.")
        a, x = np.broadcast_arrays(self.a, self.x)
        with np.errstate(all="ignore"):
            density = np.exp((a - 1) * np.log(x) - x - lgamma_array(a))
        gx = g * (-density if self.upper else density).astype(g.dtype)
        return None, unbroadcast(gx, self.x.shape)


def igamma(input, other):
    """The regularized lower incomplete gamma function ``P(input, other)``."""
    a, x = _pair(input, other)
    return Igamma.apply(a, x, upper=False)


def igammac(input, other):
    """The regularized upper incomplete gamma function ``Q(input, other) = 1 - P``."""
    a, x = _pair(input, other)
    return Igamma.apply(a, x, upper=True)

