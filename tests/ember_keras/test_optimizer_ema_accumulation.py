"""Keras optimizers' use_ema, gradient_accumulation_steps and loss_scale_factor, and the
SwapEMAWeights callback, against Keras 3 (torch backend) from the same weights and data."""
import numpy as np
import pytest

from ember import keras as ek

# (optimizer, arguments, a schedule for learning_rate?)
CASES = [
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "use_ema": True}, False),
    ("Adam", {"use_ema": True, "ema_momentum": 0.9, "ema_overwrite_frequency": 3}, False),
    ("Adam", {"gradient_accumulation_steps": 3}, False),
    ("Nadam", {"gradient_accumulation_steps": 2, "use_ema": True}, False),
    ("AdamW", {"gradient_accumulation_steps": 2}, True),
    ("RMSprop", {"loss_scale_factor": 128.0}, False),
    ("SGD", {"loss_scale_factor": 4.0, "gradient_accumulation_steps": 2, "clipnorm": 0.1}, False),
    ("ScheduleFreeAdamW", {"gradient_accumulation_steps": 2, "use_ema": True, "weight_decay": 0.01}, True),
]


def _data():
    rng = np.random.default_rng(0)
    return (rng.normal(size=(48, 6)).astype(np.float32),
            rng.normal(size=(48, 2)).astype(np.float32))


def _model(mod):
    return mod.Sequential([mod.Input(shape=(6,)), mod.layers.Dense(8, activation="tanh"),
                           mod.layers.Dense(2)])


def _optimizer(mod, name, kwargs, schedule):
    if schedule:
        kwargs = {**kwargs, "learning_rate": mod.optimizers.schedules.ExponentialDecay(0.01, 2, 0.5)}
    return getattr(mod.optimizers, name)(**kwargs)


def _fit_pair(keras_ref, name, kwargs, schedule, callbacks=lambda mod: [], **fit):
    x, y = _data()
    keras_ref.utils.set_random_seed(1)
    ref, ours = _model(keras_ref), _model(ek)
    ours.set_weights(ref.get_weights())
    histories = []
    for mod, model in ((keras_ref, ref), (ek, ours)):
        model.compile(optimizer=_optimizer(mod, name, kwargs, schedule), loss="mse")
        histories.append(model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0,
                                   callbacks=callbacks(mod), **fit).history)
    return ref, ours, histories


@pytest.mark.parametrize("name,kwargs,schedule", CASES, ids=lambda v: str(v))
def test_fit_matches_keras(keras_ref, name, kwargs, schedule):
    ref, ours, _ = _fit_pair(keras_ref, name, kwargs, schedule)
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)
    assert ours.optimizer.iterations == int(ref.optimizer.iterations)
    # the option changed the result: the same fit without it ends elsewhere
    plain = {k: v for k, v in kwargs.items() if k not in ("use_ema", "gradient_accumulation_steps")}
    if plain != kwargs:
        _, other, _ = _fit_pair(keras_ref, name, plain, schedule)
        assert max(np.abs(a - b).max() for a, b in zip(ours.get_weights(), other.get_weights())) > 1e-4


@pytest.mark.parametrize("swap_on_epoch", [False, True])
def test_swap_ema_weights_matches_keras(keras_ref, swap_on_epoch):
    x, y = _data()
    ref, ours, (h_ref, h_ours) = _fit_pair(
        keras_ref, "SGD", {"learning_rate": 0.1, "use_ema": True, "ema_momentum": 0.5}, False,
        callbacks=lambda mod: [mod.callbacks.SwapEMAWeights(swap_on_epoch=swap_on_epoch)],
        validation_data=(x[:16], y[:16]))
    np.testing.assert_allclose(h_ours["val_loss"], h_ref["val_loss"], rtol=1e-5)
    np.testing.assert_allclose(h_ours["loss"], h_ref["loss"], rtol=1e-5)
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)


def test_swap_ema_weights_evaluates_with_the_averages_and_swaps_back():
    x, y = _data()
    model = _model(ek)
    model.compile(optimizer=ek.optimizers.SGD(0.1, use_ema=True, ema_momentum=0.5), loss="mse")
    for start in range(0, 48, 8):  # train_on_batch: no end of fit, so no finalize
        model.train_on_batch(x[start:start + 8], y[start:start + 8])
    trained = [w.copy() for w in model.get_weights()]
    opt = model.optimizer
    averages = [a.copy() for a in opt._averages]
    assert max(np.abs(a - w).max() for a, w in zip(averages, trained)) > 1e-4
    swap = ek.callbacks.SwapEMAWeights()
    loss = model.evaluate(x, y, verbose=0, callbacks=[swap])
    for w, t in zip(model.get_weights(), trained):
        np.testing.assert_array_equal(w, t)
    model.set_weights(averages)
    assert loss == pytest.approx(model.evaluate(x, y, verbose=0), rel=1e-6)
    model.set_weights(trained)
    model.predict(x, verbose=0, callbacks=[swap])
    for w, t in zip(model.get_weights(), trained):
        np.testing.assert_array_equal(w, t)


def test_swap_ema_weights_needs_use_ema():
    x, y = _data()
    model = _model(ek)
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="use_ema=True"):
        model.evaluate(x, y, verbose=0, callbacks=[ek.callbacks.SwapEMAWeights()])


@pytest.mark.parametrize("kwargs", [{"use_ema": True, "ema_overwrite_frequency": 4},
                                    {"gradient_accumulation_steps": 3, "use_ema": True}],
                         ids=str)
def test_state_round_trip_resumes_identically(tmp_path, kwargs):
    x, y = _data()
    model = _model(ek)
    model.compile(optimizer=ek.optimizers.Adam(**kwargs), loss="mse")
    model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    names = {k.split("/")[1] for k in model.optimizer.state_arrays() if "/" in k}
    assert "average" in names
    assert ("gradient_accumulator" in names) == ("gradient_accumulation_steps" in kwargs)
    model.save(tmp_path / "m.keras")
    loaded = ek.models.load_model(tmp_path / "m.keras")
    for m in (model, loaded):
        m.fit(x[:40], y[:40], batch_size=8, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("kwargs,message", [
    ({"gradient_accumulation_steps": 1}, "must be an integer >= 2"),
    ({"use_ema": True, "ema_momentum": 1.5}, "must be in the range"),
    ({"use_ema": True, "ema_overwrite_frequency": 0.5}, "must be an integer >= 1 or None"),
])
def test_bad_arguments_give_keras_errors(keras_ref, kwargs, message):
    for mod in (keras_ref, ek):
        with pytest.raises(ValueError, match=message):
            mod.optimizers.Adam(**kwargs)


@pytest.mark.parametrize("kwargs", [{"use_ema": True, "ema_momentum": 0.9, "ema_overwrite_frequency": 5},
                                    {"loss_scale_factor": 8.0, "gradient_accumulation_steps": 4}],
                         ids=str)
def test_config_round_trip_keeps_the_options(keras_ref, kwargs):
    opt = ek.optimizers.Adam(**kwargs)
    config = opt.get_config()
    ref_config = keras_ref.optimizers.Adam(**kwargs).get_config()
    for key in ("use_ema", "ema_momentum", "ema_overwrite_frequency", "loss_scale_factor",
                "gradient_accumulation_steps"):
        assert config[key] == ref_config[key]
    again = ek.optimizers.deserialize(ek.optimizers.serialize(opt))
    assert again.get_config() == config


def test_scale_loss(keras_ref):
    import torch
    assert float(keras_ref.optimizers.SGD(loss_scale_factor=8.0).scale_loss(torch.tensor(2.0))) == 16.0
    loss = ek.optimizers.SGD(loss_scale_factor=8.0).scale_loss(ek.ops.convert_to_tensor(np.float32(2.0)))
    assert float(loss) == 16.0 and loss.dtype == "float32"
