"""Fuzzing ``ember.datasets.load_csv`` and ``TabularEncoding``: any bytes, and CSV-shaped text
built from the cells real files hold (numbers, inf, 1e999, words, missing markers, quotes, blank
and ragged lines). Only ``DataError`` may come out; what loads is float32, finite, aligned, and
encodes again to the same matrix."""
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ember.datasets import DataError, TabularEncoding, load_csv

from .helpers import temp_file

SETTINGS = settings(max_examples=150, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
COUNT = {"bytes": 0, "text": 0}

CELLS = st.one_of(
    st.integers(-1000, 1000).map(str),
    st.floats(allow_nan=True, allow_infinity=True, width=64).map(repr),
    st.sampled_from(["inf", "-inf", "Infinity", "1e999", "-1e400", "3.5e38", "-nan", "NaN", "", "NA",
                     "n/a", "?", "null", "None", " 7 ", "1_000", "0x10", "1e5", "٣", "\u00a0"]),
    st.sampled_from(["red", "green", "blue", "a,b", 'say "hi"', "x\ny", "caf\u00e9", "\u2603"]),
    st.text(max_size=6),
)


def _quote(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"' if any(c in cell for c in ',"\n\r') else cell


@st.composite
def csv_text(draw):
    width = draw(st.integers(1, 5))
    header = draw(st.lists(st.one_of(st.sampled_from(["a", "b", "y", "id", " a "]), st.text(max_size=4)),
                           min_size=width, max_size=width))
    rows = draw(st.lists(st.lists(CELLS, min_size=width, max_size=width), max_size=25))
    if rows and draw(st.booleans()):  # a ragged row somewhere
        rows[draw(st.integers(0, len(rows) - 1))].append("extra")
    lines = [",".join(map(_quote, header))] + [",".join(map(_quote, r)) for r in rows]
    newline = draw(st.sampled_from(["\n", "\r\n", "\n\n"]))
    return newline.join(lines) + draw(st.sampled_from(["", "\n"])), header


def _check_loaded(data, path, dropna):
    X, y = data.X, data.y
    assert X.dtype == np.float32 and X.ndim == 2 and len(X) == len(y) > 0
    assert np.isfinite(X).all()
    if data.task == "regression":
        assert y.dtype == np.float32 and np.isfinite(y).all()
    else:
        assert y.dtype == np.int64 and 0 <= y.min() and y.max() < len(data.target_names)
    again = TabularEncoding.from_json(data.encoding.to_json())
    X2, y2 = again.transform_with_target(path, dropna=dropna)
    np.testing.assert_array_equal(X2, X)
    np.testing.assert_array_equal(y2, y)


@given(raw=st.binary(max_size=600), target=st.sampled_from([None, "y", "a"]))
@SETTINGS
def _bytes_case(raw, target):
    COUNT["bytes"] += 1
    with temp_file(raw, ".csv") as path:
        try:
            load_csv(path, target)
        except DataError:
            pass


@given(table=csv_text(), target=st.sampled_from([None, "y", "a", "b"]), dropna=st.booleans(),
       task=st.sampled_from(["auto", "classification", "regression", "binary", "multiclass"]),
       max_categories=st.integers(1, 6))
@SETTINGS
def _text_case(table, target, dropna, task, max_categories):
    COUNT["text"] += 1
    text, _ = table
    with temp_file(text.encode("utf-8"), ".csv") as path:
        try:
            data = load_csv(path, target, dropna=dropna, task=task, max_categories=max_categories)
        except DataError:
            return
        _check_loaded(data, path, dropna)


def test_fuzz_csv_reader_from_any_bytes(fuzz):
    rounds = fuzz(_bytes_case)
    print(f"csv bytes: {COUNT['bytes']} files in {rounds} rounds")


def test_fuzz_csv_reader_from_csv_shaped_text(fuzz):
    rounds = fuzz(_text_case)
    print(f"csv text: {COUNT['text']} files in {rounds} rounds")
