"""The data step of ``ember train --model lstm``: a series cut into sliding windows.

DATA is a bundled series (``sunspots``) or a CSV file whose ``--target`` column (default: the
last) is the series, in row order. Each sample is ``--window`` consecutive values and its target
the next value (``ember.datasets.make_windows``); the features are named ``t-W … t-1``. The
splits keep time order (train, then validation, then test: the test windows are the latest),
and inputs and targets share one scaling, the training targets' mean and deviation.

Example::

    >>> data = windowed_data("sunspots", target=None, window=12, dropna=False)
    >>> data.X.shape, data.spec["window"]
    ((297, 12), 12)
"""
from __future__ import annotations

import os

import numpy as np

from .. import datasets
from .errors import CLIError

__all__ = ["SERIES", "windowed_data", "windowed_like_training", "split_in_order",
           "fit_series_scaling"]

SERIES = ("sunspots",)   # named data sets that are one time series (their target, in order)


def _series(data: str, target, dropna: bool) -> tuple[str, str, np.ndarray]:
    """``(name, column, values)`` of the series DATA names."""
    key = data.lower().replace("-", "_")
    if key in SERIES and not os.path.isfile(data):
        if target is not None:
            raise CLIError(f"--target applies to CSV files only; {data} is one series")
        bunch = datasets.load(key)
        return key, "value", np.asarray(bunch.y, dtype=np.float32)
    if key in [info.name for info in datasets.list()] and not os.path.isfile(data):
        raise CLIError(f"--model lstm forecasts a time series: {data} is not one; give "
                       f"{', '.join(SERIES)} or a CSV file with the series in a column")
    loaded = datasets.load_csv(data, target, task="regression", dropna=dropna)
    return loaded.name, loaded.encoding.target, np.asarray(loaded.y, dtype=np.float32)


def _windows(values: np.ndarray, window: int, what: str):
    if len(values) < window + 3:
        raise CLIError(f"{what} has {len(values)} values: too few for --window {window} (at least "
                       f"{window + 3} are needed for one training, validation and test window)")
    X, y = datasets.make_windows(values, window)
    return X[:, :, 0], y


def _spec(source: str, column: str, window: int) -> dict:
    features = [f"t-{k}" for k in range(window, 0, -1)]
    enc = datasets.TabularEncoding(features=features, categories={}, target=column,
                                   task="regression", classes=None)
    return {"source": source, "encoding": enc.to_dict(), "window": window}


def windowed_data(data: str, *, target, window: int, dropna: bool):
    """The ``Data`` of ``ember train --model lstm``: windows ``(n, window)`` and next values."""
    from .data import Data
    name, column, values = _series(data, target, dropna)
    X, y = _windows(values, window, data)
    return Data(X, y, _spec(os.path.basename(data) if os.path.isfile(data) else name, column,
                            window), name)


def windowed_like_training(data: str, spec: dict, *, dropna: bool):
    """DATA windowed as the run was trained (``evaluate``/``predict``)."""
    from .data import Data
    target = spec["encoding"]["target"]
    name, _, values = _series(data, None if target == "value" else target, dropna)
    X, y = _windows(values, spec["window"], data)
    return Data(X, y, spec, name)


def split_in_order(n: int, val_split: float, test_split: float):
    """Train, validation and test indices in time order: the test windows are the latest."""
    n_test = int(round(n * test_split))
    n_val = int(round(n * val_split))
    if n - n_test - n_val < 1:
        raise CLIError(f"only {n} windows: nothing left to train on after the validation and "
                       f"test splits")
    order = np.arange(n)
    return order[:n - n_test - n_val], order[n - n_test - n_val:n - n_test], order[n - n_test:]


def fit_series_scaling(spec: dict, y_train: np.ndarray) -> None:
    """One scaling for the inputs and the target: the training targets' mean and deviation."""
    from .data import fit_target_scaling
    fit_target_scaling(spec, y_train)
    width = spec["window"]
    spec["mean"] = [spec["y_mean"]] * width
    spec["std"] = [spec["y_std"]] * width
