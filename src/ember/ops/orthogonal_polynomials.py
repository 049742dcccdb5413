"""torch.special's orthogonal polynomials ``P_n(x)``: Chebyshev T/U/V/W (and their shifted forms on
[0, 1]), Hermite H/He, Laguerre L and Legendre P. ``n`` is a tensor or a number (truncated to an
integer; negative, nan or inf gives 0); the edges and the trigonometric forms for large ``n``
follow torch's CPU kernels, the rest is the three-term recurrence, run elementwise up to the
largest ``n``. torch defines no derivative: the results never require grad.

Example::

    >>> from ember.ops.orthogonal_polynomials import chebyshev_polynomial_t
    >>> chebyshev_polynomial_t(ember.tensor([0.5, 2.0]), 3)
    tensor([-1., 26.])
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ._util import float_input

__all__ = ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
           "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t",
           "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
           "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he",
           "laguerre_polynomial_l", "legendre_polynomial_p"]


def _operands(x, n):
    """``x`` and ``n`` broadcast in the result dtype, and the degree as torch casts it."""
    from .binary_math import _pair
    a, b = _pair(x, n)
    a = float_input(a)
    dtype = a._data.dtype                     # computed in it, as torch's kernels do (overflow
    x64, n64 = np.broadcast_arrays(a._data, b._data.astype(dtype))   # to inf/nan at the same n)
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(n64) & (np.abs(n64) < 2.0 ** 63)
        deg = np.where(ok, np.trunc(np.where(ok, n64, 0)), -1.0)
    return x64, deg, dtype


def _recurrence(x, deg, first, step):
    """``p_0 = 1``, ``p_1 = first``, ``p_(j+1) = step(j, p_j, p_(j-1))``, read at ``deg``."""
    p, q = np.ones_like(x), first
    top = int(deg.max(initial=1))
    for j in range(1, top):
        active = deg > j
        if not active.any() or np.all(np.isnan(q[active])):
            break
        r = step(j, q, p)
        p, q = np.where(active, q, p), np.where(active, r, q)
    return np.where(deg == 0, 1.0, q)


def _finish(out, deg, dtype):
    with np.errstate(all="ignore"):
        return Tensor._make(np.where(deg < 0, 0.0, out).astype(dtype, copy=False))


def _sign(deg):
    return np.where(deg % 2 == 0, 1.0, -1.0)


def _chebyshev(y, deg, kind, at_plus, at_minus, trig_from):
    """Chebyshev polynomials of ``kind`` in ``y``; ``at_plus``/``at_minus`` are the values at
    ``y = ±1``; the trigonometric form is used for ``deg > trig_from`` inside (-1, 1)."""
    first = {"t": y, "u": 2 * y, "v": 2 * y - 1, "w": 2 * y + 1}[kind]
    with np.errstate(all="ignore"):
        out = _recurrence(y, deg, first, lambda j, q, p: 2 * y * q - p)
        theta = np.arccos(np.clip(y, -1, 1))
        if kind == "t":
            trig = np.cos(deg * theta)
        elif kind == "u":
            s = np.sin(theta)
            trig = np.where(s != 0, np.sin((deg + 1) * theta) / s,
                            (deg + 1) * np.cos((deg + 1) * theta) / y)
        elif kind == "v":
            trig = np.where(np.sin(theta / 2) != 1, np.cos((deg + 0.5) * theta) / np.cos(theta / 2),
                            _sign(deg) * (2 * deg + 1))
        else:
            trig = np.where(np.cos(theta / 2) != 1, np.sin((deg + 0.5) * theta) / np.sin(theta / 2),
                            np.where(y > 0, 2 * deg + 1, _sign(deg)))
    out = np.where((deg > trig_from) & (np.abs(y) < 1), trig, out)
    out = np.where(y == 1, at_plus, np.where(y == -1, at_minus, out))
    return out


_EDGES = {  # values at +1 and -1 for each kind
    "t": (lambda d: 1.0, lambda d: _sign(d)),
    "u": (lambda d: d + 1, lambda d: _sign(d) * (d + 1)),
    "v": (lambda d: 1.0, lambda d: _sign(d) * (2 * d + 1)),
    "w": (lambda d: 2 * d + 1, lambda d: _sign(d)),
}
_TRIG_FROM = {"t": 6, "u": 8, "v": 8, "w": 8}
_SHIFTED_TRIG_FROM = {"t": 6, "u": 6, "v": 6, "w": 4}


def _make_chebyshev(kind: str, shifted: bool):
    plus, minus = _EDGES[kind]
    trig_from = (_SHIFTED_TRIG_FROM if shifted else _TRIG_FROM)[kind]

    def op(x, n):
        x64, deg, dtype = _operands(x, n)
        y = 2 * x64 - 1 if shifted else x64
        out = _chebyshev(y, deg, kind, plus(deg), minus(deg), trig_from)
        if shifted:       # torch tests x itself against 1 and 0 (y may round differently)
            out = np.where(x64 == 1, plus(deg), np.where(x64 == 0, minus(deg), out))
        return _finish(out, deg, dtype)
    name = ("shifted_" if shifted else "") + f"chebyshev_polynomial_{kind}"
    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"The {'shifted ' if shifted else ''}Chebyshev polynomial of the "
                  f"{ {'t': 'first', 'u': 'second', 'v': 'third', 'w': 'fourth'}[kind]} kind "
                  f"of degree ``n`` at ``x``{' (on [0, 1])' if shifted else ''}.")
    return op


chebyshev_polynomial_t = _make_chebyshev("t", False)
chebyshev_polynomial_u = _make_chebyshev("u", False)
chebyshev_polynomial_v = _make_chebyshev("v", False)
chebyshev_polynomial_w = _make_chebyshev("w", False)
shifted_chebyshev_polynomial_t = _make_chebyshev("t", True)
shifted_chebyshev_polynomial_u = _make_chebyshev("u", True)
shifted_chebyshev_polynomial_v = _make_chebyshev("v", True)
shifted_chebyshev_polynomial_w = _make_chebyshev("w", True)


def _hermite_limit(dtype):
    return 128 if dtype == np.float32 else 512 if dtype == np.float64 else 1024


def hermite_polynomial_h(x, n):
    """The physicists' Hermite polynomial ``H_n(x)`` (nan beyond torch's degree limit: 128 in
    float32, 512 in float64)."""
    x64, deg, dtype = _operands(x, n)
    with np.errstate(all="ignore"):
        out = _recurrence(x64, np.minimum(deg, _hermite_limit(dtype) + 1), 2 * x64,
                          lambda j, q, p: 2 * x64 * q - 2 * j * p)
    return _finish(np.where(deg > _hermite_limit(dtype), np.nan, out), deg, dtype)


def hermite_polynomial_he(x, n):
    """The probabilists' Hermite polynomial ``He_n(x)`` (same degree limit as ``H``)."""
    x64, deg, dtype = _operands(x, n)
    with np.errstate(all="ignore"):
        out = _recurrence(x64, np.minimum(deg, _hermite_limit(dtype) + 1), x64.copy(),
                          lambda j, q, p: x64 * q - j * p)
    return _finish(np.where(deg > _hermite_limit(dtype), np.nan, out), deg, dtype)


def laguerre_polynomial_l(x, n):
    """The Laguerre polynomial ``L_n(x)`` (1 at x = 0)."""
    x64, deg, dtype = _operands(x, n)
    with np.errstate(all="ignore"):
        out = _recurrence(x64, deg, 1 - x64,
                          lambda j, q, p: ((2 * j + (1 - x64)) * q - j * p) / (j + 1))
    return _finish(np.where(x64 == 0, 1.0, out), deg, dtype)


def legendre_polynomial_p(x, n):
    """The Legendre polynomial ``P_n(x)`` (±1 at x = ±1)."""
    x64, deg, dtype = _operands(x, n)
    with np.errstate(all="ignore"):
        out = _recurrence(x64, deg, x64.copy(),
                          lambda j, q, p: ((2 * j + 1) * x64 * q - j * p) / (j + 1))
    out = np.where(x64 == 1, 1.0, np.where(x64 == -1, _sign(deg), out))
    return _finish(out, deg, dtype)
