"""``keras.metrics`` on ember: Keras 3's metric classes and functions.

State is accumulated batch by batch in non-trainable variables; ``result()`` gives the value
over everything seen since ``reset_state()``. ``'accuracy'`` given to ``compile`` resolves to
binary, categorical or sparse categorical accuracy from the shapes, as Keras does.

Example::

    >>> m = keras.metrics.BinaryAccuracy()
    >>> m.update_state([[1], [0]], [[0.9], [0.7]])
    >>> float(m.result())
    0.5
"""
from __future__ import annotations

import re

import numpy as np

from .._utils import lookup
from ..losses import (binary_crossentropy, binary_focal_crossentropy,  # noqa: F401
                      categorical_crossentropy, categorical_focal_crossentropy, categorical_hinge,
                      hinge, huber, kl_divergence, log_cosh, mean_absolute_error,
                      mean_absolute_percentage_error, mean_squared_error,
                      mean_squared_logarithmic_error, poisson, sparse_categorical_crossentropy,
                      squared_hinge)
from .auc import AUC
from .base import Mean, MeanMetricWrapper, Metric, Sum
from .confusion import (FalseNegatives, FalsePositives, Precision, PrecisionAtRecall, Recall,
                        RecallAtPrecision, SensitivityAtSpecificity, SpecificityAtSensitivity,
                        TrueNegatives, TruePositives)
from .functions import (accuracy, binary_accuracy, categorical_accuracy,  # noqa: F401
                        concordance_correlation, pearson_correlation, sparse_categorical_accuracy,
                        sparse_top_k_categorical_accuracy, top_k_categorical_accuracy)
from .iou import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from .scores import F1Score, FBetaScore, R2Score
from .wrappers import (Accuracy, BinaryAccuracy, BinaryCrossentropy, CategoricalAccuracy,
                       CategoricalCrossentropy, CategoricalHinge, ConcordanceCorrelation,
                       CosineSimilarity, Hinge, KLDivergence, LogCoshError,
                       MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredError,
                       MeanSquaredLogarithmicError, PearsonCorrelation, Poisson,
                       RootMeanSquaredError, SparseCategoricalAccuracy,
                       SparseCategoricalCrossentropy, SparseTopKCategoricalAccuracy, SquaredHinge,
                       TopKCategoricalAccuracy)

ALL_CLASSES = [
    Metric, Mean, Sum, MeanMetricWrapper, MeanSquaredError, RootMeanSquaredError,
    MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError, CosineSimilarity,
    LogCoshError, R2Score, AUC, FalseNegatives, FalsePositives, Precision, PrecisionAtRecall,
    Recall, RecallAtPrecision, SensitivityAtSpecificity, SpecificityAtSensitivity, TrueNegatives,
    TruePositives, ConcordanceCorrelation, PearsonCorrelation, Hinge, SquaredHinge,
    CategoricalHinge, KLDivergence, Poisson, BinaryCrossentropy, CategoricalCrossentropy,
    SparseCategoricalCrossentropy, Accuracy, BinaryAccuracy, CategoricalAccuracy,
    SparseCategoricalAccuracy, TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, F1Score,
    FBetaScore, IoU, BinaryIoU, MeanIoU, OneHotIoU, OneHotMeanIoU]
CLASSES = {c.__name__: c for c in ALL_CLASSES}


def _snake(name: str) -> str:
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s).lower()


# Keras's lookup table: class names, their snake_case forms and the short aliases
BY_NAME = {**CLASSES, **{_snake(n): c for n, c in CLASSES.items()},
           "bce": BinaryCrossentropy, "BCE": BinaryCrossentropy, "mse": MeanSquaredError,
           "MSE": MeanSquaredError, "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
           "mape": MeanAbsolutePercentageError, "MAPE": MeanAbsolutePercentageError,
           "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError}


def get(identifier):
    """A name (``'mse'``, ``'precision'``, ``'AUC'``), a config, a Metric or a function ->
    a metric object (a class name gives a new instance; a function is returned as it is)."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = BY_NAME.get(identifier) or lookup("metric", identifier, {**BY_NAME, "acc": None})
    else:
        obj = identifier
    if callable(obj):
        return obj() if isinstance(obj, type) else obj
    raise ValueError(f"Could not interpret metric identifier: {identifier}")


def deserialize(config, custom_objects=None):
    """A config from :func:`serialize` back to a metric."""
    table = {**BY_NAME, **(custom_objects or {})}
    name = config["class_name"] if isinstance(config, dict) else config
    if name not in table:
        raise ValueError(f"Could not interpret metric identifier: {name}")
    cls = table[name]
    return cls.from_config(config.get("config", {})) if isinstance(config, dict) else cls()


def serialize(metric) -> dict:
    """``{'class_name', 'config'}`` of a built-in metric object."""
    name = type(metric).__name__
    if name in CLASSES and type(metric) is CLASSES[name] and name != "MeanMetricWrapper":
        return {"class_name": name, "config": metric.get_config()}
    raise ValueError(f"Cannot save the custom metric {metric!r}; use a built-in keras metric")


def resolve(identifier, y_true: np.ndarray, y_pred: np.ndarray) -> Metric:
    """What ``compile``'s metrics become: ``'accuracy'``/``'acc'`` picked from the shapes (as
    Keras's compile does), a name looked up, a function wrapped in a mean; a string also gives
    the metric its name."""
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
    if not isinstance(metric, Metric):
        metric = MeanMetricWrapper(metric)
    if isinstance(identifier, str):
        metric.name = identifier
    return metric


__all__ = sorted(n for n in CLASSES) + [
    "accuracy", "binary_accuracy", "binary_crossentropy", "binary_focal_crossentropy",
    "categorical_accuracy", "categorical_crossentropy", "categorical_focal_crossentropy",
    "categorical_hinge", "concordance_correlation", "deserialize", "get", "hinge", "huber",
    "kl_divergence", "log_cosh", "mean_absolute_error", "mean_absolute_percentage_error",
    "mean_squared_error", "mean_squared_logarithmic_error", "pearson_correlation", "poisson",
    "serialize", "sparse_categorical_accuracy", "sparse_categorical_crossentropy",
    "sparse_top_k_categorical_accuracy", "squared_hinge", "top_k_categorical_accuracy"]
