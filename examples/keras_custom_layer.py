"""A custom Keras layer written with ``build``/``add_weight``/``add_loss``/``get_config`` and
``keras.ops`` (only the import names ember), trained, saved and loaded back.

``RadialFeatures`` maps each input to ``exp(-||x - c_k||^2 / (2 s_k^2))`` for ``units``
learned centres ``c_k`` and widths ``s_k`` (a radial-basis layer). Its widths are kept positive
by a ``NonNeg`` constraint, and ``add_loss`` adds a penalty that pushes the centres apart. The
layer is registered with ``keras.saving.register_keras_serializable``, so the saved model loads
without ``custom_objects``. The task: fit the 1-D function ``sin(3x) * exp(-x^2 / 4)``.

Run: python examples/keras_custom_layer.py [--epochs 150] [--out model.keras]
"""
import argparse
import os
import tempfile

import numpy as np

from ember import keras
from ember.keras import layers, ops


@keras.saving.register_keras_serializable(package="examples")
class RadialFeatures(layers.Layer):
    """``units`` Gaussian bumps with learned centres and widths.

    Args:
        units: the number of bumps.
        spread_penalty: weight of the penalty on centres that sit close together.
    """

    def __init__(self, units=16, spread_penalty=1e-3, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.spread_penalty = spread_penalty

    def build(self, input_shape):
        self.centres = self.add_weight(shape=(self.units, input_shape[-1]), name="centres",
                                       initializer=keras.initializers.RandomUniform(-3.0, 3.0))
        self.widths = self.add_weight(shape=(self.units,), name="widths",
                                      initializer=keras.initializers.Constant(0.5),
                                      constraint=keras.constraints.NonNeg())

    def call(self, inputs):
        diff = ops.expand_dims(inputs, 1) - ops.expand_dims(self.centres, 0)
        sq = ops.sum(ops.square(diff), axis=-1)
        width = ops.square(self.widths) + 1e-3
        gaps = ops.expand_dims(self.centres, 0) - ops.expand_dims(self.centres, 1)
        closeness = ops.exp(-ops.sum(ops.square(gaps), axis=-1))
        self.add_loss(self.spread_penalty * ops.mean(closeness))
        return ops.exp(-sq / (2.0 * width))

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units, "spread_penalty": self.spread_penalty})
        return config


def target(x):
    return np.sin(3 * x) * np.exp(-x ** 2 / 4)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=150)
    parser.add_argument("--out", default=None, help="where to save the model (.keras)")
    args = parser.parse_args()
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x_train = rng.uniform(-3, 3, size=(256, 1)).astype("float32")
    y_train = (target(x_train) + rng.normal(scale=0.05, size=x_train.shape)).astype("float32")
    x_test = np.linspace(-3, 3, 200, dtype="float32").reshape(-1, 1)
    y_test = target(x_test).astype("float32")

    model = keras.Sequential([keras.Input(shape=(1,)), RadialFeatures(24, name="rbf"),
                              layers.Dense(1, name="mix")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=2e-2), loss="mse")
    model.fit(x_train, y_train, batch_size=32, epochs=args.epochs, verbose=0)
    mse = model.evaluate(x_test, y_test, verbose=0)
    print(f"test MSE {mse:.4f} (the function's variance {y_test.var():.4f})")
    widths = ops.convert_to_numpy(model.get_layer("rbf").widths)
    print(f"widths all >= 0: {bool((widths >= 0).all())}; "
          f"penalty terms this call: {len(model.losses)}")

    with tempfile.TemporaryDirectory() as tmp:
        path = args.out or os.path.join(tmp, "radial.keras")
        model.save(path)
        loaded = keras.models.load_model(path)
        same = np.array_equal(loaded.predict(x_test, verbose=0), model.predict(x_test, verbose=0))
    print(f"reloaded layer config: {loaded.get_layer('rbf').get_config()['units']} units; "
          f"identical predictions: {same}")


if __name__ == "__main__":
    main()
