"""Weights shared with Keras 3 through ``.weights.h5`` files, both ways (issue 18, part 3).

Each model is built twice from the same code, on Keras 3 (torch backend) and on ember.keras
(only the namespace differs). Keras's ``save_weights`` file loads with ember's ``load_weights``
and the reverse, and both predict the same. Files for another architecture or with missing
groups raise one error naming the layer and change nothing.
"""
import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
h5py = pytest.importorskip("h5py")
from ember import keras as ek  # noqa: E402

if keras.backend.backend() != "torch":  # pragma: no cover - depends on the environment
    pytest.skip("Keras is not on the torch backend", allow_module_level=True)


def dense(k):
    return k.Sequential([k.Input((4,)), k.layers.Dense(8, activation="relu"),
                         k.layers.BatchNormalization(), k.layers.Dropout(0.2),
                         k.layers.Dense(8, activation="tanh"), k.layers.Dense(3, activation="softmax")])


def conv(k):
    return k.Sequential([k.Input((8, 8, 2)), k.layers.Conv2D(4, 3, padding="same", activation="relu"),
                         k.layers.MaxPooling2D(), k.layers.Conv2D(3, 3), k.layers.BatchNormalization(),
                         k.layers.Flatten(), k.layers.Dense(2)])


def recurrent(k):
    return k.Sequential([k.Input((6,), dtype="int32"), k.layers.Embedding(10, 4),
                         k.layers.LSTM(5, return_sequences=True), k.layers.GRU(3),
                         k.layers.Dense(2)])


def functional(k):
    inputs = k.Input((5,))
    a = k.layers.Dense(4, activation="relu")(inputs)
    b = k.layers.Dense(4)(inputs)
    outputs = k.layers.Dense(1)(k.layers.Concatenate()([a, b]))
    return k.Model(inputs, outputs)


def subclassed(k):
    class TwoDense(k.Model):
        def __init__(self):
            super().__init__()
            self.zeta = k.layers.Dense(5)  # attribute order differs from the sorted file order
            self.alpha = k.layers.Dense(2)

        def call(self, x):
            return self.alpha(self.zeta(x))
    model = TwoDense()
    model(np.zeros((1, 3), np.float32))
    return model


CASES = {
    "dense": (dense, lambda rng: rng.standard_normal((5, 4)).astype(np.float32)),
    "conv": (conv, lambda rng: rng.standard_normal((5, 8, 8, 2)).astype(np.float32)),
    "recurrent": (recurrent, lambda rng: rng.integers(0, 10, (5, 6)).astype(np.int32)),
    "functional": (functional, lambda rng: rng.standard_normal((5, 5)).astype(np.float32)),
    "subclassed": (subclassed, lambda rng: rng.standard_normal((5, 3)).astype(np.float32)),
}


def _randomize(model, rng):
    """Weights away from their initial values (variances positive) so the check can fail."""
    values = []
    for w in model.get_weights():
        noise = rng.standard_normal(w.shape).astype(np.float32) * 0.3
        values.append(np.abs(noise) + 0.5 if w.ndim == 1 and np.all(w == 1) else noise)
    model.set_weights(values)


@pytest.mark.parametrize("case", CASES)
def test_keras_file_loads_into_ember(case, tmp_path):
    build, make_input = CASES[case]
    rng = np.random.default_rng(0)
    reference = build(keras)
    _randomize(reference, rng)
    reference.save_weights(str(tmp_path / "keras.weights.h5"))
    model = build(ek)
    model.load_weights(str(tmp_path / "keras.weights.h5"))
    x = make_input(rng)
    got = model.predict(x, verbose=0)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, reference.predict(x, verbose=0), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", CASES)
def test_ember_file_loads_into_keras(case, tmp_path):
    build, make_input = CASES[case]
    rng = np.random.default_rng(1)
    model = build(ek)
    _randomize(model, rng)
    model.save_weights(str(tmp_path / "ember.weights.h5"))
    assert [p.name for p in tmp_path.iterdir()] == ["ember.weights.h5"]  # no temporary left
    reference = build(keras)
    reference.load_weights(str(tmp_path / "ember.weights.h5"))
    x = make_input(rng)
    np.testing.assert_allclose(model.predict(x, verbose=0), reference.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-5)


def _drop_group(path):
    with h5py.File(path, "a") as f:
        del f["layers/batch_normalization"]


@pytest.mark.parametrize("build_file, mutate, message", [
    (conv, None, r"dense_\d+/kernel has shape \(12, 2\) in the file \(group 'layers/dense/vars'\)"),
    (dense, _drop_group, r"no group 'layers/batch_normalization/vars'"),
    (lambda k: k.Sequential([k.Input((4,)), k.layers.Dense(8, activation="relu"),
                             k.layers.BatchNormalization(), k.layers.Dense(8),
                             k.layers.Dense(3), k.layers.Dense(3)]), None,
     r"holds weights for \['layers/dense_3/vars'\]"),
    (lambda k: k.Sequential([k.Input((4,)), k.layers.Dense(9, activation="relu"),
                             k.layers.BatchNormalization(), k.layers.Dense(8),
                             k.layers.Dense(3)]), None,
     r"has shape \(4, 9\) in the file .*but \(4, 8\) in the model"),
])
def test_mismatched_files_raise_one_clear_error_and_load_nothing(build_file, mutate, message, tmp_path):
    path = str(tmp_path / "other.weights.h5")
    build_file(keras).save_weights(path)
    if mutate is not None:
        mutate(path)
    model = dense(ek)
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(ValueError, match=message):
        model.load_weights(path)
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, new)


def test_ember_format_still_loads_from_other_suffixes(tmp_path):
    a, b = dense(ek), dense(ek)
    _randomize(a, np.random.default_rng(2))
    a.save_weights(tmp_path / "w.safetensors")
    b.load_weights(tmp_path / "w.safetensors")
    for x, y in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(x, y)
