"""``OneHotCategorical``: a categorical draw as a one-hot vector, and its straight-through
variant whose ``rsample`` passes the probabilities' gradient through the hard sample.

Example::

    >>> from ember.distributions import OneHotCategorical
    >>> d = OneHotCategorical(probs=ember.tensor([0.2, 0.8]))
    >>> d.log_prob(ember.tensor([0.0, 1.0]))
    tensor(-0.2231)
    >>> d.sample((3,)).shape
    ember.Size([3, 2])
"""
from __future__ import annotations

import ember
import ember.nn.functional as F
from ember.distributions import constraints
from ember.distributions.categorical import Categorical
from ember.distributions.distribution import Distribution
from ember.distributions.utils import _CategoricalParams

__all__ = ["OneHotCategorical", "OneHotCategoricalStraightThrough"]


class OneHotCategorical(_CategoricalParams, Distribution):
    """A categorical distribution whose events are one-hot vectors of the parameter's dtype.

    Args:
        probs: event probabilities (normalised over the last dimension).
        logits: unnormalised log-probabilities.
        validate_args: check the parameters and the values scored.

    Example::

        >>> from ember.distributions import OneHotCategorical
        >>> OneHotCategorical(logits=ember.zeros(3)).enumerate_support()
        tensor([[1., 0., 0.],
                [0., 1., 0.],
                [0., 0., 1.]])
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    support = constraints.one_hot
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._categorical = Categorical(probs, logits)
        super().__init__(self._categorical.batch_shape, self._categorical.param_shape[-1:],
                         validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(OneHotCategorical, _instance)
        batch_shape = ember.Size(tuple(batch_shape))
        new._categorical = self._categorical.expand(batch_shape)
        Distribution.__init__(new, batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def _param(self):
        return self._categorical._param

    @property
    def mean(self):
        return self._categorical.probs

    @property
    def mode(self):
        probs = self._categorical.probs
        return F.one_hot(probs.argmax(dim=-1), num_classes=probs.shape[-1]).to(probs.dtype)

    @property
    def variance(self):
        return self._categorical.probs * (1 - self._categorical.probs)

    def sample(self, sample_shape=ember.Size()):
        indices = self._categorical.sample(sample_shape)
        return F.one_hot(indices, self._categorical._num_events).to(self._categorical.probs.dtype)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return self._categorical.log_prob(value.max(-1)[1])

    def entropy(self):
        return self._categorical.entropy()

    def enumerate_support(self, expand=True):
        n = self.event_shape[0]
        values = ember.eye(n, dtype=self._param.dtype)
        values = values.view((n,) + (1,) * len(self.batch_shape) + (n,))
        if expand:
            values = values.expand((n,) + tuple(self.batch_shape) + (n,))
        return values


class OneHotCategoricalStraightThrough(OneHotCategorical):
    """``OneHotCategorical`` whose ``rsample`` is the hard sample plus ``probs - probs.detach()``
    (the straight-through gradient estimator).

    Example::

        >>> from ember.distributions import OneHotCategoricalStraightThrough
        >>> logits = ember.zeros(3, requires_grad=True)
        >>> OneHotCategoricalStraightThrough(logits=logits).rsample().requires_grad
        True
    """

    has_rsample = True

    def rsample(self, sample_shape=ember.Size()):
        samples = self.sample(sample_shape)
        probs = self._categorical.probs
        return samples + (probs - probs.detach())
