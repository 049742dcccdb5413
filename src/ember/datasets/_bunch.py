"""``Bunch``: what the data-set loaders return (arrays, names, description)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["Bunch"]


def _need_pandas(what: str):
    try:
        import pandas
    except ImportError:
        raise ImportError(f"{what} needs pandas, which is not installed: pip install pandas "
                          f"(or pip install ember[data])") from None
    return pandas


@dataclass
class Bunch:
    """A data set: inputs ``X``, targets ``y`` and what they mean.

    Attributes:
        name: the data set's name.
        X: inputs, float32, shape (n_samples, n_features).
        y: targets: int64 class indices (classification) or float32 values (regression).
        feature_names: one name per column of ``X``.
        target_names: class names (index ``k`` names class ``k``), ``None`` for regression.
        description: what the data is, where it comes from and its licence.
        task: ``"binary"``, ``"multiclass"`` or ``"regression"``.
        images: the 8×8 images (digits only).
        encoding: how a CSV was encoded (``load_csv`` only), to encode new rows the same way.
        frame: a pandas DataFrame of the features and target (``as_frame=True`` only).

    Example::

        >>> iris = ember.datasets.load_iris()
        >>> iris.X.shape, iris.y.dtype, iris.target_names
        ((150, 4), dtype('int64'), ['setosa', 'versicolor', 'virginica'])
        >>> xb, yb = iris.to_dataset()[0]
    """

    name: str
    X: object
    y: object
    feature_names: list
    target_names: list | None
    description: str
    task: str
    images: np.ndarray | None = None
    encoding: object = None
    frame: object = field(default=None, repr=False)

    def __repr__(self) -> str:
        shape = getattr(self.X, "shape", None)
        return f"Bunch(name={self.name!r}, task={self.task!r}, X.shape={shape}, classes={self.target_names})"

    # scikit-learn's spellings, for people who know them
    @property
    def data(self):
        return self.X

    @property
    def target(self):
        return self.y

    @property
    def DESCR(self) -> str:  # noqa: N802 - scikit-learn's name
        return self.description

    def to_dataset(self):
        """The data as an ``ember.utils.data.TensorDataset`` of ``(X, y)`` (shares memory)."""
        from ..utils.data import TensorDataset
        return TensorDataset(np.asarray(self.X), np.asarray(self.y))

    def to_frame(self):
        """A pandas DataFrame: one column per feature, then ``target`` (needs pandas)."""
        pd = _need_pandas("to_frame()")
        frame = pd.DataFrame(np.asarray(self.X), columns=list(self.feature_names))
        frame["target"] = np.asarray(self.y)
        return frame


def as_frame_bunch(bunch: Bunch) -> Bunch:
    """scikit-learn's ``as_frame=True``: ``X`` a DataFrame, ``y`` a Series, ``frame`` both."""
    frame = bunch.to_frame()
    bunch.frame = frame
    bunch.X = frame[list(bunch.feature_names)]
    bunch.y = frame["target"]
    return bunch
