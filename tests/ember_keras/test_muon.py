"""keras.optimizers.Muon against Keras 3 (torch backend): fits from the same weights and data."""
import numpy as np
import pytest

from ember import keras as ek

CASES = [
    {},
    {"exclude_layers": ["output"], "learning_rate": 0.01},
    {"rms_rate": None, "nesterov": False, "adam_lr_ratio": 0.5, "learning_rate": 0.02},
    {"weight_decay": 0.1, "adam_weight_decay": 0.01, "gradient_accumulation_steps": 2, "use_ema": True},
]


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(48, 6)).astype(np.float32), rng.normal(size=(48, 2)).astype(np.float32)


def _model(mod):
    return mod.Sequential([mod.Input(shape=(6,)), mod.layers.Dense(16, activation="tanh", name="body"),
                           mod.layers.Dense(8, activation="tanh", name="mid"),
                           mod.layers.Dense(2, name="output")])


def _fit(mod, model, optimizer):
    x, y = _data()
    model.compile(optimizer=optimizer, loss="mse")
    model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)


@pytest.mark.parametrize("kwargs", CASES, ids=str)
def test_fit_matches_keras(keras_ref, kwargs):
    keras_ref.utils.set_random_seed(1)
    ref, ours = _model(keras_ref), _model(ek)
    start = ref.get_weights()
    ours.set_weights(start)
    _fit(keras_ref, ref, keras_ref.optimizers.Muon(**kwargs))
    _fit(ek, ours, ek.optimizers.Muon(**kwargs))
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=0, atol=2e-6)
    # the kernels took Muon steps: Adam alone from the same start ends elsewhere
    adam = _model(ek)
    adam.set_weights(start)
    _fit(ek, adam, ek.optimizers.AdamW(learning_rate=kwargs.get("learning_rate", 0.001)))
    assert np.abs(adam.get_weights()[0] - ours.get_weights()[0]).max() > 1e-4


def test_which_variables_take_adam():
    model = ek.Sequential([ek.Input(shape=(5,), dtype="int64"), ek.layers.Embedding(10, 4, name="embedding"),
                           ek.layers.Flatten(), ek.layers.Dense(3, name="hidden"), ek.layers.Dense(1, name="out")])
    opt = ek.optimizers.Muon(exclude_layers=["out/"])
    model.compile(optimizer=opt, loss="mse")
    model.fit(np.arange(20).reshape(4, 5) % 10, np.zeros((4, 1), np.float32), verbose=0)
    uses_adam = {v.path: opt._slot(v, "velocity").shape == v._data.shape for v in model.trainable_weights}
    assert uses_adam == {"embedding/embeddings": True, "hidden/kernel": False, "hidden/bias": True,
                         "out/kernel": True, "out/bias": True}


def test_config_round_trip_and_name(keras_ref):
    kwargs = {"learning_rate": 0.02, "exclude_layers": ["head"], "ns_steps": 3, "rms_rate": None}
    opt = ek.optimizers.Muon(**kwargs)
    config = opt.get_config()
    ref = keras_ref.optimizers.Muon(**kwargs).get_config()
    assert sorted(config) == sorted(ref)
    assert {k: config[k] for k in ref if k not in ("name", "learning_rate")} == \
        {k: ref[k] for k in ref if k not in ("name", "learning_rate")}
    again = ek.optimizers.deserialize(ek.optimizers.serialize(opt))
    assert type(again) is ek.optimizers.Muon and again.get_config() == config
    assert type(ek.optimizers.get("muon")) is ek.optimizers.Muon


def test_save_load_resumes_identically(tmp_path):
    x, y = _data()
    model = _model(ek)
    _fit(ek, model, ek.optimizers.Muon(learning_rate=0.01))
    model.save(tmp_path / "m.keras")
    loaded = ek.models.load_model(tmp_path / "m.keras")
    for m in (model, loaded):
        m.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
