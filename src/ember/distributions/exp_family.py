"""``ExponentialFamily``: distributions whose density is ``exp(<t(x), θ> - F(θ) + k(x))``.

Subclasses give their natural parameters ``θ``, the log normaliser ``F`` and the expected
carrier measure ``E[k(x)]``; the base derives the entropy from them (the Bregman form
``F(θ) - <θ, ∇F(θ)> - E[k(x)]``), as torch's ``ExponentialFamily`` does.

Example::

    >>> from ember.distributions import Normal, ExponentialFamily
    >>> d = Normal(ember.tensor([0.0]), ember.tensor([2.0]))
    >>> isinstance(d, ExponentialFamily)
    True
    >>> ember.allclose(ExponentialFamily.entropy(d), d.entropy())
    True
"""
from __future__ import annotations

import ember
from ember.distributions.distribution import Distribution

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):
    """Base class of exponential-family distributions (entropy from the log normaliser).

    Example::

        >>> from ember.distributions import Bernoulli, ExponentialFamily
        >>> ExponentialFamily.entropy(Bernoulli(probs=ember.tensor([0.5])))
        tensor([0.6931])
    """

    @property
    def _natural_params(self):
        """The natural parameters ``θ`` as a tuple of tensors."""
        raise NotImplementedError

    def _log_normalizer(self, *natural_params):
        """The log normaliser ``F(θ)``."""
        raise NotImplementedError

    @property
    def _mean_carrier_measure(self):
        """The expected carrier measure ``E[k(x)]``."""
        raise NotImplementedError

    def entropy(self):
        """``F(θ) - <θ, ∇F(θ)> - E[k(x)]``; the gradient is taken numerically through autograd,
        so this generic form is not itself differentiable (subclasses give closed forms)."""
        params = [p.detach().requires_grad_() for p in self._natural_params]
        with ember.enable_grad():
            normalizer = self._log_normalizer(*params)
            grads = ember.autograd.grad(normalizer.sum(), params)
        result = normalizer.detach() - self._mean_carrier_measure
        for p, g in zip(params, grads):
            result = result - (p.detach() * g).reshape(tuple(self._batch_shape) + (-1,)).sum(-1)
        return result
