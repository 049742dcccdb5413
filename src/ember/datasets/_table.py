"""Reading a CSV (or an in-memory table) into columns of stripped strings, and parsing them.

The standard library's ``csv`` module reads files (pandas is not needed, and unlike
``pandas.read_csv`` it lets a short row be reported instead of silently padded). Every cell
becomes a stripped string, so type detection, missing values and errors are the same for a
file, a DataFrame, a dict of columns or a list of row dicts.
"""
from __future__ import annotations

import csv
import os

import numpy as np

from .errors import DataError, DataFileNotFoundError

MISSING = frozenset({"", "na", "nan", "n/a", "null", "none", "?", "<na>"})


def read_columns(path, delimiter: str = ",") -> dict:
    """``{column name: object array of stripped strings}`` in file order."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise DataFileNotFoundError(f"file not found: {path!r}")
    if os.path.isdir(path):
        raise DataError(f"expected a CSV file, got a directory: {path!r}")
    if os.path.getsize(path) == 0:
        raise DataError(f"empty file: {path!r} has no header and no rows")
    try:
        return _read_with_csv(path, delimiter)
    except UnicodeDecodeError as error:
        raise DataError(f"cannot read {path!r} as UTF-8 text ({error.reason} at byte "
                        f"{error.start}); is it a CSV file?") from None
    except csv.Error as error:
        raise DataError(f"cannot parse {path!r} as CSV: {error}; is it a CSV file?") from None


def _read_with_csv(path: str, delimiter: str) -> dict:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = [row for row in csv.reader(handle, delimiter=delimiter) if row]
    if not rows:
        raise DataError(f"empty file: {path!r} has no header and no rows")
    header, body = [h.strip() for h in rows[0]], rows[1:]
    for line, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise DataError(f"cannot parse {path!r} as CSV: line {line} has {len(row)} fields, "
                            f"the header has {len(header)}")
    cells = np.array(body, dtype=object).reshape(len(body), len(header))
    return _checked(path, header, {h: cells[:, i] for i, h in enumerate(header)}, len(body))


def _checked(path: str, header: list, columns: dict, n_rows: int) -> dict:
    header = [str(h).strip() for h in header]
    duplicates = sorted({h for h in header if header.count(h) > 1})
    if duplicates:
        raise DataError(f"{path!r} has duplicate column names: {duplicates}")
    if n_rows == 0:
        raise DataError(f"empty file: {path!r} has a header ({', '.join(header)}) but no data rows")
    return {h: strip(col) for h, col in zip(header, columns.values())}


def strip(values) -> np.ndarray:
    """An object array of stripped strings (``None`` and NaN become '')."""
    out = np.empty(len(values), dtype=object)
    out[:] = ["" if v is None or (isinstance(v, float) and v != v) else str(v).strip() for v in values]
    return out


def columns_from(data) -> dict:
    """Columns of stripped strings from a path, a pandas DataFrame, a dict of columns or a
    list of row dicts (the inputs :meth:`TabularEncoding.transform` accepts)."""
    if isinstance(data, (str, os.PathLike)):
        return read_columns(data)
    if hasattr(data, "columns") and hasattr(data, "iloc"):  # a pandas DataFrame
        return {str(c): strip(data[c].tolist()) for c in data.columns}
    if isinstance(data, dict):
        lengths = {len(v) for v in data.values()}
        if len(lengths) > 1:
            raise DataError(f"columns have different lengths: { {k: len(v) for k, v in data.items()} }")
        return {str(k): strip(list(v)) for k, v in data.items()}
    if isinstance(data, (list, tuple)) and all(isinstance(r, dict) for r in data):
        names = list(dict.fromkeys(k for r in data for k in r))
        return {str(k): strip([r.get(k) for r in data]) for k in names}
    raise TypeError(f"expected a CSV path, a pandas DataFrame, a dict of columns or a list of row "
                    f"dicts, got {type(data).__name__}")


def missing_mask(column: np.ndarray) -> np.ndarray:
    return np.fromiter((v.lower() in MISSING for v in column), dtype=bool, count=len(column))


def drop_missing(columns: dict, used: list, dropna: bool, where: str):
    """``(columns, n_dropped)``: raises naming each of the ``used`` columns with missing values
    and their rows, or with ``dropna`` keeps only the rows complete in those columns."""
    masks = {name: missing_mask(columns[name]) for name in used}
    holes = {name: m for name, m in masks.items() if m.any()}
    if not holes:
        return columns, 0
    if not dropna:
        detail = "; ".join(f"column {name!r} in {describe_rows(m)}" for name, m in holes.items())
        raise DataError(f"{where} has missing values: {detail}. Pass dropna=True (--dropna on the command line) to drop those rows")
    keep = ~np.logical_or.reduce(list(holes.values()))
    if not keep.any():
        raise DataError(f"{where}: every row has a missing value, nothing is left after dropna")
    return {name: col[keep] for name, col in columns.items()}, int((~keep).sum())


def parse_numbers(column: np.ndarray):
    """``(values float64, bad_mask)``: the numbers, and where cells are not numbers."""
    try:
        return column.astype(np.float64), np.zeros(len(column), dtype=bool)
    except ValueError:
        pass
    values = np.full(len(column), np.nan)
    bad = np.zeros(len(column), dtype=bool)
    for i, cell in enumerate(column):
        try:
            values[i] = float(cell)
        except ValueError:
            bad[i] = True
    return values, bad


def describe_rows(mask: np.ndarray, limit: int = 5) -> str:
    """'rows 2, 5 and 9' with 1-based data-row numbers (the header is not counted)."""
    rows = (np.flatnonzero(mask) + 1).tolist()
    shown = ", ".join(str(r) for r in rows[:limit])
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return f"{len(rows)} row{'s' if len(rows) != 1 else ''} (row{'s' if len(rows) != 1 else ''} {shown}{more})"
