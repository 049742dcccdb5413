"""Callbacks: hook order like Keras's, CSVLogger, LambdaCallback, TerminateOnNaN, schedules."""
import math

import numpy as np
import pytest

from ember import keras as ek

X = np.random.default_rng(0).normal(size=(20, 3)).astype(np.float32)
Y = (X[:, 0] > 0).astype(np.float32)


def _model(mod):
    model = mod.Sequential([mod.Input(shape=(3,)), mod.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def _recorder(mod):
    calls = []

    class Recorder(mod.callbacks.Callback):
        pass

    hooks = ["on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
             "on_train_batch_begin", "on_train_batch_end", "on_test_begin", "on_test_end",
             "on_test_batch_begin", "on_test_batch_end", "on_predict_begin", "on_predict_end",
             "on_predict_batch_begin", "on_predict_batch_end"]
    for hook in hooks:
        def make(name):
            def f(self, *args, **kwargs):
                calls.append((name,) + tuple(a for a in args if isinstance(a, int)))
            return f
        setattr(Recorder, hook, make(hook))
    return Recorder(), calls


def test_hook_order_matches_keras(keras_ref):
    seqs = {}
    for mod in (keras_ref, ek):
        model = _model(mod)
        rec, calls = _recorder(mod)
        model.fit(X, Y, batch_size=8, epochs=2, validation_split=0.25, callbacks=[rec], verbose=0)
        model.evaluate(X, Y, batch_size=16, callbacks=[rec], verbose=0)
        model.predict(X, batch_size=16, callbacks=[rec], verbose=0)
        seqs[mod] = calls
    assert seqs[ek] == seqs[keras_ref]


def test_csv_logger(tmp_path):
    path = tmp_path / "log.csv"
    hist = _model(ek).fit(X, Y, epochs=3, validation_split=0.2, verbose=0,
                          callbacks=[ek.callbacks.CSVLogger(str(path))]).history
    lines = path.read_text().splitlines()
    assert lines[0] == "epoch,accuracy,loss,val_accuracy,val_loss"
    assert len(lines) == 4
    assert float(lines[3].split(",")[2]) == pytest.approx(hist["loss"][2])


def test_lambda_callback_and_stop_training():
    seen = []

    def on_epoch_end(epoch, logs):
        seen.append((epoch, round(logs["loss"], 6)))
        if epoch == 1:
            model.stop_training = True

    model = _model(ek)
    hist = model.fit(X, Y, epochs=10, verbose=0,
                     callbacks=[ek.callbacks.LambdaCallback(on_epoch_end=on_epoch_end)])
    assert [e for e, _ in seen] == [0, 1] and len(hist.history["loss"]) == 2
    with pytest.raises(TypeError, match="on_epoch_ending"):
        ek.callbacks.LambdaCallback(on_epoch_ending=print)


def test_terminate_on_nan(capsys):
    model = ek.Sequential([ek.layers.Dense(1, input_shape=(3,))])
    model.compile(optimizer=ek.optimizers.SGD(learning_rate=1e30), loss="mse")
    hist = model.fit(X * 1e10, Y, epochs=5, batch_size=4, verbose=0,
                     callbacks=[ek.callbacks.TerminateOnNaN()])
    assert len(hist.history["loss"]) == 1 and not math.isfinite(hist.history["loss"][0])
    assert "Invalid loss, terminating training" in capsys.readouterr().out


@pytest.mark.parametrize("schedule,steps,expected", [
    (ek.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5), [0, 10, 15], [0.1, 0.05, 0.1 * 0.5 ** 1.5]),
    (ek.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5, staircase=True), [15], [0.05]),
    (ek.optimizers.schedules.InverseTimeDecay(0.1, 10, 1.0), [0, 10], [0.1, 0.05]),
    (ek.optimizers.schedules.PiecewiseConstantDecay([5, 10], [1.0, 0.5, 0.1]), [5, 6, 11], [1.0, 0.5, 0.1]),
    (ek.optimizers.schedules.CosineDecay(1.0, 10, alpha=0.1), [0, 5, 10, 20], [1.0, 0.55, 0.1, 0.1]),
    (ek.optimizers.schedules.CosineDecay(0.0, 10, warmup_target=1.0, warmup_steps=4), [2, 4], [0.5, 1.0]),
    (ek.optimizers.schedules.PolynomialDecay(1.0, 10, end_learning_rate=0.0), [5, 10], [0.5, 0.0]),
])
def test_schedule_values(schedule, steps, expected):
    assert [schedule(s) for s in steps] == pytest.approx(expected)


def test_schedules_match_keras(keras_ref):
    pairs = [("ExponentialDecay", dict(initial_learning_rate=0.1, decay_steps=7, decay_rate=0.6)),
             ("InverseTimeDecay", dict(initial_learning_rate=0.1, decay_steps=7, decay_rate=0.6)),
             ("CosineDecay", dict(initial_learning_rate=0.1, decay_steps=7, alpha=0.2,
                                  warmup_target=0.2, warmup_steps=3)),
             ("PiecewiseConstantDecay", dict(boundaries=[3, 6], values=[0.3, 0.2, 0.1])),
             ("PolynomialDecay", dict(initial_learning_rate=0.1, decay_steps=7, power=2.0))]
    for name, kw in pairs:
        ours = getattr(ek.optimizers.schedules, name)(**kw)
        ref = getattr(keras_ref.optimizers.schedules, name)(**kw)
        for step in range(0, 14):
            assert ours(step) == pytest.approx(float(ref(step)), rel=1e-5), (name, step)


def test_optimizer_names_case_insensitive():
    for name, cls in [("SGD", "SGD"), ("adam", "Adam"), ("RMSprop", "RMSprop"), ("ADAGRAD", "Adagrad"),
                      ("nadam", "Nadam"), ("AdamW", "AdamW"), ("adadelta", "Adadelta"),
                      ("Adamax", "Adamax")]:
        assert type(ek.optimizers.get(name)).__name__ == cls


@pytest.mark.parametrize("name,defaults", [
    ("SGD", {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False}),
    ("RMSprop", {"learning_rate": 0.001, "rho": 0.9, "momentum": 0.0, "epsilon": 1e-7, "centered": False}),
    ("Adam", {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7, "amsgrad": False}),
    ("AdamW", {"learning_rate": 0.001, "weight_decay": 0.004, "epsilon": 1e-7}),
    ("Adagrad", {"learning_rate": 0.001, "initial_accumulator_value": 0.1, "epsilon": 1e-7}),
    ("Adadelta", {"learning_rate": 0.001, "rho": 0.95, "epsilon": 1e-7}),
    ("Adamax", {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}),
    ("Nadam", {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}),
])
def test_optimizer_defaults_match_keras(keras_ref, name, defaults):
    ours = getattr(ek.optimizers, name)().get_config()
    ref = getattr(keras_ref.optimizers, name)().get_config()
    for key, value in defaults.items():
        assert ours[key] == pytest.approx(value)
        assert ref[key] == pytest.approx(value)
