"""Test metrics for the report: accuracy, per-class and macro precision/recall/F1, confusion
matrix; or MSE, RMSE, MAE and R² for regression. Plain NumPy, float64 sums.

Example::

    >>> classification_metrics(np.array([0, 1, 1]), np.array([0, 1, 0]), ["a", "b"])["accuracy"]
    0.6666666666666666
"""
from __future__ import annotations

import numpy as np


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """``m[i, j]`` counts rows of true class ``i`` predicted as ``j``."""
    return np.bincount(y_true * n_classes + y_pred, minlength=n_classes * n_classes).reshape(
        n_classes, n_classes)


def _safe_div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.divide(a, b, out=np.zeros_like(a, dtype=np.float64), where=b > 0)


def classification_metrics(y_true, y_pred, classes: list) -> dict:
    y_true = np.asarray(y_true, dtype=np.int64)
    y_pred = np.asarray(y_pred, dtype=np.int64)
    cm = confusion_matrix(y_true, y_pred, len(classes))
    tp = np.diag(cm).astype(np.float64)
    precision = _safe_div(tp, cm.sum(axis=0).astype(np.float64))
    recall = _safe_div(tp, cm.sum(axis=1).astype(np.float64))
    f1 = _safe_div(2 * precision * recall, precision + recall)
    support = cm.sum(axis=1)
    per_class = [{"class": str(c), "precision": float(p), "recall": float(r), "f1": float(f),
                  "support": int(s)} for c, p, r, f, s in zip(classes, precision, recall, f1, support)]
    return {"accuracy": float(tp.sum() / max(len(y_true), 1)),
            "macro_precision": float(precision.mean()), "macro_recall": float(recall.mean()),
            "macro_f1": float(f1.mean()), "per_class": per_class, "confusion_matrix": cm.tolist(),
            "n": int(len(y_true))}


def regression_metrics(y_true, y_pred) -> dict:
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    err = y_pred - y_true
    mse = float(np.mean(err ** 2))
    total = float(np.sum((y_true - y_true.mean()) ** 2))
    return {"mse": mse, "rmse": float(np.sqrt(mse)), "mae": float(np.mean(np.abs(err))),
            "r2": float(1.0 - np.sum(err ** 2) / total) if total > 0 else 0.0, "n": int(len(y_true))}


def headline(metrics: dict) -> str:
    """The one-line summary printed at the end of training or evaluation."""
    if "accuracy" in metrics:
        return (f"accuracy {metrics['accuracy']:.4f}  macro F1 {metrics['macro_f1']:.4f}  "
                f"(n={metrics['n']})")
    return f"MSE {metrics['mse']:.4g}  MAE {metrics['mae']:.4g}  R² {metrics['r2']:.4f}  (n={metrics['n']})"
