"""``StudentT``: the heavy-tailed t distribution with ``df`` degrees of freedom.

Example::

    >>> from ember.distributions import StudentT
    >>> StudentT(ember.tensor([3.0])).log_prob(ember.tensor([0.0]))
    tensor([-1.0009])
"""
from __future__ import annotations

import math

import ember
from ember.distributions import constraints
from ember.distributions.distribution import Distribution
from ember.distributions.chi2 import Chi2
from ember.distributions.utils import _standard_normal, broadcast_all

__all__ = ["StudentT"]


class StudentT(Distribution):
    """Student's t distribution; ``rsample`` is ``loc + scale * X / sqrt(Z / df)`` with ``X``
    normal and ``Z`` chi-squared (reparameterised).

    Args:
        df: the degrees of freedom (positive).
        loc: the location.
        scale: the scale (positive).
        validate_args: check the parameters and the values scored.

    Example::

        >>> from ember.distributions import StudentT
        >>> StudentT(ember.tensor([1.0, 1.5, 5.0])).variance
        tensor([   nan,    inf, 1.6667])
    """

    arg_constraints = {"df": constraints.positive, "loc": constraints.real,
                       "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, df, loc=0.0, scale=1.0, validate_args=None):
        self.df, self.loc, self.scale = broadcast_all(df, loc, scale)
        self._chi2 = Chi2(self.df)
        super().__init__(self.df.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._expand_params(StudentT, batch_shape, _instance, ("df", "loc", "scale"))
        new._chi2 = self._chi2.expand(batch_shape)
        return new

    @property
    def mean(self):
        return ember.where(self.df <= 1, ember.full_like(self.loc, math.nan), self.loc)

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        finite = self.scale.pow(2) * self.df / (self.df - 2)
        out = ember.where(self.df > 2, finite, ember.full_like(self.df, math.inf))
        return ember.where(self.df <= 1, ember.full_like(self.df, math.nan), out)

    def rsample(self, sample_shape=ember.Size()):
        X = _standard_normal(self._extended_shape(sample_shape), dtype=self.df.dtype)
        Z = self._chi2.rsample(sample_shape)
        return self.loc + self.scale * X * ember.rsqrt(Z / self.df)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        y = (value - self.loc) / self.scale
        Z = (self.scale.log() + 0.5 * self.df.log() + 0.5 * math.log(math.pi)
             + ember.lgamma(0.5 * self.df) - ember.lgamma(0.5 * (self.df + 1.0)))
        return -0.5 * (self.df + 1.0) * ember.log1p(y ** 2.0 / self.df) - Z

    def entropy(self):
        lbeta = ember.lgamma(0.5 * self.df) + math.lgamma(0.5) - ember.lgamma(0.5 * (self.df + 1))
        return (self.scale.log()
                + 0.5 * (self.df + 1) * (ember.digamma(0.5 * (self.df + 1))
                                         - ember.digamma(0.5 * self.df))
                + 0.5 * self.df.log() + lbeta)
