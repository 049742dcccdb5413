"""Non-differentiable helpers and random draws: values vs torch where deterministic, else shapes/dtypes."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

X = [[1.5, -2.0, 0.0], [7.0, 0.0, -0.5]]

DETERMINISTIC = [
    ("div_floor", lambda m: m.div(m.tensor(X), 2, rounding_mode="floor")),
    ("div_trunc", lambda m: m.div(m.tensor(X), 2, rounding_mode="trunc")),
    ("floor_divide_int", lambda m: m.floor_divide(m.tensor([7, -7]), 2)),
    ("int_div_is_float", lambda m: m.tensor([7, -7]) / 2),
    ("count_nonzero", lambda m: m.count_nonzero(m.tensor(X))),
    ("count_nonzero_dim", lambda m: m.count_nonzero(m.tensor(X), dim=1)),
    ("all", lambda m: m.tensor(X).all()), ("any_dim", lambda m: m.tensor(X).any(dim=0)),
    ("all_keepdim", lambda m: m.tensor(X).bool().all(dim=1, keepdim=True)),
    ("where_nonzero", lambda m: m.where(m.tensor(X) > 0)[1]),
    ("isinf", lambda m: m.isinf(m.tensor([1.0, float("inf"), -float("inf")]))),
    ("isnan", lambda m: m.isnan(m.tensor([1.0, float("nan")]))),
    ("logical_and", lambda m: m.logical_and(m.tensor([True, False]), m.tensor([True, True]))),
    ("logical_not", lambda m: m.logical_not(m.tensor([1, 0]))),
    ("bitwise_not_bool", lambda m: ~m.tensor([True, False])),
    ("and_or", lambda m: (m.tensor([True, False]) & m.tensor([True, True])) | m.tensor([False, True])),
    ("argmax_keepdim", lambda m: m.tensor(X).argmax(dim=1, keepdim=True)),
    ("argmin_flat", lambda m: m.tensor(X).argmin()),
    ("max_values_indices", lambda m: m.stack(list(m.tensor(X).max(dim=0)))),
    ("heaviside", lambda m: m.heaviside(m.tensor(X), m.tensor(0.5))),
    ("logspace", lambda m: m.logspace(0, 2, 3)),
    ("unflatten", lambda m: m.arange(6).unflatten(0, (2, 3))),
    ("cumsum_int", lambda m: m.tensor([1, 2, 3]).cumsum(0)),
    ("sign", lambda m: m.sign(m.tensor(X))),
    ("round_decimals", lambda m: m.round(m.tensor([1.2345, 2.5]), decimals=2)),
    ("remainder_negative", lambda m: m.remainder(m.tensor([-3.0, 3.0]), 2)),
    ("mean_dtype", lambda m: m.tensor([1, 2]).mean(dtype=m.float64)),
    ("sum_dtype", lambda m: m.tensor([1, 2]).sum(dtype=m.float32)),
    ("sum_bool", lambda m: m.tensor([True, True, False]).sum()),
    ("prod_int", lambda m: m.tensor([2, 3, 4]).prod()),
    ("max_int", lambda m: m.tensor([[2, 9], [5, 1]]).max(dim=1).values),
]


@pytest.mark.parametrize("name,fn", DETERMINISTIC, ids=[d[0] for d in DETERMINISTIC])
def test_matches_torch(name, fn):
    e, t = fn(ember), fn(torch)
    assert e.dtype.name == str(t.dtype).replace("torch.", "")
    assert e.shape == tuple(t.shape)
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-6)


def test_allclose_and_equal():
    a = ember.tensor([1.0, 2.0])
    assert ember.allclose(a, a + 1e-9) and not ember.allclose(a, a + 1e-3)
    assert ember.equal(a, ember.tensor([1.0, 2.0])) and not ember.equal(a, ember.tensor([1.0]))


@pytest.mark.parametrize("draw,shape,dtype", [
    (lambda: ember.normal(0.0, 1.0, (3, 2)), (3, 2), ember.float32),
    (lambda: ember.normal(ember.zeros(4), ember.ones(4)), (4,), ember.float32),
    (lambda: ember.bernoulli(ember.full((5,), 0.5)), (5,), ember.float32),
    (lambda: ember.multinomial(ember.tensor([[0.2, 0.8], [1.0, 0.0]]), 2, replacement=True), (2, 2), ember.int64),
    (lambda: ember.rand_like(ember.zeros(2, 2)), (2, 2), ember.float32),
    (lambda: ember.randn(3, dtype=ember.float64), (3,), ember.float64),
    (lambda: ember.randint(0, 3, (2, 5), dtype=ember.int32), (2, 5), ember.int32),
])
def test_random_draw_shapes_and_dtypes(draw, shape, dtype):
    ember.manual_seed(0)
    out = draw()
    assert out.shape == shape and out.dtype == dtype


def test_bernoulli_and_multinomial_respect_probabilities():
    ember.manual_seed(0)
    assert ember.bernoulli(ember.zeros(100)).sum().item() == 0
    assert ember.bernoulli(ember.ones(100)).sum().item() == 100
    picks = ember.multinomial(ember.tensor([0.0, 1.0, 0.0]), 5, replacement=True)
    assert picks.tolist() == [1] * 5
    assert sorted(ember.multinomial(ember.tensor([1.0, 1.0, 1.0]), 3).tolist()) == [0, 1, 2]


def test_explicit_generator_is_independent_of_global():
    g = ember.Generator().manual_seed(7)
    a = ember.rand(3, generator=g).tolist()
    ember.manual_seed(1)
    ember.rand(10)
    g2 = ember.Generator().manual_seed(7)
    assert ember.rand(3, generator=g2).tolist() == a


@pytest.mark.parametrize("call", [lambda x: x.var(), lambda x: x.std(), lambda x: x.var(0)])
def test_var_of_one_element_warns_and_gives_nan_like_torch(call):
    with pytest.warns(UserWarning, match="degrees of freedom"):
        out = call(ember.tensor([2.0]))
    assert np.isnan(out.item())
