"""Intersection-over-union metrics from an accumulated confusion matrix: IoU (for chosen
classes), MeanIoU (all classes), BinaryIoU (thresholded scores) and the one-hot variants.

Example::

    >>> m = MeanIoU(num_classes=2)
    >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
    >>> float(m.result())
    0.3333...
"""
from __future__ import annotations

import warnings

import numpy as np

from .._utils import EPSILON
from .base import Metric, as_array, tensor


class _IoUBase(Metric):
    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_true=True,
                 sparse_y_pred=True, axis=-1):
        super().__init__(name=name, dtype=dtype or "int32")
        self._direction = "up"
        self.num_classes, self.ignore_class = num_classes, ignore_class
        self.sparse_y_true, self.sparse_y_pred, self.axis = sparse_y_true, sparse_y_pred, axis
        self.total_cm = self.add_variable((num_classes, num_classes), "zeros",
                                          name="total_confusion_matrix")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = as_array(y_true), as_array(y_pred)
        if not self.sparse_y_true:
            y_true = np.argmax(y_true, axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = np.argmax(y_pred, axis=self.axis)
        y_true = y_true.astype(self.dtype).reshape(-1)
        y_pred = y_pred.astype(self.dtype).reshape(-1)
        if sample_weight is None:
            w = np.ones(y_true.shape, self.dtype)
        else:
            sw = as_array(sample_weight)
            if sw.dtype.kind == "f" and "int" in self.dtype:
                warnings.warn("You are passing weight as `float`, but dtype is `int`. This may "
                              "result in an incorrect weight due to type casting Consider using "
                              "integer weights.", stacklevel=2)
            w = np.broadcast_to(sw.astype(self.dtype).reshape(-1) if sw.ndim > 1 else
                                sw.astype(self.dtype), y_true.shape)
        n = self.num_classes
        ok = (y_true >= 0) & (y_true < n) & (y_pred >= 0) & (y_pred < n)
        if self.ignore_class is not None:
            ok &= y_true != self.ignore_class
        cm = np.zeros((n, n), dtype=self.dtype)
        np.add.at(cm, (np.where(ok, y_true, 0).astype(np.int64),
                       np.where(ok, y_pred, 0).astype(np.int64)), np.where(ok, w, 0))
        self.total_cm._data += cm

    def reset_state(self):
        self.total_cm._data[...] = 0


class IoU(_IoUBase):
    """Mean IoU ``tp / (tp + fp + fn)`` over ``target_class_ids`` (integer labels and predicted
    class ids by default; ``sparse_y_true``/``sparse_y_pred`` False take arg-maxes)."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis)
        if max(target_class_ids) >= num_classes:
            raise ValueError(f"Target class id {max(target_class_ids)} is out of range, which is "
                             f"[0, {num_classes}).")
        self.target_class_ids = list(target_class_ids)

    def result(self):
        cm = self.total_cm._data.astype(np.float32)
        tp = np.diag(cm)
        denom = cm.sum(0) + cm.sum(1) - tp
        ids = np.asarray(self.target_class_ids)
        tp, denom = tp[ids], denom[ids]
        valid = denom > 1e-9
        iou = np.where(valid, tp / (denom + EPSILON), 0.0)
        return tensor(iou.sum() / (valid.sum() + EPSILON), "float32")

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes,
                "target_class_ids": self.target_class_ids, "ignore_class": self.ignore_class,
                "sparse_y_true": self.sparse_y_true, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


class BinaryIoU(IoU):
    """IoU of 0/1 targets and scores thresholded at ``threshold`` (``>=``)."""

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name, dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        pred = (as_array(y_pred).astype(np.float32) >= self.threshold).astype(self.dtype)
        return super().update_state(as_array(y_true).astype(self.dtype), pred, sample_weight)

    def get_config(self):
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold,
                "name": self.name, "dtype": self.dtype}


class MeanIoU(IoU):
    """IoU averaged over all ``num_classes`` classes."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_true=True,
                 sparse_y_pred=True, axis=-1):
        super().__init__(num_classes, list(range(num_classes)), name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=sparse_y_true,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        config = super().get_config()
        del config["target_class_ids"]
        return config


class OneHotIoU(IoU):
    """IoU with one-hot targets (and scores): arg-maxes along ``axis`` give the classes."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, target_class_ids, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        config = super().get_config()
        del config["sparse_y_true"]
        return config


class OneHotMeanIoU(MeanIoU):
    """MeanIoU with one-hot targets (and scores)."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_pred=False,
                 axis=-1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        config = super().get_config()
        del config["sparse_y_true"]
        return config


