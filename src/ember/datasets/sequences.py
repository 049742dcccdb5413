"""Sequence data: the bundled yearly sunspot numbers (a real time series), sliding windows for
forecasting, and seeded generators of classic sequence tasks (sine waves, the adding problem,
parity).

Every generator returns ``(X, y)``: ``X`` float32 of shape ``(n_samples, length, features)``
(batch first), ``y`` float32 targets (regression) or int64 classes. Randomness follows the
other generators: ``random_state`` (an int or a NumPy Generator), else ``generator`` (an
``ember.Generator``), else ember's global generator.

Example::

    >>> sun = ember.datasets.load_sunspots()
    >>> X, y = ember.datasets.make_windows(sun.y, window=12)
    >>> X.shape, y.shape
    ((297, 12, 1), (297,))
"""
from __future__ import annotations

import numpy as np

from ._bunch import Bunch
from .generators import _check_count, _check_noise, _rng

__all__ = ["load_sunspots", "make_windows", "make_sine_waves", "make_adding_problem",
           "make_parity"]

_DESCRIPTION = ("Yearly mean sunspot numbers, 1700-2008 (309 years; about 11-year cycles). "
                "Source: National Geophysical Data Center (NOAA) and SIDC (Royal Observatory of "
                "Belgium), as distributed with statsmodels (statsmodels/datasets/sunspots). "
                "Licence: public domain.")


def load_sunspots(*, return_X_y: bool = False):
    """The yearly sunspot numbers 1700-2008: ``X`` the year ``(309, 1)``, ``y`` the number
    (float32), in time order; ``task`` is ``"regression"``. Forecast with
    :func:`make_windows` on ``y``.

    Example::

        >>> sun = ember.datasets.load_sunspots()
        >>> int(sun.X[0, 0]), float(sun.y[0]), len(sun.y)
        (1700, 5.0, 309)
    """
    from .bundled import _DATA
    with np.load(_DATA / "sunspots.npz", allow_pickle=False) as npz:
        years, tenths = npz["X"], npz["y"]
    X = years.astype(np.float32)
    y = (tenths.astype(np.float64) / 10).astype(np.float32)
    if return_X_y:
        return X, y
    return Bunch(name="sunspots", X=X, y=y, feature_names=["year"], target_names=None,
                 description=_DESCRIPTION, task="regression")


def make_windows(series, window: int, *, horizon: int = 1, step: int = 1):
    """Sliding windows over a series for forecasting: each sample is ``window`` consecutive
    values, its target the value ``horizon`` steps after the window's end.

    Args:
        series: 1-D values (or ``(T, features)``; the target is then the first feature).
        window: input length. horizon: how far ahead the target is (1 = next value).
        step: distance between the starts of consecutive windows.

    Returns:
        ``X`` float32 ``(n, window, features)``, ``y`` float32 ``(n,)`` in time order.
    """
    arr = np.asarray(series, dtype=np.float32)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"series must be 1-D or (time, features), got shape {arr.shape}")
    window = _check_count("window", window)
    horizon = _check_count("horizon", horizon)
    step = _check_count("step", step)
    n = (len(arr) - window - horizon) // step + 1
    if n < 1:
        raise ValueError(f"a series of {len(arr)} values is too short for window={window} and "
                         f"horizon={horizon}: it needs at least {window + horizon} values")
    starts = np.arange(n) * step
    X = arr[starts[:, None] + np.arange(window)]
    y = arr[starts + window + horizon - 1, 0]
    return np.ascontiguousarray(X), np.ascontiguousarray(y)


def make_sine_waves(n_samples: int = 200, length: int = 50, *, noise: float = 0.0,
                    random_state=None, generator=None):
    """Windows of sine waves with random frequency (0.02-0.2 cycles per step), phase and
    amplitude (0.5-1.5); the target is the next value of the (noise-free) wave.

    Example::

        >>> X, y = ember.datasets.make_sine_waves(8, 20, random_state=0)
        >>> X.shape, y.shape
        ((8, 20, 1), (8,))
    """
    n = _check_count("n_samples", n_samples)
    length = _check_count("length", length)
    noise = _check_noise(noise)
    rng = _rng(random_state, generator)
    freq = rng.uniform(0.02, 0.2, (n, 1))
    phase = rng.uniform(0, 2 * np.pi, (n, 1))
    amp = rng.uniform(0.5, 1.5, (n, 1))
    t = np.arange(length + 1)[None, :]
    waves = amp * np.sin(2 * np.pi * freq * t + phase)
    X = waves[:, :length]
    if noise:
        X = X + rng.normal(0.0, noise, X.shape)
    return X[:, :, None].astype(np.float32), waves[:, length].astype(np.float32)


def make_adding_problem(n_samples: int = 1000, length: int = 50, *, random_state=None,
                        generator=None):
    """The adding problem (Hochreiter & Schmidhuber, 1997): each step holds a value U(0, 1)
    and a marker; exactly two steps are marked and the target is the sum of their values. A
    model must carry information across the whole sequence.

    Returns ``X (n, length, 2)`` (value, marker) and ``y (n,)``.

    Example::

        >>> X, y = ember.datasets.make_adding_problem(4, 10, random_state=0)
        >>> bool(np.allclose((X[..., 0] * X[..., 1]).sum(1), y))
        True
    """
    n = _check_count("n_samples", n_samples)
    length = _check_count("length", length, minimum=2)
    rng = _rng(random_state, generator)
    values = rng.uniform(0.0, 1.0, (n, length))
    marks = np.zeros((n, length))
    first = rng.integers(0, length // 2, n) if length >= 4 else np.zeros(n, np.int64)
    second = rng.integers(length // 2, length, n) if length >= 4 else np.ones(n, np.int64)
    marks[np.arange(n), first] = 1
    marks[np.arange(n), second] = 1
    X = np.stack([values, marks], axis=-1).astype(np.float32)
    y = (values * marks).sum(axis=1).astype(np.float32)
    return X, y


def make_parity(n_samples: int = 1000, length: int = 10, *, random_state=None, generator=None):
    """Random bit strings; the class is 1 when the number of ones is odd (XOR of all bits,
    hard for feed-forward models, easy for a recurrent one that keeps one bit of state).

    Returns ``X (n, length, 1)`` of 0/1 and ``y (n,)`` int64.

    Example::

        >>> X, y = ember.datasets.make_parity(5, 6, random_state=1)
        >>> bool(np.all(X.sum(axis=(1, 2)) % 2 == y))
        True
    """
    n = _check_count("n_samples", n_samples)
    length = _check_count("length", length)
    rng = _rng(random_state, generator)
    bits = rng.integers(0, 2, (n, length))
    return bits[:, :, None].astype(np.float32), (bits.sum(axis=1) % 2).astype(np.int64)
