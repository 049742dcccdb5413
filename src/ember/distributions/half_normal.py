"""``HalfNormal``: ``|X|`` with ``X ~ Normal(0, scale)``.

Example::

    >>> from ember.distributions import HalfNormal
    >>> HalfNormal(1.0).log_prob(ember.tensor(1.0))
    tensor(-0.7258)
"""
from __future__ import annotations

import math

import ember
from ember.distributions import constraints
from ember.distributions.normal import Normal
from ember.distributions.transformed_distribution import TransformedDistribution
from ember.distributions.transforms import AbsTransform

__all__ = ["HalfNormal"]


class _FoldedAtZero:
    """The density, CDF, inverse CDF and entropy of ``|X|`` for a ``base_dist`` symmetric about
    0 (HalfNormal, HalfCauchy)."""

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        value = ember.as_tensor(value, dtype=self.base_dist.scale.dtype)
        log_prob = self.base_dist.log_prob(value) + math.log(2)
        return ember.where(value >= 0, log_prob, ember.full_like(log_prob, -math.inf))

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 2 * self.base_dist.cdf(value) - 1

    def icdf(self, prob):
        return self.base_dist.icdf((prob + 1) / 2)

    def entropy(self):
        return self.base_dist.entropy() - math.log(2)

    @property
    def scale(self):
        return self.base_dist.scale

    @property
    def mode(self):
        return ember.zeros_like(self.scale)


class HalfNormal(_FoldedAtZero, TransformedDistribution):
    """The half-normal distribution (a zero-mean ``Normal`` through ``AbsTransform``).

    Args:
        scale: the scale of the underlying normal (positive).
        validate_args: check the parameters and the values scored.

    Example::

        >>> from ember.distributions import HalfNormal
        >>> HalfNormal(ember.tensor([2.0])).mean
        tensor([1.5958])
    """

    arg_constraints = {"scale": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, scale, validate_args=None):
        base_dist = Normal(0, scale, validate_args=False)
        super().__init__(base_dist, AbsTransform(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(HalfNormal, _instance)
        return super().expand(batch_shape, _instance=new)

    @property
    def mean(self):
        return self.scale * math.sqrt(2 / math.pi)

    @property
    def variance(self):
        return self.scale.pow(2) * (1 - 2 / math.pi)

