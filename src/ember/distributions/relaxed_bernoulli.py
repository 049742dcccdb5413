"""``RelaxedBernoulli`` (the binary Concrete / Gumbel-sigmoid distribution) and its logit-space
base ``LogitRelaxedBernoulli``: a differentiable stand-in for Bernoulli samples, sharpening
as ``temperature`` goes to 0.

Example::

    >>> from ember.distributions import RelaxedBernoulli
    >>> d = RelaxedBernoulli(ember.tensor([0.5]), probs=ember.tensor([0.3]))
    >>> d.log_prob(ember.tensor([0.2]))
    tensor([-0.2528])
"""
from __future__ import annotations

import numbers

import ember
from ember.distributions import constraints
from ember.distributions.distribution import Distribution
from ember.distributions.transformed_distribution import TransformedDistribution
from ember.distributions.transforms import SigmoidTransform
from ember.distributions.utils import (_BinaryParams, _RelaxedParams, _uniform, broadcast_all,
                                       clamp_probs)

__all__ = ["LogitRelaxedBernoulli", "RelaxedBernoulli"]


class LogitRelaxedBernoulli(_BinaryParams, Distribution):
    """The logit of a ``RelaxedBernoulli`` draw: ``(logit(u) + logit(p)) / temperature``.

    Args:
        temperature: the relaxation temperature (tensor).
        probs: the probability of 1.
        logits: the log-odds of 1.
        validate_args: check the parameters and the values scored.

    Example::

        >>> from ember.distributions.relaxed_bernoulli import LogitRelaxedBernoulli
        >>> LogitRelaxedBernoulli(ember.tensor(1.0), logits=ember.zeros(2)).rsample((3,)).shape
        ember.Size([3, 2])
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.real

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        self.temperature = temperature
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            is_scalar = isinstance(probs, numbers.Number)
            (self.probs,) = broadcast_all(probs)
        else:
            is_scalar = isinstance(logits, numbers.Number)
            (self.logits,) = broadcast_all(logits)
        self._param = self.probs if probs is not None else self.logits
        super().__init__(ember.Size() if is_scalar else self._param.size(),
                         validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._expand_params(LogitRelaxedBernoulli, batch_shape, _instance,
                                  ("probs", "logits"))
        new.temperature = self.temperature
        new._param = new.probs if "probs" in self.__dict__ else new.logits
        return new

    def rsample(self, sample_shape=ember.Size()):
        shape = tuple(self._extended_shape(sample_shape))
        probs = clamp_probs(self.probs.expand(shape))
        uniforms = clamp_probs(_uniform(shape, probs.dtype))
        return (uniforms.log() - (-uniforms).log1p() + probs.log() - (-probs).log1p()) \
            / self.temperature

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        diff = logits - value * self.temperature
        return self.temperature.log() + diff - 2 * diff.exp().log1p()


class RelaxedBernoulli(_RelaxedParams, TransformedDistribution):
    """A relaxed Bernoulli on ``(0, 1)``: ``LogitRelaxedBernoulli`` through a sigmoid.

    Args:
        temperature: the relaxation temperature (tensor).
        probs: the probability of 1.
        logits: the log-odds of 1.
        validate_args: check the parameters and the values scored.

    Example::

        >>> from ember.distributions import RelaxedBernoulli
        >>> logits = ember.zeros(3, requires_grad=True)
        >>> RelaxedBernoulli(ember.tensor(0.1), logits=logits).rsample().requires_grad
        True
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        base_dist = LogitRelaxedBernoulli(temperature, probs, logits)
        super().__init__(base_dist, SigmoidTransform(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(RelaxedBernoulli, _instance)
        return super().expand(batch_shape, _instance=new)
