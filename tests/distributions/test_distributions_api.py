"""Validation errors, constraints, probs/logits handling and the base class, as torch's."""
import re

import numpy as np
import pytest

import ember
import ember.distributions as ed
from ember.distributions import constraints

torch = pytest.importorskip("torch")
import torch.distributions as td  # noqa: E402
from torch.distributions import constraints as tc  # noqa: E402


def _message(fn):
    try:
        fn()
    except (ValueError, TypeError, NotImplementedError) as exc:
        return type(exc), str(exc)
    raise AssertionError("no error raised")


def _same(text):
    return text.replace("torch.Size", "ember.Size")


# (build with lib L, lib's distributions D) → an error both raise with the same message
ERRORS = {
    "negative_scale": lambda L, D: D.Normal(L.tensor([0.0]), L.tensor([-1.0])),
    "probs_and_logits": lambda L, D: D.Bernoulli(probs=L.tensor(0.5), logits=L.tensor(0.0)),
    "neither": lambda L, D: D.Categorical(),
    "scalar_probs": lambda L, D: D.Categorical(probs=L.tensor(0.5)),
    "probs_above_one": lambda L, D: D.Bernoulli(probs=L.tensor([1.5])),
    "bad_simplex": lambda L, D: D.Categorical(probs=L.tensor([-0.5, 1.5])),
    "low_above_high": lambda L, D: D.Uniform(L.tensor([2.0]), L.tensor([1.0])),
    "value_not_tensor": lambda L, D: D.Normal(0.0, 1.0).log_prob(1.0),
    "value_outside_support": lambda L, D: D.Bernoulli(probs=L.tensor([0.5])).log_prob(L.tensor([0.5])),
    "category_outside": lambda L, D: D.Categorical(probs=L.tensor([0.5, 0.5])).log_prob(L.tensor(2)),
    "not_broadcastable": lambda L, D: D.Normal(L.zeros(3), L.ones(3)).log_prob(L.zeros(2)),
    "uniform_outside": lambda L, D: D.Uniform(0.0, 1.0).log_prob(L.tensor(2.0)),
    "broadcast_bad": lambda L, D: D.Normal("a", 1.0),
    "mvn_two_matrices": lambda L, D: D.MultivariateNormal(L.zeros(2), L.eye(2), scale_tril=L.eye(2)),
    "mvn_scalar_loc": lambda L, D: D.MultivariateNormal(L.tensor(0.0), L.eye(2)),
    "mvn_vector_cov": lambda L, D: D.MultivariateNormal(L.zeros(2), L.ones(2)),
    "mvn_vector_tril": lambda L, D: D.MultivariateNormal(L.zeros(2), scale_tril=L.ones(2)),
    "mvn_not_pd": lambda L, D: D.MultivariateNormal(L.zeros(2), L.tensor([[1.0, 2.0], [2.0, 1.0]])),
    "mvn_bad_tril": lambda L, D: D.MultivariateNormal(L.zeros(2), scale_tril=L.tensor([[1.0, 1.0], [0.0, 1.0]])),
    "independent_too_many": lambda L, D: D.Independent(D.Normal(L.zeros(2), L.ones(2)), 2),
    "geometric_zero": lambda L, D: D.Geometric(probs=L.tensor([0.0, 0.5])),
    "binomial_fraction": lambda L, D: D.Binomial(L.tensor([2.5]), probs=L.tensor([0.5])),
    "binomial_above_count": lambda L, D: D.Binomial(3, probs=L.tensor([0.5])).log_prob(L.tensor([4.0])),
    "poisson_negative_value": lambda L, D: D.Poisson(L.tensor([1.0])).log_prob(L.tensor([-1.0])),
    "exponential_rate": lambda L, D: D.Exponential(L.tensor([0.0])),
    "one_hot_value": lambda L, D: D.OneHotCategorical(L.tensor([0.5, 0.5])).log_prob(L.tensor([1.0, 1.0])),
    "transforms_not_list": lambda L, D: D.TransformedDistribution(D.Normal(0.0, 1.0), (1, 2)),
    "transforms_bad_item": lambda L, D: D.TransformedDistribution(D.Normal(0.0, 1.0), [1]),
    "log_normal_support": lambda L, D: D.LogNormal(0.0, 1.0).log_prob(L.tensor(-1.0)),
    "half_normal_scale": lambda L, D: D.HalfNormal(L.tensor([-1.0])),
    "gumbel_scale": lambda L, D: D.Gumbel(L.tensor([0.0]), L.tensor([0.0])),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_errors_match_torchs(case):
    t_type, t_msg = _message(lambda: ERRORS[case](torch, td))
    e_type, e_msg = _message(lambda: ERRORS[case](ember, ed))
    assert e_type is t_type
    # tensor reprs differ in spacing only; compare the text before the printed values
    assert _same(t_msg).split("\n")[0] == e_msg.split("\n")[0]


def test_validation_can_be_switched_off():
    d = ed.Normal(ember.tensor([0.0]), ember.tensor([-1.0]), validate_args=False)
    assert d.scale.item() == -1.0
    ed.Distribution.set_default_validate_args(False)
    try:
        ed.Bernoulli(probs=ember.tensor([2.0]))
    finally:
        ed.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        ed.Distribution.set_default_validate_args("yes")


CONSTRAINTS = {
    "real": ([0.0, np.nan, np.inf], ()),
    "positive": ([1.0, 0.0, -1.0], ()),
    "nonnegative": ([1.0, 0.0, -1.0], ()),
    "unit_interval": ([0.0, 0.5, 1.0, 1.5], ()),
    "boolean": ([0.0, 1.0, 0.5], ()),
    "nonnegative_integer": ([0.0, 3.0, 1.5, -1.0], ()),
    "positive_integer": ([0.0, 3.0, 1.5], ()),
    "simplex": ([[0.2, 0.8], [0.5, 0.6], [-0.1, 1.1]], ()),
    "one_hot": ([[0.0, 1.0], [1.0, 1.0]], ()),
    "real_vector": ([[0.0, 1.0], [np.nan, 1.0]], ()),
    "lower_cholesky": ([[[1.0, 0.0], [2.0, 3.0]], [[1.0, 1.0], [0.0, 1.0]], [[-1.0, 0.0], [0.0, 1.0]]], ()),
    "lower_triangular": ([[[1.0, 0.0], [2.0, 3.0]], [[1.0, 1.0], [0.0, 1.0]]], ()),
    "positive_definite": ([[[2.0, 1.0], [1.0, 2.0]], [[1.0, 2.0], [2.0, 1.0]], [[1.0, 0.0], [1.0, 1.0]]], ()),
    "positive_semidefinite": ([[[1.0, 1.0], [1.0, 1.0]], [[1.0, 2.0], [2.0, 1.0]]], ()),
    "symmetric": ([[[1.0, 2.0], [2.0, 1.0]], [[1.0, 0.0], [1.0, 1.0]]], ()),
    "square": ([[[1.0, 2.0], [2.0, 1.0]]], ()),
    "interval": ([0.0, 1.0, 2.0, 3.0], (1.0, 2.0)),
    "half_open_interval": ([0.0, 1.0, 2.0, 3.0], (1.0, 2.0)),
    "integer_interval": ([0.0, 1.0, 2.0, 3.0, 1.5], (1, 2)),
    "greater_than": ([0.0, 1.0, 2.0], (1.0,)),
    "greater_than_eq": ([0.0, 1.0, 2.0], (1.0,)),
    "less_than": ([0.0, 1.0, 2.0], (1.0,)),
    "multinomial": ([[1.0, 2.0], [3.0, 2.0], [-1.0, 1.0]], (4,)),
}


@pytest.mark.parametrize("name", list(CONSTRAINTS))
def test_constraints_check_and_repr_match_torchs(name):
    value, args = CONSTRAINTS[name]
    e, t = getattr(constraints, name), getattr(tc, name)
    if args:
        e, t = e(*args), t(*args)
    got, want = e.check(ember.tensor(value)), t.check(torch.tensor(value))
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    assert repr(e) == repr(t)
    assert (e.is_discrete, e.event_dim) == (t.is_discrete, t.event_dim)


def test_independent_and_dependent_constraints():
    c = constraints.independent(constraints.positive, 1)
    assert repr(c) == repr(tc.independent(tc.positive, 1))
    np.testing.assert_array_equal(c.check(ember.tensor([[1.0, 2.0], [1.0, -1.0]])).numpy(),
                                  [True, False])
    assert c.event_dim == 1
    assert constraints.is_dependent(constraints.dependent)
    assert constraints.is_dependent(ed.Uniform.support)
    assert not constraints.is_dependent(ed.Uniform(0.0, 1.0).support)
    with pytest.raises(ValueError, match="Cannot determine validity of dependent constraint"):
        constraints.dependent.check(ember.tensor(1.0))


def test_lazy_probs_and_logits_follow_torch():
    logits = np.array([[0.3, -1.2, 2.0]])
    e = ed.Categorical(logits=ember.tensor(logits, requires_grad=True))
    t = td.Categorical(logits=torch.tensor(logits, requires_grad=True))
    assert "probs" not in e.__dict__
    np.testing.assert_allclose(e.probs.detach().numpy(), t.probs.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(e.logits.detach().numpy(), t.logits.detach().numpy(), rtol=1e-12)
    assert tuple(e.param_shape) == tuple(t.param_shape)
    b = ed.Bernoulli(probs=ember.tensor([0.0, 0.25, 1.0]))
    tb = td.Bernoulli(probs=torch.tensor([0.0, 0.25, 1.0]))
    np.testing.assert_allclose(b.logits.numpy(), tb.logits.numpy(), rtol=1e-6)


def test_scalar_parameters_give_scalar_batch_and_default_dtype():
    for d in (ed.Normal(0.0, 1.0), ed.Uniform(0.0, 1.0), ed.Bernoulli(0.3)):
        assert d.batch_shape == ember.Size([]) and d.mean.dtype == ember.float32
    assert ed.Normal(ember.zeros(2, dtype=ember.float64), 1.0).scale.dtype == ember.float64


def test_repr_perplexity_sample_n_and_base_errors():
    d = ed.Normal(ember.zeros(2), ember.ones(2))
    assert repr(d) == "Normal(loc: ember.Size([2]), scale: ember.Size([2]))"
    assert repr(ed.Normal(0.0, 1.0)) == "Normal(loc: 0.0, scale: 1.0)"
    np.testing.assert_allclose(d.perplexity().numpy(), np.exp(d.entropy().numpy()))
    with pytest.warns(FutureWarning):
        assert tuple(d.sample_n(3).shape) == (3, 2)
    with pytest.raises(NotImplementedError, match=re.escape("does not implement mode")):
        ed.Distribution(validate_args=False).mode
    with pytest.raises(NotImplementedError):
        ed.Distribution(validate_args=False).rsample()


def test_same_seed_gives_the_same_samples():
    d = ed.Categorical(logits=ember.zeros(3, 4))
    ember.manual_seed(7)
    a = d.sample((10,))
    ember.manual_seed(7)
    assert ember.equal(a, d.sample((10,)))
    assert a.dtype == ember.int64
