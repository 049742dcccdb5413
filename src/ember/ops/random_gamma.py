"""Standard-gamma draws with implicit reparameterisation gradients (torch's
``_standard_gamma`` and ``_standard_gamma_grad``), the root of Gamma, Beta, Dirichlet, Chi2
and StudentT sampling in ``ember.distributions``.

A draw ``x ~ Gamma(alpha, 1)`` depends on ``alpha`` through ``F(x; alpha) = u``; its gradient
is ``dx/dalpha = -(dF/dalpha) / f(x; alpha)``. ``standard_gamma_grad_array`` evaluates it
with torch's three regimes: a Taylor series for small ``x``, Rice's saddle-point expansion for
``alpha > 8`` and a bivariate rational approximation elsewhere (the coefficients of
ATen's ``standard_gamma_grad_one``).

Example::

    >>> from ember.ops.random_gamma import standard_gamma, standard_gamma_grad
    >>> alpha = ember.tensor([0.5, 2.0, 20.0], requires_grad=True)
    >>> x = standard_gamma(alpha)
    >>> x.sum().backward()
    >>> ember.allclose(alpha.grad, standard_gamma_grad(alpha.detach(), x.detach()))
    True
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..autograd.function import Function
from ..random import _gen
from ._util import as_tensor, float_input
from .unary_math import polygamma_array

__all__ = ["standard_gamma", "standard_gamma_grad"]

_COEF_UV = np.array([
    [0.16009398, -0.094634809, 0.025146376, -0.0030648343, 1, 0.32668115, 0.10406089,
     0.0014179084],
    [0.53487893, 0.1298071, 0.065735949, -0.0015649758, 0.16639465, 0.020070113,
     -0.0035938915, -0.00058392623],
    [0.040121004, -0.0065914022, -0.0026286047, -0.0013441777, 0.017050642, -0.0021309326,
     0.00085092367, -1.5247877e-07]])


def _small_x(alpha, x):
    """Taylor series of the CDF and its alpha-derivative (x < 0.8)."""
    numer = np.ones_like(x)
    denom = alpha.copy()
    series1, series2 = numer / denom, numer / (denom * denom)
    for i in range(1, 6):
        numer = numer * (-x / i)
        denom = denom + 1
        series1 = series1 + numer / denom
        series2 = series2 + numer / (denom * denom)
    pow_x_alpha = x ** alpha
    pdf = x ** (alpha - 1) * np.exp(-x)
    cdf = pow_x_alpha * series1
    cdf_alpha = (np.log(x) - polygamma_array(0, alpha)) * cdf - pow_x_alpha * series2
    result = -cdf_alpha / pdf
    return np.where(np.isnan(result), 0.0, result)


def _large_alpha(alpha, x):
    """Rice's saddle-point expansion (alpha > 8)."""
    near = (0.9 * alpha <= x) & (x <= 1.1 * alpha)
    numer_1 = 1 + 24 * alpha * (1 + 12 * alpha)
    numer_2 = (1440 * alpha * alpha + 6 * x * (53 - 120 * x) - 65 * x * x / alpha
               + alpha * (107 + 3600 * x))
    central = numer_1 * numer_2 / (1244160 * alpha ** 4)
    denom = np.sqrt(8 * alpha)
    with np.errstate(divide="ignore", invalid="ignore"):
        term2 = denom / (alpha - x)
        term3 = (x - alpha - alpha * np.log(x / alpha)) ** -1.5
        term23 = np.where(x < alpha, term2 - term3, term2 + term3)
        term1 = np.log(x / alpha) * term23 - np.sqrt(2 / alpha) * (alpha + x) / (alpha - x) ** 2
    stirling = 1 + 1 / (12 * alpha) * (1 + 1 / (24 * alpha))
    return np.where(near, central, -stirling * x * term1 / denom)


def _rational(alpha, x):
    """The bivariate rational approximation in ``log(x/alpha)`` and ``log(alpha)``."""
    u, v = np.log(x / alpha), np.log(alpha)
    coef = [_COEF_UV[0, i] + u * (_COEF_UV[1, i] + u * _COEF_UV[2, i]) for i in range(8)]
    p = coef[0] + v * (coef[1] + v * (coef[2] + v * coef[3]))
    q = coef[4] + v * (coef[5] + v * (coef[6] + v * coef[7]))
    return np.exp(p / q)


def standard_gamma_grad_array(alpha: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``dx/dalpha`` of standard-gamma draws ``x`` (computed in float64, returned in x's dtype)."""
    a, s = np.broadcast_arrays(alpha.astype(np.float64), x.astype(np.float64))
    out = np.empty(a.shape)
    small = s < 0.8
    large = ~small & (a > 8.0)
    rest = ~small & ~large
    with np.errstate(all="ignore"):
        out[small] = _small_x(a[small], s[small])
        out[large] = _large_alpha(a[large], s[large])
        out[rest] = _rational(a[rest], s[rest])
    return out.astype(x.dtype, copy=False)


class StandardGamma(Function):
    """Draws ``Gamma(alpha, 1)`` from the global generator; the gradient is the implicit one."""

    def forward(self, alpha, generator=None):
        x = _gen(generator).standard_gamma(alpha.astype(np.float64)).astype(alpha.dtype)
        x = np.maximum(x, np.finfo(alpha.dtype).tiny)  # torch clamps draws away from 0
        self.alpha, self.x = alpha, x
        return x

    def backward(self, grad):
        return (grad * standard_gamma_grad_array(self.alpha, self.x),)


def standard_gamma(alpha, generator=None) -> Tensor:
    """Standard-gamma draws with shape parameters ``alpha`` (torch's ``_standard_gamma``)."""
    return StandardGamma.apply(float_input(as_tensor(alpha)), generator=generator)


def standard_gamma_grad(alpha, x) -> Tensor:
    """``dx/dalpha`` of draws ``x`` of ``Gamma(alpha, 1)`` (torch's ``_standard_gamma_grad``)."""
    a, s = float_input(as_tensor(alpha)), float_input(as_tensor(x))
    return Tensor._make(standard_gamma_grad_array(a._data, s._data))
