"""kl_divergence against torch (values, dtypes and gradients) and register_kl's dispatch."""
import warnings

import numpy as np
import pytest

import ember
import ember.distributions as ed

torch = pytest.importorskip("torch")
import torch.distributions as td  # noqa: E402

R = np.random.default_rng(3)
_P = lambda *s: R.uniform(0.5, 2.0, s)  # noqa: E731
_N = lambda *s: R.normal(size=s)  # noqa: E731


def _simplex(*s):
    p = R.uniform(0.1, 1.0, s)
    return p / p.sum(-1, keepdims=True)


def _spd(n):
    a = R.normal(size=(n, n))
    return a @ a.T + n * np.eye(n)


def _independent(D, p):
    return D.Independent(D.Normal(p["loc"], p["scale"]), 1)


def _tanh_normal(D, p):
    return D.TransformedDistribution(D.Normal(p["loc"], p["scale"]), D.transforms.TanhTransform())


# name → ((builder p, params p), (builder q, params q))
PAIRS = {
    "normal_normal": (("Normal", {"loc": _N(3), "scale": _P(3)}),
                      ("Normal", {"loc": _N(3), "scale": _P(3)})),
    "bernoulli_bernoulli": (("Bernoulli", {"probs": R.uniform(0.1, 0.9, 4)}),
                            ("Bernoulli", {"logits": _N(4)})),
    "categorical_categorical": (("Categorical", {"probs": _simplex(2, 5)}),
                                ("Categorical", {"logits": _N(2, 5)})),
    "uniform_uniform": (("Uniform", {"low": np.array([0.0, -1.0]), "high": np.array([1.0, 1.0])}),
                        ("Uniform", {"low": np.array([-1.0, 0.0]), "high": np.array([2.0, 3.0])})),
    "uniform_normal": (("Uniform", {"low": np.array([0.0, -1.0]), "high": np.array([1.0, 1.0])}),
                       ("Normal", {"loc": _N(2), "scale": _P(2)})),
    "normal_uniform": (("Normal", {"loc": _N(2), "scale": _P(2)}),
                       ("Uniform", {"low": np.array([0.0, -1.0]), "high": np.array([1.0, 1.0])})),
    "mvn_mvn": (("MultivariateNormal", {"loc": _N(2, 3), "covariance_matrix": _spd(3)}),
                ("MultivariateNormal", {"loc": _N(3), "scale_tril": np.linalg.cholesky(_spd(3))})),
    "independent": ((_independent, {"loc": _N(2, 3), "scale": _P(2, 3)}),
                    (_independent, {"loc": _N(2, 3), "scale": _P(2, 3)})),
    "one_hot": (("OneHotCategorical", {"probs": _simplex(3)}),
                ("OneHotCategorical", {"logits": _N(3)})),
    "exponential": (("Exponential", {"rate": _P(3)}), ("Exponential", {"rate": _P(3)})),
    "laplace": (("Laplace", {"loc": _N(3), "scale": _P(3)}),
                ("Laplace", {"loc": _N(3), "scale": _P(3)})),
    "cauchy": (("Cauchy", {"loc": _N(3), "scale": _P(3)}), ("Cauchy", {"loc": _N(3), "scale": _P(3)})),
    "poisson": (("Poisson", {"rate": _P(3)}), ("Poisson", {"rate": _P(3)})),
    "geometric": (("Geometric", {"probs": R.uniform(0.2, 0.8, 3)}),
                  ("Geometric", {"logits": _N(3)})),
    "gumbel": (("Gumbel", {"loc": _N(3), "scale": _P(3)}), ("Gumbel", {"loc": _N(3), "scale": _P(3)})),
    "half_normal": (("HalfNormal", {"scale": _P(3)}), ("HalfNormal", {"scale": _P(3)})),
    "log_normal": (("LogNormal", {"loc": _N(3), "scale": _P(3)}),
                   ("LogNormal", {"loc": _N(3), "scale": _P(3)})),
    "transformed": ((_tanh_normal, {"loc": _N(3), "scale": _P(3)}),
                    (_tanh_normal, {"loc": _N(3), "scale": _P(3)})),
    "binomial": (("Binomial", {"total_count": np.array([6.0, 4.0]), "probs": R.uniform(0.2, 0.8, 2)}),
                 ("Binomial", {"total_count": np.array([4.0, 4.0]), "logits": _N(2)})),
    "bernoulli_poisson": (("Bernoulli", {"probs": R.uniform(0.1, 0.9, 3)}), ("Poisson", {"rate": _P(3)})),
    "exponential_normal": (("Exponential", {"rate": _P(3)}), ("Normal", {"loc": _N(3), "scale": _P(3)})),
    "exponential_gumbel": (("Exponential", {"rate": _P(3)}), ("Gumbel", {"loc": _N(3), "scale": _P(3)})),
    "gumbel_normal": (("Gumbel", {"loc": _N(3), "scale": _P(3)}), ("Normal", {"loc": _N(3), "scale": _P(3)})),
    "laplace_normal": (("Laplace", {"loc": _N(3), "scale": _P(3)}), ("Normal", {"loc": _N(3), "scale": _P(3)})),
    "normal_gumbel": (("Normal", {"loc": _N(3), "scale": _P(3)}), ("Gumbel", {"loc": _N(3), "scale": _P(3)})),
    "normal_laplace": (("Normal", {"loc": _N(3), "scale": _P(3)}), ("Laplace", {"loc": _N(3), "scale": _P(3)})),
    "uniform_exponential": (("Uniform", {"low": np.array([0.5, -1.0]), "high": np.array([1.0, 1.0])}),
                            ("Exponential", {"rate": _P(2)})),
    "uniform_gumbel": (("Uniform", {"low": np.array([0.5, -1.0]), "high": np.array([1.0, 1.0])}),
                       ("Gumbel", {"loc": _N(2), "scale": _P(2)})),
    "normal_exponential": (("Normal", {"loc": _N(2), "scale": _P(2)}), ("Exponential", {"rate": _P(2)})),
    "laplace_uniform": (("Laplace", {"loc": _N(2), "scale": _P(2)}),
                        ("Uniform", {"low": np.array([0.0, -1.0]), "high": np.array([1.0, 1.0])})),
    "gamma_gamma": (("Gamma", {"concentration": _P(3), "rate": _P(3)}),
                    ("Gamma", {"concentration": _P(3), "rate": _P(3)})),
    "chi2_gamma": (("Chi2", {"df": _P(3)}), ("Gamma", {"concentration": _P(3), "rate": _P(3)})),
    "beta_beta": (("Beta", {"concentration1": _P(3), "concentration0": _P(3)}),
                  ("Beta", {"concentration1": _P(3), "concentration0": _P(3)})),
    "dirichlet_dirichlet": (("Dirichlet", {"concentration": _P(2, 4)}),
                            ("Dirichlet", {"concentration": _P(2, 4)})),
    "beta_exponential": (("Beta", {"concentration1": _P(3), "concentration0": _P(3)}),
                         ("Exponential", {"rate": _P(3)})),
    "beta_gamma": (("Beta", {"concentration1": _P(3), "concentration0": _P(3)}),
                   ("Gamma", {"concentration": _P(3), "rate": _P(3)})),
    "beta_normal": (("Beta", {"concentration1": _P(3), "concentration0": _P(3)}),
                    ("Normal", {"loc": _N(3), "scale": _P(3)})),
    "beta_uniform": (("Beta", {"concentration1": _P(2), "concentration0": _P(2)}),
                     ("Uniform", {"low": np.array([-1.0, 0.5]), "high": np.array([2.0, 2.0])})),
    "exponential_gamma": (("Exponential", {"rate": _P(3)}),
                          ("Gamma", {"concentration": _P(3), "rate": _P(3)})),
    "gamma_exponential": (("Gamma", {"concentration": _P(3), "rate": _P(3)}),
                          ("Exponential", {"rate": _P(3)})),
    "gamma_gumbel": (("Gamma", {"concentration": _P(3), "rate": _P(3)}),
                     ("Gumbel", {"loc": _N(3), "scale": _P(3)})),
    "gamma_normal": (("Gamma", {"concentration": _P(3), "rate": _P(3)}),
                     ("Normal", {"loc": _N(3), "scale": _P(3)})),
    "uniform_beta": (("Uniform", {"low": np.array([0.2, -1.0]), "high": np.array([0.7, 0.5])}),
                     ("Beta", {"concentration1": _P(2), "concentration0": _P(2)})),
    "uniform_gamma": (("Uniform", {"low": np.array([0.2, -1.0]), "high": np.array([0.7, 0.5])}),
                      ("Gamma", {"concentration": _P(2), "rate": _P(2)})),
    "normal_gamma": (("Normal", {"loc": _N(2), "scale": _P(2)}),
                     ("Gamma", {"concentration": _P(2), "rate": _P(2)})),
    "gamma_beta": (("Gamma", {"concentration": _P(2), "rate": _P(2)}),
                   ("Beta", {"concentration1": _P(2), "concentration0": _P(2)})),
    "lowrank_lowrank": (("LowRankMultivariateNormal", {"loc": _N(2, 3), "cov_factor": _N(3, 2),
                                                       "cov_diag": _P(3)}),
                        ("LowRankMultivariateNormal", {"loc": _N(3), "cov_factor": _N(2, 3, 1),
                                                       "cov_diag": _P(3)})),
    "mvn_lowrank": (("MultivariateNormal", {"loc": _N(3), "covariance_matrix": _spd(3)}),
                    ("LowRankMultivariateNormal", {"loc": _N(2, 3), "cov_factor": _N(3, 2),
                                                   "cov_diag": _P(3)})),
    "lowrank_mvn": (("LowRankMultivariateNormal", {"loc": _N(2, 3), "cov_factor": _N(3, 2),
                                                   "cov_diag": _P(3)}),
                    ("MultivariateNormal", {"loc": _N(3), "scale_tril": np.linalg.cholesky(_spd(3))})),
    "pareto_pareto": (("Pareto", {"scale": np.array([1.0, 2.0]), "alpha": _P(2)}),
                      ("Pareto", {"scale": np.array([0.5, 3.0]), "alpha": _P(2)})),
    "pareto_exponential": (("Pareto", {"scale": _P(3), "alpha": np.array([0.5, 2.0, 3.0])}),
                           ("Exponential", {"rate": _P(3)})),
    "pareto_gamma": (("Pareto", {"scale": _P(3), "alpha": np.array([0.5, 2.0, 3.0])}),
                     ("Gamma", {"concentration": _P(3), "rate": _P(3)})),
    "pareto_normal": (("Pareto", {"scale": _P(3), "alpha": np.array([1.5, 2.5, 3.0])}),
                      ("Normal", {"loc": _N(3), "scale": _P(3)})),
    "uniform_pareto": (("Uniform", {"low": np.array([1.0, 0.1]), "high": np.array([2.0, 1.0])}),
                       ("Pareto", {"scale": np.array([0.5, 0.5]), "alpha": _P(2)})),
    "normal_pareto": (("Normal", {"loc": _N(2), "scale": _P(2)}), ("Pareto", {"scale": _P(2), "alpha": _P(2)})),
    "cb_cb": (("ContinuousBernoulli", {"probs": np.array([0.2, 0.6])}),
              ("ContinuousBernoulli", {"logits": _N(2)})),
    "beta_cb": (("Beta", {"concentration1": _P(2), "concentration0": _P(2)}),
                ("ContinuousBernoulli", {"probs": np.array([0.3, 0.8])})),
    "cb_exponential": (("ContinuousBernoulli", {"probs": np.array([0.3, 0.8])}),
                       ("Exponential", {"rate": _P(2)})),
    "cb_normal": (("ContinuousBernoulli", {"probs": np.array([0.3, 0.8])}),
                  ("Normal", {"loc": _N(2), "scale": _P(2)})),
    "cb_uniform": (("ContinuousBernoulli", {"probs": np.array([0.3, 0.8])}),
                   ("Uniform", {"low": np.array([-1.0, 0.5]), "high": np.array([2.0, 2.0])})),
    "poisson_binomial": (("Poisson", {"rate": _P(2)}),
                         ("Binomial", {"total_count": np.array([3.0, 3.0]), "probs": R.uniform(0.2, 0.8, 2)})),
}


def _build(lib, spec, dtype):
    builder, params = spec
    L, D = (ember, ed) if lib is ember else (torch, td)
    leaves = {k: L.tensor(v, dtype=getattr(L, dtype), requires_grad=True)
              for k, v in params.items()}
    return (getattr(D, builder)(**leaves) if isinstance(builder, str)
            else builder(D, leaves)), leaves


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(PAIRS))
def test_kl_matches_torch(name, dtype):
    (ep, ep_leaves), (eq, eq_leaves) = (_build(ember, s, dtype) for s in PAIRS[name])
    (tp, tp_leaves), (tq, tq_leaves) = (_build(torch, s, dtype) for s in PAIRS[name])
    e, t = ed.kl_divergence(ep, eq), td.kl_divergence(tp, tq)
    assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == "float32" else dict(rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), **tol)
    finite = np.isfinite(t.detach().numpy())
    if t.requires_grad and finite.any():
        (e * ember.tensor(finite).to(e.dtype)).sum().backward()
        (t * torch.tensor(finite).to(t.dtype)).sum().backward()
        for key in tp_leaves:
            tg, eg = tp_leaves[key].grad, ep_leaves[key].grad
            if tg is not None:
                np.testing.assert_allclose(eg.numpy(), tg.numpy(), **tol, err_msg=f"p.{key}")
        for key in tq_leaves:
            tg, eg = tq_leaves[key].grad, eq_leaves[key].grad
            if tg is not None:
                np.testing.assert_allclose(eg.numpy(), tg.numpy(), **tol, err_msg=f"q.{key}")


@pytest.mark.parametrize("p, q", [("Bernoulli(0.5)", "Normal(0.0, 1.0)"),
                                  ("Cauchy(0.0, 1.0)", "Normal(0.0, 1.0)"),
                                  ("Categorical(probs=L.ones(2))", "Bernoulli(0.5)"),
                                  ("Binomial(2, probs=L.tensor([0.5]))",
                                   "Binomial(4, probs=L.tensor([0.5]))")])
def test_pairs_without_a_closed_form_raise_torchs_error(p, q):
    def message(L, D):
        with pytest.raises(NotImplementedError) as info:
            D.kl_divergence(eval("D." + p), eval("D." + q))  # noqa: S307 - the table above
        return str(info.value)
    assert message(ember, ed) == message(torch, td)


def test_register_kl_picks_the_most_specific_match_and_warns_on_ties():
    class A(ed.Normal):
        pass

    class B(A):
        pass

    ed.register_kl(A, ed.Normal)(lambda p, q: ember.tensor(1.0))
    ed.register_kl(B, ed.Normal)(lambda p, q: ember.tensor(2.0))
    assert float(ed.kl_divergence(B(0.0, 1.0), ed.Normal(0.0, 1.0))) == 2.0
    assert float(ed.kl_divergence(A(0.0, 1.0), ed.Normal(0.0, 1.0))) == 1.0
    assert float(ed.kl_divergence(A(0.0, 1.0), A(0.0, 1.0))) == 1.0  # subclass of q matches
    ed.register_kl(ed.Normal, A)(lambda p, q: ember.tensor(3.0))
    with pytest.warns(RuntimeWarning, match="Ambiguous kl_divergence\\(A, A\\)"):
        ed.kl_divergence(A(0.0, 1.0), A(0.0, 1.0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert float(ed.kl_divergence(B(0.0, 1.0), ed.Normal(0.0, 1.0))) == 2.0


@pytest.mark.parametrize("bad", [int, "Normal", 3])
def test_register_kl_rejects_non_distribution_types(bad):
    with pytest.raises(TypeError, match="Expected type_p to be a Distribution subclass"):
        ed.register_kl(bad, ed.Normal)
