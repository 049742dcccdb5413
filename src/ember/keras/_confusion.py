"""Confusion-matrix metrics: Precision, Recall, AUC, F1Score/FBetaScore (Keras's definitions)."""
from __future__ import annotations

import numpy as np

from ._utils import to_array
from .metrics import Metric, _same_rank


def _weights(sample_weight, shape):
    if sample_weight is None:
        return np.ones(shape, np.float64)
    sw = np.asarray(to_array(sample_weight), np.float64)
    while sw.ndim < len(shape):
        sw = sw[..., None]
    return np.broadcast_to(sw, shape)



def _count_at_thresholds(metric, y_true, y_pred, sample_weight) -> None:
    """Adds the (weighted) true/false positives/negatives at each of ``metric.thresholds``."""
    w = _weights(sample_weight, y_true.shape).ravel()
    truth = y_true.ravel().astype(bool)
    pred = y_pred.ravel()[None, :] > metric.thresholds[:, None]
    metric.tp += (pred & truth) @ w
    metric.fp += (pred & ~truth) @ w
    metric.fn += (~pred & truth) @ w
    metric.tn += (~pred & ~truth) @ w

class _Thresholded(Metric):
    """Counts of true/false positives/negatives at ``thresholds`` (prediction > threshold)."""

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        t = 0.5 if thresholds is None else thresholds
        self.thresholds = np.atleast_1d(np.asarray(t, np.float64))
        if np.any((self.thresholds < 0) | (self.thresholds > 1)):
            raise ValueError(f"Threshold values must be in [0, 1]. Received: thresholds={thresholds}")
        self._scalar = np.ndim(t) == 0
        self.top_k, self.class_id = top_k, class_id
        super().__init__(name)

    def reset_state(self):
        n = len(self.thresholds)
        self.tp, self.fp, self.fn, self.tn = (np.zeros(n) for _ in range(4))

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = _same_rank(to_array(y_true), to_array(y_pred))
        if self.class_id is not None:
            y_true, y_pred = y_true[..., self.class_id], y_pred[..., self.class_id]
        elif self.top_k is not None:
            kth = -np.sort(-y_pred, axis=-1)[..., self.top_k - 1:self.top_k]
            y_pred = np.where(y_pred >= kth, y_pred, -np.inf)
        _count_at_thresholds(self, y_true, y_pred, sample_weight)

    def get_config(self):
        return {"name": self.name, "thresholds": None if self._scalar and self.thresholds[0] == 0.5
                else self.thresholds.tolist(), "top_k": self.top_k, "class_id": self.class_id}

    def _out(self, values):
        return float(values[0]) if self._scalar else values


def _ratio(a, b):
    return np.divide(a, b, out=np.zeros_like(a), where=b > 0)


class Precision(_Thresholded):
    """``tp / (tp + fp)`` with predictions above ``thresholds`` (0.5) counted positive."""

    def result(self):
        return self._out(_ratio(self.tp, self.tp + self.fp))


class Recall(_Thresholded):
    """``tp / (tp + fn)`` with predictions above ``thresholds`` (0.5) counted positive."""

    def result(self):
        return self._out(_ratio(self.tp, self.tp + self.fn))


class AUC(Metric):
    """Area under the ROC (or PR) curve from ``num_thresholds`` evenly spaced thresholds,
    summed with the trapezoid rule (Keras's ``summation_method='interpolation'`` for ROC)."""

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        if num_thresholds <= 1:
            raise ValueError(f"Argument `num_thresholds` must be an integer > 1. "
                             f"Received: num_thresholds={num_thresholds}")
        if str(curve).upper() not in ("ROC", "PR"):
            raise ValueError(f'Invalid `curve` argument value "{curve}". Expected "ROC" or "PR"')
        eps = 1e-7
        inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        self.thresholds = np.array([0.0 - eps] + inner + [1.0 + eps]) if thresholds is None \
            else np.array([0.0 - eps] + sorted(thresholds) + [1.0 + eps])
        self.num_thresholds = len(self.thresholds)
        self.curve, self.summation_method = str(curve).upper(), summation_method
        self.from_logits = from_logits
        super().__init__(name or "auc")

    def reset_state(self):
        n = len(self.thresholds)
        self.tp, self.fp, self.fn, self.tn = (np.zeros(n) for _ in range(4))

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = _same_rank(to_array(y_true), to_array(y_pred))
        if self.from_logits:
            y_pred = 1.0 / (1.0 + np.exp(-y_pred))
        _count_at_thresholds(self, y_true, y_pred, sample_weight)

    def result(self):
        if self.curve == "ROC":
            x = _ratio(self.fp, self.fp + self.tn)
            y = _ratio(self.tp, self.tp + self.fn)
        else:
            x = _ratio(self.tp, self.tp + self.fn)
            y = _ratio(self.tp, self.tp + self.fp)
        if self.summation_method == "minoring":
            heights = np.minimum(y[:-1], y[1:])
        elif self.summation_method == "majoring":
            heights = np.maximum(y[:-1], y[1:])
        else:
            heights = (y[:-1] + y[1:]) / 2.0
        return float(np.sum((x[:-1] - x[1:]) * heights))

    def get_config(self):
        return {"name": self.name, "num_thresholds": self.num_thresholds, "curve": self.curve,
                "summation_method": self.summation_method, "from_logits": self.from_logits}


class FBetaScore(Metric):
    """Per-class F-beta over one-hot/multi-label targets; ``average`` None, 'micro', 'macro' or
    'weighted'; ``threshold`` None marks each row's largest prediction as the positive class."""

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError(f"Invalid `average` argument value. Expected one of: None, 'micro', "
                             f"'macro', 'weighted'. Received: average={average!r}")
        if beta <= 0:
            raise ValueError(f"`beta` should be a float > 0. Received: beta={beta}")
        self.average, self.beta, self.threshold = average, float(beta), threshold
        self.tp = None
        super().__init__(name)

    def reset_state(self):
        self.tp = self.fp = self.fn = self.support = None

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = to_array(y_true).astype(np.float64), to_array(y_pred)
        if y_pred.ndim != 2 or y_true.shape != y_pred.shape:
            raise ValueError(f"FBetaScore expects 2-D one-hot targets and predictions of the same "
                             f"shape. Received: y_true.shape={tuple(y_true.shape)}, "
                             f"y_pred.shape={tuple(y_pred.shape)}")
        if self.threshold is None:
            pred = (y_pred >= y_pred.max(-1, keepdims=True)).astype(np.float64)
        else:
            pred = (y_pred > self.threshold).astype(np.float64)
        w = _weights(sample_weight, y_true.shape[:1])[:, None] if sample_weight is not None else 1.0
        tp = (pred * y_true * w).sum(0)
        fp = (pred * (1 - y_true) * w).sum(0)
        fn = ((1 - pred) * y_true * w).sum(0)
        sup = (y_true * w).sum(0)
        if self.tp is None:
            self.tp, self.fp, self.fn, self.support = tp, fp, fn, sup
        else:
            self.tp, self.fp, self.fn = self.tp + tp, self.fp + fp, self.fn + fn
            self.support = self.support + sup

    def result(self):
        if self.tp is None:
            return 0.0
        tp, fp, fn = self.tp, self.fp, self.fn
        if self.average == "micro":
            tp, fp, fn = tp.sum(), fp.sum(), fn.sum()
        p = _ratio(np.atleast_1d(tp), np.atleast_1d(tp + fp))
        r = _ratio(np.atleast_1d(tp), np.atleast_1d(tp + fn))
        b2 = self.beta ** 2
        f = _ratio((1 + b2) * p * r, b2 * p + r)
        if self.average == "micro":
            return float(f[0])
        if self.average == "macro":
            return float(f.mean())
        if self.average == "weighted":
            return float((f * self.support).sum() / max(self.support.sum(), 1e-12))
        return f.astype(np.float32)

    def get_config(self):
        return {"name": self.name, "average": self.average, "beta": self.beta,
                "threshold": self.threshold}


class F1Score(FBetaScore):
    """F1 = harmonic mean of precision and recall (FBetaScore with beta=1)."""

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name)

    def get_config(self):
        return {"name": self.name, "average": self.average, "threshold": self.threshold}
