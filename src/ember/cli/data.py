"""Turning the DATA argument into arrays: a bundled data set, a generator, or a CSV file.

Every source ends as the same thing: float32 features, targets, and a JSON-able ``spec``
(column kinds, categories, classes, task, standardisation statistics) that is saved with the
model and applied again by ``ember evaluate`` and ``ember predict``.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from . import tabular
from .errors import CLIError

BUNDLED = ["digits", "iris", "wine", "breast_cancer", "diabetes"]
GENERATORS = ["moons", "circles", "spirals", "xor", "blobs", "regression"]


@dataclass
class Data:
    """Features ``X`` (float32, not yet standardised), targets ``y`` and the encoding ``spec``."""
    X: np.ndarray
    y: np.ndarray | None
    spec: dict
    name: str


def _datasets_module():
    try:
        from .. import datasets
    except ImportError as exc:  # pragma: no cover - ember.datasets ships with ember
        raise CLIError(f"ember.datasets is not available: {exc}") from None
    return datasets


def looks_like_path(data: str) -> bool:
    return os.sep in data or "/" in data or "." in os.path.basename(data) or os.path.exists(data)


def _from_arrays(X, y, name: str, feature_names, classes, task: str) -> Data:
    X = np.asarray(getattr(X, "_data", X), dtype=np.float32)
    y = np.asarray(getattr(y, "_data", y))
    if X.ndim != 2:
        X = X.reshape(len(X), -1)
    if feature_names is None or len(feature_names) != X.shape[1]:
        feature_names = [f"x{i}" for i in range(X.shape[1])]
    features = [{"name": str(n), "kind": "numeric"} for n in feature_names]
    if task == "auto":
        task = "classification" if np.issubdtype(y.dtype, np.integer) else "regression"
    spec = {"source": name, "target": "target", "task": task, "features": features}
    if task == "classification":
        values = np.unique(y)
        if classes is None or len(classes) != len(values):
            classes = [str(int(v)) if float(v).is_integer() else str(v) for v in values]
        spec["classes"] = [str(c) for c in classes]
        y = np.searchsorted(values, y).astype(np.int64)
    else:
        y = y.astype(np.float32)
    return Data(X, y, spec, name)


def _bundled(name: str, task: str) -> Data:
    datasets = _datasets_module()
    loader = getattr(datasets, f"load_{name}", None)
    if loader is None:
        raise CLIError(f"ember.datasets has no load_{name} in this installation")
    bunch = loader()
    return _from_arrays(bunch.X, bunch.y, name, getattr(bunch, "feature_names", None),
                        getattr(bunch, "target_names", None), task)


# Sizes and noise that make each generator an interesting, learnable problem.
_GENERATOR_ARGS = {"moons": {"n_samples": 600, "noise": 0.2}, "circles": {"n_samples": 600, "noise": 0.1,
                   "factor": 0.5}, "spirals": {"n_samples": 600}, "xor": {"n_samples": 600, "noise": 0.05},
                   "blobs": {"n_samples": 600, "centers": 3, "cluster_std": 2.0},
                   "regression": {"n_samples": 600, "n_features": 5, "n_informative": 5, "noise": 10.0}}


def _generated(name: str, task: str, seed: int) -> Data:
    datasets = _datasets_module()
    maker = getattr(datasets, f"make_{name}", None)
    if maker is None:
        raise CLIError(f"ember.datasets has no make_{name} in this installation")
    result = maker(**_GENERATOR_ARGS[name], random_state=seed)
    X, y = (result.X, result.y) if hasattr(result, "X") else result[:2]
    names = [f"x{i + 1}" for i in range(np.shape(X)[1])]
    return _from_arrays(X, y, name, names, None, task)


def _csv(path: str, target, task: str, dropna: bool) -> Data:
    table = tabular.drop_missing(tabular.read_csv(path), dropna)
    spec = tabular.fit_encoding(table, target, task)
    spec["source"] = os.path.basename(path)
    return Data(tabular.encode_features(table, spec), tabular.encode_target(table, spec), spec,
                os.path.splitext(os.path.basename(path))[0])


def load_training_data(data: str, *, target=None, task="auto", dropna=False, seed=0) -> Data:
    """Resolves DATA for ``ember train``; unknown names list the valid ones."""
    key = data.lower().replace("-", "_")
    if key in BUNDLED and not os.path.isfile(data):
        if target is not None:
            raise CLIError(f"--target applies to CSV files only; {data} has a fixed target")
        return _bundled(key, task)
    if key in GENERATORS and not os.path.isfile(data):
        return _generated(key, task, seed)
    if looks_like_path(data):
        return _csv(data, target, task, dropna)
    raise CLIError(f"unknown data set {data!r}; choose one of {', '.join(BUNDLED + GENERATORS)}, "
                   "or give the path of a CSV file")


def load_like_training(data: str, spec: dict, *, need_target: bool, dropna=False, seed=0) -> Data:
    """Loads DATA for ``evaluate``/``predict``, encoded exactly as at training time."""
    key = data.lower().replace("-", "_")
    if (key in BUNDLED or key in GENERATORS) and not os.path.isfile(data):
        loaded = load_training_data(data, task=spec["task"], seed=seed)
        names = [f["name"] for f in loaded.spec["features"]]
        expected = [f["name"] for f in spec["features"]]
        if names != expected:
            raise CLIError(f"{data} has different columns from the training data ({len(names)} "
                           f"features instead of {len(expected)})")
        return loaded
    if not looks_like_path(data):
        raise CLIError(f"unknown data set {data!r}; choose one of {', '.join(BUNDLED + GENERATORS)}, "
                       "or give the path of a CSV file")
    table = tabular.read_csv(data)
    tabular.check_columns(table, spec, need_target=need_target)
    table = tabular.drop_missing(table, dropna)
    y = tabular.encode_target(table, spec) if spec["target"] in table.columns else None
    name = os.path.splitext(os.path.basename(data))[0]
    return Data(tabular.encode_features(table, spec), y, spec, name)


def split_indices(n: int, val_split: float, test_split: float, seed: int):
    """Shuffled train/validation/test row indices (a fixed permutation for a given seed)."""
    order = np.random.default_rng(seed).permutation(n)
    n_test = int(round(n * test_split))
    n_val = int(round(n * val_split))
    if n - n_test - n_val < 1:
        raise CLIError(f"only {n} rows: nothing left to train on after the validation and test splits")
    return order[n_test + n_val:], order[n_test:n_test + n_val], order[:n_test]


def fit_standardisation(spec: dict, X_train: np.ndarray) -> None:
    """Stores the training split's column means and standard deviations in ``spec``."""
    mean = X_train.mean(axis=0, dtype=np.float64)
    std = X_train.std(axis=0, dtype=np.float64)
    std[std < 1e-12] = 1.0
    spec["mean"] = [float(v) for v in mean.astype(np.float32)]
    spec["std"] = [float(v) for v in std.astype(np.float32)]


def standardise(spec: dict, X: np.ndarray) -> np.ndarray:
    """``(X - mean) / std`` with the training statistics, in float32."""
    return ((X - np.asarray(spec["mean"], np.float32)) / np.asarray(spec["std"], np.float32)).astype(np.float32)


def fit_target_scaling(spec: dict, y_train: np.ndarray) -> None:
    """Regression targets are standardised too (predictions are scaled back)."""
    std = float(y_train.std(dtype=np.float64))
    spec["y_mean"] = float(np.float32(y_train.mean(dtype=np.float64)))
    spec["y_std"] = float(np.float32(std if std > 1e-12 else 1.0))
