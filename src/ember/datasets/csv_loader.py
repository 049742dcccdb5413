"""``load_csv``: a CSV file → float32 inputs, targets, and the encoding to reuse at prediction.

Text columns are one-hot encoded, the task is detected from the target column, and every
problem with the file raises a :class:`DataError` that names the file, column and rows.
"""
from __future__ import annotations

import os

import numpy as np

from ._bunch import Bunch
from ._table import describe_rows, drop_missing, parse_numbers, read_columns
from .encoding import TabularEncoding
from .errors import DataError

__all__ = ["load_csv"]

_TASKS = ("auto", "classification", "binary", "multiclass", "regression")


def load_csv(path, target: str | None = None, *, features=None, categorical=None, task: str = "auto",
             dropna: bool = False, delimiter: str = ",", max_classes: int = 20,
             max_categories: int = 1000, return_dataset: bool = False):
    """Reads a CSV file with a header row into a :class:`Bunch` ready for training.

    Args:
        path: the CSV file (read with the standard library's ``csv`` module).
        target: the name of the column to predict (default: the last column).
        features: the input columns (default: every column except ``target``).
        categorical: columns to one-hot encode even though they hold numbers (columns holding
            text are always one-hot encoded).
        task: ``"auto"`` detects it: a text target, or an integer target with at most
            ``max_classes`` distinct values, is classification (``"binary"`` for 2 classes,
            ``"multiclass"`` above); anything else numeric is ``"regression"``. Pass
            ``"classification"``, ``"binary"``, ``"multiclass"`` or ``"regression"`` to force it.
        dropna: drop rows with a missing value (empty, NA, NaN, null, ?) or a number that is
            not finite in float32 (``inf``, ``-inf``, ``1e999``, anything beyond ±3.4e38) in a
            used column, instead of raising. This is the one policy for values a network
            cannot learn from: they are found when the file is read and named by column and
            row; they are never passed on to training as NaN or inf.
        delimiter: the field separator.
        max_classes: the most distinct integer values an ``"auto"`` target may have to be
            read as classes.
        max_categories: the most distinct values a one-hot encoded column may have (a text
            column with more, such as an identifier, is refused rather than encoded into
            thousands of inputs).
        return_dataset: return a ``TensorDataset`` of ``(X, y)`` instead of the Bunch.

    Returns:
        a :class:`Bunch` with ``X`` (float32), ``y`` (int64 class indices, or float32 for
        regression), ``feature_names`` (after one-hot encoding), ``target_names`` (the class
        labels), ``task`` and ``encoding`` (a :class:`TabularEncoding`: ``encoding.transform(new)``
        encodes new rows, ``encoding.decode(pred)`` maps class indices back to labels,
        ``encoding.to_json()`` saves it).

    Raises:
        DataError: missing or empty file, unknown target or feature column (the existing
            columns are listed), missing values (column and rows named), non-numeric values in
            a numeric column, non-finite numbers, a text column with more than
            ``max_categories`` values, an encoded matrix too large for this machine's memory,
            a target with a single class, a path that is not a regular file.

    Example::

        >>> data = ember.datasets.load_csv("animals.csv", target="type")
        >>> data.task, data.X.dtype, data.target_names
        ('multiclass', dtype('float32'), ['0', '1', '2'])
    """
    if task not in _TASKS:
        raise ValueError(f"task must be one of {_TASKS}, got task={task!r}")
    if isinstance(max_categories, bool) or not isinstance(max_categories, int) or max_categories < 1:
        raise ValueError(f"max_categories must be a positive integer, got {max_categories!r}")
    columns = read_columns(path, delimiter)
    where = os.fspath(path)
    names = list(columns)
    target = names[-1] if target is None else target
    if target not in columns:
        raise DataError(f"target column {target!r} not found in {where!r}; the columns are: "
                        f"{', '.join(names)}")
    if isinstance(features, str):
        features = [features]
    if isinstance(categorical, str):
        categorical = [categorical]
    features = [c for c in names if c != target] if features is None else list(features)
    unknown = [c for c in features + list(categorical or []) if c not in columns]
    if unknown:
        raise DataError(f"columns {unknown} not found in {where!r}; the columns are: {', '.join(names)}")
    if target in features:
        raise DataError(f"the target column {target!r} cannot also be a feature")
    if not features:
        raise DataError(f"{where!r} has no input columns besides the target {target!r}")
    columns, dropped = drop_missing(columns, features + [target], dropna, repr(where))

    categories = {}
    forced = set(categorical or [])
    for name in features:
        col = columns[name]
        if name not in forced:
            _, bad = parse_numbers(col)
            if not bad.any():
                continue
            if bad.sum() < len(col) - bad.sum():
                raise DataError(f"column {name!r} is numeric but has non-numeric values in "
                                f"{describe_rows(bad)}, e.g. {col[np.flatnonzero(bad)[0]]!r}; "
                                f"pass categorical=[{name!r}] to one-hot encode it")
        distinct = set(col.tolist())
        if len(distinct) > max_categories:
            raise DataError(f"column {name!r} of {where!r} has {len(distinct)} distinct text values; "
                            f"one-hot encoding more than max_categories={max_categories} is refused. "
                            f"If it is an identifier, leave it out (features=[...], or remove the "
                            f"column from the file)")
        categories[name] = sorted(distinct)

    task, classes = _target_kind(columns[target], target, task, max_classes)
    encoding = TabularEncoding(features=features, categories=categories, target=target, task=task,
                               classes=classes)
    X = encoding.encode_columns(columns)
    y = encoding.encode_target(columns[target])
    n_rows = len(y)
    note = f", {dropped} rows with missing values dropped" if dropped else ""
    bunch = Bunch(name=os.path.splitext(os.path.basename(where))[0], X=X, y=y,
                  feature_names=list(encoding.feature_names),
                  target_names=None if classes is None else [str(c) for c in classes],
                  description=f"Loaded from {where}: {n_rows} rows, {len(features)} input columns "
                              f"({len(categories)} one-hot encoded), target {target!r} ({task}){note}.",
                  task=task, encoding=encoding)
    return bunch.to_dataset() if return_dataset else bunch


def _target_kind(column: np.ndarray, target: str, task: str, max_classes: int):
    """``(task, classes)`` for the target column."""
    values, bad = parse_numbers(column)
    numeric = not bad.any()
    if not numeric and task == "regression":
        raise DataError(f"target column {target!r} must be numeric for regression but has "
                        f"non-numeric values in {describe_rows(bad)}, e.g. "
                        f"{column[np.flatnonzero(bad)[0]]!r}")
    if not numeric and 0 < bad.sum() < len(column) - bad.sum() and task == "auto":
        raise DataError(f"target column {target!r} is numeric but has non-numeric values in "
                        f"{describe_rows(bad)}, e.g. {column[np.flatnonzero(bad)[0]]!r}")
    if numeric:
        distinct = np.unique(values)
        integral = bool(np.all(distinct == np.round(distinct)))
        if task == "regression" or (task == "auto" and not (integral and len(distinct) <= max_classes)):
            return "regression", None
        classes = [int(v) if v == round(v) else float(v) for v in distinct.tolist()]
    else:
        classes = sorted(set(column.tolist()))
    if len(classes) < 2:
        raise DataError(f"target column {target!r} has a single class ({classes[0]!r}); a classifier "
                        f"needs at least two")
    kind = "binary" if len(classes) == 2 else "multiclass"
    if task in ("binary", "multiclass") and task != kind:
        raise DataError(f"task={task!r} but target column {target!r} has {len(classes)} classes: "
                        f"{classes[:10]}")
    return kind, classes
