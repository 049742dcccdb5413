"""nn.init against torch: gains, fans, and the distribution each initialiser draws."""
import math

import numpy as np
import pytest

import ember
import ember.nn as nn
from ember.nn import init

torch = pytest.importorskip("torch")
tinit = torch.nn.init


@pytest.mark.parametrize("nonlinearity,param", [
    ("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None), ("relu", None),
    ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", math.sqrt(5)), ("selu", None),
])
def test_calculate_gain_matches_torch(nonlinearity, param):
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(tinit.calculate_gain(nonlinearity, param))


@pytest.mark.parametrize("shape", [(3, 5), (4, 2, 3), (6, 3, 2, 2)])
def test_fans_match_torch(shape):
    assert init._calculate_fan_in_and_fan_out(ember.empty(*shape)) == \
        tinit._calculate_fan_in_and_fan_out(torch.empty(*shape))


# (name, kwargs, expected (low, high) bounds or None, expected std as a function of fans)
def _std_uniform(bound):
    return bound / math.sqrt(3)


SHAPE = (200, 300)
FAN_IN, FAN_OUT = 300, 200
DISTS = [
    ("uniform_", {"a": -2.0, "b": 3.0}, (-2.0, 3.0), 5 / math.sqrt(12), 0.5),
    ("normal_", {"mean": 1.0, "std": 0.5}, None, 0.5, 1.0),
    ("xavier_uniform_", {"gain": 2.0}, None, 2.0 * math.sqrt(2 / (FAN_IN + FAN_OUT)), 0.0),
    ("xavier_normal_", {}, None, math.sqrt(2 / (FAN_IN + FAN_OUT)), 0.0),
    ("kaiming_uniform_", {}, None, math.sqrt(2 / (1 + 0.01 ** 2)) / math.sqrt(FAN_IN), 0.0),
    ("kaiming_uniform_", {"a": math.sqrt(5)}, (-1 / math.sqrt(FAN_IN), 1 / math.sqrt(FAN_IN)),
     _std_uniform(1 / math.sqrt(FAN_IN)), 0.0),
    ("kaiming_normal_", {"mode": "fan_out", "nonlinearity": "relu"}, None,
     math.sqrt(2) / math.sqrt(FAN_OUT), 0.0),
    ("trunc_normal_", {"std": 1.0, "a": -1.0, "b": 1.0}, (-1.0, 1.0), 0.5379, 0.0),
    # default arguments (analytic moments; truncated N(0,1) on [-2, 2] has std 0.8796)
    ("uniform_", {}, (0.0, 1.0), 1 / math.sqrt(12), 0.5),
    ("normal_", {}, None, 1.0, 0.0),
    ("trunc_normal_", {}, (-2.0, 2.0), 0.8796, 0.0),
    ("xavier_uniform_", {}, None, math.sqrt(2 / (FAN_IN + FAN_OUT)), 0.0),
    ("kaiming_normal_", {}, None, math.sqrt(2) / math.sqrt(FAN_IN), 0.0),
]


@pytest.mark.parametrize("name,kwargs,bounds,std,mean", DISTS, ids=[f"{d[0]}-{d[1]}" for d in DISTS])
def test_distribution_matches_torch(name, kwargs, bounds, std, mean):
    ember.manual_seed(0)
    w = getattr(init, name)(ember.empty(*SHAPE), **kwargs)
    ref = getattr(tinit, name)(torch.empty(*SHAPE), **kwargs).numpy()
    a = w._data
    assert a.dtype == np.float32
    for sample in (a, ref):
        np.testing.assert_allclose(sample.std(), std, rtol=0.02)
        assert abs(sample.mean() - mean) < 5 * std / math.sqrt(sample.size)
    if bounds is not None:
        slack = 0.01 * (bounds[1] - bounds[0])  # the samples reach both ends, not a narrower range
        for sample in (a, ref):
            assert bounds[0] <= sample.min() < bounds[0] + slack and bounds[1] - slack < sample.max() <= bounds[1]


def test_init_functions_work_on_parameters_and_return_them():
    p = nn.Linear(3, 4).weight
    assert init.constant_(p, 0.5) is p and np.all(p._data == 0.5) and p.requires_grad
    init.ones_(p), init.zeros_(p)
    assert np.all(p._data == 0)
    init.eye_(p)
    np.testing.assert_array_equal(p._data, np.eye(4, 3))


@pytest.mark.parametrize("shape,gain", [((4, 6), 1.0), ((6, 4), 2.0), ((3, 2, 2), 1.0)])
def test_orthogonal(shape, gain):
    w = init.orthogonal_(ember.empty(*shape), gain=gain)._data.reshape(shape[0], -1)
    small = min(w.shape)
    gram = w @ w.T if w.shape[0] == small else w.T @ w
    np.testing.assert_allclose(gram, gain ** 2 * np.eye(small), atol=1e-5)


@pytest.mark.parametrize("call,err,match", [
    (lambda: init.calculate_gain("swish"), ValueError, "Unsupported nonlinearity swish"),
    (lambda: init.calculate_gain("leaky_relu", "x"), ValueError, "negative_slope x not a valid number"),
    (lambda: init.kaiming_uniform_(ember.empty(3)), ValueError, "fewer than 2 dimensions"),
    (lambda: init.kaiming_normal_(ember.empty(3, 3), mode="fan_avg"), ValueError, "Mode fan_avg not supported"),
    (lambda: init.eye_(ember.empty(2, 2, 2)), ValueError, "2 dimensions"),
    (lambda: init.orthogonal_(ember.empty(3)), ValueError, "2 or more dimensions"),
])
def test_bad_input_raises(call, err, match):
    with pytest.raises(err, match=match):
        call()


def test_same_seed_same_weights_and_float64_kept():
    ember.manual_seed(5)
    a = init.xavier_uniform_(ember.empty(3, 3, dtype=ember.float64))
    ember.manual_seed(5)
    b = init.xavier_uniform_(ember.empty(3, 3, dtype=ember.float64))
    assert a.dtype == ember.float64
    np.testing.assert_array_equal(a._data, b._data)
