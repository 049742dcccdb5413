"""Metrics with their own accumulators: FBetaScore/F1Score (per class, averaged as asked) and
R2Score (coefficient of determination, optionally adjusted for the number of regressors).

Example::

    >>> m = F1Score(average="macro", threshold=0.5)
    >>> m.update_state(one_hot_targets, probabilities)
    >>> float(m.result())
"""
from __future__ import annotations

import warnings

import numpy as np

from .._utils import EPSILON
from .base import Metric, as_array, same_rank, tensor


class FBetaScore(Metric):
    """F-beta per class from one-hot (or multi-label) targets: ``(1 + b²) p r / (b² p + r)``.

    Args:
        average: None (one score per class), ``'micro'`` (pooled counts), ``'macro'`` (mean of
            the class scores) or ``'weighted'`` (weighted by each class's support).
        beta: weight of recall against precision (a float > 0).
        threshold: predictions above it are positive; None marks each row's largest.
    """

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError(f"Invalid `average` argument value. Expected one of: {{None, 'micro', "
                             f"'macro', 'weighted'}}. Received: average={average}")
        if not isinstance(beta, float):
            raise ValueError(f"Invalid `beta` argument value. It should be a Python float. "
                             f"Received: beta={beta} of type '{type(beta)}'")
        if beta <= 0.0:
            raise ValueError(f"Invalid `beta` argument value. It should be > 0. Received: "
                             f"beta={beta}")
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError(f"Invalid `threshold` argument value. It should be a Python "
                                 f"float. Received: threshold={threshold} of type "
                                 f"'{type(threshold)}'")
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError(f"Invalid `threshold` argument value. It should verify 0 < "
                                 f"threshold <= 1. Received: threshold={threshold}")
        self.average, self.beta, self.threshold = average, beta, threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, true_shape, pred_shape):
        if len(pred_shape) != 2 or len(true_shape) != 2:
            raise ValueError(f"FBetaScore expects 2D inputs with shape (batch_size, output_dim). "
                             f"Received input shapes: y_pred.shape={pred_shape} and "
                             f"y_true.shape={true_shape}.")
        shape = () if self.average == "micro" else (pred_shape[-1],)
        for var in ("true_positives", "false_positives", "false_negatives",
                    "intermediate_weights"):
            setattr(self, var, self.add_variable(shape, "zeros", name=var))
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = as_array(y_true, self.dtype), as_array(y_pred, self.dtype)
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        if self.threshold is None:
            pred = (y_pred >= y_pred.max(-1, keepdims=True)) & (np.abs(y_pred) > 1e-9)
        else:
            pred = y_pred > self.threshold
        pred = pred.astype(self.dtype)
        w = None if sample_weight is None else as_array(sample_weight, self.dtype)[:, None]

        def total(values):
            return (values if w is None else values * w).sum(axis=self.axis)
        self.true_positives._data += total(pred * y_true)
        self.false_positives._data += total(pred * (1 - y_true))
        self.false_negatives._data += total((1 - pred) * y_true)
        self.intermediate_weights._data += total(y_true)

    def result(self):
        if not self._built:
            return tensor(0.0, self.dtype)
        tp, fp, fn = self.true_positives._data, self.false_positives._data, self.false_negatives._data
        precision = tp / (tp + fp + EPSILON)
        recall = tp / (tp + fn + EPSILON)
        b2 = self.beta ** 2
        score = precision * recall / (b2 * precision + recall + EPSILON) * (1 + b2)
        if self.average == "weighted":
            w = self.intermediate_weights._data
            score = np.sum(score * (w / (w.sum() + EPSILON)))
        elif self.average is not None:
            score = np.mean(score)
        return tensor(score, self.dtype)

    def get_config(self):
        return {**super().get_config(), "average": self.average, "beta": self.beta,
                "threshold": self.threshold}


class F1Score(FBetaScore):
    """F1: the harmonic mean of precision and recall (FBetaScore with ``beta=1``)."""

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config


class R2Score(Metric):
    """The coefficient of determination ``1 - SS_res / SS_tot`` per output column.

    Args:
        class_aggregation: ``'uniform_average'`` (mean over outputs), ``'variance_weighted_average'``
            or None (one score per output).
        num_regressors: for the adjusted R², the number of independent variables.
    """

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score",
                 dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        valid = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in valid:
            raise ValueError(f"Invalid value for argument `class_aggregation`. Expected one of "
                             f"{valid}. Received: class_aggregation={class_aggregation}")
        if num_regressors < 0:
            raise ValueError(f"Invalid value for argument `num_regressors`. Expected a value >= 0. "
                             f"Received: num_regressors={num_regressors}")
        self.class_aggregation, self.num_regressors = class_aggregation, num_regressors
        self.num_samples = self.add_variable((), "zeros", name="num_samples")
        self._built = False

    def _build(self, true_shape, pred_shape):
        if len(pred_shape) != 2 or len(true_shape) != 2:
            raise ValueError(f"R2Score expects 2D inputs with shape (batch_size, output_dim). "
                             f"Received input shapes: y_pred.shape={pred_shape} and "
                             f"y_true.shape={true_shape}.")
        n = (pred_shape[-1],)
        self.squared_sum = self.add_variable(n, "zeros", name="squared_sum")
        self.sum = self.add_variable(n, "zeros", name="sum")
        self.total_mse = self.add_variable(n, "zeros", name="residual")
        self.count = self.add_variable(n, "zeros", name="count")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = same_rank(as_array(y_true, self.dtype), as_array(y_pred, self.dtype))
        if not self._built:
            self._build(y_true.shape, y_pred.shape)
        w = np.asarray(1.0 if sample_weight is None else as_array(sample_weight), self.dtype)
        if w.ndim == 1:
            w = w[:, None]
        w = np.broadcast_to(w, y_true.shape)
        weighted = y_true * w
        self.sum._data += weighted.sum(0)
        self.squared_sum._data += (y_true * weighted).sum(0)
        self.total_mse._data += ((y_true - y_pred) ** 2 * w).sum(0)
        self.count._data += w.sum(0)
        self.num_samples._data += y_true.size

    def result(self):
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = self.sum._data / self.count._data
            total = self.squared_sum._data - self.sum._data * mean
            raw = 1 - self.total_mse._data / total
        raw = np.where(np.isinf(raw), 0.0, raw).astype(self.dtype)
        if self.class_aggregation == "uniform_average":
            score = raw.mean()
        elif self.class_aggregation == "variance_weighted_average":
            score = np.sum(total * raw) / np.sum(total)
        else:
            score = raw
        if self.num_regressors:
            n, p = float(self.num_samples._data), float(self.num_regressors)
            if p > n - 1:
                warnings.warn("More independent predictors than datapoints in adjusted R2 score. "
                              "Falling back to standard R2 score.", stacklevel=2)
            elif p == n - 1:
                warnings.warn("Division by zero in Adjusted R2 score. Falling back to standard R2 "
                              "score.", stacklevel=2)
            else:
                score = 1.0 - (1.0 - score) * (n - 1.0) / (n - p - 1.0)
        return tensor(score, self.dtype)

    def get_config(self):
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}
