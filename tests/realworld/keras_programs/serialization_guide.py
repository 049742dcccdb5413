"""Saving and serialization as Keras's guide "Save, serialize, and export models" teaches them:
model.save / load_model of a model holding a registered custom layer, a registered function and
a subclassed model, custom_objects and custom_object_scope, get_config/from_config,
to_json/model_from_json, clone_model, serialize/deserialize_keras_object, weights files, and
moving weights between models with get_weights/set_weights."""
import os
import tempfile

import numpy as np

import keras
from keras import layers, ops


@keras.saving.register_keras_serializable(package="guide", name="clipped_relu")
def clipped_relu(x):
    return ops.minimum(ops.relu(x), 2.0)


@keras.saving.register_keras_serializable(package="guide")
class Scaler(layers.Layer):
    def __init__(self, factor=1.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.gain = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="gain")

    def call(self, inputs):
        return self.factor * self.gain * inputs

    def get_config(self):
        config = super().get_config()
        config.update({"factor": self.factor})
        return config


@keras.saving.register_keras_serializable(package="guide")
class TwoStage(keras.Model):
    def __init__(self, hidden_units=6, **kwargs):
        super().__init__(**kwargs)
        self.hidden_units = hidden_units
        self.first = layers.Dense(hidden_units, activation=clipped_relu)
        self.scale = Scaler(0.5)
        self.second = layers.Dense(2)

    def call(self, inputs):
        return self.second(self.scale(self.first(inputs)))

    def get_config(self):
        return {"hidden_units": self.hidden_units}


class Unregistered(layers.Layer):
    def call(self, inputs):
        return inputs * 3.0


def seeded(model, seed):
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(scale=0.4, size=w.shape).astype("float32")
                       for w in model.get_weights()])
    return model


def functional_model():
    inputs = keras.Input(shape=(4,), name="features")
    h = layers.Dense(6, activation=clipped_relu, name="hidden")(inputs)
    h = Scaler(2.0, name="scaler")(h)
    outputs = layers.Dense(3, activation="softmax", name="probs")(h)
    return seeded(keras.Model(inputs, outputs, name="classifier"), 1)


def main():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20, 4)).astype("float32")
    y = rng.integers(0, 3, size=20)
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        model = functional_model()
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        model.fit(x, y, batch_size=5, epochs=2, shuffle=False, verbose=0)
        path = os.path.join(tmp, "classifier.keras")
        model.save(path)
        loaded = keras.saving.load_model(path)
        out["functional_same"] = bool(np.array_equal(loaded.predict(x, verbose=0),
                                                     model.predict(x, verbose=0)))
        out["functional_pred"] = model.predict(x[:4], verbose=0)
        resumed = [m.fit(x, y, batch_size=5, epochs=1, shuffle=False, verbose=0).history["loss"]
                   for m in (model, loaded)]
        out["resumed"] = resumed
        out["loaded_layers"] = [type(l).__name__ for l in loaded.layers]
        out["hidden_activation"] = keras.saving.get_registered_name(
            loaded.get_layer("hidden").activation)
        out["registered"] = [keras.saving.get_registered_name(Scaler),
                             keras.saving.get_registered_object("guide>Scaler") is Scaler]

        sub = TwoStage(hidden_units=5)
        sub(x[:1])
        seeded(sub, 2)
        sub_path = os.path.join(tmp, "two_stage.keras")
        sub.save(sub_path)
        reloaded = keras.models.load_model(sub_path)
        out["subclassed"] = [type(reloaded).__name__, reloaded.hidden_units,
                             bool(np.allclose(reloaded.predict(x, verbose=0),
                                              sub.predict(x, verbose=0)))]

        inputs = keras.Input(shape=(4,))
        plain = keras.Model(inputs, Unregistered(name="triple")(layers.Dense(2)(inputs)))
        plain_path = os.path.join(tmp, "plain.keras")
        plain.save(plain_path)
        with keras.saving.custom_object_scope({"Unregistered": Unregistered}):
            scoped = keras.models.load_model(plain_path)
        given = keras.models.load_model(plain_path, custom_objects={"Unregistered": Unregistered})
        out["custom_objects"] = [type(scoped.layers[-1]).__name__,
                                 bool(np.allclose(given.predict(x, verbose=0),
                                                  plain.predict(x, verbose=0)))]

        weights_path = os.path.join(tmp, "classifier.weights.h5")
        model.save_weights(weights_path)
        twin = functional_model()
        seeded(twin, 9)
        twin.load_weights(weights_path)
        out["weights_file"] = bool(np.allclose(twin.predict(x, verbose=0),
                                               model.predict(x, verbose=0)))

    config = model.get_config()
    out["config_layers"] = [(spec["class_name"], spec["name"]) for spec in config["layers"]]
    out["dense_config"] = {k: v for k, v in config["layers"][1]["config"].items()
                           if k in ("units", "use_bias", "name", "trainable")}
    out["scaler_config"] = {k: v for k, v in config["layers"][2]["config"].items()
                            if k in ("factor", "name", "trainable")}
    rebuilt = keras.Model.from_config(config)
    out["rebuilt_weights"] = [list(w.shape) for w in rebuilt.weights]
    from_json = keras.models.model_from_json(model.to_json())
    out["json_layers"] = [layer.name for layer in from_json.layers]
    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    out["clone_same"] = bool(np.allclose(clone.predict(x, verbose=0), model.predict(x, verbose=0)))

    dense = layers.Dense(3, activation="relu", name="dense_x")
    spec = keras.saving.serialize_keras_object(dense)
    back = keras.saving.deserialize_keras_object(spec)
    out["serialized"] = [spec["class_name"], spec["module"].split(".")[-1], spec["config"]["units"],
                         type(back).__name__, back.units]
    fn_spec = keras.saving.serialize_keras_object(clipped_relu)
    out["fn_serialized"] = [keras.saving.deserialize_keras_object(fn_spec) is clipped_relu]

    seq = keras.Sequential([keras.Input((4,)), layers.Dense(6, name="a"), layers.Dense(3,
                                                                                     name="b")])
    for target, source in zip(seq.layers, [model.get_layer("hidden"), model.get_layer("probs")]):
        target.set_weights(source.get_weights())
    out["transferred"] = ops.convert_to_numpy(seq.layers[1].kernel)
    return out
