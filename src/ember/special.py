"""``ember.special``: torch.special's functions under torch.special's names and arguments.

torch's aliases are ember's existing ops themselves (``expit`` is :func:`ember.sigmoid`,
``gammaln`` is :func:`ember.lgamma`, ``psi`` is :func:`ember.digamma`, ``multigammaln`` is
:func:`ember.mvlgamma`, ``gammainc`` is :func:`ember.igamma` …); the functions torch.special
adds live in :mod:`ember.ops.special_functions` (with torch's derivatives), :mod:`ember.ops.bessel`
and :mod:`ember.ops.orthogonal_polynomials` (no derivative in torch: the results never require
grad). ``out=`` is not taken, as elsewhere in ember.

Example::

    >>> ember.special.expit(ember.tensor([0.0]))
    tensor([0.5000])
    >>> ember.special.log_ndtr(ember.tensor([-10.0]))
    tensor([-53.2313])
    >>> ember.special.bessel_j0(ember.tensor([0.0, 1.0]))
    tensor([1.0000, 0.7652])
    >>> ember.special.legendre_polynomial_p(ember.tensor([0.5]), 2)
    tensor([-0.1250])
"""
from __future__ import annotations

from ._namespace import wrap_namespace as _wrap_namespace
from .ops.orthogonal_polynomials import (chebyshev_polynomial_t, chebyshev_polynomial_u,
                                         chebyshev_polynomial_v, chebyshev_polynomial_w,
                                         hermite_polynomial_h, hermite_polynomial_he,
                                         laguerre_polynomial_l, legendre_polynomial_p,
                                         shifted_chebyshev_polynomial_t,
                                         shifted_chebyshev_polynomial_u,
                                         shifted_chebyshev_polynomial_v,
                                         shifted_chebyshev_polynomial_w)
from .ops.special_functions import (airy_ai, bessel_j0, bessel_j1, bessel_y0, bessel_y1, entr,
                                    erfcx, i0e, i1e, log_ndtr, modified_bessel_i0,
                                    modified_bessel_i1, modified_bessel_k0, modified_bessel_k1,
                                    ndtr, ndtri, scaled_modified_bessel_k0,
                                    scaled_modified_bessel_k1, spherical_bessel_j0, xlog1py, zeta)

_wrap_namespace(globals())          # torch's NumPy-style keyword aliases, as ember's own functions

# torch's aliases: ember's functions themselves (already wrapped in the ember namespace)
from . import (digamma, digamma as psi, erf, erfc, erfinv, exp2, expm1, i0, i1,  # noqa: E402
               igamma as gammainc, igammac as gammaincc, lgamma as gammaln, log1p, log_softmax,
               logit, logsumexp, mvlgamma as multigammaln, polygamma, round, sigmoid as expit,
               sinc, softmax, xlogy)

__all__ = ["airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1",
           "chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
           "chebyshev_polynomial_w", "digamma", "entr", "erf", "erfc", "erfcx", "erfinv", "exp2",
           "expit", "expm1", "gammainc", "gammaincc", "gammaln", "hermite_polynomial_h",
           "hermite_polynomial_he", "i0", "i0e", "i1", "i1e", "laguerre_polynomial_l",
           "legendre_polynomial_p", "log1p", "log_ndtr", "log_softmax", "logit", "logsumexp",
           "modified_bessel_i0", "modified_bessel_i1", "modified_bessel_k0", "modified_bessel_k1",
           "multigammaln", "ndtr", "ndtri", "polygamma", "psi", "round",
           "scaled_modified_bessel_k0", "scaled_modified_bessel_k1",
           "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u",
           "shifted_chebyshev_polynomial_v", "shifted_chebyshev_polynomial_w", "sinc", "softmax",
           "spherical_bessel_j0", "xlog1py", "xlogy", "zeta"]
