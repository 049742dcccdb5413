"""Elementwise arithmetic and math: forward and backward side by side, with broadcasting."""
from __future__ import annotations

import builtins

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd.function import Function
from ._util import as_tensor, broadcast_error, coerce, float_input, unbroadcast
from .comparison import (allclose, bitwise_and, bitwise_not, bitwise_or, bitwise_xor,  # noqa: F401 - re-exported
                         eq, equal, ge, gt, isfinite, isinf, isnan, le, logical_and, logical_not,
                         logical_or, logical_xor, lt, ne)


def _shape(x):
    return x.shape if isinstance(x, np.ndarray) else ()


# --------------------------------------------------------------------------- binary
class Add(Function):
    def forward(self, x, y):
        self.shapes = (_shape(x), _shape(y))
        return np.add(x, y)

    def backward(self, g):
        return unbroadcast(g, self.shapes[0]), unbroadcast(g, self.shapes[1])


class Sub(Function):
    def forward(self, x, y):
        if not isinstance(x, np.ndarray):  # scalar - tensor
            self.label = "RsubBackward1"
        self.shapes = (_shape(x), _shape(y))
        return np.subtract(x, y)

    def backward(self, g):
        gy = unbroadcast(-g, self.shapes[1]) if self.needs_grad(1) else None
        return unbroadcast(g, self.shapes[0]), gy


class Mul(Function):
    def forward(self, x, y):
        self.shapes = (_shape(x), _shape(y))
        wanted = self.next_functions  # save only what the gradients needed will read
        if wanted[0] is not None:
            self.y = y
        if wanted[1] is not None:
            self.x = x
        return np.multiply(x, y)

    def backward(self, g):
        gx = unbroadcast(g * self.y, self.shapes[0]) if self.needs_grad(0) else None
        gy = unbroadcast(g * self.x, self.shapes[1]) if self.needs_grad(1) else None
        return gx, gy


class Div(Function):
    def forward(self, x, y):
        self.x, self.y = x, y
        return np.true_divide(x, y)

    def backward(self, g):
        x, y = self.x, self.y
        gx = unbroadcast(g / y, _shape(x)) if self.needs_grad(0) else None
        gy = unbroadcast(-g * x / (y * y), _shape(y)) if self.needs_grad(1) else None
        return gx, gy


class Pow(Function):
    def forward(self, x, y):
        self.x, self.y = x, y
        if isinstance(y, np.ndarray):  # torch's overloads: tensor ** tensor, scalar ** tensor
            self.label = "PowBackward1" if isinstance(x, np.ndarray) else "PowBackward2"
        out = np.power(x, y)
        want = x.dtype if isinstance(x, np.ndarray) else y.dtype
        out = out if out.dtype == want else out.astype(want)  # NumPy: bool ** bool is int8
        if isinstance(y, np.ndarray):  # the exponent's gradient uses the result (torch saves it too)
            self.out = out
        return out

    def backward(self, g):
        x, y = self.x, self.y
        gx = gy = None
        if self.needs_grad(0):
            if isinstance(y, np.ndarray) or y not in (0, 1, 2):
                gx = g * y * np.power(x, y - 1)
            elif y == 2:
                gx = g * 2 * x
            else:
                gx = g * (y * np.ones_like(x))
            gx = unbroadcast(gx, _shape(x))
        if self.needs_grad(1):
            with np.errstate(divide="ignore", invalid="ignore"):
                gy = g * self.out * np.log(x)
            gy = unbroadcast(np.where((x == 0) & (y >= 0), np.zeros((), gy.dtype), gy), _shape(y))
        return gx, gy


class Maximum(Function):
    """Gradient goes to the larger input; ties split it evenly (torch's rule)."""

    def forward(self, x, y):
        self.x, self.y = x, y
        return np.maximum(x, y)

    def backward(self, g):
        return _split_by(self, g, np.greater(self.x, self.y))


class Minimum(Function):
    def forward(self, x, y):
        self.x, self.y = x, y
        return np.minimum(x, y)

    def backward(self, g):
        return _split_by(self, g, np.less(self.x, self.y))


def _split_by(node, g, first_wins):
    share = np.where(first_wins, 1.0, np.where(np.equal(node.x, node.y), 0.5, 0.0)).astype(g.dtype)
    gx = unbroadcast(g * share, _shape(node.x)) if node.needs_grad(0) else None
    gy = unbroadcast(g * (1 - share), _shape(node.y)) if node.needs_grad(1) else None
    return gx, gy


class Where(Function):
    def forward(self, cond, x, y):
        self.cond, self.shapes = cond, (_shape(x), _shape(y))
        return np.where(cond, x, y)

    def backward(self, g):
        zero = np.zeros((), g.dtype)
        gx = unbroadcast(np.where(self.cond, g, zero), self.shapes[0]) if self.needs_grad(1) else None
        gy = unbroadcast(np.where(self.cond, zero, g), self.shapes[1]) if self.needs_grad(2) else None
        return None, gx, gy


def _binary(cls, a, b, reverse: bool = False):
    if not isinstance(a, Tensor):
        a = as_tensor(a)
    try:
        a, b = coerce(a, b)
    except TypeError:
        return NotImplemented
    try:
        return cls.apply(b, a) if reverse else cls.apply(a, b)
    except ValueError as e:
        if "broadcast" in str(e):
            raise broadcast_error(*((_shape_of(b), a.shape) if reverse else (a.shape, _shape_of(b))))
        raise


def _shape_of(x):
    return x.shape if isinstance(x, Tensor) else ()


def add(input, other, *, alpha=1):
    """``input + alpha * other`` with broadcasting."""
    if alpha != 1:
        other = mul(as_tensor(other), alpha) if isinstance(other, Tensor) else other * alpha
    return _binary(Add, input, other)


def _is_bool(x) -> bool:
    return isinstance(x, builtins.bool) or (isinstance(x, Tensor) and x._data.dtype == np.bool_)


def _refuse_bool_sub(a, b) -> None:
    """torch refuses ``-`` when either side is a bool (tensor or Python bool)."""
    if _is_bool(a) and _is_bool(b):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    if _is_bool(a) or _is_bool(b):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If "
                           "you are trying to invert a mask, use the `~` or `logical_not()` operator "
                           "instead.")


def sub(input, other, *, alpha=1):
    """``input - alpha * other`` with broadcasting."""
    _refuse_bool_sub(input, other)
    if alpha != 1:
        other = mul(as_tensor(other), alpha) if isinstance(other, Tensor) else other * alpha
    return _binary(Sub, input, other)


def mul(input, other):
    """Elementwise product with broadcasting and torch's dtype promotion.

    Example::

        >>> ember.mul(ember.tensor([1.0, 2.0]), 3)
        tensor([3., 6.])
    """
    return _binary(Mul, input, other)


def div(input, other, *, rounding_mode=None):
    """True division (integers become float32); ``rounding_mode`` 'floor' or 'trunc' rounds."""
    if rounding_mode is not None:
        return floor_divide(input, other) if rounding_mode == "floor" else trunc(div(input, other))
    input = as_tensor(input)
    a, b = coerce(input, other)
    if a._data.dtype.kind != "f":
        a = a.to(_dtype.get_default_dtype())
        b = b.to(_dtype.get_default_dtype()) if isinstance(b, Tensor) else builtins.float(b)
    return _binary(Div, a, b)


def rsub(input, other):
    """``other - input`` (a scalar minus a tensor)."""
    _refuse_bool_sub(other, input)
    return _binary(Sub, as_tensor(input), other, reverse=True)


def rdiv(input, other):
    """``other / input`` (a scalar divided by a tensor)."""
    a, b = coerce(as_tensor(input), other)
    if a._data.dtype.kind != "f":
        a = a.to(_dtype.get_default_dtype())
        b = b.to(_dtype.get_default_dtype()) if isinstance(b, Tensor) else builtins.float(b)
    return _binary(Div, a, b, reverse=True)


def pow(input, exponent):  # noqa: A001 - torch's name
    """``input ** exponent``; either side may be a scalar."""
    if not isinstance(input, Tensor):  # scalar ** tensor
        return _binary(Pow, as_tensor(exponent), input, reverse=True)
    return _binary(Pow, input, exponent)


def maximum(input, other):
    """Elementwise maximum; ties share the gradient evenly."""
    return _binary(Maximum, input, as_tensor(other))


def minimum(input, other):
    """Elementwise minimum; ties share the gradient evenly."""
    return _binary(Minimum, input, as_tensor(other))


def where(condition, input=None, other=None):
    """Elements of ``input`` where ``condition`` holds, else of ``other`` (broadcasting)."""
    cond = as_tensor(condition)
    if input is None and other is None:
        return tuple(Tensor._make(i) for i in np.nonzero(cond._data))
    if cond._data.dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {cond.dtype.name}")
    x = input if isinstance(input, Tensor) else None
    y = other if isinstance(other, Tensor) else None
    if x is None and y is None:
        x = as_tensor(input)
    if x is not None:
        x, y = coerce(x, other)
    else:
        y, x = coerce(y, input)
    try:
        return Where.apply(cond, x, y)
    except ValueError:
        raise RuntimeError(f"where: condition {tuple(cond.shape)}, input {tuple(_shape_of(x))} and "
                           f"other {tuple(_shape_of(y))} cannot be broadcast together") from None


def floor_divide(input, other):
    """``floor(input / other)`` elementwise (no gradient)."""
    a, b = coerce(as_tensor(input), other)
    return Tensor._make(np.floor_divide(a._data, b._data if isinstance(b, Tensor) else b))


class Remainder(Function):
    """``x - floor(x / y) * y``: d/dx = 1, d/dy = -floor(x / y)."""

    def forward(self, x, y):
        self.x, self.y = x, y
        if isinstance(y, np.ndarray):
            self.label = "RemainderBackward1"
        return np.remainder(x, y)

    def backward(self, g):
        gx = unbroadcast(g, _shape(self.x)) if self.needs_grad(0) else None
        gy = None
        if self.needs_grad(1):
            gy = unbroadcast(-g * np.floor_divide(self.x, self.y), _shape(self.y))
        return gx, gy


def remainder(input, other):
    """``input - floor(input / other) * other``, with the sign of ``other`` (Python's ``%``)."""
    return _binary(Remainder, input, other)


# ---------------------------------------------------------------------------- unary
class Neg(Function):
    def forward(self, x):
        return np.negative(x)

    def backward(self, g):
        return (np.negative(g),)


class Abs(Function):
    def forward(self, x):
        self.x = x
        return np.abs(x)

    def backward(self, g):
        return (g * np.sign(self.x),)


class Exp(Function):
    def forward(self, x):
        self.out = np.exp(x)
        return self.out

    def backward(self, g):
        return (g * self.out,)


class Expm1(Function):
    def forward(self, x):
        self.out = np.expm1(x)
        return self.out

    def backward(self, g):
        return (g * (self.out + 1),)


class Log(Function):
    def forward(self, x):
        self.x = x
        return np.log(x)

    def backward(self, g):
        return (g / self.x,)


class Log1p(Function):
    NAME = "Log1PBackward0"

    def forward(self, x):
        self.x = x
        return np.log1p(x)

    def backward(self, g):
        return (g / (1 + self.x),)


class Sqrt(Function):
    def forward(self, x):
        self.out = np.sqrt(x)
        return self.out

    def backward(self, g):
        return (g / (2 * self.out),)


class Reciprocal(Function):
    """``1 / x``; torch's node saves its result."""

    def forward(self, x):
        with np.errstate(divide="ignore"):
            self.out = np.reciprocal(x)
        return self.out

    def backward(self, g):
        return (-g * (self.out * self.out),)


class Rsqrt(Function):
    """``1 / sqrt(x)``; torch's node saves its result."""

    def forward(self, x):
        with np.errstate(divide="ignore", invalid="ignore"):
            self.out = np.reciprocal(np.sqrt(x))
        return self.out

    def backward(self, g):
        return (-0.5 * g * (self.out * self.out * self.out),)


class Sin(Function):
    def forward(self, x):
        self.x = x
        return np.sin(x)

    def backward(self, g):
        return (g * np.cos(self.x),)


class Cos(Function):
    def forward(self, x):
        self.x = x
        return np.cos(x)

    def backward(self, g):
        return (-g * np.sin(self.x),)


class Clamp(Function):
    NAME = "ClampBackward1"

    SAVES = (0,)  # torch saves the input (ember keeps a mask)

    def forward(self, x, lo=None, hi=None):
        self.mask = None
        if lo is not None and hi is not None:
            self.mask = (x >= lo) & (x <= hi)
        elif lo is not None:
            self.mask = x >= lo
        elif hi is not None:
            self.mask = x <= hi
        return np.clip(x, lo, hi)

    def backward(self, g):  # where, not a product: an infinite gradient outside stays 0 (torch)
        return (g if self.mask is None else np.where(self.mask, g, g.dtype.type(0)),)


class Cast(Function):
    NAME = "ToCopyBackward0"

    def forward(self, x, dtype=None):
        self.dtype = x.dtype
        return x.astype(dtype)

    def backward(self, g):
        return (g.astype(self.dtype) if self.dtype.kind == "f" else None,)


class ZeroGrad(Function):
    """Piecewise-constant functions (floor, ceil, round, sign, trunc): zero gradient."""

    def forward(self, x, fn=None):
        return fn(x)

    def backward(self, g):
        return (np.zeros_like(g),)


def _unary(cls, input, as_float: bool = True):
    x = as_tensor(input)
    return cls.apply(float_input(x) if as_float else x)


def neg(input):
    """``-input``."""
    if _is_bool(input):
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are "
                           "trying to invert a mask, use the `~` or `logical_not()` operator instead.")
    return _unary(Neg, input, as_float=False)


def abs(input):  # noqa: A001
    """Absolute value; the gradient at 0 is 0."""
    return _unary(Abs, input, as_float=False)


def exp(input):
    """``e ** x`` elementwise (integers become float32)."""
    return _unary(Exp, input)


def expm1(input):
    """``exp(x) - 1``, accurate near 0."""
    return _unary(Expm1, input)


def log(input):
    """Natural logarithm."""
    return _unary(Log, input)


def log1p(input):
    """``log(1 + x)``, accurate near 0."""
    return _unary(Log1p, input)


def log2(input):
    """Base-2 logarithm."""
    return div(log(input), float(np.log(2.0)))


def log10(input):
    """Base-10 logarithm."""
    return div(log(input), float(np.log(10.0)))


def sqrt(input):
    """Square root."""
    return _unary(Sqrt, input)


def rsqrt(input):
    """``1 / sqrt(x)``."""
    return _unary(Rsqrt, input)


def reciprocal(input):
    """``1 / x`` (integers become float32)."""
    return _unary(Reciprocal, input)


def square(input):
    """``x * x``."""
    return pow(input, 2)


def sin(input):
    """Sine."""
    return _unary(Sin, input)


def cos(input):
    """Cosine."""
    return _unary(Cos, input)


def tan(input):
    """Tangent."""
    return div(sin(input), cos(input))


def clamp(input, min=None, max=None):  # noqa: A002 - torch's names
    """Limits values to ``[min, max]``; the gradient passes where the value was inside."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    x = as_tensor(input)
    min, max = (v.item() if isinstance(v, np.generic) else v for v in (min, max))  # NumPy scalars stay weak
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        out = x if min is None else maximum(x, min)
        return out if max is None else minimum(out, max)
    if x._data.dtype.kind != "f" and any(isinstance(v, builtins.float) for v in (min, max)):
        x = x.to(_dtype.get_default_dtype())
    return Clamp.apply(x, lo=min, hi=max)


clip = clamp


def _zero_grad_fn(fn):
    label = fn.__name__.capitalize() + "Backward0"

    def op(input):
        return ZeroGrad.apply(as_tensor(input), fn=fn, label=label)
    op.__name__ = fn.__name__
    op.__doc__ = f"Elementwise ``{fn.__name__}`` (gradient zero almost everywhere)."
    return op


floor = _zero_grad_fn(np.floor)
ceil = _zero_grad_fn(np.ceil)
trunc = _zero_grad_fn(np.trunc)
sign = _zero_grad_fn(np.sign)


def round(input, decimals: int = 0):  # noqa: A001
    """Rounds half to even, to ``decimals`` places (zero gradient)."""
    return ZeroGrad.apply(as_tensor(input), fn=lambda a: np.round(a, decimals),
                          label="RoundBackward1" if decimals else "RoundBackward0")


def to_dtype(input: Tensor, dtype) -> Tensor:
    """``input`` converted to ``dtype`` (itself when it already has it); gradients flow back in the source dtype."""
    np_dtype = _dtype.to_numpy_dtype(dtype)
    if input._data.dtype == np_dtype:
        return input
    return Cast.apply(input, dtype=np_dtype)


subtract, multiply, divide, true_divide, negative = sub, mul, div, div, neg
