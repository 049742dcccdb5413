"""The small real data sets shipped inside ember (see ``data/SOURCES.md`` for sources and licences).

Each loader reads a compressed ``.npz`` (``allow_pickle=False``) and the names in
``names.json``, and returns a :class:`Bunch`, ``(X, y)``, a ``TensorDataset`` or DataFrames.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from ._bunch import Bunch, _need_pandas, as_frame_bunch

__all__ = ["load_iris", "load_wine", "load_breast_cancer", "load_digits", "load_diabetes"]

_DATA = Path(__file__).resolve().parent / "data"

DESCRIPTIONS = {
    "iris": "Iris flowers: 150 samples, 4 measurements in cm (sepal and petal length and width), "
            "3 species (50 each). Source: R. A. Fisher (1936), UCI Machine Learning Repository. "
            "Licence: CC BY 4.0.",
    "wine": "Wine recognition: 178 wines from three cultivars of one Italian region, 13 results of "
            "chemical analysis (59/71/48 per class). Source: M. Forina et al., UCI Machine "
            "Learning Repository. Licence: CC BY 4.0.",
    "breast_cancer": "Breast Cancer Wisconsin (Diagnostic): 569 cell-nucleus images described by 30 "
                     "features (mean, standard error and worst of 10 measurements); 212 malignant, "
                     "357 benign. Source: W. Wolberg, W. N. Street, O. Mangasarian (1995), UCI "
                     "Machine Learning Repository. Licence: CC BY 4.0.",
    "digits": "Handwritten digits: 1797 images of 8x8 pixels with values 0-16 (counts of ink in 4x4 "
              "blocks of 32x32 bitmaps), digits 0-9, about 180 per class. Source: E. Alpaydin, "
              "C. Kaynak (1998), Optical Recognition of Handwritten Digits, UCI Machine Learning "
              "Repository (test set). Licence: CC BY 4.0.",
    "diabetes": "Diabetes: 442 patients, 10 baseline variables (age, sex, body mass index, average "
                "blood pressure, six blood serum measurements); target: a measure of disease "
                "progression one year later (25-346). Features are centred and scaled so each "
                "column has unit Euclidean norm, unless scaled=False. Source: B. Efron, T. Hastie, "
                "I. Johnstone, R. Tibshirani, Least Angle Regression, Annals of Statistics (2004). "
                "Licence: distributed with scikit-learn (BSD-3-Clause).",
}
TASKS = {"iris": "multiclass", "wine": "multiclass", "breast_cancer": "binary",
         "digits": "multiclass", "diabetes": "regression"}


@lru_cache(maxsize=None)
def _names() -> dict:
    return json.loads((_DATA / "names.json").read_text())


def _arrays(name: str) -> tuple:
    with np.load(_DATA / f"{name}.npz", allow_pickle=False) as npz:
        return npz["X"], npz["y"]


def _finish(bunch: Bunch, return_X_y: bool, as_frame: bool, return_dataset: bool):
    if return_dataset and (as_frame or return_X_y):
        raise ValueError("return_dataset=True cannot be combined with as_frame or return_X_y")
    if return_dataset:
        return bunch.to_dataset()
    if as_frame:
        _need_pandas(f"load_{bunch.name}(as_frame=True)")
        bunch = as_frame_bunch(bunch)
    return (bunch.X, bunch.y) if return_X_y else bunch


def _load(name: str, X: np.ndarray, y: np.ndarray, **extra) -> Bunch:
    names = _names()[name]
    return Bunch(name=name, X=X, y=y, feature_names=list(names["feature_names"]),
                 target_names=names["target_names"], description=DESCRIPTIONS[name],
                 task=TASKS[name], **extra)


def _classification(name: str, return_X_y, as_frame, return_dataset):
    X, y = _arrays(name)
    bunch = _load(name, X.astype(np.float32), y.astype(np.int64, copy=False))
    return _finish(bunch, return_X_y, as_frame, return_dataset)


def load_iris(*, return_X_y: bool = False, as_frame: bool = False, return_dataset: bool = False):
    """Iris flowers: 150 × 4 measurements, 3 classes.

    Args:
        return_X_y: return ``(X, y)`` instead of a :class:`Bunch`.
        as_frame: ``X`` becomes a pandas DataFrame and ``y`` a Series (needs pandas).
        return_dataset: return a ``TensorDataset`` of ``(X, y)``.

    Example::

        >>> X, y = ember.datasets.load_iris(return_X_y=True)
        >>> X.shape, X.dtype, y[:3]
        ((150, 4), dtype('float32'), array([0, 0, 0]))
    """
    return _classification("iris", return_X_y, as_frame, return_dataset)


def load_wine(*, return_X_y: bool = False, as_frame: bool = False, return_dataset: bool = False):
    """Wine recognition: 178 × 13 chemical measurements, 3 cultivars (arguments as :func:`load_iris`)."""
    return _classification("wine", return_X_y, as_frame, return_dataset)


def load_breast_cancer(*, return_X_y: bool = False, as_frame: bool = False,
                       return_dataset: bool = False):
    """Breast Cancer Wisconsin (Diagnostic): 569 × 30, binary (0 malignant, 1 benign);
    arguments as :func:`load_iris`."""
    return _classification("breast_cancer", return_X_y, as_frame, return_dataset)


def load_digits(*, n_class: int = 10, images: bool = False, data_format: str = "channels_first",
                return_X_y: bool = False, as_frame: bool = False, return_dataset: bool = False):
    """Handwritten digits: 1797 images of 8×8 pixels (values 0–16) flattened to 64 features.

    Args:
        n_class: keep only digits ``0 … n_class - 1`` (1 to 10).
        images: ``X`` holds the images with a channel axis instead of flat rows: ``(N, 1, 8, 8)``
            for torch-style convolutions, or ``(N, 8, 8, 1)`` with
            ``data_format="channels_last"`` (Keras's layout).
        data_format: 'channels_first' or 'channels_last' (with ``images=True``).
        return_X_y, as_frame, return_dataset: as :func:`load_iris` (``as_frame`` needs flat rows).

    Example::

        >>> digits = ember.datasets.load_digits()
        >>> digits.X.shape, digits.images.shape
        ((1797, 64), (1797, 8, 8))
        >>> ember.datasets.load_digits(images=True).X.shape
        (1797, 1, 8, 8)
    """
    if isinstance(n_class, bool) or not isinstance(n_class, int) or not 1 <= n_class <= 10:
        raise ValueError(f"n_class must be an integer from 1 to 10, got n_class={n_class!r}")
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(f"data_format must be 'channels_first' or 'channels_last', got "
                         f"data_format={data_format!r}")
    if images and as_frame:
        raise ValueError("as_frame=True needs flat rows; it cannot be combined with images=True")
    X, y = _arrays("digits")
    keep = y < n_class
    X, y = X[keep].astype(np.float32), y[keep].astype(np.int64, copy=False)
    pictures = X.reshape(-1, 8, 8)
    if images:
        X = pictures[:, None] if data_format == "channels_first" else pictures[..., None]
    bunch = _load("digits", X, y, images=pictures)
    bunch.target_names = bunch.target_names[:n_class]
    return _finish(bunch, return_X_y, as_frame, return_dataset)


def load_diabetes(*, scaled: bool = True, return_X_y: bool = False, as_frame: bool = False,
                  return_dataset: bool = False):
    """Diabetes progression: 442 × 10, regression target (float32).

    Args:
        scaled: centre each feature and scale it to unit Euclidean norm (as scikit-learn does);
            ``False`` gives the raw measurements.
        return_X_y, as_frame, return_dataset: as :func:`load_iris`.

    Example::

        >>> X, y = ember.datasets.load_diabetes(return_X_y=True)
        >>> X.shape, y.dtype
        ((442, 10), dtype('float32'))
    """
    X, y = _arrays("diabetes")
    if scaled:
        X = X - X.mean(axis=0)
        X /= X.std(axis=0) * np.sqrt(X.shape[0])
    bunch = _load("diabetes", X.astype(np.float32), y.astype(np.float32))
    return _finish(bunch, return_X_y, as_frame, return_dataset)
