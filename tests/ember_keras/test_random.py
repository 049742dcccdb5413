"""keras.random on ember: Keras 3's seeding rules, dtypes and shapes, and the distributions
(moments of large samples compared with Keras's own samples and with the closed forms)."""
import numpy as np
import pytest

import ember
from ember.keras import random as er

DRAWS = [
    ("normal", ((4, 3),), {}), ("normal", ((2,),), {"mean": 2.0, "stddev": 0.5, "dtype": "float64"}),
    ("uniform", ((5,),), {"minval": -1.0, "maxval": 3.0}), ("uniform", ((2, 2),), {"dtype": "float16"}),
    ("randint", ((3, 2), 0, 10), {}), ("randint", ((4,), -5, 5), {"dtype": "int64"}),
    ("truncated_normal", ((3, 3),), {"stddev": 2.0}), ("gamma", ((3,), 2.0), {}),
    ("beta", ((3,), 2.0, 3.0), {}), ("binomial", ((3,), 10, 0.3), {}),
    ("categorical", (np.log(np.array([[0.2, 0.8], [0.5, 0.5]], np.float32)), 4), {}),
]


def _np(x):
    return x.numpy() if isinstance(x, ember.Tensor) else x.detach().cpu().numpy()


@pytest.mark.parametrize("name,args,kwargs", DRAWS, ids=[f"{d[0]}-{i}" for i, d in enumerate(DRAWS)])
def test_dtype_and_shape_match_keras(keras_ref, name, args, kwargs):
    ref = _np(getattr(keras_ref.random, name)(*args, seed=3, **kwargs))
    ours = _np(getattr(er, name)(*args, seed=3, **kwargs))
    assert ours.dtype == ref.dtype and ours.shape == ref.shape


@pytest.mark.parametrize("name,args,kwargs", DRAWS, ids=[f"{d[0]}-{i}" for i, d in enumerate(DRAWS)])
def test_integer_seed_is_stateless_and_generator_is_stateful(name, args, kwargs):
    fn = getattr(er, name)
    np.testing.assert_array_equal(_np(fn(*args, seed=11, **kwargs)), _np(fn(*args, seed=11, **kwargs)))
    big = (64,) + tuple(args[0])[1:] if name != "categorical" else None
    if big is not None:  # enough values that two different draws cannot coincide
        args = (big,) + tuple(args[1:])
        assert not np.array_equal(_np(fn(*args, seed=11, **kwargs)), _np(fn(*args, seed=12, **kwargs)))
        gen, twin = er.SeedGenerator(5), er.SeedGenerator(5)
        first, second = _np(fn(*args, seed=gen, **kwargs)), _np(fn(*args, seed=gen, **kwargs))
        assert not np.array_equal(first, second)
        np.testing.assert_array_equal(first, _np(fn(*args, seed=twin, **kwargs)))


def test_seed_generator_state_and_config_match_keras(keras_ref):
    ref, ours = keras_ref.random.SeedGenerator(42), er.SeedGenerator(42)
    for gen in (ref, ours):
        keras_ref.random.normal((1,), seed=ref) if gen is ref else er.normal((1,), seed=ours)
    np.testing.assert_array_equal(ours.state.numpy(), np.asarray(ref.state.numpy()))
    assert ours.state.dtype == ember.int32 and not ours.state.requires_grad
    assert ours.get_config()["seed"] == ref.get_config()["seed"] == 42
    with pytest.raises(ValueError, match="seed"):
        er.SeedGenerator("1")
    with pytest.raises(ValueError, match="seed"):
        er.normal((2,), seed=1.5)


def test_set_random_seed_makes_unseeded_draws_reproducible():
    ember.keras.utils.set_random_seed(123)
    a = er.normal((8,)).numpy(), er.uniform((8,)).numpy(), er.SeedGenerator().next()
    ember.keras.utils.set_random_seed(123)
    b = er.normal((8,)).numpy(), er.uniform((8,)).numpy(), er.SeedGenerator().next()
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    ember.keras.utils.set_random_seed(124)
    assert not np.array_equal(er.normal((8,)).numpy(), a[0])
    with pytest.raises(ValueError, match="integer"):
        ember.keras.utils.set_random_seed(1.5)


N = 40000
MOMENTS = [  # (name, args, kwargs, expected mean, expected std)
    ("normal", ((N,),), {"mean": 1.0, "stddev": 2.0}, 1.0, 2.0),
    ("uniform", ((N,),), {"minval": -1.0, "maxval": 3.0}, 1.0, 4.0 / np.sqrt(12)),
    ("randint", ((N,), 0, 10), {}, 4.5, np.sqrt(99 / 12)),
    ("truncated_normal", ((N,),), {"stddev": 1.0}, 0.0, 0.8796),  # sd of N(0,1) cut at +-2
    ("gamma", ((N,), 3.0), {}, 3.0, np.sqrt(3.0)),
    ("beta", ((N,), 2.0, 5.0), {}, 2 / 7, np.sqrt(10 / (49 * 8))),
    ("binomial", ((N,), 20, 0.25), {}, 5.0, np.sqrt(20 * 0.25 * 0.75)),
]


@pytest.mark.parametrize("name,args,kwargs,mean,std", MOMENTS, ids=[m[0] for m in MOMENTS])
def test_distribution_moments_match_keras_and_theory(keras_ref, name, args, kwargs, mean, std):
    ours = _np(getattr(er, name)(*args, seed=7, **kwargs)).astype(np.float64)
    ref = _np(getattr(keras_ref.random, name)(*args, seed=7, **kwargs)).astype(np.float64)
    tol = 4 * std / np.sqrt(N)  # four standard errors of the mean
    for sample in (ours, ref):
        assert abs(sample.mean() - mean) < tol
        assert abs(sample.std() - std) < 0.03 * std
    if name == "truncated_normal":
        assert np.abs(ours).max() < 2.0


def test_categorical_frequencies():
    probs = np.array([[0.1, 0.6, 0.3]], np.float32)
    draws = er.categorical(np.log(probs), 20000, seed=1).numpy()
    freq = np.bincount(draws[0], minlength=3) / 20000
    np.testing.assert_allclose(freq, probs[0], atol=0.015)
    with pytest.raises(ValueError, match="2-D"):
        er.categorical(np.zeros(3), 2)


@pytest.mark.parametrize("rate,noise_shape,seed", [(0.3, None, 1), (0.5, (None, 1), 2),
                                                    (0.25, None, None), (0.0, None, 1), (1.0, None, 1)])
def test_dropout(rate, noise_shape, seed):
    x = ember.tensor(np.ones((200, 50), np.float32), requires_grad=True)
    out = er.dropout(x, rate, noise_shape=noise_shape, seed=seed)
    values = out.detach().numpy()
    assert values.dtype == np.float32
    kept = values != 0
    if rate < 1:
        np.testing.assert_allclose(values[kept], 1.0 / (1.0 - rate), rtol=1e-6)
    assert abs(kept.mean() - (1 - rate)) < 0.03
    if noise_shape is not None:  # one mask value per row
        assert np.all(kept == kept[:, :1])
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), values, rtol=1e-6)  # d(out)/dx is the mask scale


@pytest.mark.parametrize("axis", [0, 1])
def test_shuffle_permutes_along_axis(keras_ref, axis):
    x = np.arange(24, dtype=np.float32).reshape(4, 6)
    ours = er.shuffle(x, axis=axis, seed=3).numpy()
    ref = _np(keras_ref.random.shuffle(x, axis=axis, seed=3))
    for out in (ours, ref):
        np.testing.assert_array_equal(np.sort(out, axis=axis), x)
    assert not np.array_equal(ours, x)
    if axis == 0:  # whole rows move
        assert sorted(map(tuple, ours)) == sorted(map(tuple, x))


def test_shuffle_gradient_flows():
    x = ember.tensor(np.arange(6, dtype=np.float32), requires_grad=True)
    weights = ember.tensor(np.arange(6, dtype=np.float32))
    out = er.shuffle(x, seed=4)
    (out * weights).sum().backward()
    order = out.detach().numpy().astype(int)
    np.testing.assert_array_equal(x.grad.numpy()[order], np.arange(6))
