"""Generators: shapes, dtypes, labels, geometry, seeding and validation."""
import numpy as np
import pytest

import ember
from ember import datasets

GENERATORS = {
    "xor": (lambda **kw: datasets.make_xor(120, **kw), (120, 2), {0, 1}),
    "moons": (lambda **kw: datasets.make_moons(101, noise=0.1, **kw), (101, 2), {0, 1}),
    "circles": (lambda **kw: datasets.make_circles(100, noise=0.05, **kw), (100, 2), {0, 1}),
    "spirals": (lambda **kw: datasets.make_spirals(200, n_classes=4, **kw), (200, 2), {0, 1, 2, 3}),
    "blobs": (lambda **kw: datasets.make_blobs(90, 3, centers=5, **kw), (90, 3), {0, 1, 2, 3, 4}),
    "regression": (lambda **kw: datasets.make_regression(80, 6, noise=1.0, **kw), (80, 6), None),
}


@pytest.mark.parametrize("name", list(GENERATORS))
def test_shapes_dtypes_and_labels(name):
    make, shape, labels = GENERATORS[name]
    X, y = make(random_state=0)
    assert X.shape == shape and X.dtype == np.float32
    assert y.shape == (shape[0],)
    if labels is None:
        assert y.dtype == np.float32
    else:
        assert y.dtype == np.int64 and set(y.tolist()) == labels


@pytest.mark.parametrize("name", list(GENERATORS))
def test_seeding(name):
    make = GENERATORS[name][0]
    a, b, c = make(random_state=3), make(random_state=3), make(random_state=4)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])
    ember.manual_seed(1)
    first = make()
    ember.manual_seed(1)
    np.testing.assert_array_equal(make()[0], first[0])
    g1, g2 = ember.Generator().manual_seed(5), ember.Generator().manual_seed(5)
    np.testing.assert_array_equal(make(generator=g1)[0], make(generator=g2)[0])
    np.testing.assert_array_equal(make(random_state=np.random.default_rng(2))[0],
                                  make(random_state=np.random.default_rng(2))[0])


@pytest.mark.parametrize("name", ["moons", "circles"])
def test_noise_free_shapes_equal_scikit_learn(name):
    sk = pytest.importorskip("sklearn.datasets")
    ours = getattr(datasets, f"make_{name}")(51, shuffle=False, random_state=0)
    theirs = getattr(sk, f"make_{name}")(51, shuffle=False, random_state=0)
    np.testing.assert_allclose(ours[0], theirs[0], atol=1e-6)
    np.testing.assert_array_equal(ours[1], theirs[1])


def test_xor_labels_follow_signs():
    X, y = datasets.make_xor(500, random_state=0)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(np.int64))
    assert np.abs(X).max() <= 1


def test_circles_radii():
    X, y = datasets.make_circles(60, factor=0.3, random_state=0)
    radius = np.linalg.norm(X, axis=1)
    np.testing.assert_allclose(radius[y == 0], 1.0, atol=1e-6)
    np.testing.assert_allclose(radius[y == 1], 0.3, atol=1e-6)


def test_spirals_balanced_and_within_unit_disc():
    X, y = datasets.make_spirals(301, n_classes=3, noise=0.0, random_state=0)
    assert np.bincount(y).tolist() == [101, 100, 100]
    assert np.linalg.norm(X, axis=1).max() <= 1 + 1e-6


def test_blobs_counts_and_given_centers():
    X, y = datasets.make_blobs([10, 20], centers=[[0, 0], [100, 100]], cluster_std=0.5, random_state=0)
    assert np.bincount(y).tolist() == [10, 20]
    np.testing.assert_allclose(X[y == 1].mean(axis=0), [100, 100], atol=0.5)


@pytest.mark.parametrize("bias", [0.0, 2.5])
def test_regression_is_linear(bias):
    X, y, w = datasets.make_regression(40, 5, n_informative=3, bias=bias, coef=True, random_state=0)
    assert w.dtype == np.float32 and np.count_nonzero(w) == 3
    np.testing.assert_allclose(X.astype(np.float64) @ w + bias, y, rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("call, match", [
    (lambda: datasets.make_xor(0), "n_samples=0"), (lambda: datasets.make_moons(10, noise=-1), "noise=-1"),
    (lambda: datasets.make_circles(10, factor=1.5), "factor=1.5"),
    (lambda: datasets.make_spirals(10, n_classes=1), "n_classes=1"),
    (lambda: datasets.make_blobs(10, centers=[1, 2]), "shape"),
    (lambda: datasets.make_blobs([5, 5], centers=3), "3 centers"),
    (lambda: datasets.make_regression(10, 0), "n_features=0"),
    (lambda: datasets.make_xor(10, random_state=0, generator=ember.Generator()), "not both"),
    (lambda: datasets.make_xor(10, random_state="a"), "random_state"),
])
def test_validation(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
