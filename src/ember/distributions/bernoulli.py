"""``Bernoulli``: a coin flip taking 1 with probability ``probs`` (or ``sigmoid(logits)``).

Example::

    >>> from ember.distributions import Bernoulli
    >>> d = Bernoulli(logits=ember.tensor([0.0, 2.0]))
    >>> d.probs
    tensor([0.5000, 0.8808])
    >>> d.log_prob(ember.tensor([1.0, 0.0]))
    tensor([-0.6931, -2.1269])
"""
from __future__ import annotations

import math
import numbers

import ember
import ember.nn.functional as F
from ember.distributions import constraints
from ember.distributions.exp_family import ExponentialFamily
from ember.distributions.utils import _BinaryParams, broadcast_all

__all__ = ["Bernoulli"]


class Bernoulli(_BinaryParams, ExponentialFamily):
    """A Bernoulli distribution on ``{0, 1}``; samples have the parameter's dtype.

    Args:
        probs: the probability of drawing 1.
        logits: the log-odds of drawing 1.
        validate_args: check the parameters and the values scored.

    Exactly one of ``probs`` and ``logits`` is given.

    Example::

        >>> from ember.distributions import Bernoulli
        >>> d = Bernoulli(probs=ember.tensor([0.2, 0.7]))
        >>> d.mean, d.variance
        (tensor([0.2000, 0.7000]), tensor([0.1600, 0.2100]))
        >>> d.enumerate_support()
        tensor([[0., 0.],
                [1., 1.]])
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True
    _mean_carrier_measure = 0

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            is_scalar = isinstance(probs, numbers.Number)
            (self.probs,) = broadcast_all(probs)
        else:
            is_scalar = isinstance(logits, numbers.Number)
            (self.logits,) = broadcast_all(logits)
        self._param = self.probs if probs is not None else self.logits
        batch_shape = ember.Size() if is_scalar else self._param.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._expand_params(Bernoulli, batch_shape, _instance, ("probs", "logits"))
        new._param = new.probs if "probs" in self.__dict__ else new.logits
        return new

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        mode = (self.probs >= 0.5).to(self.probs.dtype)
        return ember.where(self.probs == 0.5, ember.full_like(mode, math.nan), mode)

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=ember.Size()):
        shape = self._extended_shape(sample_shape)
        with ember.no_grad():
            return ember.bernoulli(self.probs.expand(shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -F.binary_cross_entropy_with_logits(logits, value, reduction="none")

    def entropy(self):
        return F.binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none")

    def enumerate_support(self, expand=True):
        values = ember.arange(2, dtype=self._param.dtype)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + tuple(self._batch_shape))
        return values

    @property
    def _natural_params(self):
        return (ember.logit(self.probs),)

    def _log_normalizer(self, x):
        return ember.log1p(ember.exp(x))
