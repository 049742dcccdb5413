"""The table of distributions compared with torch.distributions.

Each case gives a builder (a class name, or a function of the library's distributions module
and the parameter tensors), the parameters (NumPy arrays, made leaf tensors of the tested
dtype on both sides) and whether ``icdf`` is compared. Values to score are drawn from the torch
twin, so they lie in the support.
"""
import numpy as np

R = np.random.default_rng(0)


def _pos(*shape, low=0.5, high=2.0):
    return R.uniform(low, high, shape)


def _simplex(*shape):
    p = R.uniform(0.1, 1.0, shape)
    return p / p.sum(-1, keepdims=True)


def _spd(n, batch=()):
    a = R.normal(size=batch + (n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def _tril(n, batch=()):
    return np.linalg.cholesky(_spd(n, batch))


def _independent(D, p):
    return D.Independent(D.Normal(p["loc"], p["scale"]), 1)


def _tanh_normal(D, p):
    return D.TransformedDistribution(D.Normal(p["loc"], p["scale"]),
                                     [D.transforms.TanhTransform()])


def _affine_sigmoid(D, p):
    T = D.transforms
    return D.TransformedDistribution(D.Normal(p["loc"], p["scale"]),
                                     [T.AffineTransform(p["shift"], 2.0), T.SigmoidTransform()])


def _softplus_exp(D, p):
    T = D.transforms
    return D.TransformedDistribution(D.Normal(p["loc"], p["scale"]),
                                     T.ComposeTransform([T.SoftplusTransform(),
                                                         T.PowerTransform(p["power"])]))


def _gmm(D, p):
    return D.MixtureSameFamily(D.Categorical(logits=p["weights"]), D.Normal(p["loc"], p["scale"]))


def _mdn(D, p):  # a batch of mixture-density-network outputs over 2-D targets
    comp = D.Independent(D.Normal(p["loc"], p["scale"]), 1)
    return D.MixtureSameFamily(D.Categorical(probs=p["probs"]), comp)


# name → (builder, params, compare icdf)
CASES = {
    "normal": ("Normal", {"loc": R.normal(size=(3,)), "scale": _pos(3)}, True),
    "normal_batch": ("Normal", {"loc": R.normal(size=(2, 3)), "scale": _pos(1, 3)}, True),
    "categorical_probs": ("Categorical", {"probs": _simplex(2, 4)}, False),
    "categorical_logits": ("Categorical", {"logits": R.normal(size=(3, 5))}, False),
    "bernoulli_probs": ("Bernoulli", {"probs": R.uniform(0.1, 0.9, (4,))}, False),
    "bernoulli_logits": ("Bernoulli", {"logits": R.normal(size=(2, 3))}, False),
    "uniform": ("Uniform", {"low": R.uniform(-1, 1, (3,)), "high": R.normal(size=(3,)) + 4.0},
                True),
    "mvn_cov": ("MultivariateNormal", {"loc": R.normal(size=(2, 3)), "covariance_matrix": _spd(3)},
                False),
    "mvn_tril": ("MultivariateNormal", {"loc": R.normal(size=(3,)), "scale_tril": _tril(3, (2,))},
                 False),
    "mvn_precision": ("MultivariateNormal", {"loc": R.normal(size=(3,)),
                                             "precision_matrix": _spd(3)}, False),
    "independent": (_independent, {"loc": R.normal(size=(2, 3)), "scale": _pos(2, 3)}, False),
    "one_hot": ("OneHotCategorical", {"probs": _simplex(3, 4)}, False),
    "one_hot_st": ("OneHotCategoricalStraightThrough", {"logits": R.normal(size=(2, 3))}, False),
    "exponential": ("Exponential", {"rate": _pos(4)}, True),
    "laplace": ("Laplace", {"loc": R.normal(size=(3,)), "scale": _pos(3)}, True),
    "cauchy": ("Cauchy", {"loc": R.normal(size=(3,)), "scale": _pos(3)}, True),
    "poisson": ("Poisson", {"rate": _pos(4, low=0.5, high=6.0)}, False),
    "geometric_probs": ("Geometric", {"probs": R.uniform(0.2, 0.9, (4,))}, False),
    "geometric_logits": ("Geometric", {"logits": R.normal(size=(3,))}, False),
    "binomial": ("Binomial", {"total_count": np.array([5.0, 5.0, 5.0]),
                              "probs": R.uniform(0.2, 0.8, (3,))}, False),
    "binomial_logits": ("Binomial", {"total_count": np.array([[3.0], [7.0]]),
                                     "logits": R.normal(size=(2, 2))}, False),
    "log_normal": ("LogNormal", {"loc": R.normal(size=(3,)), "scale": _pos(3, high=1.0)}, True),
    "half_normal": ("HalfNormal", {"scale": _pos(3)}, True),
    "gumbel": ("Gumbel", {"loc": R.normal(size=(3,)), "scale": _pos(3)}, True),
    "tanh_normal": (_tanh_normal, {"loc": R.normal(size=(3,)) * 0.5, "scale": _pos(3, high=1.0)},
                    True),
    "affine_sigmoid": (_affine_sigmoid, {"loc": R.normal(size=(3,)), "scale": _pos(3, high=1.0),
                                         "shift": R.normal(size=(3,))}, True),
    "softplus_power": (_softplus_exp, {"loc": R.normal(size=(3,)), "scale": _pos(3, high=1.0),
                                       "power": _pos(3)}, False),
    "gamma": ("Gamma", {"concentration": _pos(4, low=0.3, high=5.0), "rate": _pos(4)}, False),
    "chi2": ("Chi2", {"df": _pos(3, low=1.0, high=6.0)}, False),
    "beta": ("Beta", {"concentration1": _pos(3, low=0.5, high=4.0),
                      "concentration0": _pos(3, low=0.5, high=4.0)}, False),
    "dirichlet": ("Dirichlet", {"concentration": _pos(2, 4, low=0.5, high=3.0)}, False),
    "student_t": ("StudentT", {"df": np.array([0.8, 1.5, 3.0, 8.0]), "loc": R.normal(size=(4,)),
                               "scale": _pos(4)}, False),
    "relaxed_bernoulli": ("RelaxedBernoulli", {"temperature": np.array(0.7),
                                               "probs": R.uniform(0.2, 0.8, (3,))}, False),
    "relaxed_bernoulli_logits": ("RelaxedBernoulli", {"temperature": np.array([0.5, 1.5]),
                                                      "logits": R.normal(size=(3, 2))}, False),
    "relaxed_one_hot": ("RelaxedOneHotCategorical", {"temperature": np.array(0.8),
                                                     "probs": _simplex(2, 3)}, False),
    "relaxed_one_hot_logits": ("RelaxedOneHotCategorical", {"temperature": np.array(1.3),
                                                            "logits": R.normal(size=(4,))}, False),
    "mixture": (_gmm, {"weights": R.normal(size=(2, 3)), "loc": R.normal(size=(2, 3)) * 2,
                       "scale": _pos(2, 3)}, False),
    "mixture_mdn": (_mdn, {"probs": _simplex(4, 3), "loc": R.normal(size=(4, 3, 2)),
                           "scale": _pos(4, 3, 2)}, False),
    "lowrank_mvn": ("LowRankMultivariateNormal", {"loc": R.normal(size=(2, 4)),
                                                  "cov_factor": R.normal(size=(4, 2)),
                                                  "cov_diag": _pos(4)}, False),
    "half_cauchy": ("HalfCauchy", {"scale": _pos(3)}, True),
    "pareto": ("Pareto", {"scale": _pos(3), "alpha": np.array([0.8, 2.5, 5.0])}, False),
    "weibull": ("Weibull", {"scale": _pos(3), "concentration": _pos(3, low=0.8, high=3.0)}, False),
    "inverse_gamma": ("InverseGamma", {"concentration": np.array([1.5, 3.0, 6.0]),
                                       "rate": _pos(3)}, False),
    "kumaraswamy": ("Kumaraswamy", {"concentration1": _pos(3, low=0.5, high=3.0),
                                    "concentration0": _pos(3, low=0.5, high=3.0)}, False),
    "fisher_snedecor": ("FisherSnedecor", {"df1": np.array([1.5, 3.0, 8.0]),
                                           "df2": np.array([3.0, 5.0, 12.0])}, False),
    "negative_binomial": ("NegativeBinomial", {"total_count": np.array([2.0, 5.0, 3.5]),
                                               "probs": R.uniform(0.1, 0.6, (3,))}, False),
    "negative_binomial_logits": ("NegativeBinomial", {"total_count": np.array(4.0),
                                                      "logits": R.normal(size=(2,)) * 0.5}, False),
    "multinomial": (lambda D, p: D.Multinomial(6, probs=p["probs"]), {"probs": _simplex(2, 3)},
                    False),
    "multinomial_logits": (lambda D, p: D.Multinomial(3, logits=p["logits"]),
                           {"logits": R.normal(size=(4,))}, False),
    "logistic_normal": ("LogisticNormal", {"loc": R.normal(size=(2, 3)) * 0.5,
                                           "scale": _pos(2, 3, high=1.0)}, False),
    "continuous_bernoulli": ("ContinuousBernoulli", {"probs": np.array([0.1, 0.4995, 0.7])},
                             True),
    "continuous_bernoulli_logits": ("ContinuousBernoulli", {"logits": R.normal(size=(3,))}, True),
    "generalized_pareto": ("GeneralizedPareto", {"loc": R.normal(size=(3,)), "scale": _pos(3),
                                                 "concentration": np.array([-0.3, 0.0, 0.2])},
                           True),
    "generalized_pareto_nonzero": ("GeneralizedPareto", {"loc": R.normal(size=(3,)),
                                                         "scale": _pos(3),
                                                         "concentration": np.array([-0.2, 0.1, 0.3])},
                                   True),
    "von_mises": ("VonMises", {"loc": R.uniform(-2, 2, (3,)), "concentration": _pos(3, high=8.0)},
                  False),
    "lkj_cholesky": (lambda D, p: D.LKJCholesky(3, p["concentration"]),
                     {"concentration": _pos(2, low=0.5, high=3.0)}, False),
    "wishart_cov": ("Wishart", {"df": np.array([3.5, 6.0]), "covariance_matrix": _spd(3)}, False),
    "wishart_tril": ("Wishart", {"df": np.array(4.0), "scale_tril": _tril(2, (3,))}, False),
    "wishart_precision": ("Wishart", {"df": np.array(5.0), "precision_matrix": _spd(2)}, False),
}

# cases whose draws ignore a parameter somewhere, as torch's do (a Taylor or limiting form)
RSAMPLE_EXEMPT = {
    "continuous_bernoulli": "probs 0.4995 lies in the Taylor region, where icdf returns u",
    "generalized_pareto": "concentration 0 draws from the exponential limit, free of it",
}

# (case, method) pairs torch implements and ember does not yet, with the reason
GAPS: dict = {}

# methods/properties compared with torch (those torch does not implement must raise on ember too)
METHODS = ["log_prob", "cdf", "icdf", "entropy", "mean", "variance", "stddev", "mode"]
