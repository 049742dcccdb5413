"""``Dirichlet``: a distribution over the probability simplex.

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

import ember
import ember.nn.functional as F
from ember.distributions import constraints
from ember.distributions.exp_family import ExponentialFamily
from ember.ops.random_gamma import standard_gamma

__all__ = ["Dirichlet"]


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
