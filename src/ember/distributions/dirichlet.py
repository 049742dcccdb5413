"""``Dirichlet`` and ``Beta``: distributions over the simplex and the unit interval.

``rsample`` normalises standard-gamma draws, whose implicit gradients carry the
reparameterisation to the concentrations (torch computes the same gradient in expectation
through its own Dirichlet approximation; the draws differ in any case).

Example::

    >>> from ember.distributions import Dirichlet
    >>> d = Dirichlet(ember.tensor([1.0, 2.0, 3.0]))
    >>> d.mean
    tensor([0.1667, 0.3333, 0.5000])
    >>> d.log_prob(ember.tensor([0.2, 0.3, 0.5]))
    tensor(1.5041)
"""
from __future__ import annotations

import numbers

import ember
import ember.nn.functional as F
from ember.distributions import constraints
from ember.distributions.exp_family import ExponentialFamily
from ember.distributions.utils import broadcast_all
from ember.ops.random_gamma import standard_gamma

__all__ = ["Dirichlet", "Beta"]


class Dirichlet(ExponentialFamily):
    """The Dirichlet distribution with concentrations over the last dimension.

    Args:
        concentration: positive concentrations, shape ``batch + (K,)``.
        validate_args: check the parameters and the values scored.

    Example::

        >>> from ember.distributions import Dirichlet
        >>> Dirichlet(ember.ones(2, 3)).sample().sum(-1)
        tensor([1., 1.])
    """

    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration, validate_args=None):
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        super().__init__(concentration.shape[:-1], concentration.shape[-1:],
                         validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_params(Dirichlet, batch_shape, _instance, ("concentration",),
                                   event_shape=self.event_shape)

    def rsample(self, sample_shape=()):
        shape = tuple(self._extended_shape(sample_shape))
        gammas = standard_gamma(self.concentration.expand(shape))
        x = gammas / gammas.sum(-1, keepdim=True)
        tiny = ember.finfo(x.dtype).tiny
        return x + (x.detach().clamp(min=tiny) - x.detach())

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return (ember.xlogy(self.concentration - 1.0, value).sum(-1)
                + ember.lgamma(self.concentration.sum(-1))
                - ember.lgamma(self.concentration).sum(-1))

    @property
    def mean(self):
        return self.concentration / self.concentration.sum(-1, True)

    @property
    def mode(self):
        shifted = (self.concentration - 1).clamp(min=0.0)
        mode = shifted / shifted.sum(-1, True)
        corner = F.one_hot(mode.argmax(dim=-1), shifted.shape[-1]).to(mode.dtype)
        return ember.where((self.concentration < 1).all(-1, keepdim=True), corner, mode)

    @property
    def variance(self):
        con0 = self.concentration.sum(-1, True)
        return self.concentration * (con0 - self.concentration) / (con0.pow(2) * (con0 + 1))

    def entropy(self):
        k = self.concentration.size(-1)
        a0 = self.concentration.sum(-1)
        return (ember.lgamma(self.concentration).sum(-1) - ember.lgamma(a0)
                - (k - a0) * ember.digamma(a0)
                - ((self.concentration - 1.0) * ember.digamma(self.concentration)).sum(-1))

    @property
    def _natural_params(self):
        return (self.concentration,)

    def _log_normalizer(self, x):
        return x.lgamma().sum(-1) - ember.lgamma(x.sum(-1))


class Beta(ExponentialFamily):
    """The beta distribution on ``[0, 1]`` (a two-category ``Dirichlet``).

    Args:
        concentration1: the first concentration ``alpha`` (positive).
        concentration0: the second concentration ``beta`` (positive).
        validate_args: check the parameters and the values scored.

    Example::

        >>> from ember.distributions import Beta
        >>> d = Beta(ember.tensor([2.0]), ember.tensor([2.0]))
        >>> d.mean, d.log_prob(ember.tensor([0.5]))
        (tensor([0.5000]), tensor([0.4055]))
    """

    arg_constraints = {"concentration1": constraints.positive,
                       "concentration0": constraints.positive}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, concentration1, concentration0, validate_args=None):
        if isinstance(concentration1, numbers.Number) and isinstance(concentration0,
                                                                     numbers.Number):
            both = ember.tensor([float(concentration1), float(concentration0)])
        else:
            concentration1, concentration0 = broadcast_all(concentration1, concentration0)
            both = ember.stack([concentration1, concentration0], -1)
        self._dirichlet = Dirichlet(both, validate_args=validate_args)
        super().__init__(self._dirichlet._batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Beta, _instance)
        batch_shape = ember.Size(tuple(batch_shape))
        new._dirichlet = self._dirichlet.expand(batch_shape)
        ExponentialFamily.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self):
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self):
        return self._dirichlet.mode[..., 0]

    @property
    def variance(self):
        total = self.concentration1 + self.concentration0
        return self.concentration1 * self.concentration0 / (total.pow(2) * (total + 1))

    def rsample(self, sample_shape=()):
        return self._dirichlet.rsample(sample_shape).select(-1, 0)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return self._dirichlet.log_prob(ember.stack([value, 1.0 - value], -1))

    def entropy(self):
        return self._dirichlet.entropy()

    @property
    def concentration1(self):
        return self._dirichlet.concentration[..., 0]

    @property
    def concentration0(self):
        return self._dirichlet.concentration[..., 1]

    @property
    def _natural_params(self):
        return (self.concentration1, self.concentration0)

    def _log_normalizer(self, x, y):
        return ember.lgamma(x) + ember.lgamma(y) - ember.lgamma(x + y)
