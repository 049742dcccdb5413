"""``AUC``: the area under the ROC, precision-recall or PR-gain curve from confusion counts at
``num_thresholds`` thresholds, with Keras's summation methods (the PR curve with
``'interpolation'`` uses Davis & Goadrich's interpolation, as Keras does).

Example::

    >>> m = AUC(curve="PR")
    >>> m.update_state([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> float(m.result())
"""
from __future__ import annotations

import numpy as np

from .._utils import EPSILON
from .base import Metric, as_array, tensor
from .confusion import _evenly_spaced, _ratio, count_confusion

_CURVES = {"roc": "ROC", "pr": "PR", "prgain": "PRGAIN"}
_SUMMATIONS = ("interpolation", "majoring", "minoring")


class AUC(Metric):
    """Area under a curve of confusion rates.

    Args:
        num_thresholds: how many evenly spaced thresholds (more: closer to the exact area).
        curve: ``'ROC'`` (default), ``'PR'`` or ``'PRGAIN'``.
        summation_method: ``'interpolation'`` (trapezoids), ``'minoring'`` or ``'majoring'``.
        thresholds: explicit thresholds in [0, 1] instead of ``num_thresholds``.
        multi_label: one curve per label column, averaged (weighted by ``label_weights``).
        from_logits: predictions are logits (a sigmoid is applied first).
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        self._direction = "up"
        key = str(curve).lower()
        if key not in _CURVES:
            raise ValueError(f'Invalid AUC curve value: "{curve}". Expected values are ["PR", '
                             f'"ROC", "PRGAIN"]')
        if str(summation_method).lower() not in _SUMMATIONS:
            raise ValueError(f'Invalid AUC summation method value: "{summation_method}". Expected '
                             f'values are ["interpolation", "majoring", "minoring"]')
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            self.num_thresholds = len(thresholds) + 2
            thresholds = sorted(thresholds)
            self._evenly = _evenly_spaced(np.array([0.0] + thresholds + [1.0]))
        else:
            if num_thresholds <= 1:
                raise ValueError(f"Argument `num_thresholds` must be an integer > 1. Received: "
                                 f"num_thresholds={num_thresholds}")
            self.num_thresholds = num_thresholds
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._evenly = True
        self._thresholds = np.array([0.0 - EPSILON] + list(thresholds) + [1.0 + EPSILON])
        self.curve = _CURVES[key]
        self.summation_method = str(summation_method).lower()
        super().__init__(name=name, dtype=dtype)
        self.multi_label, self.num_labels = multi_label, num_labels
        self.label_weights = None if label_weights is None else \
            np.asarray(label_weights, dtype=self.dtype)
        self._from_logits = from_logits
        self._built = False
        if multi_label:
            if num_labels:
                self._build((None, num_labels))
        elif num_labels:
            raise ValueError("`num_labels` is needed only when `multi_label` is True.")
        else:
            self._build(None)

    @property
    def thresholds(self) -> list:
        return list(self._thresholds)

    def _build(self, shape):
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError(f"`y_pred` must have rank 2 when `multi_label=True`. Found rank "
                                 f"{len(shape)}. Full shape received for `y_pred`: {shape}")
            self._num_labels = shape[1]
            var_shape = (self.num_thresholds, self._num_labels)
        else:
            var_shape = (self.num_thresholds,)
        for var in ("true_positives", "false_positives", "true_negatives", "false_negatives"):
            setattr(self, var, self.add_variable(var_shape, "zeros", name=var))
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = as_array(y_pred)
        if not self._built:
            self._build(y_pred.shape)
        if self._from_logits:
            y_pred = 1.0 / (1.0 + np.exp(-y_pred.astype(np.float64)))
        count_confusion({"tp": self.true_positives, "tn": self.true_negatives,
                         "fp": self.false_positives, "fn": self.false_negatives}, y_true, y_pred,
                        self._thresholds, sample_weight=sample_weight,
                        multi_label=self.multi_label,
                        label_weights=None if self.multi_label else self.label_weights,
                        evenly=self._evenly, dtype=self.dtype)

    def _by_label(self, terms):
        if not self.multi_label:
            return terms.sum()
        per_label = terms.sum(axis=0)
        if self.label_weights is None:
            return per_label.mean()
        return _ratio(np.asarray((per_label * self.label_weights).sum()),
                      np.asarray(self.label_weights.sum()))

    def _interpolate_pr_auc(self, tp, fp, fn):
        n = self.num_thresholds
        dtp = tp[:n - 1] - tp[1:]
        p = tp + fp
        dp = p[:n - 1] - p[1:]
        slope = _ratio(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        both = (p[:n - 1] > 0) & (p[1:] > 0)
        ratio = np.where(both, _ratio(p[:n - 1], np.maximum(p[1:], 0)), np.ones_like(p[1:]))
        with np.errstate(divide="ignore", invalid="ignore"):
            logs = np.log(ratio)
        increments = _ratio(slope * (dtp + intercept * logs), np.maximum(tp[1:] + fn[1:], 0))
        return self._by_label(increments)

    def result(self):
        tp, fp = self.true_positives._data, self.false_positives._data
        tn, fn = self.true_negatives._data, self.false_negatives._data
        n = self.num_thresholds
        if self.curve == "PR" and self.summation_method == "interpolation":
            return tensor(self._interpolate_pr_auc(tp, fp, fn), self.dtype)
        recall = _ratio(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _ratio(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, _ratio(tp, tp + fp)
        else:
            scale = _ratio(tp + fn, tn + fp)
            recall_gain = np.where(tp == 0, 0.0, 1.0 - scale * _ratio(fn, tp))
            precision_gain = np.where(tp == 0, 1.0, 1.0 - scale * _ratio(fp, tp))
            x, y = np.maximum(recall_gain, 0.0), precision_gain
        if self.summation_method == "interpolation":
            heights = (y[:n - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = np.minimum(y[:n - 1], y[1:])
        else:
            heights = np.maximum(y[:n - 1], y[1:])
        return tensor(self._by_label((x[:n - 1] - x[1:]) * heights), self.dtype)

    def reset_state(self):
        if self._built:
            super().reset_state()

    def get_config(self):
        config = {**super().get_config(), "num_thresholds": self.num_thresholds,
                  "curve": self.curve, "summation_method": self.summation_method,
                  "multi_label": self.multi_label, "num_labels": self.num_labels,
                  "label_weights": None if self.label_weights is None else
                  self.label_weights.tolist(), "from_logits": self._from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config
