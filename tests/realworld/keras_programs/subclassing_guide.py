"""Layers and models by subclassing, as Keras's guide "Making new layers and models via
subclassing" teaches them: weights made in __init__ and lazily in build(), a non-trainable
accumulator, layers nested in layers, add_loss (activity penalties and a KL term), regularizer
losses, get_config/from_config, a training flag with keras.random.dropout, and an end-to-end
variational autoencoder trained with fit."""
import numpy as np

import keras
from keras import layers, ops


class EagerLinear(layers.Layer):
    def __init__(self, units=32, input_dim=32):
        super().__init__()
        self.w = self.add_weight(shape=(input_dim, units), initializer="random_normal",
                                 trainable=True)
        self.b = self.add_weight(shape=(units,), initializer="zeros", trainable=True)

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b


class ComputeSum(layers.Layer):
    def __init__(self, input_dim):
        super().__init__()
        self.total = self.add_weight(initializer="zeros", shape=(input_dim,), trainable=False)

    def call(self, inputs):
        self.total.assign_add(ops.sum(inputs, axis=0))
        return self.total


class Linear(layers.Layer):
    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                 initializer="random_normal", trainable=True)
        self.b = self.add_weight(shape=(self.units,), initializer="random_normal",
                                 trainable=True)

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units})
        return config


class MLPBlock(layers.Layer):
    def __init__(self):
        super().__init__()
        self.linear_1 = Linear(8)
        self.linear_2 = Linear(8)
        self.linear_3 = Linear(1)

    def call(self, inputs):
        x = ops.relu(self.linear_1(inputs))
        x = ops.relu(self.linear_2(x))
        return self.linear_3(x)


class ActivityRegularizationLayer(layers.Layer):
    def __init__(self, rate=1e-2):
        super().__init__()
        self.rate = rate

    def call(self, inputs):
        self.add_loss(self.rate * ops.mean(inputs))
        return inputs


class OuterLayer(layers.Layer):
    def __init__(self):
        super().__init__()
        self.activity_reg = ActivityRegularizationLayer(1e-2)

    def call(self, inputs):
        return self.activity_reg(inputs)


class OuterLayerWithKernelRegularizer(layers.Layer):
    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(4, kernel_regularizer=keras.regularizers.l2(1e-3))

    def call(self, inputs):
        return self.dense(inputs)


class CustomDropout(layers.Layer):
    def __init__(self, rate, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate
        self.seed_generator = keras.random.SeedGenerator(1337)

    def call(self, inputs, training=None):
        if training:
            return keras.random.dropout(inputs, rate=self.rate, seed=self.seed_generator)
        return inputs


class Sampling(layers.Layer):
    """Draws z from N(z_mean, exp(z_log_var))."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(1337)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        batch, dim = ops.shape(z_mean)[0], ops.shape(z_mean)[1]
        epsilon = keras.random.normal(shape=(batch, dim), seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * epsilon


class Encoder(layers.Layer):
    def __init__(self, latent_dim=2, intermediate_dim=16, name="encoder", **kwargs):
        super().__init__(name=name, **kwargs)
        self.dense_proj = layers.Dense(intermediate_dim, activation="relu")
        self.dense_mean = layers.Dense(latent_dim)
        self.dense_log_var = layers.Dense(latent_dim)
        self.sampling = Sampling()

    def call(self, inputs):
        x = self.dense_proj(inputs)
        z_mean = self.dense_mean(x)
        z_log_var = self.dense_log_var(x)
        return z_mean, z_log_var, self.sampling((z_mean, z_log_var))


class Decoder(layers.Layer):
    def __init__(self, original_dim, intermediate_dim=16, name="decoder", **kwargs):
        super().__init__(name=name, **kwargs)
        self.dense_proj = layers.Dense(intermediate_dim, activation="relu")
        self.dense_output = layers.Dense(original_dim, activation="sigmoid")

    def call(self, inputs):
        return self.dense_output(self.dense_proj(inputs))


class VariationalAutoEncoder(keras.Model):
    def __init__(self, original_dim, intermediate_dim=16, latent_dim=2, name="autoencoder",
                 **kwargs):
        super().__init__(name=name, **kwargs)
        self.original_dim = original_dim
        self.encoder = Encoder(latent_dim=latent_dim, intermediate_dim=intermediate_dim)
        self.decoder = Decoder(original_dim, intermediate_dim=intermediate_dim)

    def call(self, inputs):
        z_mean, z_log_var, z = self.encoder(inputs)
        reconstructed = self.decoder(z)
        kl_loss = -0.5 * ops.mean(z_log_var - ops.square(z_mean) - ops.exp(z_log_var) + 1)
        self.add_loss(kl_loss)
        return reconstructed


def set_seeded(layer, seed):
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.normal(scale=0.3, size=w.shape).astype("float32")
                       for w in layer.get_weights()])


def main():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 2)).astype("float32")
    out = {}

    eager = EagerLinear(4, 2)
    set_seeded(eager, 1)
    out["eager"] = ops.convert_to_numpy(eager(x))
    out["eager_weights"] = [len(eager.weights), len(eager.trainable_weights)]

    adder = ComputeSum(2)
    adder(np.ones((2, 2), "float32"))
    out["sum"] = ops.convert_to_numpy(adder(np.ones((2, 2), "float32")))
    out["sum_weights"] = [len(adder.weights), len(adder.non_trainable_weights),
                          len(adder.trainable_weights)]

    lazy = Linear(4)
    out["lazy_built"] = [lazy.built, len(lazy.weights)]
    lazy(x)
    out["lazy_built"] += [lazy.built, len(lazy.weights)]
    clone = Linear.from_config(lazy.get_config())
    out["config"] = {k: v for k, v in clone.get_config().items() if k in ("units", "trainable")}

    mlp = MLPBlock()
    y = mlp(ops.ones(shape=(3, 6)))
    set_seeded(mlp, 2)
    out["mlp"] = ops.convert_to_numpy(mlp(np.linspace(-1, 1, 18, dtype="float32").reshape(3, 6)))
    out["mlp_weights"] = [len(mlp.weights), len(mlp.trainable_weights), list(y.shape)]

    outer = OuterLayer()
    out["losses_before"] = len(outer.losses)
    outer(ops.zeros((1, 1)))
    out["losses_once"] = len(outer.losses)
    outer(ops.ones((1, 1)))
    out["losses_again"] = [float(ops.convert_to_numpy(l)) for l in outer.losses]
    reg = OuterLayerWithKernelRegularizer()
    reg(ops.zeros((1, 1)))
    set_seeded(reg, 3)
    out["reg_losses"] = [float(ops.convert_to_numpy(l)) for l in reg.losses]

    inputs = keras.Input(shape=(3,))
    h = ActivityRegularizationLayer()(layers.Dense(4)(inputs))
    model = keras.Model(inputs, layers.Dense(1)(h))
    set_seeded(model, 4)
    data_x = rng.random(size=(16, 3)).astype("float32")
    data_y = rng.random(size=(16, 1)).astype("float32")
    model.compile(optimizer="adam", loss="mse")
    fit_a = model.fit(data_x, data_y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    model.compile(optimizer="adam")
    fit_b = model.fit(data_x, data_y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    out["fit_with_loss"], out["fit_add_loss_only"] = fit_a.history, fit_b.history

    drop = CustomDropout(0.5)
    grid = np.arange(1, 201, dtype="float32").reshape(20, 10)
    out["dropout_inference"] = ops.convert_to_numpy(drop(grid))
    trained = ops.convert_to_numpy(drop(grid, training=True))
    kept = trained != 0
    out["dropout_training"] = [bool(np.allclose(trained[kept], 2 * grid[kept])),
                               bool(0.3 < kept.mean() < 0.7)]

    original_dim = 12
    vae = VariationalAutoEncoder(original_dim, 16, 2)
    images = rng.random(size=(40, original_dim)).astype("float32")
    vae(images[:2])
    out["vae_weights"] = [len(vae.weights), [list(w.shape) for w in vae.weights]]
    vae.compile(keras.optimizers.Adam(learning_rate=1e-2), loss=keras.losses.MeanSquaredError())
    history = vae.fit(images, images, epochs=4, batch_size=8, verbose=0).history
    out["vae_history"] = [sorted(history), len(history["loss"]),
                          bool(history["loss"][-1] < history["loss"][0]),
                          bool(np.isfinite(history["loss"]).all())]
    out["vae_losses"] = len(vae.losses)
    return out
