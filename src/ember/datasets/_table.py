"""Reading a CSV (or an in-memory table) into columns of stripped strings, and parsing them.

The standard library's ``csv`` module reads files (pandas is not needed, and unlike
``pandas.read_csv`` it lets a short row be reported instead of silently padded). Every cell
becomes a stripped string, so type detection, missing values and errors are the same for a
file, a DataFrame, a dict of columns or a list of row dicts.
"""
from __future__ import annotations

import csv
import io
import os

import numpy as np

from ..io import open_regular
from .errors import DataError, DataFileNotFoundError

MISSING = frozenset({"", "na", "nan", "n/a", "null", "none", "?", "<na>"})
FLOAT32_MAX = float(np.finfo(np.float32).max)
_INTERNED = 1 << 16  # distinct cells per column shared as one string object


def read_columns(path, delimiter: str = ",") -> dict:
    """``{column name: object array of stripped strings}`` in file order.

    Only a regular file is read (a FIFO or a device is refused), row by row, straight into the
    columns; repeated cells share one string, so memory stays a few times the file's size.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise DataFileNotFoundError(f"file not found: {path!r}")
    if os.path.isdir(path):
        raise DataError(f"expected a CSV file, got a directory: {path!r}")
    try:
        handle = open_regular(path, DataError, what="CSV file")
    except PermissionError:
        raise DataError(f"cannot read {path!r}: permission denied; check the file's "
                        f"permissions") from None
    except OSError as error:
        raise DataError(f"cannot read {path!r}: {error.strerror or error}") from None
    with handle:
        if os.fstat(handle.fileno()).st_size == 0:
            raise DataError(f"empty file: {path!r} has no header and no rows")
        text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
        try:
            return _read_with_csv(text, path, delimiter)
        except UnicodeDecodeError as error:
            raise DataError(f"cannot read {path!r} as UTF-8 text ({error.reason} at byte "
                            f"{error.start}); is it a CSV file?") from None
        except csv.Error as error:
            raise DataError(f"cannot parse {path!r} as CSV: {error}; is it a CSV file?") from None
        except OSError as error:
            raise DataError(f"cannot read {path!r}: {error.strerror or error}") from None


def _read_with_csv(text, path: str, delimiter: str) -> dict:
    reader = csv.reader(text, delimiter=delimiter)
    header = None
    for row in reader:
        if row:
            header = [h.strip() for h in row]
            break
    if header is None:
        raise DataError(f"empty file: {path!r} has no header and no rows")
    cells = [[] for _ in header]
    shared = [{} for _ in header]
    width = len(header)
    for row in reader:
        if not row:
            continue
        if len(row) != width:
            raise DataError(f"cannot parse {path!r} as CSV: line {reader.line_num} has {len(row)} "
                            f"fields, the header has {width}")
        for column, seen, cell in zip(cells, shared, row):
            cell = cell.strip()
            if len(seen) < _INTERNED:
                cell = seen.setdefault(cell, cell)
            column.append(cell)
    del shared
    n_rows, columns = len(cells[0]), {}
    for h, column in zip(header, cells):
        array = np.empty(len(column), dtype=object)
        array[:] = column
        column.clear()
        columns[h] = array
    return _checked(path, header, columns, n_rows)


def _checked(path: str, header: list, columns: dict, n_rows: int) -> dict:
    duplicates = sorted({h for h in header if header.count(h) > 1})
    if duplicates:
        raise DataError(f"{path!r} has duplicate column names: {duplicates}")
    if n_rows == 0:
        raise DataError(f"empty file: {path!r} has a header ({', '.join(header)}) but no data rows")
    return columns


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


def nonfinite_mask(column: np.ndarray, missing: np.ndarray | None = None) -> np.ndarray:
    """Where a numeric column holds a number float32 cannot represent: ``inf``, ``-inf``,
    ``1e999`` or anything beyond ±3.4e38. A column with text in it is not numeric: none."""
    missing = missing_mask(column) if missing is None else missing
    values, bad = parse_numbers(column)
    if (bad & ~missing).any():
        return np.zeros(len(column), dtype=bool)
    with np.errstate(invalid="ignore"):
        return ~missing & ~(np.abs(values) <= FLOAT32_MAX)


def _holes(columns: dict, used: list) -> tuple[dict, list, list]:
    """``({column: bad-row mask}, missing descriptions, non-finite descriptions)``."""
    holes, missing, infinite = {}, [], []
    for name in used:
        gaps = missing_mask(columns[name])
        wild = nonfinite_mask(columns[name], gaps)
        if gaps.any():
            missing.append(f"column {name!r} in {describe_rows(gaps)}")
        if wild.any():
            example = columns[name][np.flatnonzero(wild)[0]]
            infinite.append(f"column {name!r} in {describe_rows(wild)}, e.g. {example!r}")
        if gaps.any() or wild.any():
            holes[name] = gaps | wild
    return holes, missing, infinite


def drop_missing(columns: dict, used: list, dropna: bool, where: str):
    """``(columns, n_dropped)``: raises naming each of the ``used`` columns with missing values
    (empty, NA, NaN …) or non-finite numbers (inf, or beyond float32's range) and their rows,
    or with ``dropna`` keeps only the rows where those columns are complete and finite.

    This is ember's one policy for values a network cannot learn from: found when the data is
    read, named with column and rows, dropped only when asked (``dropna=True``, ``--dropna``).
    Dropping rows can make a column numeric (its only word was in a dropped row), so with
    ``dropna`` the check repeats until no row is left to drop.
    """
    holes, missing, infinite = _holes(columns, used)
    if holes and not dropna:
        parts = ([f"missing values: {'; '.join(missing)}"] if missing else []) + \
                ([f"numbers that are not finite in float32 (inf, or beyond ±3.4e38): "
                  f"{'; '.join(infinite)}"] if infinite else [])
        raise DataError(f"{where} has {'; and '.join(parts)}. Pass dropna=True (--dropna on the "
                        f"command line) to drop those rows")
    dropped = 0
    while holes:
        keep = ~np.logical_or.reduce(list(holes.values()))
        if not keep.any():
            raise DataError(f"{where}: every row has a missing or non-finite value, nothing is "
                            f"left after dropna")
        columns = {name: col[keep] for name, col in columns.items()}
        dropped += int((~keep).sum())
        holes = _holes(columns, used)[0]
    return columns, dropped


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
