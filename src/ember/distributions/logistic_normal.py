"""``LogisticNormal``: a Normal pushed onto the simplex by stick-breaking (a Dirichlet-like
distribution with a Gaussian's correlations).

Example::

    >>> from ember.distributions import LogisticNormal
    >>> d = LogisticNormal(ember.zeros(2), ember.ones(2))
    >>> d.event_shape, d.sample().sum()
    (ember.Size([3]), tensor(1.))
"""
from __future__ import annotations

from ember.distributions import constraints
from ember.distributions.normal import Normal
from ember.distributions.transformed_distribution import TransformedDistribution
from ember.distributions.transforms import StickBreakingTransform

__all__ = ["LogisticNormal"]


class LogisticNormal(TransformedDistribution):
    """The logistic-normal distribution over the ``K+1``-simplex for ``K``-vector ``loc``.

    Args:
        loc: the mean of the underlying normal.
        scale: its standard deviation (positive).
        validate_args: check the parameters and the values scored.

    Example::

        >>> from ember.distributions import LogisticNormal
        >>> LogisticNormal(ember.zeros(2), ember.ones(2)).log_prob(ember.tensor([0.2, 0.3, 0.5]))
        tensor(1.2980)
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        base_dist = Normal(loc, scale, validate_args=validate_args)
        if not base_dist.batch_shape:
            base_dist = base_dist.expand([1])
        super().__init__(base_dist, StickBreakingTransform(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(LogisticNormal, _instance)
        return super().expand(batch_shape, _instance=new)

    @property
    def loc(self):
        return self.base_dist.base_dist.loc

    @property
    def scale(self):
        return self.base_dist.base_dist.scale
