"""save → load_model round trips for functional and subclassed models and custom layers, their
configs, clone_model, and the errors for what cannot be saved."""
import numpy as np
import pytest

import ember
from ember import keras

ops, layers = keras.ops, keras.layers


@keras.saving.register_keras_serializable(package="tests")
class Scale(layers.Layer):
    """A custom layer with a weight, a config and a constraint."""

    def __init__(self, init=1.0, **kwargs):
        super().__init__(**kwargs)
        self.init = init

    def build(self, input_shape):
        self.alpha = self.add_weight(shape=(input_shape[-1],), name="alpha",
                                     initializer=keras.initializers.Constant(self.init),
                                     constraint=keras.constraints.NonNeg())

    def call(self, inputs):
        return inputs * self.alpha

    def get_config(self):
        return {**super().get_config(), "init": self.init}


class Net(keras.Model):
    """A subclassed model (not registered: it loads through custom_objects)."""

    def __init__(self, hidden=6, **kwargs):
        super().__init__(**kwargs)
        self.hidden = hidden
        self.dense = layers.Dense(hidden, activation="relu")
        self.scale = Scale(0.5)
        self.out = layers.Dense(2)

    def call(self, inputs, training=None):
        return self.out(self.scale(self.dense(inputs)))


def _functional():
    inp = keras.Input((4,), name="features")
    h = layers.Dense(8, activation="relu", name="h")(inp)
    s = Scale(2.0, name="scale")(h)
    a = layers.Dense(1, name="reg")(layers.Add(name="skip")([h, s]))
    b = layers.Dense(3, activation="softmax", name="cls")(layers.Concatenate()([h, inp]))
    return keras.Model(inp, {"reg": a, "cls": b}, name="heads")


def _data(n=24):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    return x, {"reg": x[:, :1] * 2, "cls": rng.integers(0, 3, n)}


def test_functional_model_round_trip_and_resumes(tmp_path):
    ember.manual_seed(0)
    x, y = _data()
    model = _functional()
    model.compile(optimizer="adam", loss={"reg": "mse", "cls": "sparse_categorical_crossentropy"},
                  loss_weights={"reg": 0.5, "cls": 1.0}, metrics={"cls": ["accuracy"]})
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    model.save(tmp_path / "heads.keras")
    loaded = keras.models.load_model(tmp_path / "heads.keras")
    assert type(loaded) is type(model) and loaded.name == "heads"
    assert [l.name for l in loaded.layers] == [l.name for l in model.layers]
    assert loaded.get_config() == model.get_config()
    for key, value in model.predict(x, verbose=0).items():
        np.testing.assert_array_equal(loaded.predict(x, verbose=0)[key], value)
    h = []
    for m in (model, loaded):
        ember.manual_seed(1)
        h.append(m.fit(x, y, epochs=2, batch_size=8, verbose=0).history)
    assert h[0] == h[1] and set(h[0]) == {"loss", "reg_loss", "cls_loss", "cls_accuracy"}


def test_subclassed_model_needs_its_class(tmp_path):
    x, _ = _data()
    model = Net(hidden=5)
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, x[:, :2], epochs=1, verbose=0)
    model.save(tmp_path / "net.keras")
    with pytest.raises(TypeError, match="Could not locate class 'Net'"):
        keras.models.load_model(tmp_path / "net.keras")
    loaded = keras.models.load_model(tmp_path / "net.keras", custom_objects={"Net": Net})
    assert loaded.hidden == 5 and isinstance(loaded.scale, Scale)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    with keras.saving.custom_object_scope({"Net": Net}):
        assert keras.models.load_model(tmp_path / "net.keras").count_params() == \
            model.count_params()


def test_configs_and_clone_model():
    x, _ = _data()
    model = _functional()
    clone = keras.models.clone_model(model)
    assert clone.get_config() == model.get_config()
    assert not np.array_equal(clone.get_layer("h").kernel.numpy(),
                              model.get_layer("h").kernel.numpy())  # fresh weights
    clone.set_weights(model.get_weights())
    np.testing.assert_array_equal(clone.predict(x, verbose=0)["reg"],
                                  model.predict(x, verbose=0)["reg"])
    seq = keras.Sequential([keras.Input((4,)), layers.Dense(3), Scale(1.5)])
    seq_clone = keras.models.clone_model(seq)
    assert [type(l) for l in seq_clone.layers] == [type(l) for l in seq.layers]
    assert seq_clone.get_config()["layers"][2]["config"]["init"] == 1.5
    new_input = keras.Input((4,), name="other")
    rebuilt = keras.models.clone_model(model, input_tensors=new_input)
    assert rebuilt.inputs[0] is new_input
    net = Net(hidden=3)
    twin = keras.models.clone_model(net)
    assert isinstance(twin, Net) and twin.hidden == 3 and twin is not net


def test_what_cannot_be_saved_is_named(tmp_path):
    class Opaque(layers.Layer):
        def __init__(self, table, **kwargs):
            super().__init__(**kwargs)
            self.table = table

        def call(self, x):
            return x

    inp = keras.Input((3,))
    with pytest.raises(NotImplementedError, match="Object Opaque was created by passing"):
        keras.Model(inp, Opaque(np.ones(3))(inp)).save(tmp_path / "a.keras")
    model = keras.Model(inp, layers.Lambda(lambda t: t * 2.0, name="double")(inp))
    with pytest.raises(ValueError, match=r"layers\[1\]\.config\.function .*lambda"):
        model.save(tmp_path / "b.keras")
    assert not (tmp_path / "b.keras").exists()


def test_lambda_of_a_named_function_round_trips(tmp_path):
    inp = keras.Input((3,))
    model = keras.Model(inp, layers.Lambda(ops.softplus, name="soft")(inp))
    model.save(tmp_path / "c.keras")
    loaded = keras.models.load_model(tmp_path / "c.keras")
    x = np.linspace(-2, 2, 6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), np.log1p(np.exp(x)), rtol=1e-5)
