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
from ember.distributions import constraints, transforms
from ember.distributions.constraint_registry import biject_to, transform_to
from ember.distributions.bernoulli import Bernoulli
from ember.distributions.binomial import Binomial
from ember.distributions.categorical import Categorical
from ember.distributions.cauchy import Cauchy
from ember.distributions.continuous_bernoulli import ContinuousBernoulli
from ember.distributions.beta import Beta
from ember.distributions.dirichlet import Dirichlet
from ember.distributions.distribution import Distribution
from ember.distributions.exp_family import ExponentialFamily
from ember.distributions.exponential import Exponential
from ember.distributions.chi2 import Chi2
from ember.distributions.gamma import Gamma
from ember.distributions.geometric import Geometric
from ember.distributions.fishersnedecor import FisherSnedecor
from ember.distributions.generalized_pareto import GeneralizedPareto
from ember.distributions.gumbel import Gumbel
from ember.distributions.half_cauchy import HalfCauchy
from ember.distributions.half_normal import HalfNormal
from ember.distributions.independent import Independent
from ember.distributions.kl import kl_divergence, register_kl
from ember.distributions.inverse_gamma import InverseGamma
from ember.distributions.kumaraswamy import Kumaraswamy
from ember.distributions.laplace import Laplace
from ember.distributions.lkj_cholesky import LKJCholesky
from ember.distributions.log_normal import LogNormal
from ember.distributions.logistic_normal import LogisticNormal
from ember.distributions.lowrank_multivariate_normal import LowRankMultivariateNormal
from ember.distributions.mixture_same_family import MixtureSameFamily
from ember.distributions.multivariate_normal import MultivariateNormal
from ember.distributions.multinomial import Multinomial
from ember.distributions.negative_binomial import NegativeBinomial
from ember.distributions.normal import Normal
from ember.distributions.one_hot_categorical import (OneHotCategorical,
                                                     OneHotCategoricalStraightThrough)
from ember.distributions.pareto import Pareto
from ember.distributions.poisson import Poisson
from ember.distributions.relaxed_bernoulli import RelaxedBernoulli
from ember.distributions.relaxed_categorical import RelaxedOneHotCategorical
from ember.distributions.studentT import StudentT
from ember.distributions.transformed_distribution import TransformedDistribution
from ember.distributions.transforms import (AbsTransform, AffineTransform, CatTransform,
                                            ComposeTransform, CorrCholeskyTransform,
                                            CumulativeDistributionTransform, ExpTransform,
                                            IndependentTransform, LowerCholeskyTransform,
                                            PositiveDefiniteTransform, PowerTransform,
                                            ReshapeTransform, SigmoidTransform, SoftmaxTransform,
                                            SoftplusTransform, StackTransform,
                                            StickBreakingTransform, TanhTransform, Transform,
                                            identity_transform)
from ember.distributions.uniform import Uniform
from ember.distributions.von_mises import VonMises
from ember.distributions.weibull import Weibull
from ember.distributions.wishart import Wishart
from ember.distributions import _kl_forms, _kl_gamma_forms, _kl_pareto_forms  # noqa: F401,E501

__all__ = ["AbsTransform", "AffineTransform", "Bernoulli", "Beta", "Binomial", "Categorical",
           "Cauchy", "Chi2", "Dirichlet", "Gamma", "StudentT", "LowRankMultivariateNormal",
           "MixtureSameFamily", "RelaxedBernoulli", "RelaxedOneHotCategorical", "FisherSnedecor",
           "HalfCauchy", "InverseGamma", "Kumaraswamy", "Multinomial", "NegativeBinomial",
           "Pareto", "Weibull", "ContinuousBernoulli", "GeneralizedPareto", "LogisticNormal",
           "CatTransform", "CorrCholeskyTransform", "CumulativeDistributionTransform",
           "PositiveDefiniteTransform", "StackTransform", "StickBreakingTransform", "biject_to",
           "transform_to", "LKJCholesky", "VonMises", "Wishart",
           "ComposeTransform", "Distribution", "ExpTransform", "Exponential", "ExponentialFamily",
           "Geometric", "Gumbel", "HalfNormal", "Independent", "IndependentTransform", "Laplace",
           "LogNormal", "LowerCholeskyTransform", "MultivariateNormal", "Normal",
           "OneHotCategorical", "OneHotCategoricalStraightThrough", "Poisson", "PowerTransform",
           "ReshapeTransform", "SigmoidTransform", "SoftmaxTransform", "SoftplusTransform",
           "TanhTransform", "Transform", "TransformedDistribution", "Uniform", "constraints",
           "identity_transform", "kl_divergence", "register_kl", "transforms"]
