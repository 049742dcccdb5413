"""Hostile CSV files: non-finite numbers are found when the file is read (column and rows named)
and dropped only with ``dropna``; identifier columns are not one-hot encoded into thousands of
inputs; special files are refused; reading memory stays a few times the file's size."""
import os
import threading
import tracemalloc

import numpy as np
import pytest

from ember.datasets import DataError, TabularEncoding, load_csv

NONFINITE = [
    # (cell in column b, words expected in the message)
    ("inf", "'inf'"), ("-inf", "'-inf'"), ("Infinity", "'Infinity'"), ("+inf", "'+inf'"),
    ("1e999", "'1e999'"), ("-1e400", "'-1e400'"), ("3.5e38", "'3.5e38'"), ("-nan", "'-nan'"),
]


def _write(tmp_path, text, name="d.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("cell, shown", NONFINITE)
@pytest.mark.parametrize("column", ["feature", "target"])
def test_nonfinite_numbers_are_named_with_column_and_row(cell, shown, column, tmp_path):
    rows = [["1", "2", "0"], ["2", "3", "1"], ["3", "4", "0"], ["4", "5", "1"]]
    rows[2][1 if column == "feature" else 2] = cell
    text = "a,b,y\n" + "".join(",".join(r) + "\n" for r in rows)
    path = _write(tmp_path, text)
    name = "'b'" if column == "feature" else "'y'"
    with pytest.raises(DataError) as raised:
        load_csv(path)
    message = str(raised.value)
    assert f"column {name} in 1 row (row 3), e.g. {shown}" in message and "not finite" in message
    assert "--dropna" in message
    kept = load_csv(path, dropna=True)
    assert len(kept.y) == 3 and np.isfinite(kept.X).all()
    assert "1 rows with missing values dropped" in kept.description


def test_the_largest_float32_is_accepted(tmp_path):
    path = _write(tmp_path, "a,y\n3.4e38,0\n-3.4e38,1\n0,0\n1,1\n")
    data = load_csv(path)
    assert np.isfinite(data.X).all() and data.X.dtype == np.float32


def test_a_regression_target_with_inf_is_found_at_read_time(tmp_path):
    path = _write(tmp_path, "a,y\n1,0.5\n2,inf\n3,2.5\n4,3.5\n")
    with pytest.raises(DataError, match=r"column 'y' in 1 row \(row 2\), e\.g\. 'inf'"):
        load_csv(path, task="regression")


def test_text_columns_may_hold_the_word_inf(tmp_path):
    path = _write(tmp_path, "word,y\ninf,0\nfinite,1\ninf,1\nsmall,0\n")
    data = load_csv(path)
    assert data.encoding.categories == {"word": ["finite", "inf", "small"]}


@pytest.mark.parametrize("dropna", [False, True])
def test_new_rows_with_nonfinite_values_are_refused_or_dropped(dropna, tmp_path):
    enc = load_csv(_write(tmp_path, "a,b,y\n1,2,0\n2,3,1\n3,4,0\n")).encoding
    new = _write(tmp_path, "a,b\n1,inf\n2,2\n", "new.csv")
    if dropna:
        np.testing.assert_array_equal(enc.transform(new, dropna=True), [[2, 2]])
    else:
        with pytest.raises(DataError, match=r"column 'b' in 1 row \(row 1\), e\.g\. 'inf'"):
            enc.transform(new)


def test_an_identifier_column_is_not_one_hot_encoded(tmp_path):
    text = "id,x,y\n" + "".join(f"id{i},{i % 7},{i % 2}\n" for i in range(3000))
    path = _write(tmp_path, text)
    with pytest.raises(DataError, match=r"column 'id' of .* has 3000 distinct text values; one-hot "
                                        r"encoding more than max_categories=1000 is refused"):
        load_csv(path)
    assert load_csv(path, max_categories=5000).X.shape == (3000, 3001)
    assert load_csv(path, features=["x"]).X.shape == (3000, 1)


@pytest.mark.parametrize("value", [0, -1, 1.5, True, "10"])
def test_max_categories_is_validated(value, tmp_path):
    with pytest.raises(ValueError, match="max_categories must be a positive integer"):
        load_csv(_write(tmp_path, "a,y\n1,0\n2,1\n"), max_categories=value)


def test_an_encoding_too_large_for_memory_is_refused_before_allocating(tmp_path, monkeypatch):
    from ember.datasets import encoding
    monkeypatch.setattr(encoding, "memory_budget", lambda: 1000)
    enc = TabularEncoding(features=["a", "c"], categories={"c": [str(i) for i in range(100)]},
                          target="y", task="binary", classes=[0, 1])
    with pytest.raises(DataError, match=r"5 rows x 101 float32 inputs"):
        enc.transform({"a": ["1"] * 5, "c": ["1"] * 5})


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
@pytest.mark.parametrize("path", ["/dev/zero", "/dev/null"])
def test_devices_are_refused(path):
    with pytest.raises(DataError, match="character device, not a CSV file"):
        load_csv(path, target="y")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_refused_without_waiting(tmp_path):
    fifo = tmp_path / "data.csv"
    os.mkfifo(fifo)
    errors = []
    thread = threading.Thread(target=lambda: errors.append(_error(fifo)), daemon=True)
    thread.start()
    thread.join(10)
    if thread.is_alive():
        with open(fifo, "w"):
            pass
        pytest.fail("load_csv blocked on a FIFO")
    assert "FIFO" in errors[0]


def _error(path):
    try:
        load_csv(path, target="y")
    except DataError as exc:
        return str(exc)
    return ""


def test_an_unreadable_file_is_a_data_error(tmp_path, monkeypatch):
    from ember.datasets import _table
    path = _write(tmp_path, "a,y\n1,0\n")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(_table, "open_regular", denied)
    with pytest.raises(DataError, match="permission denied; check the file's permissions"):
        load_csv(path)


@pytest.mark.parametrize("shape", ["digits", "floats", "words"])
def test_reading_memory_is_a_few_file_sizes(shape, tmp_path):
    rng = np.random.default_rng(0)
    n = 20000
    if shape == "digits":
        body = "".join(f"{a},{b},{c},{a % 2}\n" for a, b, c in rng.integers(0, 10, (n, 3)))
    elif shape == "floats":
        body = "".join(f"{a:.6f},{b:.6f},{c:.6f},{int(a > 0)}\n" for a, b, c in rng.normal(size=(n, 3)))
    else:
        words = np.array(["red", "green", "blue", "amber"])
        body = "".join(f"{a},{b},{c},{a}\n" for a, b, c in words[rng.integers(0, 4, (n, 3))])
    path = _write(tmp_path, "a,b,c,y\n" + body)
    size = path.stat().st_size
    load_csv(path)  # first use imports modules: not the reader's memory
    tracemalloc.start()
    try:
        load_csv(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 14 * size, (peak / size)


def test_dropna_repeats_when_dropping_makes_a_column_numeric(tmp_path):
    """Found by the fuzz suite: the target's only word sat in a row dropped for another column's
    inf, which left the target numeric with an inf of its own."""
    path = _write(tmp_path, "a,b,y\n0,0,0\n0,0,inf\n0,inf,red\n1,1,1\n")
    data = load_csv(path, dropna=True)
    np.testing.assert_array_equal(data.X, [[0, 0], [1, 1]])
    assert data.y.tolist() == [0, 1] and "2 rows with missing values dropped" in data.description
