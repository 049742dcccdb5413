"""Probability distributions with torch.distributions' names, arguments and behaviour.

Parameters are ember tensors; ``rsample`` keeps gradients to them (the reparameterisation
trick behind VAEs), ``log_prob``/``entropy`` are differentiable (policy gradients), and
``kl_divergence`` dispatches to registered closed forms. Samples come from ember's global
generator, so ``ember.manual_seed`` makes them reproducible.

Example::

    >>> from ember.distributions import Normal, kl_divergence
    >>> q = Normal(ember.tensor([0.5]), ember.tensor([0.8]))
    >>> kl_divergence(q, Normal(0.0, 1.0))
    tensor([0.1681])
"""
from ember.distributions import constraints
from ember.distributions.bernoulli import Bernoulli
from ember.distributions.categorical import Categorical
from ember.distributions.distribution import Distribution
from ember.distributions.exp_family import ExponentialFamily
from ember.distributions.kl import kl_divergence, register_kl
from ember.distributions.normal import Normal
from ember.distributions.uniform import Uniform

__all__ = ["Bernoulli", "Categorical", "Distribution", "ExponentialFamily", "Normal", "Uniform",
           "constraints", "kl_divergence", "register_kl"]
