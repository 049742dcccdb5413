"""Turning the DATA argument into arrays: a named data set of ``ember.datasets``, or a CSV file.

Reading, one-hot encoding and task detection are ``ember.datasets``' (:func:`~ember.datasets.load_csv`,
:class:`~ember.datasets.TabularEncoding`, :func:`~ember.datasets.load`); its ``DataError`` is
printed by ``ember.cli.main`` as one line. Every source ends as float32 features, targets, and a
JSON-able ``spec`` (the ``TabularEncoding`` and the standardisation statistics) saved with the
model and applied again by ``ember evaluate`` and ``ember predict``.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from .. import datasets
from .errors import CLIError

# Sizes and noise that make each generator an interesting, learnable problem.
GENERATOR_ARGS = {"moons": {"n_samples": 600, "noise": 0.2},
                  "circles": {"n_samples": 600, "noise": 0.1, "factor": 0.5},
                  "spirals": {"n_samples": 600}, "xor": {"n_samples": 600, "noise": 0.05},
                  "blobs": {"n_samples": 600, "centers": 3, "cluster_std": 2.0},
                  "regression": {"n_samples": 600, "n_features": 5, "n_informative": 5, "noise": 10.0}}


@dataclass
class Data:
    """Features ``X`` (float32, not yet standardised), targets ``y`` and the preprocessing ``spec``;
    ``image_shape`` is ``(height, width)`` when each row is a flattened grey picture (a named set
    whose loader gives ``images``, such as digits), else None."""
    X: np.ndarray
    y: np.ndarray | None
    spec: dict
    name: str
    image_shape: tuple | None = None


def names() -> list:
    """The data sets DATA can name (``ember.datasets.list()``)."""
    return [info.name for info in datasets.list()]


def encoding(spec: dict) -> datasets.TabularEncoding:
    return datasets.TabularEncoding.from_dict(spec["encoding"])


def task(spec: dict) -> str:
    """``"classification"`` or ``"regression"``: what the network's head and loss are."""
    return "regression" if spec["encoding"]["task"] == "regression" else "classification"


def classes(spec: dict) -> list:
    """The class labels as text (for metrics, plots and the predictions CSV)."""
    return [str(c) for c in spec["encoding"]["classes"]]


def _named_key(data: str):
    """The catalogue name DATA stands for, or None for a file path."""
    key = data.lower().replace("-", "_")
    return key if key in names() and not os.path.isfile(data) else None


def _unknown(data: str) -> CLIError:
    return CLIError(f"unknown data set {data!r}; choose one of {', '.join(names())}, "
                    "or give the path of a CSV file")


def looks_like_path(data: str) -> bool:
    return os.sep in data or "/" in data or "." in os.path.basename(data) or os.path.exists(data)


def _named(key: str, task_option: str, seed: int) -> Data:
    kwargs = {**GENERATOR_ARGS[key], "random_state": seed} if key in GENERATOR_ARGS else {}
    bunch = datasets.load(key, **kwargs)
    X = np.asarray(bunch.X, dtype=np.float32).reshape(len(bunch.X), -1)
    kind = "regression" if task_option == "regression" else bunch.task
    if task_option == "classification" and kind == "regression":
        raise CLIError(f"{key} is a regression data set; --task classification does not apply")
    if kind == "regression":
        y, labels = np.asarray(bunch.y, dtype=np.float32), None
    else:
        y, labels = np.asarray(bunch.y, dtype=np.int64), list(bunch.target_names)
    enc = datasets.TabularEncoding(features=[str(n) for n in bunch.feature_names], categories={},
                                   target="target", task=kind, classes=labels)
    images = getattr(bunch, "images", None)
    return Data(X, y, {"source": key, "encoding": enc.to_dict()}, key,
                tuple(images.shape[1:]) if images is not None else None)


def _csv(path: str, target, task_option: str, dropna: bool) -> Data:
    loaded = datasets.load_csv(path, target, task=task_option, dropna=dropna)
    spec = {"source": os.path.basename(path), "encoding": loaded.encoding.to_dict()}
    return Data(loaded.X, loaded.y, spec, loaded.name)


def load_training_data(data: str, *, target=None, task="auto", dropna=False, seed=0) -> Data:
    """Resolves DATA for ``ember train``; unknown names list the valid ones."""
    key = _named_key(data)
    if key is not None:
        if target is not None:
            raise CLIError(f"--target applies to CSV files only; {data} has a fixed target")
        return _named(key, task, seed)
    if looks_like_path(data):
        return _csv(data, target, task, dropna)
    raise _unknown(data)


def load_like_training(data: str, spec: dict, *, dropna=False, seed=0) -> Data:
    """Loads DATA for ``evaluate``/``predict``, encoded exactly as at training time (a category
    not seen in training encodes as all zeros); ``y`` is None when a CSV has no target column."""
    if "window" in spec:
        from .windows import windowed_like_training
        return windowed_like_training(data, spec, dropna=dropna)
    key = _named_key(data)
    enc = encoding(spec)
    if key is not None:
        loaded = _named(key, task(spec), seed)
        found = loaded.spec["encoding"]["features"]
        if found != enc.features:
            raise CLIError(f"{data} has different columns from the training data ({len(found)} "
                           f"features instead of {len(enc.features)})")
        return Data(loaded.X, loaded.y, spec, key)
    if not looks_like_path(data):
        raise _unknown(data)
    X, y = enc.transform_with_target(data, handle_unknown="ignore", dropna=dropna)
    return Data(X, y, spec, os.path.splitext(os.path.basename(data))[0])


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
    """``(X - mean) / std`` with the training statistics, in float32 (values beyond its range
    become inf; callers check)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return ((X - np.asarray(spec["mean"], np.float32))
                / np.asarray(spec["std"], np.float32)).astype(np.float32)


def fit_target_scaling(spec: dict, y_train: np.ndarray) -> None:
    """Regression targets are standardised too (predictions are scaled back)."""
    std = float(y_train.std(dtype=np.float64))
    spec["y_mean"] = float(np.float32(y_train.mean(dtype=np.float64)))
    spec["y_std"] = float(np.float32(std if std > 1e-12 else 1.0))


def unscale_target(spec: dict, out: np.ndarray) -> np.ndarray:
    """The network's (N, 1) regression outputs in the target's units (float64)."""
    return out[:, 0].astype(np.float64) * spec["y_std"] + spec["y_mean"]
