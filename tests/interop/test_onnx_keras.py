"""ONNX export of ember.keras models (``model.export(path, format="onnx")``), run in onnxruntime.

Every Keras layer class with a converter appears in a model below; outputs equal ember's within
1e-5 at two batch sizes (the batch axis is dynamic).
"""
import numpy as np
import pytest

import ember
from ember import keras

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from ember.keras import _onnx_export  # noqa: E402

L = keras.layers


def floats(*shape):
    return lambda rng, batch: rng.standard_normal((batch,) + shape).astype(np.float32)


def _activations():
    names = [n for n in _onnx_export.ACTIVATIONS if n != "linear"]
    return keras.Sequential([keras.Input((6,))] + [L.Dense(6, activation=n) for n in names]
                            + [L.Dense(3)])


def _functional():
    inputs = keras.Input((6,))
    a, b = L.Dense(4, activation="relu")(inputs), L.Dense(4)(inputs)
    merged = [L.Add()([a, b]), L.Subtract()([a, b]), L.Multiply()([a, b]), L.Average()([a, b]),
              L.Maximum()([a, b]), L.Minimum()([a, b])]
    return keras.Model(inputs, L.Dense(2)(L.Concatenate()(merged)))


MODELS = {
    "dense": (lambda: keras.Sequential([
        keras.Input((6,)), L.Dense(16, activation="relu"), L.BatchNormalization(), L.Dropout(0.3),
        L.GaussianNoise(0.1), L.GaussianDropout(0.1), L.AlphaDropout(0.1),
        L.ActivityRegularization(0.01), L.Dense(8, use_bias=False), L.ReLU(max_value=2.0, threshold=0.1,
                                                                            negative_slope=0.1),
        L.LeakyReLU(0.2), L.ELU(0.5), L.PReLU(), L.LayerNormalization(), L.Activation("tanh"),
        L.Reshape((2, 4)), L.Softmax(), L.Flatten(), L.Dense(3, activation="softmax")]), floats(6)),
    "activations": (_activations, floats(6)),
    "conv2d": (lambda: keras.Sequential([
        keras.Input((9, 9, 2)), L.Conv2D(4, 3, padding="same", strides=2, activation="relu"),
        L.BatchNormalization(), L.MaxPooling2D(2, padding="same"),
        L.Conv2D(4, 2, dilation_rate=1, groups=2), L.AveragePooling2D(2, strides=1, padding="same"),
        L.GlobalMaxPooling2D(keepdims=True), L.Flatten(), L.Dense(2)]), floats(9, 9, 2)),
    "conv1d": (lambda: keras.Sequential([
        keras.Input((12, 3)), L.Conv1D(4, 3, padding="causal", dilation_rate=2),
        L.MaxPooling1D(2), L.AveragePooling1D(2, padding="same"), L.Conv1D(2, 2, padding="same"),
        L.GlobalAveragePooling1D()]), floats(12, 3)),
    "pooled2d": (lambda: keras.Sequential([
        keras.Input((6, 6, 3)), L.GlobalAveragePooling2D()]), floats(6, 6, 3)),
    "pooled1d": (lambda: keras.Sequential([keras.Input((6, 3)), L.GlobalMaxPooling1D()]), floats(6, 3)),
    "recurrent": (lambda: keras.Sequential([
        keras.Input((7,), dtype="int64"), L.Embedding(10, 4), L.LSTM(5, return_sequences=True),
        L.GRU(4, return_sequences=True), L.SimpleRNN(3), L.Dense(2)]),
        lambda rng, batch: rng.integers(0, 10, (batch, 7)).astype(np.int64)),
    "functional": (_functional, floats(6)),
}


def _randomize(model, rng):
    values = []
    for w in model.get_weights():
        noise = rng.standard_normal(w.shape).astype(np.float32) * 0.5
        values.append(np.abs(noise) + 0.5 if w.ndim == 1 and np.all(w == 1) else noise)
    model.set_weights(values)


@pytest.mark.parametrize("case", MODELS)
def test_keras_model_export_matches_in_onnxruntime(case, tmp_path, capsys):
    build, make_input = MODELS[case]
    ember.manual_seed(0)
    rng = np.random.default_rng(0)
    model = build()
    _randomize(model, rng)
    path = tmp_path / "model.onnx"
    model.export(str(path), format="onnx")
    assert "Saved artifact" in capsys.readouterr().out
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    for batch in (1, 4):
        x = make_input(rng, batch)
        got = session.run(None, {name: x})[0]
        expected = model.predict(x, verbose=0)
        assert got.dtype == np.float32 and got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_every_converter_is_exercised():
    used = set()
    for build, _ in MODELS.values():
        used |= {type(m) for m in build().modules()}
    missing = [c.__name__ for c in _onnx_export.CONVERTERS if c not in used and c is not L.InputLayer]
    assert not missing, f"Keras converters without an export test: {missing}"


@pytest.mark.parametrize("model, message", [
    (lambda: keras.Sequential([keras.Input((4,)), L.UnitNormalization()]), "UnitNormalization"),
    (lambda: keras.Sequential([keras.Input((4,)), L.Dense(2, activation=lambda x: x * 2)]),
     "Dense 'dense.*activation"),
    (lambda: keras.Sequential([keras.Input((3, 4)), L.LSTM(2, go_backwards=True)]), "go_backwards"),
])
def test_unsupported_keras_layers_raise_naming_them(model, message, tmp_path):
    with pytest.raises(ember.onnx.ExportError, match=message):
        model().export(str(tmp_path / "m.onnx"), format="onnx", verbose=False)
    assert not list(tmp_path.iterdir())


def test_export_formats_and_shapes_are_checked(tmp_path):
    model = keras.Sequential([keras.Input((4,)), L.Dense(2)])
    with pytest.raises(ValueError, match="format='onnx' only"):
        model.export(str(tmp_path / "m"), format="tf_saved_model")
    unbuilt = keras.Sequential([L.Dense(2)])
    with pytest.raises(ValueError, match="needs the input shape"):
        unbuilt.export(str(tmp_path / "m.onnx"), format="onnx")
