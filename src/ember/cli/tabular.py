"""Reading a CSV into numbers, and the JSON-able encoding that turns new rows into the same numbers.

Numeric columns stay numeric; any other column is categorical and one-hot encoded (categories
sorted, an unseen category at prediction time encodes as all zeros). Only the standard library's
``csv`` module is used, so CSV files work without pandas.

Example::

    >>> table = read_csv("animals.csv")
    >>> spec = fit_encoding(table, target="species", task="auto")
    >>> X = encode_features(table, spec)
"""
from __future__ import annotations

import csv
import os

import numpy as np

from .errors import CLIError

MISSING = {"", "na", "nan", "n/a", "null", "none", "?"}
MAX_CLASSES = 20  # an integer target with at most this many values is a class label


class Table:
    """A parsed CSV: column names, rows of strings, and the file it came from."""

    def __init__(self, columns: list, rows: list, source: str) -> None:
        self.columns = columns
        self.rows = rows
        self.source = source

    def column(self, name: str) -> list:
        index = self.columns.index(name)
        return [row[index] for row in self.rows]


def read_csv(path: str) -> Table:
    """Parses ``path``; a missing, unreadable, binary, ragged or empty file raises ``CLIError``."""
    if not os.path.exists(path):
        raise CLIError(f"file not found: {path}")
    if os.path.isdir(path):
        raise CLIError(f"{path} is a folder, not a CSV file")
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise CLIError(f"cannot read {path}: {exc.strerror or exc}") from None
    if b"\0" in raw[:8192]:
        raise CLIError(f"{path} is not a CSV file (it holds binary data)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CLIError(f"{path} is not a CSV file (not UTF-8 text)") from None
    lines = [line for line in csv.reader(text.splitlines()) if any(cell.strip() for cell in line)]
    if not lines:
        raise CLIError(f"{path} is empty: no header and no data rows")
    columns = [c.strip() for c in lines[0]]
    if len(columns) < 2:
        raise CLIError(f"{path} is not a CSV file with features and a target: its header has "
                       f"{len(columns)} column")
    if len(set(columns)) != len(columns) or any(not c for c in columns):
        raise CLIError(f"{path} has empty or repeated column names in its header: {', '.join(columns)}")
    rows = lines[1:]
    if not rows:
        raise CLIError(f"{path} has a header but no data rows")
    for number, row in enumerate(rows, start=2):
        if len(row) != len(columns):
            raise CLIError(f"{path} is not a valid CSV: line {number} has {len(row)} fields, "
                           f"the header has {len(columns)}")
    return Table(columns, [[cell.strip() for cell in row] for row in rows], path)


def _is_missing(value: str) -> bool:
    return value.strip().lower() in MISSING


def _as_floats(values: list):
    """The values as float64, or None when some value is not a number."""
    try:
        return np.array([float(v) for v in values], dtype=np.float64)
    except ValueError:
        return None


def drop_missing(table: Table, dropna: bool) -> Table:
    """Raises naming the first column with missing values, or drops those rows with ``dropna``."""
    bad = np.array([[_is_missing(v) for v in row] for row in table.rows], dtype=bool)
    if not bad.any():
        return table
    if not dropna:
        col = int(np.argmax(bad.any(axis=0)))
        rows = np.flatnonzero(bad[:, col])
        shown = ", ".join(str(r + 2) for r in rows[:5]) + (" …" if len(rows) > 5 else "")
        raise CLIError(f"column {table.columns[col]!r} of {table.source} has {len(rows)} missing "
                       f"value(s) (line {shown}); pass --dropna to drop incomplete rows")
    keep = [row for row, b in zip(table.rows, bad.any(axis=1)) if not b]
    if not keep:
        raise CLIError(f"{table.source} has no complete rows left after --dropna")
    return Table(table.columns, keep, table.source)


def fit_encoding(table: Table, target: str | None, task: str) -> dict:
    """Decides column kinds, categories, the task and the classes; returns a JSON-able spec."""
    target = target if target is not None else table.columns[-1]
    if target not in table.columns:
        raise CLIError(f"target column {target!r} not found in {table.source}; "
                       f"columns are: {', '.join(table.columns)}")
    features = []
    for name in table.columns:
        if name == target:
            continue
        values = table.column(name)
        if _as_floats(values) is not None:
            features.append({"name": name, "kind": "numeric"})
        else:
            features.append({"name": name, "kind": "categorical", "categories": sorted(set(values))})
    y_raw = table.column(target)
    numbers = _as_floats(y_raw)
    if task == "auto":
        if numbers is None:
            task = "classification"
        else:
            distinct = np.unique(numbers)
            integral = bool(np.all(distinct == np.round(distinct)))
            task = "classification" if integral and len(distinct) <= MAX_CLASSES else "regression"
    spec = {"target": target, "task": task, "features": features}
    if task == "classification":
        if numbers is not None and np.all(numbers == np.round(numbers)):
            classes = [str(int(v)) for v in np.unique(numbers)]
        else:
            classes = sorted(set(y_raw))
        if len(classes) < 2:
            raise CLIError(f"target column {target!r} of {table.source} has a single class "
                           f"({classes[0]!r}); classification needs at least two")
        spec["classes"] = classes
    elif numbers is None:
        raise CLIError(f"target column {target!r} of {table.source} is not numeric, so it cannot be "
                       "a regression target; use --task classification")
    return spec


def encoded_names(spec: dict) -> list:
    """The names of the model's input columns after one-hot encoding."""
    names = []
    for feature in spec["features"]:
        if feature["kind"] == "numeric":
            names.append(feature["name"])
        else:
            names.extend(f"{feature['name']}={c}" for c in feature["categories"])
    return names


def check_columns(table: Table, spec: dict, *, need_target: bool) -> None:
    """Raises naming the columns that differ from those the model was trained on."""
    expected = [f["name"] for f in spec["features"]]
    allowed = set(expected) | {spec["target"]}
    missing = [c for c in expected if c not in table.columns]
    extra = [c for c in table.columns if c not in allowed]
    if need_target and spec["target"] not in table.columns:
        missing.append(spec["target"])
    if missing or extra:
        parts = []
        if missing:
            parts.append("missing " + ", ".join(repr(c) for c in missing))
        if extra:
            parts.append("unexpected " + ", ".join(repr(c) for c in extra))
        raise CLIError(f"the columns of {table.source} differ from training: {'; '.join(parts)}")


def encode_features(table: Table, spec: dict) -> np.ndarray:
    """The feature matrix (float32), one-hot encoding the categorical columns."""
    blocks = []
    for feature in spec["features"]:
        values = table.column(feature["name"])
        if feature["kind"] == "numeric":
            numbers = _as_floats(values)
            if numbers is None:
                bad = next(v for v in values if _as_floats([v]) is None)
                raise CLIError(f"column {feature['name']!r} of {table.source} should be numeric "
                               f"but holds {bad!r}")
            blocks.append(numbers[:, None])
        else:
            lookup = {c: i for i, c in enumerate(feature["categories"])}
            index = np.array([lookup.get(v, -1) for v in values])
            onehot = np.zeros((len(values), len(lookup)))
            known = index >= 0
            onehot[np.flatnonzero(known), index[known]] = 1.0
            blocks.append(onehot)
    return np.hstack(blocks).astype(np.float32) if blocks else np.zeros((len(table.rows), 0), np.float32)


def encode_target(table: Table, spec: dict) -> np.ndarray:
    """Class indices (int64) for classification, values (float32) for regression."""
    values = table.column(spec["target"])
    if spec["task"] == "regression":
        numbers = _as_floats(values)
        if numbers is None:
            raise CLIError(f"target column {spec['target']!r} of {table.source} is not numeric")
        return numbers.astype(np.float32)
    lookup = {c: i for i, c in enumerate(spec["classes"])}
    numbers = _as_floats(values)
    if numbers is not None and np.all(numbers == np.round(numbers)):
        values = [str(int(v)) for v in numbers]
    unknown = sorted({v for v in values if v not in lookup})
    if unknown:
        raise CLIError(f"target column {spec['target']!r} of {table.source} has classes not seen in "
                       f"training: {', '.join(unknown[:5])}")
    return np.array([lookup[v] for v in values], dtype=np.int64)
