"""Bundled data sets equal scikit-learn's copies; formats, dtypes and options."""
import json
import sys
from pathlib import Path

import numpy as np
import pytest

import ember
from ember import datasets

LOADERS = ["iris", "wine", "breast_cancer", "digits", "diabetes"]
DATA_DIR = Path(datasets.__file__).parent / "data"


def _sklearn(name, **kw):
    sk = pytest.importorskip("sklearn.datasets")
    return getattr(sk, f"load_{name}")(**kw)


@pytest.mark.parametrize("name", LOADERS)
def test_arrays_equal_scikit_learn(name):
    ours = getattr(datasets, f"load_{name}")()
    theirs = _sklearn(name)
    assert ours.X.shape == theirs.data.shape
    assert ours.X.dtype == np.float32
    np.testing.assert_allclose(ours.X, theirs.data.astype(np.float32), rtol=1e-6, atol=1e-7)
    assert list(ours.feature_names) == [str(f) for f in theirs.feature_names]
    if name == "diabetes":
        assert ours.y.dtype == np.float32 and ours.task == "regression" and ours.target_names is None
        np.testing.assert_array_equal(ours.y, theirs.target.astype(np.float32))
    else:
        assert ours.y.dtype == np.int64
        np.testing.assert_array_equal(ours.y, theirs.target)
        np.testing.assert_array_equal(np.bincount(ours.y), np.bincount(theirs.target))
        assert ours.target_names == [str(t) for t in theirs.target_names]


@pytest.mark.parametrize("name, shape, counts", [
    ("iris", (150, 4), [50, 50, 50]), ("wine", (178, 13), [59, 71, 48]),
    ("breast_cancer", (569, 30), [212, 357]),
    ("digits", (1797, 64), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])])
def test_shapes_and_class_counts(name, shape, counts):
    bunch = getattr(datasets, f"load_{name}")()
    assert bunch.X.shape == shape
    assert np.bincount(bunch.y).tolist() == counts
    assert bunch.task == ("binary" if len(counts) == 2 else "multiclass")


def test_diabetes_raw_equals_scikit_learn_unscaled():
    ours = datasets.load_diabetes(scaled=False)
    np.testing.assert_array_equal(ours.X, _sklearn("diabetes", scaled=False).data.astype(np.float32))


def test_digits_images_and_n_class():
    digits = datasets.load_digits(n_class=3)
    theirs = _sklearn("digits", n_class=3)
    np.testing.assert_array_equal(digits.images, theirs.images.astype(np.float32))
    assert digits.target_names == ["0", "1", "2"]
    with pytest.raises(ValueError, match="n_class=11"):
        datasets.load_digits(n_class=11)


@pytest.mark.parametrize("data_format,shape", [("channels_first", (1797, 1, 8, 8)),
                                               ("channels_last", (1797, 8, 8, 1))])
def test_digits_as_images_for_convolutions(data_format, shape):
    flat = datasets.load_digits()
    digits = datasets.load_digits(images=True, data_format=data_format)
    assert digits.X.shape == shape and digits.X.dtype == np.float32
    np.testing.assert_array_equal(digits.X.reshape(1797, 64), flat.X)   # the same pixels in order
    np.testing.assert_array_equal(digits.y, flat.y)
    X, y = datasets.load_digits(images=True, data_format=data_format, n_class=2, return_X_y=True)
    assert X.shape == (360,) + shape[1:] and set(y.tolist()) == {0, 1}
    xb, yb = datasets.load_digits(images=True, return_dataset=True)[5]
    assert xb.shape == (1, 8, 8) and int(yb) == int(flat.y[5])


@pytest.mark.parametrize("kwargs,match", [
    ({"images": True, "data_format": "NHWC"}, "data_format='NHWC'"),
    ({"images": True, "as_frame": True}, "cannot be combined with images=True"),
])
def test_digits_images_bad_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        datasets.load_digits(**kwargs)


@pytest.mark.parametrize("name", LOADERS)
def test_return_options(name):
    load = getattr(datasets, f"load_{name}")
    X, y = load(return_X_y=True)
    assert X.dtype == np.float32
    ds = load(return_dataset=True)
    assert isinstance(ds, ember.utils.data.TensorDataset) and len(ds) == len(X)
    xb, yb = ds[0]
    assert xb.dtype == ember.float32 and yb.dtype == (ember.float32 if name == "diabetes" else ember.int64)
    with pytest.raises(ValueError, match="return_dataset"):
        load(return_dataset=True, as_frame=True)


@pytest.mark.parametrize("name", LOADERS)
def test_as_frame(name):
    pytest.importorskip("pandas")
    bunch = getattr(datasets, f"load_{name}")(as_frame=True)
    assert list(bunch.X.columns) == bunch.feature_names
    assert bunch.frame.shape == (len(bunch.y), len(bunch.feature_names) + 1)
    assert str(bunch.X.dtypes.iloc[0]) == "float32"
    X, y = getattr(datasets, f"load_{name}")(as_frame=True, return_X_y=True)
    assert X.shape[0] == y.shape[0]


def test_as_frame_without_pandas_names_the_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="pip install pandas"):
        datasets.load_iris(as_frame=True)
    assert datasets.load_iris().X.shape == (150, 4)


@pytest.mark.parametrize("name", LOADERS)
def test_description_names_source_and_licence(name):
    text = getattr(datasets, f"load_{name}")().description
    assert "Source:" in text and "Licence:" in text


def test_files_are_small_pickle_free_and_documented():
    files = list(DATA_DIR.iterdir())
    assert sum(f.stat().st_size for f in files) < 1_000_000
    for f in DATA_DIR.glob("*.npz"):
        with np.load(f, allow_pickle=False) as npz:
            assert set(npz.files) == {"X", "y"}
            assert all(npz[k].dtype != object for k in npz.files)
    names = json.loads((DATA_DIR / "names.json").read_text())
    assert set(LOADERS) <= set(names)
    sources = (DATA_DIR / "SOURCES.md").read_text()
    assert all(f"{n}.npz" in sources for n in LOADERS)


def test_list_and_load_by_name():
    rows = datasets.list()
    names = [r.name for r in rows]
    assert names[:5] == LOADERS
    assert {"xor", "moons", "circles", "spirals", "blobs", "regression"} <= set(names)
    for name, task, shape in rows:
        bunch = datasets.load(name)
        assert bunch.X.shape == shape, name
        assert bunch.task == task, name
        assert bunch.X.dtype == np.float32
    with pytest.raises(ValueError, match="unknown data set 'mnist'.*iris"):
        datasets.load("mnist")


def test_bunch_sklearn_aliases_and_frame():
    iris = datasets.load_iris()
    assert iris.data is iris.X and iris.target is iris.y and iris.DESCR == iris.description
    assert "iris" in repr(iris)
    pytest.importorskip("pandas")
    frame = iris.to_frame()
    assert list(frame.columns)[-1] == "target" and len(frame) == 150
