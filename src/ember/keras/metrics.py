"""Metrics with Keras's names and accumulation: state is updated batch by batch, ``result()``
gives the value over everything seen since ``reset_state()``.

Metrics work on NumPy arrays (they need no gradient). ``'accuracy'`` passed to ``compile`` is
resolved to binary, categorical or sparse categorical accuracy from the shapes, as Keras does.

Example::

    >>> m = keras.metrics.BinaryAccuracy()
    >>> m.update_state([[1], [0]], [[0.9], [0.7]])
    >>> m.result()
    0.5
"""
from __future__ import annotations

import math

import numpy as np

import ember

from . import losses as _losses
from ._utils import lookup, snake_case, to_array


def _arr(x) -> np.ndarray:
    return to_array(x)


def _same_rank(y_true: np.ndarray, y_pred: np.ndarray):
    if y_true.ndim == y_pred.ndim - 1 and y_pred.shape[-1] == 1:
        y_true = y_true[..., None]
    elif y_pred.ndim == y_true.ndim - 1 and y_true.shape[-1] == 1:
        y_pred = y_pred[..., None]
    return y_true, y_pred


# ---- per-sample metric functions on arrays --------------------------------------------
def binary_accuracy(y_true, y_pred, threshold=0.5):
    y_true, y_pred = _same_rank(_arr(y_true), _arr(y_pred))
    return (y_true == (y_pred > threshold).astype(y_true.dtype)).astype(np.float32)


def categorical_accuracy(y_true, y_pred):
    y_true, y_pred = _arr(y_true), _arr(y_pred)
    return (np.argmax(y_true, -1) == np.argmax(y_pred, -1)).astype(np.float32)


def sparse_categorical_accuracy(y_true, y_pred):
    y_true, y_pred = _arr(y_true), _arr(y_pred)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    return (y_true.astype(np.int64) == np.argmax(y_pred, -1)).astype(np.float32)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    return sparse_top_k_categorical_accuracy(np.argmax(_arr(y_true), -1), y_pred, k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    y_true, y_pred = _arr(y_true), _arr(y_pred)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    top = np.argsort(-y_pred, axis=-1)[..., :k]
    return np.any(top == y_true.astype(np.int64)[..., None], axis=-1).astype(np.float32)


def accuracy(y_true, y_pred):
    """Elementwise equality of targets and predictions (Keras's plain ``accuracy`` function)."""
    y_true, y_pred = _same_rank(_arr(y_true), _arr(y_pred))
    return (y_true == y_pred.astype(y_true.dtype)).astype(np.float32)


def _via_loss(fn):
    """A loss function evaluated on arrays (no gradient), as a metric function."""
    def metric(y_true, y_pred, **kwargs):
        with ember.no_grad():
            return fn(y_true, _arr(y_pred), **kwargs)._data
    metric.__name__ = fn.__name__
    return metric


mean_squared_error = _via_loss(_losses.mean_squared_error)
mean_absolute_error = _via_loss(_losses.mean_absolute_error)
mean_absolute_percentage_error = _via_loss(_losses.mean_absolute_percentage_error)
mean_squared_logarithmic_error = _via_loss(_losses.mean_squared_logarithmic_error)
binary_crossentropy = _via_loss(_losses.binary_crossentropy)
categorical_crossentropy = _via_loss(_losses.categorical_crossentropy)
sparse_categorical_crossentropy = _via_loss(_losses.sparse_categorical_crossentropy)
hinge = _via_loss(_losses.hinge)
kl_divergence = _via_loss(_losses.kl_divergence)


# ---- metric objects -------------------------------------------------------------------
class Metric:
    """Base class: ``update_state(y_true, y_pred, sample_weight=None)``, ``result()``,
    ``reset_state()``; calling the metric updates it and returns the result."""

    def __init__(self, name=None, dtype=None):
        self.name = name or snake_case(type(self).__name__)
        self.reset_state()

    def reset_state(self):  # pragma: no cover - abstract
        raise NotImplementedError  # abstract: subclasses implement it

    def update_state(self, *args, **kwargs):  # pragma: no cover - abstract
        raise NotImplementedError  # abstract: subclasses implement it

    def result(self):  # pragma: no cover - abstract
        raise NotImplementedError  # abstract: subclasses implement it

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict:
        return {"name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


class Mean(Metric):
    """The (weighted) mean of all values seen."""

    def reset_state(self):
        self.total = 0.0
        self.count = 0.0

    def update_state(self, values, sample_weight=None):
        values = np.asarray(_arr(values), dtype=np.float64)
        if sample_weight is None:
            self.total += float(values.sum())
            self.count += float(values.size)
            return
        sw = np.asarray(_arr(sample_weight), dtype=np.float64)
        while sw.ndim > values.ndim and sw.shape[-1] == 1:
            sw = sw[..., 0]
        while sw.ndim < values.ndim:
            sw = sw[..., None]
        sw = np.broadcast_to(sw, values.shape)
        self.total += float((values * sw).sum())
        self.count += float(sw.sum())

    def result(self):
        return self.total / self.count if self.count else 0.0


class MeanMetricWrapper(Mean):
    """The mean of ``fn(y_true, y_pred)`` over all samples seen."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        self.fn, self.kwargs = fn, kwargs
        super().__init__(name or fn.__name__)

    def update_state(self, y_true, y_pred, sample_weight=None):
        super().update_state(self.fn(y_true, y_pred, **self.kwargs), sample_weight)

    def get_config(self):
        return {"name": self.name, **self.kwargs}


def _wrapper_class(class_name, fn, default_name, **defaults):
    def __init__(self, name=default_name, dtype=None, **kwargs):
        unknown = set(kwargs) - set(defaults)
        if unknown:
            raise TypeError(f"{class_name}() got unexpected keyword arguments {sorted(unknown)}")
        MeanMetricWrapper.__init__(self, fn, name=name, **{**defaults, **kwargs})

    return type(class_name, (MeanMetricWrapper,), {"__init__": __init__,
                                                   "__doc__": f"Mean of ``{fn.__name__}``."})


BinaryAccuracy = _wrapper_class("BinaryAccuracy", binary_accuracy, "binary_accuracy", threshold=0.5)
CategoricalAccuracy = _wrapper_class("CategoricalAccuracy", categorical_accuracy,
                                     "categorical_accuracy")
SparseCategoricalAccuracy = _wrapper_class("SparseCategoricalAccuracy", sparse_categorical_accuracy,
                                           "sparse_categorical_accuracy")
TopKCategoricalAccuracy = _wrapper_class("TopKCategoricalAccuracy", top_k_categorical_accuracy,
                                         "top_k_categorical_accuracy", k=5)
SparseTopKCategoricalAccuracy = _wrapper_class("SparseTopKCategoricalAccuracy",
                                               sparse_top_k_categorical_accuracy,
                                               "sparse_top_k_categorical_accuracy", k=5)
MeanSquaredError = _wrapper_class("MeanSquaredError", mean_squared_error, "mean_squared_error")
MeanAbsoluteError = _wrapper_class("MeanAbsoluteError", mean_absolute_error, "mean_absolute_error")
MeanAbsolutePercentageError = _wrapper_class("MeanAbsolutePercentageError",
                                             mean_absolute_percentage_error,
                                             "mean_absolute_percentage_error")
BinaryCrossentropy = _wrapper_class("BinaryCrossentropy", binary_crossentropy,
                                    "binary_crossentropy", from_logits=False)
CategoricalCrossentropy = _wrapper_class("CategoricalCrossentropy", categorical_crossentropy,
                                         "categorical_crossentropy", from_logits=False)
SparseCategoricalCrossentropy = _wrapper_class("SparseCategoricalCrossentropy",
                                               sparse_categorical_crossentropy,
                                               "sparse_categorical_crossentropy", from_logits=False)


class RootMeanSquaredError(Mean):
    """``sqrt(mean((y_pred - y_true)**2))`` over all values seen."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = _same_rank(_arr(y_true), _arr(y_pred))
        super().update_state((y_pred - y_true) ** 2, sample_weight)

    def result(self):
        return math.sqrt(super().result())


from ._confusion import AUC, F1Score, FBetaScore, Precision, Recall  # noqa: E402

_CLASSES = [Mean, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
            TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, MeanSquaredError,
            MeanAbsoluteError, MeanAbsolutePercentageError, RootMeanSquaredError, BinaryCrossentropy,
            CategoricalCrossentropy, SparseCategoricalCrossentropy, Precision, Recall, AUC, F1Score,
            FBetaScore]
CLASSES = {c.__name__: c for c in _CLASSES}
FUNCTIONS = {
    "binary_accuracy": binary_accuracy, "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "top_k_categorical_accuracy": top_k_categorical_accuracy,
    "sparse_top_k_categorical_accuracy": sparse_top_k_categorical_accuracy,
    "mean_squared_error": mean_squared_error, "mse": mean_squared_error,
    "mean_absolute_error": mean_absolute_error, "mae": mean_absolute_error,
    "mean_absolute_percentage_error": mean_absolute_percentage_error,
    "mape": mean_absolute_percentage_error, "binary_crossentropy": binary_crossentropy,
    "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy, "hinge": hinge,
    "kl_divergence": kl_divergence,
}
_BY_NAME = {"precision": Precision, "recall": Recall, "auc": AUC,
            "root_mean_squared_error": RootMeanSquaredError, "rmse": RootMeanSquaredError}


def get(identifier):
    """A name, a Metric or a function → a Metric object (functions are wrapped in a mean)."""
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        if identifier in CLASSES:
            return CLASSES[identifier]()
        if identifier.lower() in _BY_NAME:
            return _BY_NAME[identifier.lower()]()
        valid = {**FUNCTIONS, **_BY_NAME, **CLASSES, "accuracy": accuracy, "acc": accuracy}
        fn = lookup("metric", identifier, valid)
        return MeanMetricWrapper(fn, name=identifier)
    if isinstance(identifier, dict):
        cls = lookup("metric", identifier["class_name"], CLASSES)
        return cls.from_config(identifier.get("config", {}))
    if callable(identifier):
        return MeanMetricWrapper(identifier)
    raise TypeError(f"Could not interpret metric identifier: {identifier!r}")


def resolve(identifier, y_true: np.ndarray, y_pred: np.ndarray) -> Metric:
    """What ``compile``'s metrics become: ``'accuracy'``/``'acc'`` picked from the shapes."""
    if isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc"):
        t_rank, p_rank = y_true.ndim, y_pred.ndim
        t_last = y_true.shape[-1] if t_rank else 1
        p_last = y_pred.shape[-1] if p_rank else 1
        if p_last == 1:
            return BinaryAccuracy(name=identifier)
        if t_rank < p_rank or (t_last == 1 and p_last > 1):
            return SparseCategoricalAccuracy(name=identifier)
        return CategoricalAccuracy(name=identifier)
    metric = get(identifier)
    if isinstance(identifier, str):
        metric.name = identifier
    return metric


def serialize(metric) -> dict:
    if type(metric).__name__ in CLASSES and type(metric) is CLASSES[type(metric).__name__]:
        return {"class_name": type(metric).__name__, "config": metric.get_config()}
    raise ValueError(f"Cannot save the custom metric {metric!r}; use a built-in keras metric")
