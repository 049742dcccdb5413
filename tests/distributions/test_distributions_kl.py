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


# name → ((class p, params p), (class q, params q))
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
}


def _build(lib, spec, dtype):
    cls, params = spec
    if lib is ember:
        leaves = {k: ember.tensor(v, dtype=getattr(ember, dtype), requires_grad=True)
                  for k, v in params.items()}
        return getattr(ed, cls)(**leaves), leaves
    leaves = {k: torch.tensor(v, dtype=getattr(torch, dtype), requires_grad=True)
              for k, v in params.items()}
    return getattr(td, cls)(**leaves), leaves


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(PAIRS))
def test_kl_matches_torch(name, dtype):
    (ep, ep_leaves), (eq, eq_leaves) = (_build(ember, s, dtype) for s in PAIRS[name])
    (tp, tp_leaves), (tq, tq_leaves) = (_build(torch, s, dtype) for s in PAIRS[name])
    e, t = ed.kl_divergence(ep, eq), td.kl_divergence(tp, tq)
    assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == "float32" else dict(rtol=1e-10, atol=1e-12)
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


def test_unregistered_pair_raises_torchs_error():
    with pytest.raises(NotImplementedError, match="No KL\\(p \\|\\| q\\) is implemented for p "
                                                  "type Bernoulli and q type Normal"):
        ed.kl_divergence(ed.Bernoulli(0.5), ed.Normal(0.0, 1.0))


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
