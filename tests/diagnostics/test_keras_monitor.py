"""The monitor as an ember.keras callback: same findings through Keras's hooks."""
import numpy as np
import pytest

import ember
from ember import keras
from ember.diagnostics import KerasMonitor, TrainingMonitor


def _data(n=128, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 4, n)
    X = rng.normal(size=(4, 16))[y] * 2 + rng.normal(size=(n, 16))
    return ((X - X.mean(0)) / X.std(0)).astype(np.float32), y


def _model(lr=0.05, bias="zeros", hidden="tanh"):
    ember.manual_seed(0)
    model = keras.Sequential([
        keras.layers.Dense(32, activation="relu", input_shape=(16,), bias_initializer=bias),
        keras.layers.Dense(32, activation=hidden),
        keras.layers.Dense(4, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr),
                  loss="sparse_categorical_crossentropy")
    return model


def _fit(model, callback, epochs=3):
    X, y = _data()
    return model.fit(X, y, epochs=epochs, batch_size=32, verbose=0, callbacks=[callback],
                     validation_split=0.25)


def test_healthy_fit_has_no_findings_and_records_each_batch():
    callback = KerasMonitor()
    _fit(_model(), callback)
    monitor = callback.monitor
    assert monitor.layers == [layer.name for layer in monitor.model.layers]
    assert monitor.steps == 3 * 3                          # 96 training rows / 32, 3 epochs
    assert all(len(v) == 9 for v in monitor.history["grad_norm"].values())
    assert [len(v) for v in monitor.dead_fraction.values()] == [3]
    assert list(callback.report()) == [], str(callback.report())


def test_dead_relus_from_negative_biases():
    callback = KerasMonitor()
    _fit(_model(bias=keras.initializers.Constant(-10.0)), callback)
    report = callback.report()
    name = callback.monitor.model.layers[0].name
    assert any(f.kind == "dead_relu" and f.layer == name for f in report), str(report)


def test_learning_rate_10_diverges_and_saturates():
    callback = KerasMonitor()
    _fit(_model(lr=10.0), callback)
    assert {"diverging_loss", "saturation"} <= callback.report().kinds()


def test_saturation_read_from_outputs_matches_threshold():
    # Keras layers apply the activation inside call(), so the monitor reads saturation from the
    # output (|z| > 4 <=> sigmoid(z) outside [sigmoid(-4), sigmoid(4)]); check it against z.
    model = _model(hidden="sigmoid")
    (k0, b0), (k1, b1) = model.layers[0].get_weights(), model.layers[1].get_weights()
    k1 *= 6.0
    model.layers[1].set_weights([k1, b1])
    X, _ = _data()
    z = np.maximum(X[:32] @ k0 + b0, 0) @ k1 + b1
    monitor = TrainingMonitor(model)
    monitor._target.recording = True
    model.predict(X[:32], verbose=0)
    monitor.step()
    expected = np.mean(np.abs(z) > 4)
    assert 0 < expected < 1
    assert monitor.saturation[model.layers[1].name] == [pytest.approx(expected, abs=1e-6)]


def test_hooks_are_removed_after_fit_and_restored_for_the_next():
    model = _model()
    callback = KerasMonitor(monitor=TrainingMonitor(model))
    _fit(model, callback, epochs=1)
    assert all("call" not in layer.__dict__ for layer in model.layers)
    _fit(model, callback, epochs=1)
    assert callback.monitor.steps == 6 and callback.monitor.epochs == 2


def test_errors():
    with pytest.raises(RuntimeError, match="recorded nothing yet"):
        KerasMonitor().report()
    with pytest.raises(TypeError, match="either a monitor or TrainingMonitor arguments"):
        KerasMonitor(monitor=TrainingMonitor(_model()), dead_fraction=0.2)
