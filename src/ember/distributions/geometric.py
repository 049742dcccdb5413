"""``Geometric``: the number of failures before the first success of Bernoulli trials.

Example::

    >>> from ember.distributions import Geometric
    >>> Geometric(probs=ember.tensor([0.5])).log_prob(ember.tensor([2.0]))
    tensor([-2.0794])
"""
from __future__ import annotations

import ember
import ember.nn.functional as F
from ember.distributions import constraints
from ember.distributions.distribution import Distribution
from ember.distributions.utils import _BinaryParams, _uniform, broadcast_all

__all__ = ["Geometric"]


class Geometric(_BinaryParams, Distribution):
    """The geometric distribution on ``{0, 1, 2, …}`` with success probability ``probs``.

    Args:
        probs: the probability of success of each trial (in ``(0, 1]``).
        logits: the log-odds of success.
        validate_args: check the parameters and the values scored.

    Exactly one of ``probs`` and ``logits`` is given.

    Example::

        >>> from ember.distributions import Geometric
        >>> d = Geometric(probs=ember.tensor([0.25]))
        >>> d.mean, d.variance
        (tensor([3.]), tensor([12.]))
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            (self.probs,) = broadcast_all(probs)
        else:
            (self.logits,) = broadcast_all(logits)
        given = probs if probs is not None else logits
        param = self.probs if probs is not None else self.logits
        super().__init__(self._batch_shape_of(param, given), validate_args=validate_args)
        if self._validate_args and probs is not None:
            valid = self.probs > 0
            if not bool(valid.all()):
                raise ValueError(
                    f"Expected parameter probs ({type(self.probs).__name__} of shape "
                    f"{tuple(self.probs.shape)}) of distribution {self!r} to be positive but "
                    f"found invalid values:\n{self.probs[~valid]}")

    def expand(self, batch_shape, _instance=None):
        return self._expand_params(Geometric, batch_shape, _instance, ("probs", "logits"))

    @property
    def mean(self):
        return 1.0 / self.probs - 1.0

    @property
    def mode(self):
        return ember.zeros_like(self.probs)

    @property
    def variance(self):
        return (1.0 / self.probs - 1.0) / self.probs

    def sample(self, sample_shape=ember.Size()):
        tiny = ember.finfo(self.probs.dtype).tiny
        with ember.no_grad():
            u = _uniform(self._extended_shape(sample_shape), self.probs.dtype, low=tiny)
            return (u.log() / (-self.probs).log1p()).floor()

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        value, probs = broadcast_all(value, self.probs)
        probs = ember.where((probs == 1) & (value == 0), ember.zeros_like(probs), probs)
        return value * (-probs).log1p() + self.probs.log()

    def entropy(self):
        return F.binary_cross_entropy_with_logits(self.logits, self.probs,
                                                  reduction="none") / self.probs
