"""Metrics from confusion counts at thresholds: TruePositives/FalsePositives/TrueNegatives/
FalseNegatives, Precision, Recall, the sensitivity/specificity family and AUC (Keras's rules:
a prediction counts as positive when it is *above* a threshold; ``top_k`` keeps only each row's
``k`` largest scores; ``class_id`` looks at one column).

Example::

    >>> m = Precision(thresholds=[0.3, 0.7])
    >>> m.update_state([0, 1, 1, 1], [0.9, 0.6, 0.8, 0.2])
    >>> m.result()
    tensor([0.6667, 0.5000])
"""
from __future__ import annotations

import numpy as np

from .._utils import EPSILON
from .base import Metric, as_array, same_rank, tensor

NEG_INF = -1e10


def _thresholds(thresholds, default):
    values = [default] if thresholds is None else \
        [float(t) for t in np.atleast_1d(np.asarray(thresholds, dtype=np.float64))]
    if thresholds is not None:
        bad = [t for t in values if t is None or t < 0 or t > 1]
        if bad:
            raise ValueError(f"Threshold values must be in [0, 1]. Received: {bad}")
    return values


def _evenly_spaced(thresholds) -> bool:
    n = len(thresholds)
    return n >= 3 and np.allclose(thresholds, np.arange(n, dtype=np.float32) / (n - 1), atol=EPSILON)


def _filter_top_k(y_pred: np.ndarray, k: int) -> np.ndarray:
    idx = np.argsort(-y_pred, axis=-1, kind="stable")[..., :k]
    keep = np.zeros(y_pred.shape, dtype=bool)
    np.put_along_axis(keep, idx, True, axis=-1)
    return np.where(keep, y_pred, np.float32(NEG_INF)).astype(y_pred.dtype)


def count_confusion(counters: dict, y_true, y_pred, thresholds, top_k=None, class_id=None,
                    sample_weight=None, multi_label=False, label_weights=None,
                    evenly=False, dtype="float32") -> None:
    """Adds the (weighted) ``'tp'``/``'fp'``/``'tn'``/``'fn'`` counts at each threshold to the
    variables in ``counters``, as Keras's ``update_confusion_matrix_variables`` does."""
    y_true = as_array(y_true).astype(dtype)
    y_pred = as_array(y_pred).astype(dtype)
    y_pred, y_true = same_rank(y_pred, y_true)
    if sample_weight is not None:
        sample_weight = as_array(sample_weight, dtype)[..., None]
        _, sample_weight = same_rank(y_true, sample_weight, expand_rank_1=False)
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.ndim == 1:
            raise ValueError(f"When class_id is provided, y_pred must be a 2D array with shape "
                             f"(num_samples, num_classes), found shape: {y_pred.shape}")
        y_true, y_pred = y_true[..., class_id, None], y_pred[..., class_id, None]
    thr = np.asarray(thresholds, dtype=dtype)
    weights = np.ones(y_pred.shape, dtype) if sample_weight is None else \
        np.broadcast_to(sample_weight, y_pred.shape).astype(dtype)
    if label_weights is not None and not multi_label:
        weights = weights * np.broadcast_to(np.asarray(label_weights, dtype)[None], y_pred.shape)
    truth = y_true.astype(bool)
    if not multi_label:
        truth, y_pred, weights = truth.reshape(-1), y_pred.reshape(-1), weights.reshape(-1)
    w_true, w_false = np.where(truth, weights, 0), np.where(truth, 0, weights)
    if evenly:
        tp, fp = _bucketed(y_pred, w_true, w_false, thr)
    else:  # predicted positive at each threshold, (thresholds, samples[, labels])
        pos = (y_pred[None] > thr.reshape((-1,) + (1,) * y_pred.ndim)).astype(dtype)
        tp = np.einsum("tn...,n...->t...", pos, w_true)
        fp = np.einsum("tn...,n...->t...", pos, w_false)
    counts = {"tp": tp, "fp": fp, "fn": w_true.sum(0) - tp, "tn": w_false.sum(0) - fp}
    for key, var in counters.items():
        var._data += counts[key].astype(var._data.dtype)


def _bucketed(y_pred, w_true, w_false, thr):
    """Keras's fast path for evenly spaced thresholds: a prediction's bucket is
    ``ceil(p * (n - 1)) - 1`` and it counts as positive at every threshold up to its bucket,
    so the counts are reversed cumulative sums of per-bucket sums."""
    n = len(thr)
    p = np.clip(y_pred, 0.0, 1.0)
    bucket = np.ceil(p * np.asarray(n - 1, p.dtype)) - 1
    if thr[0] < 0 or thr[-1] > 1:  # thresholds padded by epsilon (AUC's)
        bucket = np.maximum(bucket, 0)
    bucket = bucket.astype(np.int64)
    keep = bucket >= 0  # a prediction of exactly 0 is positive at no threshold
    if bucket.ndim == 1:
        b = bucket[keep]
        sums = [np.bincount(b, weights=w[keep], minlength=n) for w in (w_true, w_false)]
    else:  # multi-label: one histogram per label column
        sums = [np.stack([np.bincount(bucket[keep[:, j], j], weights=w[keep[:, j], j], minlength=n)
                          for j in range(bucket.shape[1])], axis=1) for w in (w_true, w_false)]
    return [np.cumsum(s[::-1], axis=0)[::-1] for s in sums]


class _ConfusionCount(Metric):
    """The weighted number of one kind of outcome at each threshold (0.5 by default)."""

    _KIND = "tp"

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = _thresholds(thresholds, 0.5)
        self._evenly = _evenly_spaced(self.thresholds)
        self.accumulator = self.add_variable((len(self.thresholds),), "zeros", name="accumulator")

    def update_state(self, y_true, y_pred, sample_weight=None):
        count_confusion({self._KIND: self.accumulator}, y_true, y_pred, self.thresholds,
                        sample_weight=sample_weight, evenly=self._evenly, dtype=self.dtype)

    def result(self):
        acc = self.accumulator._data
        return tensor(acc[0] if len(self.thresholds) == 1 else acc.copy(), self.dtype)

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConfusionCount):
    """The weighted number of true positives (prediction above the threshold, target 1)."""
    _KIND = "tp"


class FalsePositives(_ConfusionCount):
    """The weighted number of false positives (prediction above the threshold, target 0)."""
    _KIND = "fp"


class TrueNegatives(_ConfusionCount):
    """The weighted number of true negatives (prediction at or below the threshold, target 0)."""
    _KIND = "tn"


class FalseNegatives(_ConfusionCount):
    """The weighted number of false negatives (prediction at or below the threshold, target 1)."""
    _KIND = "fn"


def _ratio(a, b):
    return np.divide(a, b, out=np.zeros_like(a), where=b != 0)


class _PrecisionRecall(Metric):
    """Shared by Precision and Recall: tp and one other count, with top_k and class_id."""

    _OTHER = "fp"

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        self.init_thresholds, self.top_k, self.class_id = thresholds, top_k, class_id
        self.thresholds = _thresholds(thresholds, 0.5 if top_k is None else NEG_INF)
        self._evenly = _evenly_spaced(self.thresholds)
        n = (len(self.thresholds),)
        self.true_positives = self.add_variable(n, "zeros", name="true_positives")
        other = "false_positives" if self._OTHER == "fp" else "false_negatives"
        setattr(self, other, self.add_variable(n, "zeros", name=other))
        self._other = getattr(self, other)

    def update_state(self, y_true, y_pred, sample_weight=None):
        count_confusion({"tp": self.true_positives, self._OTHER: self._other}, y_true, y_pred,
                        self.thresholds, top_k=self.top_k, class_id=self.class_id,
                        sample_weight=sample_weight, evenly=self._evenly, dtype=self.dtype)

    def result(self):
        tp = self.true_positives._data
        out = _ratio(tp, tp + self._other._data)
        return tensor(out[0] if len(self.thresholds) == 1 else out, self.dtype)

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds, "top_k": self.top_k,
                "class_id": self.class_id}


class Precision(_PrecisionRecall):
    """``tp / (tp + fp)``: the fraction of predicted positives that are positive.

    Args:
        thresholds: one float or a list in [0, 1] (a result per threshold); default 0.5.
        top_k: only each row's ``k`` top scores count as predicted positive.
        class_id: look at one class (column) only.
    """
    _OTHER = "fp"


class Recall(_PrecisionRecall):
    """``tp / (tp + fn)``: the fraction of positives predicted positive (same arguments as
    :class:`Precision`)."""
    _OTHER = "fn"


class _AtConstraint(Metric):
    """Base of SensitivityAtSpecificity & co.: all four counts at ``num_thresholds`` evenly
    spaced thresholds; the result is the best value of one rate where another meets ``value``."""

    _ARG = "value"

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        if value < 0 or value > 1:
            raise ValueError(f"Argument `{self._ARG}` must be in the range [0, 1]. Received: "
                             f"{self._ARG}={value}")
        if num_thresholds <= 0:
            raise ValueError(f"Argument `num_thresholds` must be an integer > 0. Received: "
                             f"num_thresholds={num_thresholds}")
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        self.value, self.num_thresholds, self.class_id = value, num_thresholds, class_id
        setattr(self, self._ARG, value)
        if num_thresholds == 1:
            self.thresholds, self._evenly = [0.5], False
        else:
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds, self._evenly = [0.0] + inner + [1.0], True
        n = (len(self.thresholds),)
        for var in ("true_positives", "false_positives", "true_negatives", "false_negatives"):
            setattr(self, var, self.add_variable(n, "zeros", name=var))

    def update_state(self, y_true, y_pred, sample_weight=None):
        count_confusion({"tp": self.true_positives, "tn": self.true_negatives,
                         "fp": self.false_positives, "fn": self.false_negatives}, y_true, y_pred,
                        self.thresholds, class_id=self.class_id, sample_weight=sample_weight,
                        evenly=self._evenly, dtype=self.dtype)

    def _rates(self):
        tp, fp = self.true_positives._data, self.false_positives._data
        tn, fn = self.true_negatives._data, self.false_negatives._data
        return {"sensitivity": _ratio(tp, tp + fn), "specificity": _ratio(tn, tn + fp),
                "precision": _ratio(tp, tp + fp)}

    def _best(self, constrained, dependent):
        feasible = constrained >= np.asarray(self.value, constrained.dtype)
        return tensor(max(np.max(np.where(feasible, dependent, 0)), 0), self.dtype)

    def get_config(self):
        return {**super().get_config(), "num_thresholds": self.num_thresholds,
                self._ARG: self.value, "class_id": self.class_id}


class SensitivityAtSpecificity(_AtConstraint):
    """The best sensitivity (recall) among thresholds whose specificity is at least
    ``specificity``."""
    _ARG = "specificity"

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(specificity, num_thresholds, class_id, name, dtype)

    def result(self):
        r = self._rates()
        return self._best(r["specificity"], r["sensitivity"])


class SpecificityAtSensitivity(_AtConstraint):
    """The best specificity among thresholds whose sensitivity is at least ``sensitivity``."""
    _ARG = "sensitivity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)

    def result(self):
        r = self._rates()
        return self._best(r["sensitivity"], r["specificity"])


class PrecisionAtRecall(_AtConstraint):
    """The best precision among thresholds whose recall is at least ``recall``."""
    _ARG = "recall"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(recall, num_thresholds, class_id, name, dtype)

    def result(self):
        r = self._rates()
        return self._best(r["sensitivity"], r["precision"])


class RecallAtPrecision(_AtConstraint):
    """The best recall among thresholds whose precision is at least ``precision``."""
    _ARG = "precision"

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(precision, num_thresholds, class_id, name, dtype)

    def result(self):
        r = self._rates()
        return self._best(r["precision"], r["sensitivity"])
