"""save → load_model → predict is identical; training resumes from the saved optimizer state."""
import json
import os

import numpy as np
import pytest

import ember
from ember import keras


def _data(n=40):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    y = (x[:, 0] - x[:, 2] > 0).astype(np.float32)
    return x, y


def _model(optimizer="adam"):
    model = keras.Sequential([
        keras.Input(shape=(4,)),
        keras.layers.Dense(6, activation="relu", kernel_regularizer=keras.regularizers.l2(0.01)),
        keras.layers.BatchNormalization(),
        keras.layers.Dropout(0.2),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"])
    return model


OPTIMIZERS = ["adam", "sgd", "rmsprop", "adagrad", "adadelta", "adamax", "nadam", "adamw",
              keras.optimizers.SGD(0.05, momentum=0.9, nesterov=True),
              keras.optimizers.Adam(keras.optimizers.schedules.ExponentialDecay(0.01, 5, 0.9),
                                    clipnorm=1.0)]


@pytest.mark.parametrize("optimizer", OPTIMIZERS, ids=lambda o: o if isinstance(o, str) else repr(o))
def test_save_load_predict_and_resume(tmp_path, optimizer):
    ember.manual_seed(0)
    x, y = _data()
    model = _model(optimizer)
    model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    assert {w.dtype for w in model.get_weights()} == {np.dtype(np.float32)}
    state = model.optimizer.state_arrays()
    assert {a.dtype for k, a in state.items() if "/" in k} <= {np.dtype(np.float32)}
    path = tmp_path / "model.keras"
    model.save(path)
    assert os.listdir(tmp_path) == ["model.keras"]  # the temporary file was renamed away
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert type(loaded.optimizer) is type(model.optimizer)
    assert loaded.optimizer.iterations == model.optimizer.iterations == 10
    # continuing: identical histories, which a fresh optimizer state would not give
    ember.manual_seed(1)
    h1 = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history
    ember.manual_seed(1)
    h2 = loaded.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history
    assert h1 == h2
    fresh = keras.models.load_model(path, compile=False)
    fresh.compile(optimizer=optimizer if isinstance(optimizer, str) else
                  type(optimizer).from_config(optimizer.get_config()),
                  loss="binary_crossentropy", metrics=["accuracy"])
    ember.manual_seed(1)
    h3 = fresh.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history
    if optimizer != "sgd":  # plain SGD keeps no state: a fresh one gives the same steps
        assert h3["loss"] != h1["loss"]


def test_file_is_one_ember_io_file(tmp_path):
    from safetensors import safe_open
    x, y = _data()
    model = _model()
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    with safe_open(str(tmp_path / "m.keras"), framework="np") as f:
        meta = f.metadata()
    assert meta["format"] == ember.io.FORMAT and len(meta["checksum"]) == 64
    state = ember.io.load(tmp_path / "m.keras")
    assert state["format"] == "ember.keras/2"
    assert [l["class_name"] for l in state["model"]["config"]["layers"]] == \
        ["InputLayer", "Dense", "BatchNormalization", "Dropout", "Dense"]
    assert state["compile_config"]["loss"] == {"name": "binary_crossentropy"}
    assert [w.shape for w in state["weights"]] == [w.shape for w in model.get_weights()]
    assert int(state["optimizer"]["iterations"][0]) == 2
    with open(tmp_path / "m.keras", "rb") as fh:
        assert b"pickle" not in fh.read()[:200]


def test_a_failed_write_leaves_the_old_file(tmp_path, monkeypatch):
    x, y = _data()
    model = _model()
    model.fit(x, y, epochs=1, verbose=0)
    path = tmp_path / "m.keras"
    model.save(path)
    before = path.read_bytes()

    def broken(handle_path, data):
        raise OSError("disk full")
    monkeypatch.setattr(ember.io.serialize, "atomic_write_bytes", broken)
    model.fit(x, y, epochs=1, verbose=0)
    with pytest.raises(OSError, match="disk full"):
        model.save(path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["m.keras"]


@pytest.mark.parametrize("damage", ["truncate", "garbage", "flip", "not_keras", "missing"])
def test_damaged_file_raises_clear_error(tmp_path, damage):
    path = tmp_path / "m.keras"
    x, y = _data()
    model = _model()
    model.fit(x, y, epochs=1, verbose=0)
    model.save(path)
    data = path.read_bytes()
    err, match = ember.io.CorruptFileError, "m.keras"
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        path.write_bytes(b"not a model at all")
    elif damage == "flip":  # one weight byte changed: the checksum catches it
        path.write_bytes(data[:-3] + bytes([data[-3] ^ 0xFF]) + data[-2:])
        match = "checksum"
    elif damage == "not_keras":
        ember.save(model.state_dict(), path)
        err, match = ValueError, r"not an ember.keras file \(format=None"
    else:
        path, err, match = tmp_path / "nope.keras", FileNotFoundError, "nope.keras"
    with pytest.raises(err, match=match):
        keras.models.load_model(path)


def test_save_weights_load_weights_roundtrip(tmp_path):
    x, y = _data()
    a, b = _model(), _model()
    a.fit(x, y, epochs=1, verbose=0)
    a.save_weights(tmp_path / "w.safetensors")
    b.load_weights(tmp_path / "w.safetensors")
    np.testing.assert_array_equal(a.predict(x, verbose=0), b.predict(x, verbose=0))


def test_model_checkpoint_save_best_only(tmp_path):
    x, y = _data()
    model = _model()
    path = str(tmp_path / "best.keras")
    ckpt = keras.callbacks.ModelCheckpoint(path, monitor="val_loss", save_best_only=True)
    hist = model.fit(x, y, epochs=4, validation_split=0.25, callbacks=[ckpt], verbose=0).history
    best = keras.models.load_model(path)
    val_loss = best.evaluate(x[30:], y[30:], verbose=0)[0]
    assert val_loss == pytest.approx(min(hist["val_loss"]), rel=1e-5)


def test_every_layer_type_roundtrips(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(12, 2, 3)).astype(np.float32)
    norm = keras.layers.Normalization()
    norm.adapt(x.reshape(12, 6))
    model = keras.Sequential([
        keras.Input(shape=(2, 3)),
        keras.layers.Flatten(),
        norm,
        keras.layers.Dense(8, activation="gelu", kernel_initializer="he_normal",
                           bias_initializer=keras.initializers.Constant(0.1),
                           activity_regularizer=keras.regularizers.l1(0.001)),
        keras.layers.LayerNormalization(),
        keras.layers.LeakyReLU(negative_slope=0.1),
        keras.layers.Reshape((2, 4)),
        keras.layers.PReLU(shared_axes=[1]),
        keras.layers.Reshape((8,)),
        keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-4),
        keras.layers.ReLU(max_value=3.0),
        keras.layers.Dropout(0.3, seed=1),
        keras.layers.Dense(4, use_bias=False),
        keras.layers.ELU(alpha=0.5),
        keras.layers.Activation("selu"),
        keras.layers.Dense(3),
        keras.layers.Softmax(),
    ])
    model.compile(optimizer=keras.optimizers.Nadam(0.01), loss="categorical_crossentropy",
                  metrics=["accuracy", keras.metrics.AUC(), keras.metrics.F1Score(average="macro")])
    y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 12)]
    model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    model.save(tmp_path / "all.keras")
    loaded = keras.models.load_model(tmp_path / "all.keras")
    assert [type(l).__name__ for l in loaded.layers] == [type(l).__name__ for l in model.layers]
    assert [l.name for l in loaded.layers] == [l.name for l in model.layers]
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.evaluate(x, y, verbose=0) == model.evaluate(x, y, verbose=0)
