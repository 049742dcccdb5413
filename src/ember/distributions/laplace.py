"""``Laplace``: the double-exponential distribution with location ``loc`` and scale ``scale``.

Example::

    >>> from ember.distributions import Laplace
    >>> Laplace(0.0, 1.0).log_prob(ember.tensor(1.0))
    tensor(-1.6931)
"""
from __future__ import annotations

import ember
from ember.distributions import constraints
from ember.distributions.distribution import Distribution
from ember.distributions.utils import _uniform, broadcast_all

__all__ = ["Laplace"]


class Laplace(Distribution):
    """The Laplace distribution; ``rsample`` inverts the CDF at a uniform draw.

    Args:
        loc: the location (mean, median and mode).
        scale: the scale (positive).
        validate_args: check the parameters and the values scored.

    Example::

        >>> from ember.distributions import Laplace
        >>> d = Laplace(ember.tensor([0.0]), ember.tensor([2.0]))
        >>> d.variance, d.entropy()
        (tensor([8.]), tensor([2.3863]))
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(self._batch_shape_of(self.loc, loc, scale), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_params(Laplace, batch_shape, _instance, ("loc", "scale"))

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        return 2 * self.scale.pow(2)

    @property
    def stddev(self):
        return (2 ** 0.5) * self.scale

    def rsample(self, sample_shape=ember.Size()):
        finfo = ember.finfo(self.loc.dtype)
        u = _uniform(self._extended_shape(sample_shape), self.loc.dtype) * (2 - finfo.eps) \
            + (finfo.eps - 1)  # uniform on [eps - 1, 1)
        return self.loc - self.scale * u.sign() * ember.log1p(-u.abs())

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return -ember.log(2 * self.scale) - ember.abs(value - self.loc) / self.scale

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        diff = value - self.loc
        return 0.5 - 0.5 * diff.sign() * ember.expm1(-diff.abs() / self.scale)

    def icdf(self, value):
        term = value - 0.5
        return self.loc - self.scale * term.sign() * ember.log1p(-2 * term.abs())

    def entropy(self):
        return 1 + ember.log(2 * self.scale)
