"""Trigonometric, hyperbolic and special functions, each a :class:`~ember.ops.pointwise.Rule`
(forward and derivative side by side) run by the one ``Pointwise`` node.

NumPy has no gamma-family or inverse-error functions; they are written here once, vectorised:
``lgamma`` (the standard library's, per element), ``digamma``/``polygamma`` (recurrence to
x ≥ 10 then the asymptotic series, as Cephes does) and ``erfinv`` (Giles' approximation
polished by Newton steps on ``erf``). ``i1`` is :mod:`ember.ops.special_functions`'.

Example::

    >>> ember.asin(ember.tensor([0.0, 0.5]))
    tensor([0.0000, 0.5236])
"""
from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor
from ._util import as_tensor, float_input
from .activation import erf as _erf
from .bessel import i1_array
from .special_functions import erf_array, erfc_array, i1
from .pointwise import Rule, apply_rule

__all__ = ["acos", "asin", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "arccos", "arcsin",
           "arctan", "arcsinh", "arccosh", "arctanh", "erf", "erfc", "erfinv", "exp2", "lgamma",
           "digamma", "polygamma", "mvlgamma", "i0", "sinc", "logit", "frac", "deg2rad", "rad2deg",
           "sgn", "fix", "positive", "signbit", "nan_to_num", "i1", "expit"]

_SQRT_PI = math.sqrt(math.pi)


def _same(x, out):
    return np.asarray(out).astype(x.dtype, copy=False)


# ------------------------------------------------------------------ special-function kernels
def lgamma_array(x: np.ndarray) -> np.ndarray:
    """``log|Γ(x)|`` elementwise (``inf`` at the poles 0, -1, -2, …)."""
    flat = x.astype(np.float64).ravel()
    out = np.empty_like(flat)
    for i, v in enumerate(flat):
        try:
            out[i] = math.lgamma(v)
        except (ValueError, OverflowError):
            out[i] = math.inf if not math.isnan(v) else math.nan
    return out.reshape(x.shape).astype(x.dtype, copy=False)


_BERNOULLI = [1.0 / 6, -1.0 / 30, 1.0 / 42, -1.0 / 30, 5.0 / 66, -691.0 / 2730, 7.0 / 6,
              -3617.0 / 510, 43867.0 / 798, -174611.0 / 330]


def polygamma_array(n: int, x: np.ndarray) -> np.ndarray:
    """``ψ⁽ⁿ⁾(x)``: the n-th derivative of digamma (n = 0 is digamma itself)."""
    z = x.astype(np.float64)
    out = np.zeros_like(z)
    pole = (z <= 0) & (z == np.floor(z))
    infinite = np.isinf(z)
    z = np.where(pole | infinite, 10.0, z)       # answered below: the shift loop must not see
    pole &= ~infinite                            # them (-inf, or -1e10, would never reach 10)
    if n == 0:                                  # reflection for negative non-integers
        neg = (z < 0) & ~pole
        refl = np.where(neg, -math.pi / np.tan(math.pi * np.where(neg, z, 0.5)), 0.0)
        z = np.where(neg, 1 - z, z)
    acc = np.zeros_like(z)
    sign = (-1) ** (n + 1)
    fact = math.factorial(n)
    while True:                                  # shift up to z >= 10
        small = z < 10
        if not small.any():
            break
        if n == 0:
            acc -= np.where(small, 1.0 / np.where(small, z, 1.0), 0.0)
        else:
            acc += np.where(small, sign * fact / np.where(small, z, 1.0) ** (n + 1), 0.0)
        z = np.where(small, z + 1, z)
    if n == 0:
        series = np.log(z) - 0.5 / z
        zk = z * z
        for k, b in enumerate(_BERNOULLI, start=1):
            series -= b / (2 * k * zk)
            zk = zk * z * z
    else:
        series = math.factorial(n - 1) / z ** n + fact / (2 * z ** (n + 1))
        for k, b in enumerate(_BERNOULLI, start=1):
            series += b * math.factorial(2 * k + n - 1) / (math.factorial(2 * k) * z ** (2 * k + n))
        series *= sign
    out = acc + series
    if n == 0:
        out = np.where((x < 0) & ~pole, out + refl, out)
        out = np.where(pole, np.where(x == 0, np.copysign(np.inf, -x), np.nan), out)  # ψ(∓0) = ±inf
        out = np.where(infinite, np.where(x > 0, np.inf, np.nan), out)
    else:
        # torch: (-1)^(n+1) n! ζ(n+1, x) with ζ = inf at the poles; trigamma's limit at +inf is 0,
        # ζ(n+1, inf) is nan for n >= 2
        out = np.where(pole, np.inf if n % 2 else -np.inf, out)
        out = np.where(infinite, np.where((x > 0) & (n == 1), 0.0, np.nan), out)
    return out.astype(x.dtype, copy=False)


_ERFINV_A = (0.886226899, -1.645349621, 0.914624893, -0.140543331)
_ERFINV_B = (-2.118377725, 1.442710462, -0.329097515, 0.012229801)
_ERFINV_C = (-1.970840454, -1.624906493, 3.429567803, 1.641345311)
_ERFINV_D = (3.543889200, 1.637067800)


def erfinv_array(y: np.ndarray) -> np.ndarray:
    """The inverse error function on [-1, 1] (±inf at ±1, nan outside), as torch computes it:
    a rational first guess (central below 0.7, tail above) and two Newton steps on the C
    library's erf."""
    y64 = y.astype(np.float64)
    a, b, c, d = _ERFINV_A, _ERFINV_B, _ERFINV_C, _ERFINV_D
    with np.errstate(all="ignore"):
        z = y64 * y64
        central = y64 * (((a[3] * z + a[2]) * z + a[1]) * z + a[0]) / (
            (((b[3] * z + b[2]) * z + b[1]) * z + b[0]) * z + 1.0)
        t = np.sqrt(-np.log((1.0 - np.abs(y64)) / 2.0))
        tail = np.copysign(((c[3] * t + c[2]) * t + c[1]) * t + c[0], y64) / ((d[1] * t + d[0]) * t + 1.0)
        inside = np.abs(y64) < 1
        x = np.where(inside, np.where(np.abs(y64) <= 0.7, central, tail), 0.0)
        for _ in range(2):
            x = x - (erf_array(x) - y64) / (2 / _SQRT_PI * np.exp(-x * x))
    x = np.where(np.abs(y64) == 1, np.copysign(np.inf, y64), x)
    x = np.where((np.abs(y64) > 1) | np.isnan(y64), np.nan, x)
    return x.astype(y.dtype, copy=False)


# ------------------------------------------------------------------------ rules
def _rule(name, forward, derivative, keep=("x",)):
    """A rule whose backward is ``g * derivative(x, out)``; only what ``keep`` names ("x", "out")
    is kept for backward (the others are None), as torch saves only those: an in-place change of
    anything else is legal."""
    keep_x, keep_out = "x" in keep, "out" in keep

    def fwd(x):
        out = _same(x, forward(x))
        return out, (x if keep_x else None, out if keep_out else None)

    def bwd(g, saved):
        x, out = saved
        return g * _same(g, derivative(x, out))
    return Rule(name, fwd, bwd)


_RULES = {
    "acos": _rule("AcosBackward0", np.arccos, lambda x, o: -1 / np.sqrt(1 - x * x)),
    "asin": _rule("AsinBackward0", np.arcsin, lambda x, o: 1 / np.sqrt(1 - x * x)),
    "atan": _rule("AtanBackward0", np.arctan, lambda x, o: 1 / (1 + x * x)),
    "sinh": _rule("SinhBackward0", np.sinh, lambda x, o: np.cosh(x)),
    "cosh": _rule("CoshBackward0", np.cosh, lambda x, o: np.sinh(x)),
    "asinh": _rule("AsinhBackward0", np.arcsinh, lambda x, o: 1 / np.sqrt(x * x + 1)),
    "acosh": _rule("AcoshBackward0", np.arccosh, lambda x, o: 1 / np.sqrt(x * x - 1)),
    "atanh": _rule("AtanhBackward0", np.arctanh, lambda x, o: 1 / (1 - x * x)),
    "erf": _rule("ErfBackward0", _erf, lambda x, o: 2 / _SQRT_PI * np.exp(-x * x)),
    "erfc": _rule("ErfcBackward0", erfc_array, lambda x, o: -2 / _SQRT_PI * np.exp(-x * x)),
    "erfinv": _rule("ErfinvBackward0", erfinv_array, lambda x, o: _SQRT_PI / 2 * np.exp(o * o), ("out",)),
    "exp2": _rule("Exp2Backward0", np.exp2, lambda x, o: o * math.log(2.0), ("out",)),
    "lgamma": _rule("LgammaBackward0", lgamma_array, lambda x, o: polygamma_array(0, x)),
    "digamma": _rule("DigammaBackward0", lambda x: polygamma_array(0, x),
                     lambda x, o: polygamma_array(1, x)),
    "i0": _rule("I0Backward0", np.i0, lambda x, o: i1_array(x)),
    "sinc": _rule("SincBackward0", np.sinc,
                  lambda x, o: np.where(x == 0, 0.0, (np.cos(math.pi * x) - o) / np.where(x == 0, 1, x)),
                  ("x", "out")),
    "frac": _rule("FracBackward0", lambda x: x - np.trunc(x), lambda x, o: np.ones_like(x)),
}


def _polygamma_rule(n: int) -> Rule:
    return _rule("PolygammaBackward0", lambda x: polygamma_array(n, x),
                 lambda x, o: polygamma_array(n + 1, x))


def _unary(name: str):
    rule = _RULES[name]

    def op(input):
        with np.errstate(all="ignore"):
            return apply_rule(rule, float_input(as_tensor(input)))
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise ``{name}`` (integers become the default float dtype)."
    return op


acos, asin, atan, sinh, cosh, asinh, acosh, atanh = (_unary(n) for n in (
    "acos", "asin", "atan", "sinh", "cosh", "asinh", "acosh", "atanh"))
erf, erfc, erfinv, exp2, lgamma, digamma, i0, sinc = (_unary(n) for n in (
    "erf", "erfc", "erfinv", "exp2", "lgamma", "digamma", "i0", "sinc"))
arccos, arcsin, arctan, arcsinh, arccosh, arctanh = acos, asin, atan, asinh, acosh, atanh


def frac(input):
    """``x - trunc(x)`` (the gradient is 1)."""
    x = as_tensor(input)
    return apply_rule(_RULES["frac"], x) if x.is_floating_point() else x - x


def polygamma(n: int, input):
    """The ``n``-th derivative of :func:`digamma` (``polygamma(0, x)`` is digamma)."""
    if n < 0:
        raise RuntimeError(f"polygamma(n, x) does not support negative n, got n={n}")
    with np.errstate(all="ignore"):
        return apply_rule(_polygamma_rule(int(n)), float_input(as_tensor(input)))


def mvlgamma(input, p: int):
    """The multivariate log-gamma of dimension ``p`` (elements must exceed ``(p - 1) / 2``)."""
    x = float_input(as_tensor(input))
    if np.any(x._data <= (p - 1) / 2):
        raise RuntimeError(f"All elements must be greater than (p-1)/2 = {(p - 1) / 2}")
    out = lgamma(x) * 0 + p * (p - 1) / 4 * math.log(math.pi)
    for j in range(p):
        out = out + lgamma(x - j / 2)
    return out


def logit(input, eps=None):
    """``log(p / (1 - p))``, with ``p`` clamped to ``[eps, 1 - eps]`` when ``eps`` is given."""
    from .elementwise import clamp, log
    p = float_input(as_tensor(input))
    if eps is not None:
        p = clamp(p, eps, 1 - eps)
    return log(p / (1 - p))


def expit(input):
    """The logistic sigmoid (``torch.special.expit``)."""
    from .activation import sigmoid
    return sigmoid(input)


def deg2rad(input):
    """Degrees to radians."""
    return float_input(as_tensor(input)) * (math.pi / 180)


def rad2deg(input):
    """Radians to degrees."""
    return float_input(as_tensor(input)) * (180 / math.pi)


def sgn(input):
    """The sign (for real tensors the same as :func:`ember.sign`)."""
    from .elementwise import sign
    return sign(input)


def fix(input):
    """Rounds toward zero (an alias of :func:`ember.trunc`)."""
    from .elementwise import trunc
    return trunc(input)


def positive(input):
    """``input`` itself (refused for bool tensors, as in torch)."""
    x = as_tensor(input)
    if x._data.dtype == np.bool_:
        raise TypeError("The `+` operator, on a bool tensor is not supported.")
    return x


def signbit(input):
    """True where the sign bit is set (negative numbers, -0.0)."""
    return Tensor._make(np.signbit(as_tensor(input)._data))


def nan_to_num(input, nan=None, posinf=None, neginf=None):
    """NaN → ``nan``, +inf → ``posinf``, -inf → ``neginf`` (the dtype's extremes by default);
    the gradient passes where the input was finite."""
    from .elementwise import where
    x = as_tensor(input)
    if not x.is_floating_point():
        return x.clone()
    nan = 0.0 if nan is None else nan
    info = np.finfo(x._data.dtype)
    posinf = info.max if posinf is None else posinf
    neginf = info.min if neginf is None else neginf
    a = x._data
    repl = np.where(np.isnan(a), nan, np.where(a > 0, posinf, neginf)).astype(a.dtype)
    return where(Tensor._make(np.isfinite(a)), x, Tensor._make(repl))
