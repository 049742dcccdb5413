"""``TabularEncoding``: how a table's columns became a float32 matrix, replayable on new rows.

It is plain data (column names, categories per column, class labels, task) that round-trips
through JSON, so a trained model's preprocessing can be saved beside its weights.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field

import numpy as np

from ..io import memory_budget
from ._table import columns_from, describe_rows, drop_missing, missing_mask, parse_numbers
from .errors import DataError

__all__ = ["TabularEncoding"]


@dataclass
class TabularEncoding:
    """The preprocessing ``load_csv`` applied, to encode new data the same way.

    Attributes:
        features: input column names, in file order.
        categories: ``{column: [category, …]}`` for one-hot encoded columns (sorted).
        target: the target column's name.
        task: ``"binary"``, ``"multiclass"`` or ``"regression"``.
        classes: the original target labels (class ``k`` is ``classes[k]``); ``None`` for
            regression.
        feature_names: the encoded matrix's column names (``"colour=red"`` for one-hot columns).

    Example::

        >>> data = ember.datasets.load_csv("pets.csv", target="kind")
        >>> enc = ember.datasets.TabularEncoding.from_json(data.encoding.to_json())
        >>> X_new = enc.transform([{"colour": "red", "legs": 4}])
    """

    features: list
    categories: dict
    target: str
    task: str
    classes: list | None = None
    feature_names: list = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.feature_names:
            self.feature_names = [f"{c}={v}" if c in self.categories else c
                                  for c in self.features for v in self.categories.get(c, [None])]

    # ----------------------------------------------------------------- JSON
    def to_dict(self) -> dict:
        """A JSON-serialisable dict (``json.dumps`` works on it as is)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, state: dict) -> "TabularEncoding":
        missing = {"features", "categories", "target", "task"} - set(state)
        if missing:
            raise ValueError(f"not a TabularEncoding state: missing keys {sorted(missing)}")
        return cls(**{k: state[k] for k in ("features", "categories", "target", "task", "classes",
                                             "feature_names") if k in state})

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    @classmethod
    def from_json(cls, text: str) -> "TabularEncoding":
        return cls.from_dict(json.loads(text))

    # ----------------------------------------------------------------- encoding
    def transform(self, data, *, handle_unknown: str = "error", dropna: bool = False) -> np.ndarray:
        """Encodes new rows into the float32 matrix the model was trained on.

        Args:
            data: a CSV path, a pandas DataFrame, a dict of columns or a list of row dicts.
                It must hold exactly the training's input columns (the target column may be
                there too and is ignored).
            handle_unknown: ``"error"`` for a category not seen in training, or ``"ignore"``
                to encode it as all zeros.
            dropna: drop rows with a missing value in an input column instead of raising.
        """
        return self.transform_with_target(data, handle_unknown=handle_unknown, dropna=dropna,
                                          use_target=False)[0]

    def transform_with_target(self, data, *, handle_unknown: str = "error", dropna: bool = False,
                              use_target: bool = True) -> tuple:
        """``(X, y)``: like :meth:`transform`, and the target column encoded as in training
        (class indices or values), or ``y=None`` when ``data`` has no target column. With
        ``dropna``, a row missing its target is dropped too, so ``X`` and ``y`` stay aligned.

        Example::

            >>> X, y = data.encoding.transform_with_target("test.csv")
        """
        if handle_unknown not in ("error", "ignore"):
            raise ValueError(f"handle_unknown must be 'error' or 'ignore', got {handle_unknown!r}")
        columns = columns_from(data)
        where = repr(os.fspath(data)) if isinstance(data, (str, os.PathLike)) else "the data"
        given = [c for c in columns if c != self.target]
        missing = [c for c in self.features if c not in columns]
        extra = [c for c in given if c not in self.features]
        if missing or extra:
            raise DataError(f"the columns of {where} differ from the training data's: missing "
                            f"{missing}, unexpected {extra}; expected {self.features}")
        has_target = use_target and self.target in columns
        columns, _ = drop_missing(columns, self.features + ([self.target] if has_target else []),
                                  dropna, where)
        X = self.encode_columns(columns, handle_unknown=handle_unknown)
        return X, self.encode_target(columns[self.target]) if has_target else None

    def encode_columns(self, columns: dict, *, handle_unknown: str = "error") -> np.ndarray:
        """Encodes ``{name: array of strings}`` columns (all of ``features`` present) into one
        float32 matrix, allocated once after checking that it fits in memory."""
        n = len(next(iter(columns.values()))) if columns else 0
        width = sum(len(self.categories[name]) if name in self.categories else 1
                    for name in self.features)
        _check_fits(n, width)
        X = np.zeros((n, width), np.float32)
        start = 0
        for name in self.features:
            col = columns[name]
            gaps = missing_mask(col)
            if gaps.any():
                raise DataError(f"column {name!r} has missing values in {describe_rows(gaps)}")
            if name in self.categories:
                _one_hot(name, col, self.categories[name], handle_unknown, X[:, start:])
                start += len(self.categories[name])
                continue
            values, bad = parse_numbers(col)
            if bad.any():
                first = col[np.flatnonzero(bad)[0]]
                raise DataError(f"column {name!r} is numeric but has non-numeric values in "
                                f"{describe_rows(bad)}, e.g. {first!r}")
            with np.errstate(over="ignore", invalid="ignore"):
                X[:, start] = values
            wild = ~np.isfinite(X[:, start])
            if wild.any():
                raise DataError(f"column {name!r} has numbers that are not finite in float32 in "
                                f"{describe_rows(wild)}, e.g. {col[np.flatnonzero(wild)[0]]!r}")
            start += 1
        return X

    def encode_target(self, column: np.ndarray) -> np.ndarray:
        """Target strings → int64 class indices (classification) or float32 values."""
        if self.task == "regression":
            values, bad = parse_numbers(column)
            if bad.any():
                raise DataError(f"target column {self.target!r} is numeric but has non-numeric "
                                f"values in {describe_rows(bad)}")
            return values.astype(np.float32)
        codes = _class_codes(column, self.classes)
        unknown = codes < 0
        if unknown.any():
            raise DataError(f"target column {self.target!r} has labels not seen in training in "
                            f"{describe_rows(unknown)}, e.g. {column[np.flatnonzero(unknown)[0]]!r}; "
                            f"known classes: {self.classes}")
        return codes

    def decode(self, indices) -> list:
        """Class indices (or a matrix of scores, argmax taken) → the original labels."""
        if self.classes is None:
            raise ValueError("decode() is for classification; this encoding is for regression")
        idx = np.asarray(getattr(indices, "_data", indices))
        if idx.ndim == 2:
            idx = idx.argmax(axis=1) if idx.shape[1] > 1 else (idx[:, 0] > 0.5).astype(np.int64)
        return [self.classes[int(i)] for i in idx.reshape(-1)]


def _check_fits(n_rows: int, width: int) -> None:
    need = n_rows * width * 4
    if need > memory_budget():
        raise DataError(f"the encoded data would be {n_rows} rows x {width} float32 inputs "
                        f"({need / 2**30:.1f} GiB), more than half of this machine's memory; "
                        f"use fewer rows or leave out one-hot encoded columns with many values")


def _one_hot(name, column, categories, handle_unknown, out: np.ndarray) -> None:
    """Writes the one-hot columns of ``column`` into ``out[:, :len(categories)]`` (zeros)."""
    lookup = {c: i for i, c in enumerate(categories)}
    codes = np.fromiter((lookup.get(v, -1) for v in column), dtype=np.int64, count=len(column))
    unknown = codes < 0
    if unknown.any() and handle_unknown == "error":
        values = sorted(set(column[unknown].tolist()))
        raise DataError(f"column {name!r} has categories not seen in training: {values[:10]} in "
                        f"{describe_rows(unknown)}; known categories: {categories[:20]}")
    rows = np.flatnonzero(~unknown)
    out[rows, codes[rows]] = 1.0


def _class_codes(column: np.ndarray, classes: list) -> np.ndarray:
    """int64 class index of every cell, -1 where the label is not one of ``classes``.

    Numeric labels are matched as numbers (``"1.0"`` is class ``1``), vectorised; text labels
    through one dictionary lookup per cell.
    """
    if any(isinstance(c, str) for c in classes):
        lookup = {c: i for i, c in enumerate(classes)}
        return np.fromiter((lookup.get(v, -1) for v in column), dtype=np.int64, count=len(column))
    values, bad = parse_numbers(column)
    keys = np.asarray([float(c) for c in classes], dtype=np.float64)
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    at = np.clip(np.searchsorted(ordered, values), 0, len(ordered) - 1)
    return np.where(~bad & (ordered[at] == values), order[at], -1).astype(np.int64)
