"""``LogNormal``: ``exp(X)`` with ``X ~ Normal(loc, scale)``.

Example::

    >>> from ember.distributions import LogNormal
    >>> LogNormal(0.0, 1.0).log_prob(ember.tensor(1.0))
    tensor(-0.9189)
"""
from __future__ import annotations

from ember.distributions import constraints
from ember.distributions.normal import Normal
from ember.distributions.transformed_distribution import TransformedDistribution
from ember.distributions.transforms import ExpTransform

__all__ = ["LogNormal"]


class LogNormal(TransformedDistribution):
    """The log-normal distribution (a ``Normal`` through ``ExpTransform``).

    Args:
        loc: the mean of the log of the variable.
        scale: the standard deviation of the log of the variable (positive).
        validate_args: check the parameters and the values scored.

    Example::

        >>> from ember.distributions import LogNormal
        >>> d = LogNormal(ember.tensor([0.0]), ember.tensor([0.5]))
        >>> d.mean, d.mode
        (tensor([1.1331]), tensor([0.7788]))
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        base_dist = Normal(loc, scale, validate_args=validate_args)
        super().__init__(base_dist, ExpTransform(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(LogNormal, _instance)
        return super().expand(batch_shape, _instance=new)

    @property
    def loc(self):
        return self.base_dist.loc

    @property
    def scale(self):
        return self.base_dist.scale

    @property
    def mean(self):
        return (self.loc + self.scale.pow(2) / 2).exp()

    @property
    def mode(self):
        return (self.loc - self.scale.square()).exp()

    @property
    def variance(self):
        scale_sq = self.scale.pow(2)
        return scale_sq.expm1() * (2 * self.loc + scale_sq).exp()

    def entropy(self):
        return self.base_dist.entropy() + self.loc
