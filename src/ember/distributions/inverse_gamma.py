"""``InverseGamma``: ``1 / X`` with ``X ~ Gamma(concentration, rate)``.

Example::

    >>> from ember.distributions import InverseGamma
    >>> InverseGamma(3.0, 2.0).mean
    tensor(1.)
"""
from __future__ import annotations

import math

import ember
from ember.distributions import constraints
from ember.distributions.gamma import Gamma
from ember.distributions.transformed_distribution import TransformedDistribution
from ember.distributions.transforms import PowerTransform

__all__ = ["InverseGamma"]


class InverseGamma(TransformedDistribution):
    """The inverse-gamma distribution (a ``Gamma`` through ``PowerTransform(-1)``).

    Args:
        concentration: the shape (positive).
        rate: the scale of the reciprocal's rate (positive).
        validate_args: check the parameters and the values scored.

    Example::

        >>> from ember.distributions import InverseGamma
        >>> InverseGamma(ember.tensor([2.0]), ember.tensor([1.0])).log_prob(ember.tensor([0.5]))
        tensor([0.0794])
    """

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, concentration, rate, validate_args=None):
        base_dist = Gamma(concentration, rate, validate_args=validate_args)
        neg_one = -ember.ones((), dtype=base_dist.rate.dtype)
        super().__init__(base_dist, PowerTransform(neg_one), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(InverseGamma, _instance)
        return super().expand(batch_shape, _instance=new)

    @property
    def concentration(self):
        return self.base_dist.concentration

    @property
    def rate(self):
        return self.base_dist.rate

    @property
    def mean(self):
        result = self.rate / (self.concentration - 1)
        return ember.where(self.concentration > 1, result, ember.full_like(result, math.inf))

    @property
    def mode(self):
        return self.rate / (self.concentration + 1)

    @property
    def variance(self):
        result = self.rate.square() / ((self.concentration - 1).square()
                                       * (self.concentration - 2))
        return ember.where(self.concentration > 2, result, ember.full_like(result, math.inf))

    def entropy(self):
        return (self.concentration + self.rate.log() + self.concentration.lgamma()
                - (1 + self.concentration) * self.concentration.digamma())
