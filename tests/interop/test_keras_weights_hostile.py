"""Hostile ``.weights.h5`` files (issue 18): ``load_weights`` checks every dataset's shape,
dtype and link kind against the model BEFORE reading any data, so a file declaring a huge
dataset, the wrong dtype, a link elsewhere or missing groups fails with one clear error,
allocates nothing large (tracemalloc) and changes no weight."""
import tracemalloc

import numpy as np
import pytest

h5py = pytest.importorskip("h5py")
from ember import keras  # noqa: E402

KERNEL = "layers/dense/vars/0"


def _model():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.Dense(2)])
    return model


def _file(tmp_path, edit):
    """A valid file for ``_model()`` with ``edit(h5file)`` applied."""
    path = tmp_path / "hostile.weights.h5"
    _model().save_weights(str(path))
    with h5py.File(path, "a") as f:
        edit(f)
    return path


def _replace(name, **dataset):
    def edit(f):
        del f[name]
        f.create_dataset(name, **dataset)
    return edit


def _link(f):
    del f[KERNEL]
    f[KERNEL] = h5py.SoftLink("/layers/dense_1/vars/0")


def _external(f):
    del f[KERNEL]
    f[KERNEL] = h5py.ExternalLink("/etc/passwd", "/data")


def _drop_group(f):
    del f["layers/dense_1"]


def _many_groups(f):
    for i in range(12_000):
        f.create_group(f"junk/g{i}")


HOSTILE = {
    # a chunked, compressed dataset declaring 8 GiB (the file itself stays small)
    "huge": (_replace(KERNEL, shape=(1 << 20, 1 << 10), dtype="f8", chunks=(64, 64),
                      compression="gzip"),
             r"variable dense(_\d+)?/kernel has shape \(1048576, 1024\) in the file .* but \(4, 3\)"),
    "huge_right_rank": (_replace(KERNEL, shape=(1 << 16, 1 << 14), dtype="f4", chunks=(64, 64),
                                 compression="gzip"), r"shape \(65536, 16384\)"),
    "string_dtype": (_replace(KERNEL, data=np.full((4, 3), "x" * 50, dtype="S50")),
                     r"dense(_\d+)?/kernel is stored as \|S50 .* expected a numeric dtype"),
    "complex_dtype": (_replace(KERNEL, data=np.zeros((4, 3), np.complex128)), "complex128"),
    "group_for_dataset": (lambda f: (f.__delitem__(KERNEL), f.create_group(KERNEL)),
                          "is a Group, expected a dataset"),
    "soft_link": (_link, "is a SoftLink .* not followed"),
    "external_link": (_external, "is a ExternalLink .* not followed"),
    "missing_group": (_drop_group, "has no group 'layers/dense_1/vars' for layer 'dense"),
    "missing_variable": (lambda f: f.__delitem__("layers/dense_1/vars/1"),
                         r"expects 2 variables, the file holds 1"),
    "many_groups": (_many_groups, "holds more than .* objects"),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_weights_file_is_refused_before_reading_data(case, tmp_path):
    edit, message = HOSTILE[case]
    path = _file(tmp_path, edit)
    model = _model()
    before = [w.copy() for w in model.get_weights()]
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=message):
            model.load_weights(str(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 << 20, peak  # far below the declared sizes (gigabytes)
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)


def test_other_numeric_dtypes_load_into_the_variables_own_dtype(tmp_path):
    """Keras files hold float32, but an integer or float64 dataset of the right shape is read
    (converted) straight into the float32 variable."""
    values = np.arange(12).reshape(4, 3)
    path = _file(tmp_path, _replace(KERNEL, data=values.astype(np.int16)))
    model = _model()
    model.load_weights(str(path))
    kernel = model.layers[0].kernel
    assert np.asarray(kernel._data).dtype == np.float32
    np.testing.assert_array_equal(np.asarray(kernel._data), values.astype(np.float32))


def test_reading_allocates_about_the_models_size(tmp_path):
    big = keras.Sequential([keras.Input((512,)), keras.layers.Dense(1024)])
    path = tmp_path / "big.weights.h5"
    big.save_weights(str(path))
    model = keras.Sequential([keras.Input((512,)), keras.layers.Dense(1024)])
    size = 512 * 1024 * 4
    tracemalloc.start()
    try:
        model.load_weights(str(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    np.testing.assert_array_equal(model.get_weights()[0], big.get_weights()[0])
    assert peak < 1.5 * size, (peak, size)
