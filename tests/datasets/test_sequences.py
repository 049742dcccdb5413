"""Sequence data: the bundled sunspot series (values, order, provenance), make_windows, and
the sine/adding/parity generators (shapes, dtypes, seeding, what the targets mean)."""
import numpy as np
import pytest

import ember
from ember import datasets as D


def test_sunspots_bundle():
    sun = D.load_sunspots()
    assert sun.X.shape == (309, 1) and sun.X.dtype == np.float32
    assert sun.y.shape == (309,) and sun.y.dtype == np.float32
    np.testing.assert_array_equal(sun.X[:, 0], np.arange(1700, 2009))
    # a few values checked against the source (SIDC yearly means, statsmodels' copy)
    assert sun.y[0] == 5.0 and sun.y[78] == 154.4 and sun.y[-1] == pytest.approx(2.9)
    assert sun.y.min() == 0.0 and sun.y.max() == pytest.approx(190.2)
    assert "public domain" in sun.description and sun.task == "regression"
    X, y = D.load_sunspots(return_X_y=True)
    np.testing.assert_array_equal(y, sun.y)
    assert D.load("sunspots").name == "sunspots"
    assert ("sunspots", "regression", (309, 1)) in [tuple(r) for r in D.list_datasets()]


@pytest.mark.parametrize("window,horizon,step", [(3, 1, 1), (5, 2, 1), (4, 1, 3)])
def test_windows_line_up_with_the_series(window, horizon, step):
    series = np.arange(20, dtype=np.float64)
    X, y = D.make_windows(series, window, horizon=horizon, step=step)
    assert X.dtype == y.dtype == np.float32 and X.shape[1:] == (window, 1)
    for x, target in zip(X, y):
        start = x[0, 0]
        np.testing.assert_array_equal(x[:, 0], start + np.arange(window))
        assert target == start + window + horizon - 1
    assert y[-1] <= 19 and (19 - y[-1]) < step


def test_windows_of_several_features_and_errors():
    X, y = D.make_windows(np.stack([np.arange(6.0), -np.arange(6.0)], 1), 2)
    assert X.shape == (4, 2, 2) and y.tolist() == [2, 3, 4, 5]
    with pytest.raises(ValueError, match="too short for window=10 and horizon=1"):
        D.make_windows(np.arange(5.0), 10)
    with pytest.raises(ValueError, match="window must be an integer >= 1, got window=0"):
        D.make_windows(np.arange(5.0), 0)


GENERATORS = [(D.make_sine_waves, {"length": 12}, (12, 1), np.float32),
              (D.make_adding_problem, {"length": 12}, (12, 2), np.float32),
              (D.make_parity, {"length": 7}, (7, 1), np.int64)]


@pytest.mark.parametrize("make,kw,tail,y_dtype", GENERATORS, ids=lambda v: getattr(v, "__name__", ""))
def test_generators_shapes_and_seeding(make, kw, tail, y_dtype):
    X, y = make(30, **kw, random_state=1)
    assert X.shape == (30,) + tail and X.dtype == np.float32 and y.shape == (30,) and y.dtype == y_dtype
    X2, y2 = make(30, **kw, random_state=1)
    X3, _ = make(30, **kw, random_state=2)
    np.testing.assert_array_equal(X, X2), np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(X, X3)
    ember.manual_seed(4)
    a = make(5, **kw)[0]
    ember.manual_seed(4)
    np.testing.assert_array_equal(a, make(5, **kw)[0])


def test_generator_targets_mean_what_they_say():
    X, y = D.make_adding_problem(50, 20, random_state=0)
    assert np.all(X[..., 1].sum(1) == 2)
    np.testing.assert_allclose((X[..., 0] * X[..., 1]).sum(1), y, rtol=1e-6)
    X, y = D.make_parity(50, 9, random_state=0)
    np.testing.assert_array_equal(X.sum((1, 2)) % 2, y)
    assert 0 < y.mean() < 1
    X, y = D.make_sine_waves(50, 30, random_state=0)
    # the target continues the wave: a sine satisfies s[t+1] = 2cos(w) s[t] - s[t-1]
    w = np.arccos((X[:, 2, 0] + X[:, 0, 0]) / (2 * X[:, 1, 0]))
    np.testing.assert_allclose(y, 2 * np.cos(w) * X[:, -1, 0] - X[:, -2, 0], atol=1e-4)
