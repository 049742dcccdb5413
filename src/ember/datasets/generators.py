"""Seeded toy data sets for teaching and demos: XOR, moons, circles, spirals, blobs, regression.

Every generator returns ``(X, y)`` NumPy arrays: ``X`` float32 of shape (n_samples, n_features),
``y`` int64 class labels (float32 for :func:`make_regression`). Randomness comes from
``random_state`` (an int seed or a ``numpy.random.Generator``), else from ``generator`` (an
``ember.Generator``), else from ember's global generator, so ``ember.manual_seed`` makes them
reproducible.
"""
from __future__ import annotations

import numbers

import numpy as np

from ..random import _gen

__all__ = ["make_xor", "make_moons", "make_circles", "make_spirals", "make_blobs", "make_regression"]


def _rng(random_state, generator) -> np.random.Generator:
    if random_state is not None and generator is not None:
        raise ValueError("pass random_state or generator, not both")
    if isinstance(random_state, np.random.Generator):
        return random_state
    if random_state is not None:
        if isinstance(random_state, bool) or not isinstance(random_state, numbers.Integral):
            raise TypeError(f"random_state must be an int seed or a numpy Generator, "
                            f"got {random_state!r}")
        return np.random.default_rng(int(random_state))
    return _gen(generator)


def _check_count(name: str, value, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {name}={value!r}")
    return int(value)


def _check_noise(noise) -> float:
    noise = 0.0 if noise is None else noise
    if not isinstance(noise, numbers.Real) or not noise >= 0:
        raise ValueError(f"noise must be a non-negative number, got noise={noise!r}")
    return float(noise)


def _finish(X, y, rng, shuffle: bool, noise: float, y_dtype=np.int64):
    if noise:
        X = X + rng.normal(0.0, noise, X.shape)
    if shuffle:
        order = rng.permutation(len(X))
        X, y = X[order], y[order]
    return np.ascontiguousarray(X, dtype=np.float32), np.ascontiguousarray(y, dtype=y_dtype)


def make_xor(n_samples: int = 200, *, noise: float = 0.0, random_state=None, generator=None):
    """Points uniform in the square [-1, 1]²; class 1 where exactly one coordinate is positive.

    Not linearly separable: a single perceptron cannot learn it, one hidden layer can.

    Args:
        n_samples: number of points.
        noise: standard deviation of Gaussian noise added to the points after labelling.

    Example::

        >>> X, y = ember.datasets.make_xor(100, random_state=0)
        >>> X.shape, X.dtype, sorted(set(y.tolist()))
        ((100, 2), dtype('float32'), [0, 1])
    """
    n = _check_count("n_samples", n_samples)
    rng = _rng(random_state, generator)
    X = rng.uniform(-1.0, 1.0, (n, 2))
    y = ((X[:, 0] > 0) != (X[:, 1] > 0)).astype(np.int64)
    return _finish(X, y, rng, False, _check_noise(noise))


def make_moons(n_samples: int = 100, *, shuffle: bool = True, noise=None, random_state=None,
               generator=None):
    """Two interleaving half circles: class 0 the upper moon, class 1 the lower one.

    Example::

        >>> X, y = ember.datasets.make_moons(50, noise=0.1, random_state=0)
        >>> X.shape, int(y.sum())
        ((50, 2), 25)
    """
    n = _check_count("n_samples", n_samples, 2)
    rng = _rng(random_state, generator)
    n_out = n // 2
    n_in = n - n_out
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    X = np.concatenate([np.c_[np.cos(t_out), np.sin(t_out)],
                        np.c_[1 - np.cos(t_in), 0.5 - np.sin(t_in)]])
    y = np.r_[np.zeros(n_out, np.int64), np.ones(n_in, np.int64)]
    return _finish(X, y, rng, shuffle, _check_noise(noise))


def make_circles(n_samples: int = 100, *, shuffle: bool = True, noise=None, factor: float = 0.8,
                 random_state=None, generator=None):
    """A small circle (class 1, radius ``factor``) inside a unit circle (class 0).

    Example::

        >>> X, y = ember.datasets.make_circles(40, factor=0.5, random_state=0)
        >>> X.shape
        (40, 2)
    """
    n = _check_count("n_samples", n_samples, 2)
    if not isinstance(factor, numbers.Real) or not 0 <= factor < 1:
        raise ValueError(f"factor must be in [0, 1), got factor={factor!r}")
    rng = _rng(random_state, generator)
    n_out = n // 2
    n_in = n - n_out
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.concatenate([np.c_[np.cos(t_out), np.sin(t_out)],
                        factor * np.c_[np.cos(t_in), np.sin(t_in)]])
    y = np.r_[np.zeros(n_out, np.int64), np.ones(n_in, np.int64)]
    return _finish(X, y, rng, shuffle, _check_noise(noise))


def make_spirals(n_samples: int = 300, *, n_classes: int = 3, turns: float = 1.0,
                 noise: float = 0.05, shuffle: bool = True, random_state=None, generator=None):
    """``n_classes`` interleaved spiral arms from the origin out to radius 1.

    Arm ``k`` starts at angle ``2πk / n_classes`` and winds ``turns`` times; ``noise`` is the
    standard deviation of Gaussian noise added to the points.

    Example::

        >>> X, y = ember.datasets.make_spirals(300, n_classes=3, random_state=0)
        >>> np.bincount(y).tolist()
        [100, 100, 100]
    """
    n = _check_count("n_samples", n_samples)
    k = _check_count("n_classes", n_classes, 2)
    if not isinstance(turns, numbers.Real) or not turns > 0:
        raise ValueError(f"turns must be a positive number, got turns={turns!r}")
    rng = _rng(random_state, generator)
    counts = np.full(k, n // k)
    counts[: n % k] += 1
    y = np.repeat(np.arange(k, dtype=np.int64), counts)
    t = np.concatenate([np.linspace(0.0, 1.0, c) for c in counts])
    angle = 2 * np.pi * (y / k + turns * t)
    X = (0.05 + 0.95 * t)[:, None] * np.c_[np.cos(angle), np.sin(angle)]
    return _finish(X, y, rng, shuffle, _check_noise(noise))


def make_blobs(n_samples=100, n_features: int = 2, *, centers=None, cluster_std=1.0,
               center_box=(-10.0, 10.0), shuffle: bool = True, random_state=None, generator=None):
    """Gaussian clusters, one class per centre.

    Args:
        n_samples: total points (split as evenly as possible), or a list of points per centre.
        n_features: dimensions (ignored when ``centers`` are given as coordinates).
        centers: number of centres (drawn uniformly in ``center_box``; default 3, or one per
            entry of a ``n_samples`` list) or their coordinates, shape (n_centers, n_features).
        cluster_std: standard deviation of each cluster (a number or one per centre).

    Example::

        >>> X, y = ember.datasets.make_blobs(90, centers=3, random_state=0)
        >>> X.shape, np.bincount(y).tolist()
        ((90, 2), [30, 30, 30])
    """
    rng = _rng(random_state, generator)
    if isinstance(n_samples, numbers.Integral):
        n = _check_count("n_samples", n_samples)
        per_center = None
    else:
        per_center = np.asarray(n_samples, dtype=np.int64)
        if per_center.ndim != 1 or per_center.size == 0 or np.any(per_center < 0):
            raise ValueError(f"n_samples must be a positive int or a list of counts, got {n_samples!r}")
    if centers is None or isinstance(centers, numbers.Integral):
        k = (3 if per_center is None else len(per_center)) if centers is None else \
            _check_count("centers", centers)
        d = _check_count("n_features", n_features)
        low, high = center_box
        centres = rng.uniform(low, high, (k, d))
    else:
        centres = np.asarray(centers, dtype=np.float64)
        if centres.ndim != 2:
            raise ValueError(f"centers must be a count or an array of shape (n_centers, n_features), "
                             f"got shape {centres.shape}")
        k = len(centres)
    if per_center is None:
        per_center = np.full(k, n // k)
        per_center[: n % k] += 1
    elif len(per_center) != k:
        raise ValueError(f"n_samples lists {len(per_center)} counts but there are {k} centers")
    std = np.broadcast_to(np.asarray(cluster_std, dtype=np.float64), (k,))
    if np.any(std < 0):
        raise ValueError(f"cluster_std must be non-negative, got {cluster_std!r}")
    y = np.repeat(np.arange(k, dtype=np.int64), per_center)
    X = centres[y] + rng.standard_normal((len(y), centres.shape[1])) * std[y, None]
    return _finish(X, y, rng, shuffle, 0.0)


def make_regression(n_samples: int = 100, n_features: int = 10, *, n_informative: int = 10,
                    noise: float = 0.0, bias: float = 0.0, coef: bool = False, shuffle: bool = True,
                    random_state=None, generator=None):
    """A linear regression problem: ``y = X @ w + bias + noise``.

    ``X`` is standard normal; the first ``n_informative`` weights are uniform in [0, 100), the
    rest zero (features are shuffled with their weights when ``shuffle``).

    Returns:
        ``(X, y)`` (float32), or ``(X, y, w)`` when ``coef=True``.

    Example::

        >>> X, y, w = ember.datasets.make_regression(50, 3, coef=True, random_state=0)
        >>> np.allclose(X @ w, y, atol=1e-3)
        True
    """
    n = _check_count("n_samples", n_samples)
    d = _check_count("n_features", n_features)
    informative = min(_check_count("n_informative", n_informative, 0), d)
    rng = _rng(random_state, generator)
    X = rng.standard_normal((n, d))
    w = np.zeros(d)
    w[:informative] = 100 * rng.random(informative)
    y = X @ w + bias
    noise = _check_noise(noise)
    if noise:
        y = y + rng.normal(0.0, noise, n)
    if shuffle:
        rows, cols = rng.permutation(n), rng.permutation(d)
        X, y, w = X[rows][:, cols], y[rows], w[cols]
    X, y = np.ascontiguousarray(X, np.float32), np.ascontiguousarray(y, np.float32)
    return (X, y, w.astype(np.float32)) if coef else (X, y)
