"""``RelaxedOneHotCategorical`` (the Concrete / Gumbel-softmax distribution) and its log-space
base ``ExpRelaxedCategorical``: differentiable stand-ins for one-hot categorical samples.

Example::

    >>> from ember.distributions import RelaxedOneHotCategorical
    >>> d = RelaxedOneHotCategorical(ember.tensor(0.5), probs=ember.tensor([0.2, 0.3, 0.5]))
    >>> d.rsample((4,)).sum(-1)
    tensor([1.0000, 1.0000, 1.0000, 1.0000])
"""
from __future__ import annotations

import ember
from ember.distributions import constraints
from ember.distributions.categorical import Categorical
from ember.distributions.distribution import Distribution
from ember.distributions.transformed_distribution import TransformedDistribution
from ember.distributions.transforms import ExpTransform
from ember.distributions.utils import (_CategoricalParams, _RelaxedParams, _uniform,
                                       broadcast_all, clamp_probs)

__all__ = ["ExpRelaxedCategorical", "RelaxedOneHotCategorical"]


class ExpRelaxedCategorical(_CategoricalParams, Distribution):
    """The log of a ``RelaxedOneHotCategorical`` draw: ``log_softmax((logits + g) / T)`` with
    Gumbel noise ``g``.

    Args:
        temperature: the relaxation temperature (tensor).
        probs: event probabilities.
        logits: unnormalised log-probabilities.
        validate_args: check the parameters and the values scored.

    Example::

        >>> from ember.distributions.relaxed_categorical import ExpRelaxedCategorical
        >>> d = ExpRelaxedCategorical(ember.tensor(1.0), logits=ember.zeros(3))
        >>> d.log_prob(ember.log(ember.tensor([0.2, 0.3, 0.5])))
        tensor(-2.8064)
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        self._categorical = Categorical(probs, logits)
        self.temperature = temperature
        super().__init__(self._categorical.batch_shape, self._categorical.param_shape[-1:],
                         validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(ExpRelaxedCategorical, _instance)
        batch_shape = ember.Size(tuple(batch_shape))
        new.temperature = self.temperature
        new._categorical = self._categorical.expand(batch_shape)
        Distribution.__init__(new, batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new


    def rsample(self, sample_shape=ember.Size()):
        uniforms = clamp_probs(_uniform(self._extended_shape(sample_shape), self.logits.dtype))
        gumbels = -((-(uniforms.log())).log())
        scores = (self.logits + gumbels) / self.temperature
        return scores - scores.logsumexp(dim=-1, keepdim=True)

    def log_prob(self, value):
        K = self._categorical._num_events
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        log_scale = (ember.full_like(self.temperature, float(K)).lgamma()
                     - self.temperature.log() * (-(K - 1)))
        score = logits - value * self.temperature
        score = (score - score.logsumexp(dim=-1, keepdim=True)).sum(-1)
        return score + log_scale


class RelaxedOneHotCategorical(_RelaxedParams, TransformedDistribution):
    """A relaxed one-hot categorical on the simplex: ``ExpRelaxedCategorical`` through exp.

    Args:
        temperature: the relaxation temperature (tensor).
        probs: event probabilities.
        logits: unnormalised log-probabilities.
        validate_args: check the parameters and the values scored.

    Example::

        >>> from ember.distributions import RelaxedOneHotCategorical
        >>> logits = ember.zeros(2, 4, requires_grad=True)
        >>> RelaxedOneHotCategorical(ember.tensor(0.3), logits=logits).rsample().shape
        ember.Size([2, 4])
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, temperature, probs=None, logits=None, validate_args=None):
        base_dist = ExpRelaxedCategorical(temperature, probs, logits, validate_args=validate_args)
        super().__init__(base_dist, ExpTransform(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(RelaxedOneHotCategorical, _instance)
        return super().expand(batch_shape, _instance=new)
