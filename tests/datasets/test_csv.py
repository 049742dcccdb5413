"""load_csv and TabularEncoding: encoding, task detection, errors — with and without pandas."""
import json
import sys

import numpy as np
import pytest

import ember
from ember.datasets import DataError, DataFileNotFoundError, TabularEncoding, load_csv

ANIMALS = """animal_name,hair,feathers,legs,colour,type
sparrow,0,1,2,brown,bird
eagle,0,1,2,brown,bird
cat,1,0,4,black,mammal
dog,1,0,4,white,mammal
lizard,0,0,4,green,reptile
"""


@pytest.fixture(params=["pandas", "csv module"])
def backend(request, monkeypatch):
    if request.param == "pandas":
        pytest.importorskip("pandas")
    else:
        monkeypatch.setitem(sys.modules, "pandas", None)
    return request.param


def _write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_one_hot_and_classes(tmp_path, backend):
    data = load_csv(_write(tmp_path, ANIMALS), "type", features=["hair", "feathers", "legs", "colour"])
    assert data.task == "multiclass"
    assert data.target_names == ["bird", "mammal", "reptile"]
    assert data.feature_names == ["hair", "feathers", "legs", "colour=black", "colour=brown",
                                  "colour=green", "colour=white"]
    assert data.X.dtype == np.float32 and data.y.dtype == np.int64
    np.testing.assert_array_equal(data.y, [0, 0, 1, 1, 2])
    np.testing.assert_array_equal(data.X[2], [1, 0, 4, 1, 0, 0, 0])
    assert data.encoding.categories == {"colour": ["black", "brown", "green", "white"]}


def test_both_backends_agree(tmp_path, monkeypatch):
    pytest.importorskip("pandas")
    path = _write(tmp_path, ANIMALS)
    with_pandas = load_csv(path, "type")
    monkeypatch.setitem(sys.modules, "pandas", None)
    without = load_csv(path, "type")
    np.testing.assert_array_equal(with_pandas.X, without.X)
    np.testing.assert_array_equal(with_pandas.y, without.y)
    assert with_pandas.encoding == without.encoding


@pytest.mark.parametrize("values, task, classes, y_dtype", [
    (["0", "1", "1", "0"], "binary", [0, 1], np.int64),
    (["yes", "no", "no", "yes"], "binary", ["no", "yes"], np.int64),
    (["1", "2", "3", "2"], "multiclass", [1, 2, 3], np.int64),
    (["a", "b", "c", "a"], "multiclass", ["a", "b", "c"], np.int64),
    (["1.5", "2.25", "3", "0"], "regression", None, np.float32),
    ([str(v) for v in range(25)], "regression", None, np.float32),  # > max_classes integers
    (["-1", "1", "1", "-1"], "binary", [-1, 1], np.int64),
])
def test_task_detection(tmp_path, backend, values, task, classes, y_dtype):
    rows = "\n".join(f"{i},{v}" for i, v in enumerate(values))
    data = load_csv(_write(tmp_path, "x,target\n" + rows + "\n"), "target")
    assert data.task == task
    assert data.encoding.classes == classes
    assert data.y.dtype == y_dtype
    if classes is not None:
        assert [data.encoding.classes[k] for k in data.y] == [type(classes[0])(v) for v in values]


@pytest.mark.parametrize("task, expected", [("regression", "regression"), ("classification", "multiclass"),
                                            ("multiclass", "multiclass")])
def test_task_can_be_forced(tmp_path, backend, task, expected):
    data = load_csv(_write(tmp_path, "x,t\n1,1\n2,2\n3,3\n"), "t", task=task)
    assert data.task == expected


def test_encoding_round_trips_through_json_and_transforms_new_rows(tmp_path, backend):
    path = _write(tmp_path, ANIMALS)
    data = load_csv(path, "type", features=["hair", "legs", "colour"])
    state = json.loads(json.dumps(data.encoding.to_dict()))
    enc = TabularEncoding.from_dict(state)
    assert enc == data.encoding
    new_columns = {"hair": [1, 0], "legs": [4, 2], "colour": ["white", "brown"]}
    np.testing.assert_array_equal(enc.transform(new_columns), data.X[[3, 0]])
    rows = [{"hair": 0, "legs": 4, "colour": "green"}]
    np.testing.assert_array_equal(enc.transform(rows), data.X[[4]])
    assert enc.decode([2, 0]) == ["reptile", "bird"]
    assert enc.decode(np.array([[0.1, 0.7, 0.2]])) == ["mammal"]
    new = _write(tmp_path, "hair,legs,colour,type\n1,4,black,mammal\n", "new.csv")
    np.testing.assert_array_equal(TabularEncoding.from_json(enc.to_json()).transform(new), data.X[[2]])


def test_transform_with_pandas_frame(tmp_path):
    pd = pytest.importorskip("pandas")
    data = load_csv(_write(tmp_path, ANIMALS), "type", features=["hair", "legs", "colour"])
    frame = pd.DataFrame({"hair": [1], "legs": [4], "colour": ["black"]})
    np.testing.assert_array_equal(data.encoding.transform(frame), data.X[[2]])


@pytest.mark.parametrize("new, match", [
    ({"hair": [1], "legs": [4]}, r"missing \['colour'\]"),
    ({"hair": [1], "legs": [4], "colour": ["black"], "wings": [2]}, r"unexpected \['wings'\]"),
    ({"hair": [1], "legs": [4], "colour": ["purple"]}, "'colour' has categories not seen.*purple"),
    ({"hair": [1], "legs": ["four"], "colour": ["black"]}, "'legs' is numeric.*'four'"),
    ({"hair": [""], "legs": [4], "colour": ["black"]}, "missing values: column 'hair' in 1 row"),
])
def test_transform_errors_name_the_columns(tmp_path, new, match):
    data = load_csv(_write(tmp_path, ANIMALS), "type", features=["hair", "legs", "colour"])
    with pytest.raises(DataError, match=match):
        data.encoding.transform(new)


def test_unknown_category_can_be_ignored(tmp_path):
    data = load_csv(_write(tmp_path, ANIMALS), "type", features=["hair", "legs", "colour"])
    out = data.encoding.transform({"hair": [1], "legs": [4], "colour": ["purple"]}, handle_unknown="ignore")
    np.testing.assert_array_equal(out, [[1, 4, 0, 0, 0, 0]])


MISSING = "a,b,y\n1,,0\n2,x,1\n,y,0\n4,x,0\n5,NA,0\n"


def test_missing_values_name_column_and_rows(tmp_path, backend):
    with pytest.raises(DataError, match=r"column 'a' in 1 row \(row 3\); column 'b' in 2 rows \(rows 1, 5\)"
                                        r".*dropna=True"):
        load_csv(_write(tmp_path, MISSING), "y")


def test_dropna_drops_rows(tmp_path, backend):
    data = load_csv(_write(tmp_path, MISSING), "y", dropna=True)
    assert data.X.shape == (2, 2)  # a, then b one-hot with the single category 'x'
    np.testing.assert_array_equal(data.X[:, 0], [2, 4])
    assert "2 rows" in data.description and "3 rows with missing values dropped" in data.description


@pytest.mark.parametrize("text, target, kwargs, match", [
    (None, "y", {}, "file not found"),
    ("", "y", {}, "empty file"),
    ("a,b,y\n", "y", {}, "header.*but no data rows"),
    ("a,b\n1,2\n", "price", {}, "target column 'price' not found.*the columns are: a, b"),
    ("a,b\n1,2\n", "b", {"features": ["a", "c"]}, r"\['c'\] not found"),
    ("a,y\n1,1\n2,1\n", "y", {}, r"single class \(1\)"),
    ("a,y\n1,cat\n2,cat\n", "y", {}, r"single class \('cat'\)"),
    ("a,y\n1,0\n2,1\nthree,0\n4,1\n", "y", {}, "'a' is numeric but has non-numeric values in 1 row.*'three'"),
    ("a,y\n1,1.5\n2,x\n3,2.5\n4,3.5\n", "y", {}, "target column 'y' is numeric.*'x'"),
    ("a,y\n1,a\n2,b\n", "y", {"task": "regression"}, "must be numeric for regression"),
    ("a,y\n1,a\n2,b\n3,c\n", "y", {"task": "binary"}, "3 classes"),
    ("a,y\n1,2\n", "y", {"features": ["y"]}, "cannot also be a feature"),
])
def test_bad_files_raise_data_error(tmp_path, backend, text, target, kwargs, match):
    path = tmp_path / "missing.csv" if text is None else _write(tmp_path, text)
    with pytest.raises(DataError, match=match):
        load_csv(path, target, **kwargs)


def test_binary_file_is_a_data_error(tmp_path, backend):
    path = tmp_path / "image.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00\x01" * 10)
    with pytest.raises(DataError, match="UTF-8"):
        load_csv(path, "y")


def test_single_names_may_be_strings(tmp_path, backend):
    data = load_csv(_write(tmp_path, "zip,size,y\n1,2,a\n3,4,b\n"), "y", features="zip", categorical="zip")
    assert data.feature_names == ["zip=1", "zip=3"]


def test_missing_file_is_also_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="file not found: .*nope.csv"):
        load_csv(tmp_path / "nope.csv", "y")
    assert issubclass(DataFileNotFoundError, DataError) and issubclass(DataError, ValueError)


def test_categorical_override_and_return_dataset(tmp_path, backend):
    path = _write(tmp_path, "zip,size,price\n75001,3,1.5\n69002,2,2.5\n75001,1,3.0\n")
    data = load_csv(path, "price", categorical=["zip"])
    assert data.task == "regression"
    assert data.feature_names == ["zip=69002", "zip=75001", "size"]
    ds = load_csv(path, "price", return_dataset=True)
    xb, yb = ds[0]
    assert xb.dtype == ember.float32 and yb.dtype == ember.float32


def test_delimiter_and_whitespace(tmp_path, backend):
    data = load_csv(_write(tmp_path, "a; kind\n 1 ; x\n2;y \n"), "kind", delimiter=";")
    np.testing.assert_array_equal(data.X[:, 0], [1, 2])
    assert data.target_names == ["x", "y"]


def test_invalid_task_argument(tmp_path):
    with pytest.raises(ValueError, match="task='clustering'"):
        load_csv(_write(tmp_path, "a,y\n1,0\n"), "y", task="clustering")


def test_target_defaults_to_the_last_column(tmp_path, backend):
    data = load_csv(_write(tmp_path, ANIMALS))
    assert data.encoding.target == "type" and data.target_names == ["bird", "mammal", "reptile"]
    assert "type" not in data.encoding.features


@pytest.mark.parametrize("text", ["a,b,y\n1,2,x\n3,4\n", "a,b,y\n1,2,x\n3,4,5,y\n"])
def test_ragged_rows_are_reported_not_padded(tmp_path, backend, text):
    with pytest.raises(DataError, match="line 3 has [24] fields, the header has 3"):
        load_csv(_write(tmp_path, text), "y")


@pytest.mark.parametrize("text, expected_X, expected_y", [
    ("hair,legs,colour,type\n1,4,black,mammal\n0,2,brown,bird\n", [[1, 4, 1, 0, 0, 0], [0, 2, 0, 1, 0, 0]], [1, 0]),
    ("hair,legs,colour\n1,4,black\n", [[1, 4, 1, 0, 0, 0]], None),  # no target column: y is None
    ("hair,legs,colour,type\n1,4,black,mammal\n,2,brown,bird\n0,4,white,\n", [[1, 4, 1, 0, 0, 0]], [1]),
])
def test_transform_with_target_keeps_rows_aligned(tmp_path, text, expected_X, expected_y):
    enc = load_csv(_write(tmp_path, ANIMALS), "type", features=["hair", "legs", "colour"]).encoding
    X, y = enc.transform_with_target(_write(tmp_path, text, "new.csv"), dropna=True)
    np.testing.assert_array_equal(X, expected_X)
    assert X.dtype == np.float32
    if expected_y is None:
        assert y is None
    else:
        np.testing.assert_array_equal(y, expected_y)
        assert y.dtype == np.int64


def test_transform_errors_name_the_file_and_dropna_is_offered(tmp_path):
    enc = load_csv(_write(tmp_path, ANIMALS), "type", features=["hair", "legs", "colour"]).encoding
    wrong = _write(tmp_path, "hair,wings\n1,2\n", "wrong.csv")
    with pytest.raises(DataError, match=r"columns of '.*wrong.csv' differ .*missing \['legs', 'colour'\], "
                                        r"unexpected \['wings'\]"):
        enc.transform(wrong)
    holes = _write(tmp_path, "hair,legs,colour\n1,,black\n0,2,brown\n", "holes.csv")
    with pytest.raises(DataError, match=r"'.*holes.csv' has missing values: column 'legs' in 1 row.*dropna=True"):
        enc.transform(holes)
    np.testing.assert_array_equal(enc.transform(holes, dropna=True), [[0, 2, 0, 1, 0, 0]])
