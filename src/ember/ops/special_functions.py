"""torch.special's own functions: the differentiable ones as rules or nodes with torch's
derivatives (entr, erfcx, log_ndtr, ndtri, i0e, i1, i1e, xlog1py, zeta), and the Bessel/Airy
functions, which torch does not differentiate (their results never require grad).

The numerics follow torch's CPU kernels (``aten/src/ATen/native/Math.h``): Cephes' ndtri
rationals, Cephes' zeta (Euler–Maclaurin), SciPy's log_ndtr through erfcx; erfcx itself is
``exp(x²) erfc(x)`` from the C library's erfc below 2 and its continued fraction above (torch
uses Johnson's Chebyshev tables; both are accurate to a few float64 ulps).

Example::

    >>> from ember.ops.special_functions import entr, ndtri
    >>> entr(ember.tensor([0.0, 0.5, 2.0]))
    tensor([ 0.0000,  0.3466, -1.3863])
    >>> ndtri(ember.tensor([0.5, 0.975]))
    tensor([0.0000, 1.9600])
"""
from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor
from ..autograd.function import Function
from . import bessel
from ._util import as_tensor, float_input, unbroadcast
from .pointwise import Rule, apply_rule

__all__ = ["entr", "erfcx", "log_ndtr", "ndtr", "ndtri", "i0e", "i1", "i1e", "xlog1py", "zeta",
           "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "modified_bessel_i0",
           "modified_bessel_i1", "modified_bessel_k0", "modified_bessel_k1",
           "scaled_modified_bessel_k0", "scaled_modified_bessel_k1", "spherical_bessel_j0",
           "airy_ai"]

_SQRT_2PI = math.sqrt(2 * math.pi)
_INV_SQRT_PI = 1 / math.sqrt(math.pi)
_erf = np.frompyfunc(math.erf, 1, 1)
_erfc = np.frompyfunc(math.erfc, 1, 1)


# ------------------------------------------------------------------------ kernels
def erf_array(x):
    """The C library's erf, element by element (float64), as torch's kernels call it."""
    return _erf(np.asarray(x, np.float64)).astype(np.float64)


def erfc_array(x):
    """The C library's erfc, element by element (float64): no cancellation in the right tail."""
    return _erfc(np.asarray(x, np.float64)).astype(np.float64)


def _erfcx_positive(z):
    """``exp(z²) erfc(z)`` for z ≥ 0: the product below 2, the continued fraction
    ``1/√π / (z + (1/2)/(z + 1/(z + (3/2)/(z + …))))`` (evaluated bottom-up) above."""
    small = np.minimum(z, 2.0)
    direct = np.exp(small * small) * erfc_array(small)
    big = np.maximum(z, 2.0)
    tail = big
    for k in range(60, 0, -1):
        tail = big + (k / 2.0) / tail
    return np.where(z < 2.0, direct, _INV_SQRT_PI / tail)


def erfcx_array(x):
    """The scaled complementary error function ``exp(x²) erfc(x)`` (inf below -26.7)."""
    x64 = np.asarray(x, np.float64)
    with np.errstate(all="ignore"):
        pos = _erfcx_positive(np.abs(np.nan_to_num(x64)))
        neg = 2.0 * np.exp(x64 * x64) - pos
        out = np.where(x64 >= 0, pos, np.where(x64 < -26.7, np.inf, neg))
    return np.where(np.isnan(x64), np.nan, out).astype(np.asarray(x).dtype, copy=False)


def log_ndtr_array(x):
    """``log Φ(x)``: ``log(erfcx(-x/√2)/2) - x²/2`` below -1, ``log1p(-erfc(x/√2)/2)`` above."""
    x64 = np.asarray(x, np.float64)
    t = x64 * math.sqrt(0.5)
    with np.errstate(all="ignore"):
        low = np.log(erfcx_array(-t) / 2) - t * t
        high = np.log1p(-erfc_array(t) / 2)
    return np.where(x64 < -1.0, low, high).astype(np.asarray(x).dtype, copy=False)


_NDTRI_P0 = [-5.99633501014107895267E1, 9.80010754185999661536E1, -5.66762857469070293439E1,
             1.39312609387279679503E1, -1.23916583867381258016E0]
_NDTRI_Q0 = [1.0, 1.95448858338141759834E0, 4.67627912898881538453E0, 8.63602421390890590575E1,
             -2.25462687854119370527E2, 2.00260212380060660359E2, -8.20372256168333339912E1,
             1.59056225126211695515E1, -1.18331621121330003142E0]
_NDTRI_P1 = [4.05544892305962419923E0, 3.15251094599893866154E1, 5.71628192246421288162E1,
             4.40805073893200834700E1, 1.46849561928858024014E1, 2.18663306850790267539E0,
             -1.40256079171354495875E-1, -3.50424626827848203418E-2, -8.57456785154685413611E-4]
_NDTRI_Q1 = [1.0, 1.57799883256466749731E1, 4.53907635128879210584E1, 4.13172038254672030440E1,
             1.50425385692907503408E1, 2.50464946208309415979E0, -1.42182922854787788574E-1,
             -3.80806407691578277194E-2, -9.33259480895457427372E-4]
_NDTRI_P2 = [3.23774891776946035970E0, 6.91522889068984211695E0, 3.93881025292474443415E0,
             1.33303460815807542389E0, 2.01485389549179081538E-1, 1.23716634817820021358E-2,
             3.01581553508235416007E-4, 2.65806974686737550832E-6, 6.23974539184983293730E-9]
_NDTRI_Q2 = [1.0, 6.02427039364742014255E0, 3.67983563856160859403E0, 1.37702099489081330271E0,
             2.16236993594496635890E-1, 1.34204006088543189037E-2, 3.28014464682127739104E-4,
             2.89247864745380683936E-6, 6.79019408009981274425E-9]
_EXP_M2 = 0.13533528323661269189


def ndtri_array(y):
    """The inverse of the standard normal CDF (Cephes' three rational approximations)."""
    y0 = np.asarray(y, np.float64)
    with np.errstate(all="ignore"):
        upper = y0 > 1.0 - _EXP_M2
        yy = np.where(upper, 1.0 - y0, y0)
        c = yy - 0.5
        c2 = c * c
        central = (c + c * (c2 * bessel.polevl(c2, _NDTRI_P0) / bessel.polevl(c2, _NDTRI_Q0))) \
            * _SQRT_2PI
        x = np.sqrt(-2.0 * np.log(yy))
        x0 = x - np.log(x) / x
        z = 1.0 / x
        x1 = np.where(x < 8.0, z * bessel.polevl(z, _NDTRI_P1) / bessel.polevl(z, _NDTRI_Q1),
                      z * bessel.polevl(z, _NDTRI_P2) / bessel.polevl(z, _NDTRI_Q2))
        tail = x0 - x1
        tail = np.where(upper, tail, -tail)
        out = np.where(yy > _EXP_M2, central, tail)
    out = np.where(y0 == 0, -np.inf, np.where(y0 == 1, np.inf, out))
    out = np.where((y0 < 0) | (y0 > 1) | np.isnan(y0), np.nan, out)
    return out.astype(np.asarray(y).dtype, copy=False)


def entr_array(x):
    """``-x log x`` for x > 0, 0 at 0, -inf below (nan stays nan)."""
    with np.errstate(all="ignore"):
        out = np.where(x > 0, -x * np.log(np.where(x > 0, x, 1)), np.where(x == 0, 0.0, -np.inf))
    return np.where(np.isnan(x), np.nan, out).astype(x.dtype, copy=False)


_ZETA_A = [12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9,
           7.47242496e10, -2.950130727918164224e12, 1.1646782814350067249e14,
           -4.5979787224074726105e15, 1.8152105401943546773e17, -7.1661652561756670113e18]
_MACHEP = 1.11022302462515654042E-16


def zeta_array(x, q):
    """The Hurwitz zeta function ``Σ_k (k + q)^-x`` (Cephes: direct sum, then Euler–Maclaurin)."""
    x, q = np.broadcast_arrays(np.asarray(x, np.float64), np.asarray(q, np.float64))
    shape = x.shape
    x, q = x.ravel(), q.ravel()
    out = np.full(x.shape, np.nan)
    with np.errstate(all="ignore"):
        done = np.zeros(x.shape, bool)
        for mask, value in ((x == 1, np.inf), (x < 1, np.nan),      # torch's checks, in order
                            ((q <= 0) & (q == np.floor(q)), np.inf),
                            ((q <= 0) & (x != np.floor(x)), np.nan)):
            hit = mask & ~done
            out[hit] = value
            done |= hit
        s = np.power(q, -x)
        a = q.copy()
        b = np.zeros_like(q)
        i = 0
        active = ~done
        while active.any():                      # the direct sum, to a > 9 and at least 9 terms
            i += 1
            a = np.where(active, a + 1, a)
            b = np.where(active, np.power(a, -x), b)
            s = np.where(active, s + b, s)
            converged = active & (-_MACHEP * s < b) & (b < _MACHEP * s)
            out[converged] = s[converged]
            done |= converged
            active = ~done & ((i < 9) | (a <= 9.0))
        rest = ~done
        w = a
        s = s + b * w / (x - 1) - 0.5 * b
        fa = np.ones_like(q)
        k = 0.0
        for coeff in _ZETA_A:
            fa = fa * (x + k)
            b = b / w
            t = fa * b / coeff
            s = s + t
            hit = rest & (np.abs(t / s) < _MACHEP)
            out[hit] = s[hit]
            rest &= ~hit
            k += 1.0
            fa = fa * (x + k)
            b = b / w
            k += 1.0
        out[rest] = s[rest]
    return out.reshape(shape)


# -------------------------------------------------------------------------- rules
def _rule(name, forward, derivative, keep=("x",)):
    keep_x, keep_out = "x" in keep, "out" in keep

    def fwd(x):
        with np.errstate(all="ignore"):
            out = np.asarray(forward(x)).astype(x.dtype, copy=False)
        return out, (x if keep_x else None, out if keep_out else None)

    def bwd(g, saved):
        x, out = saved
        return g * np.asarray(derivative(x, out)).astype(g.dtype, copy=False)
    return Rule(name, fwd, bwd)


def _tiny_safe(x):
    eps = np.finfo(x.dtype).eps
    big = np.abs(x) > eps
    return big, np.where(big, x, eps)


def _i1_grad(x, out):
    big, safe = _tiny_safe(x)
    return np.where(big, np.i0(safe) - out / safe, 0.5)


def _i1e_grad(x, out):
    big, safe = _tiny_safe(x)
    return np.where(big, bessel.i0e_array(safe) - out * (np.sign(safe) + 1 / safe), 0.5)


_RULES = {
    "entr": _rule("SpecialEntrBackward0", entr_array, lambda x, o: -(1 + np.log(x))),
    "erfcx": _rule("SpecialErfcxBackward0", erfcx_array,
                   lambda x, o: 2 * x * o - 2 * _INV_SQRT_PI, ("x", "out")),
    "log_ndtr": _rule("SpecialLogNdtrBackward0", log_ndtr_array,
                      lambda x, o: np.exp(-(o + x * x / 2)) / _SQRT_2PI, ("x", "out")),
    "ndtri": _rule("SpecialNdtriBackward0", ndtri_array,
                   lambda x, o: _SQRT_2PI * np.exp(o * o / 2), ("out",)),
    "i0e": _rule("SpecialI0EBackward0", bessel.i0e_array,
                 lambda x, o: bessel.i1e_array(x) - np.sign(x) * o, ("x", "out")),
    "i1": _rule("SpecialI1Backward0", bessel.i1_array, _i1_grad, ("x", "out")),
    "i1e": _rule("SpecialI1EBackward0", bessel.i1e_array, _i1e_grad, ("x", "out")),
}


def _unary(name: str, doc: str):
    rule = _RULES[name]

    def op(input):
        return apply_rule(rule, float_input(as_tensor(input)))
    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


entr = _unary("entr", "Elementwise entropy ``-x log x`` (0 at 0, -inf for negative x).")
erfcx = _unary("erfcx", "The scaled complementary error function ``exp(x²) erfc(x)``.")
log_ndtr = _unary("log_ndtr", "The log of the standard normal CDF, accurate far in the left tail.")
ndtri = _unary("ndtri", "The inverse of the standard normal CDF (the probit function).")
i0e = _unary("i0e", "The exponentially scaled modified Bessel function ``exp(-|x|) I0(x)``.")
i1 = _unary("i1", "The modified Bessel function of the first kind, order 1.")
i1e = _unary("i1e", "The exponentially scaled modified Bessel function ``exp(-|x|) I1(x)``.")


def ndtr(input):
    """The standard normal CDF ``(1 + erf(x/√2)) / 2``, composed as torch composes it."""
    from .unary_math import erf
    x = float_input(as_tensor(input))
    out = (1 + erf(x * math.sqrt(0.5))) * 0.5
    if out.grad_fn is not None:
        out.grad_fn.label = "MulBackward1"      # torch's mul(Tensor, Scalar) overload
    return out


# --------------------------------------------------------------------- two operands
def _pair(input, other):
    from .binary_math import _pair as pair
    return pair(input, other)


class Xlog1py(Function):
    """``x * log1p(y)`` (0 where x is 0 and y is not nan)."""
    NAME = "SpecialXlog1PyBackward0"

    def forward(self, x, y):
        self.x, self.y = x, y
        with np.errstate(all="ignore"):
            out = np.where((x == 0) & ~np.isnan(y), 0.0, x * np.log1p(y))
        return out.astype(np.result_type(x, y), copy=False)

    def backward(self, g):
        x, y = self.x, self.y
        with np.errstate(all="ignore"):
            gx = unbroadcast(g * np.where(x != 0, np.log1p(y), np.where(np.isnan(y), np.nan, 0.0))
                             .astype(g.dtype), x.shape) if self.needs_grad(0) else None
            gy = unbroadcast(g * x / (y + 1), y.shape) if self.needs_grad(1) else None
        return gx, gy


def xlog1py(input, other):
    """``input * log1p(other)``, 0 where ``input`` is 0 (unless ``other`` is nan)."""
    a, b = _pair(input, other)
    return Xlog1py.apply(a, b)


class Zeta(Function):
    """The Hurwitz zeta ``ζ(x, q)``; torch differentiates it in ``q`` only."""
    NAME = "SpecialZetaBackward0"

    def forward(self, x, q):
        self.x, self.q = x, q
        with np.errstate(over="ignore"):
            return zeta_array(x, q).astype(np.result_type(x, q), copy=False)

    def backward(self, g):
        if self.needs_grad(0):
            raise NotImplementedError("the derivative for 'zeta' is not implemented.")
        x, q = self.x, self.q
        with np.errstate(all="ignore"):
            gq = g * (-x * zeta_array(x + 1.0, q)).astype(g.dtype)
        return None, unbroadcast(gq, q.shape)


def zeta(input, other):
    """The Hurwitz zeta function ``Σ_k (k + other)^-input`` (``other = 1``: Riemann's)."""
    a, b = _pair(input, other)
    return Zeta.apply(a, b)


# ---------------------------------------------------------- Bessel and Airy (no gradient)
def _no_grad(kernel, name: str, doc: str, arg: str = "input"):
    def run(value):
        x = float_input(as_tensor(value))
        with np.errstate(all="ignore"):
            return Tensor._make(kernel(x._data))

    if arg == "x":                       # torch's schemas name these four functions' argument x
        def op(x):
            return run(x)
    else:
        def op(input):
            return run(input)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc + " torch defines no derivative: the result does not require grad."
    return op


bessel_j0 = _no_grad(bessel.bessel_j0_array, "bessel_j0", "The Bessel function ``J0``.")
bessel_j1 = _no_grad(bessel.bessel_j1_array, "bessel_j1", "The Bessel function ``J1``.")
bessel_y0 = _no_grad(bessel.bessel_y0_array, "bessel_y0", "The Bessel function ``Y0``.")
bessel_y1 = _no_grad(bessel.bessel_y1_array, "bessel_y1", "The Bessel function ``Y1``.")
modified_bessel_i0 = _no_grad(bessel.modified_bessel_i0_array, "modified_bessel_i0",
                              "The modified Bessel function ``I0``.")
modified_bessel_i1 = _no_grad(bessel.modified_bessel_i1_array, "modified_bessel_i1",
                              "The modified Bessel function ``I1``.")
modified_bessel_k0 = _no_grad(bessel.modified_bessel_k0_array, "modified_bessel_k0",
                              "The modified Bessel function ``K0``.")
modified_bessel_k1 = _no_grad(bessel.modified_bessel_k1_array, "modified_bessel_k1",
                              "The modified Bessel function ``K1``.")
scaled_modified_bessel_k0 = _no_grad(bessel.scaled_modified_bessel_k0_array,
                                     "scaled_modified_bessel_k0", "``exp(x) K0(x)``.", "x")
scaled_modified_bessel_k1 = _no_grad(bessel.scaled_modified_bessel_k1_array,
                                     "scaled_modified_bessel_k1", "``exp(x) K1(x)``.", "x")
spherical_bessel_j0 = _no_grad(bessel.spherical_bessel_j0_array, "spherical_bessel_j0",
                               "The spherical Bessel function ``j0(x) = sin(x)/x``.", "x")
airy_ai = _no_grad(bessel.airy_ai_array, "airy_ai", "The Airy function ``Ai``.", "x")
