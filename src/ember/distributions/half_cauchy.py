"""``HalfCauchy``: ``|X|`` with ``X ~ Cauchy(0, scale)`` (a common prior on scales).

Example::

    >>> from ember.distributions import HalfCauchy
    >>> HalfCauchy(1.0).log_prob(ember.tensor(1.0))
    tensor(-1.1447)
"""
from __future__ import annotations

import math

import ember
from ember.distributions import constraints
from ember.distributions.cauchy import Cauchy
from ember.distributions.half_normal import _FoldedAtZero
from ember.distributions.transformed_distribution import TransformedDistribution
from ember.distributions.transforms import AbsTransform

__all__ = ["HalfCauchy"]


class HalfCauchy(_FoldedAtZero, TransformedDistribution):
    """The half-Cauchy distribution (a zero-location ``Cauchy`` through ``AbsTransform``).

    Args:
        scale: the scale of the underlying Cauchy (positive).
        validate_args: check the parameters and the values scored.

    Example::

        >>> from ember.distributions import HalfCauchy
        >>> HalfCauchy(ember.tensor([2.0])).cdf(ember.tensor([2.0]))
        tensor([0.5000])
    """

    arg_constraints = {"scale": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, scale, validate_args=None):
        base_dist = Cauchy(0, scale, validate_args=False)
        super().__init__(base_dist, AbsTransform(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(HalfCauchy, _instance)
        return super().expand(batch_shape, _instance=new)

    @property
    def mean(self):
        return ember.full(tuple(self._extended_shape()), math.inf, dtype=self.scale.dtype)

    @property
    def variance(self):
        return self.base_dist.variance

