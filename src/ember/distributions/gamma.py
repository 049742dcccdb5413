"""``Gamma``: positive variables with shape ``concentration`` and ``rate``.

``rsample`` draws standard gammas with implicit reparameterisation gradients (ember's
``StandardGamma`` op, torch's ``_standard_gamma``), so gradients reach both parameters.

Example::

    >>> from ember.distributions import Gamma
    >>> d = Gamma(ember.tensor([2.0]), ember.tensor([3.0]))
    >>> d.log_prob(ember.tensor([0.5])), d.mean
    (tensor([0.0041]), tensor([0.6667]))
"""
from __future__ import annotations

import ember
from ember.distributions import constraints
from ember.distributions.exp_family import ExponentialFamily
from ember.distributions.utils import broadcast_all
from ember.ops.random_gamma import standard_gamma

__all__ = ["Gamma"]


class Gamma(ExponentialFamily):
    """The gamma distribution (density ``rate^a x^(a-1) e^(-rate x) / Γ(a)``).

    Args:
        concentration: the shape ``a`` (positive).
        rate: the inverse scale (positive).
        validate_args: check the parameters and the values scored.

    Example::

        >>> from ember.distributions import Gamma
        >>> Gamma(2.0, 1.0).entropy()
        tensor(1.5772)
    """

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, concentration, rate, validate_args=None):
        self.concentration, self.rate = broadcast_all(concentration, rate)
        super().__init__(self._batch_shape_of(self.concentration, concentration, rate),
                         validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_params(Gamma, batch_shape, _instance, ("concentration", "rate"))

    @property
    def mean(self):
        return self.concentration / self.rate

    @property
    def mode(self):
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self):
        return self.concentration / self.rate.pow(2)

    def rsample(self, sample_shape=ember.Size()):
        shape = tuple(self._extended_shape(sample_shape))
        value = standard_gamma(self.concentration.expand(shape)) / self.rate.expand(shape)
        tiny = ember.finfo(value.dtype).tiny
        return value + (value.detach().clamp(min=tiny) - value.detach())  # clamp, not recorded

    def log_prob(self, value):
        value = ember.as_tensor(value, dtype=self.rate.dtype)
        if self._validate_args:
            self._validate_sample(value)
        return (ember.xlogy(self.concentration, self.rate)
                + ember.xlogy(self.concentration - 1, value)
                - self.rate * value - ember.lgamma(self.concentration))

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return ember.special.gammainc(self.concentration, self.rate * value)

    def entropy(self):
        return (self.concentration - ember.log(self.rate) + ember.lgamma(self.concentration)
                + (1.0 - self.concentration) * ember.digamma(self.concentration))

    @property
    def _natural_params(self):
        return (self.concentration - 1, -self.rate)

    def _log_normalizer(self, x, y):
        return ember.lgamma(x + 1) + (x + 1) * ember.log(-y.reciprocal())
