"""PNG plots for a run: learning curves, confusion matrix, predicted vs true, forecast vs truth,
decision boundary, misclassified test images.

matplotlib is optional (``pip install ember[plots]``); without it ``available()`` is False and
the run simply has no PNGs. Figures are drawn with the Agg canvas directly, never through
``pyplot``, so no window or global state is touched.

Example::

    >>> paths = learning_curves(history, "accuracy", "runs/x")
"""
from __future__ import annotations

import os

import numpy as np

EXTRA_HINT = "install the plots extra for PNG plots: pip install 'ember[plots]'"


def available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def _save(fig, path: str) -> str:
    fig.tight_layout()
    fig.savefig(path, format="png")
    return path


def learning_curves(history: dict, metric: str, folder: str) -> str:
    """Loss and ``metric`` per epoch, train vs validation, side by side."""
    fig = _figure(9, 3.6)
    epochs = history["epoch"]
    for i, (key, title) in enumerate(((("loss"), "loss"), (metric, metric.replace("mae", "MAE")))):
        ax = fig.add_subplot(1, 2, i + 1)
        ax.plot(epochs, history[key], label="train", color="#d95f02")
        if f"val_{key}" in history:
            ax.plot(epochs, history[f"val_{key}"], label="validation", color="#1b9e77")
        ax.set_xlabel("epoch")
        ax.set_title(title)
        ax.grid(alpha=0.3)
        ax.legend()
    return _save(fig, os.path.join(folder, "curves.png"))


def confusion_matrix(cm: list, classes: list, folder: str) -> str:
    cm = np.asarray(cm)
    size = min(2.2 + 0.45 * len(classes), 12)
    fig = _figure(size + 1, size)
    ax = fig.add_subplot(1, 1, 1)
    image = ax.imshow(cm, cmap="Blues")
    fig.colorbar(image, ax=ax, fraction=0.046)
    ticks = np.arange(len(classes))
    ax.set_xticks(ticks, labels=classes, rotation=45 if len(classes) > 6 else 0)
    ax.set_yticks(ticks, labels=classes)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title("confusion matrix (test)")
    if len(classes) <= 20:
        limit = cm.max() / 2 if cm.size else 0
        for (i, j), count in np.ndenumerate(cm):
            ax.text(j, i, str(count), ha="center", va="center", fontsize=8,
                    color="white" if count > limit else "black")
    return _save(fig, os.path.join(folder, "confusion_matrix.png"))


def predicted_vs_true(y_true: np.ndarray, y_pred: np.ndarray, folder: str) -> str:
    fig = _figure(4.5, 4.5)
    ax = fig.add_subplot(1, 1, 1)
    ax.scatter(y_true, y_pred, s=10, alpha=0.6, color="#7570b3")
    low, high = float(min(y_true.min(), y_pred.min())), float(max(y_true.max(), y_pred.max()))
    ax.plot([low, high], [low, high], color="gray", linestyle="--", linewidth=1)
    ax.set_xlabel("true")
    ax.set_ylabel("predicted")
    ax.set_title("predicted vs true (test)")
    return _save(fig, os.path.join(folder, "predicted_vs_true.png"))


def forecast(y_true: np.ndarray, y_pred: np.ndarray, folder: str) -> str:
    """The test windows' one-step forecasts against the observed values, in time order."""
    fig = _figure(8, 3.4)
    ax = fig.add_subplot(1, 1, 1)
    steps = np.arange(len(y_true))
    ax.plot(steps, y_true, label="observed", color="#1b9e77")
    ax.plot(steps, y_pred, label="forecast (one step ahead)", color="#d95f02")
    ax.set_xlabel("test step (time order)")
    ax.set_ylabel("value")
    ax.set_title("forecast vs truth (test)")
    ax.grid(alpha=0.3)
    ax.legend()
    return _save(fig, os.path.join(folder, "forecast.png"))


def decision_boundary(X: np.ndarray, y: np.ndarray, predict_class, folder: str) -> str:
    """Regions of the predicted class over the 2-D input space, with the points on top.

    ``predict_class(grid)`` maps raw (unstandardised) inputs of shape (M, 2) to class indices.
    """
    pad = 0.1 * (X.max(axis=0) - X.min(axis=0) + 1e-9)
    low, high = X.min(axis=0) - pad, X.max(axis=0) + pad
    xs, ys = np.linspace(low[0], high[0], 200), np.linspace(low[1], high[1], 200)
    gx, gy = np.meshgrid(xs, ys)
    grid = np.column_stack([gx.ravel(), gy.ravel()]).astype(np.float32)
    zone = predict_class(grid).reshape(gx.shape)
    fig = _figure(5, 4.5)
    ax = fig.add_subplot(1, 1, 1)
    ax.contourf(gx, gy, zone, alpha=0.3, cmap="coolwarm", levels=np.arange(zone.max() + 2) - 0.5)
    ax.scatter(X[:, 0], X[:, 1], c=y, s=10, cmap="coolwarm", edgecolors="k", linewidths=0.3)
    ax.set_title("decision boundary")
    return _save(fig, os.path.join(folder, "decision_boundary.png"))


def misclassified(images: np.ndarray, y_true: np.ndarray, y_pred: np.ndarray, classes: list,
                  folder: str, limit: int = 12) -> str | None:
    """Up to ``limit`` test images the model got wrong, titled ``true → predicted``; None (and
    no file) when every test image is right. ``images`` is ``(M, side, side)``."""
    wrong = np.flatnonzero(np.asarray(y_true) != np.asarray(y_pred))[:limit]
    if wrong.size == 0:
        return None
    cols = min(6, wrong.size)
    rows = -(-wrong.size // cols)
    fig = _figure(1.5 * cols, 1.7 * rows)
    for k, i in enumerate(wrong):
        ax = fig.add_subplot(rows, cols, k + 1)
        ax.imshow(images[i], cmap="gray_r", interpolation="nearest")
        ax.set_title(f"{classes[int(y_true[i])]} → {classes[int(y_pred[i])]}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    return _save(fig, os.path.join(folder, "misclassified.png"))
