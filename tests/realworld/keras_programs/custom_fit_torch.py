"""Customizing what happens in fit() with the torch backend, as Keras's guide for it does: a
train_step that calls compute_loss, backward, optimizer.apply under torch.no_grad and updates
the compiled metrics; a lower-level step with its own loss and metric trackers; sample weights;
a custom test_step for evaluate; and a small GAN with two optimizers trained from a torch
DataLoader."""
import numpy as np
import torch

import keras
from keras import layers


class CustomModel(keras.Model):
    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        loss.backward()
        trainable_weights = [v for v in self.trainable_weights]
        gradients = [v.value.grad for v in trainable_weights]
        with torch.no_grad():
            self.optimizer.apply(gradients, trainable_weights)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


class LowLevelModel(keras.Model):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")
        self.loss_fn = keras.losses.MeanSquaredError()

    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.loss_fn(y, y_pred)
        loss.backward()
        trainable_weights = [v for v in self.trainable_weights]
        gradients = [v.value.grad for v in trainable_weights]
        with torch.no_grad():
            self.optimizer.apply(gradients, trainable_weights)
        self.loss_tracker.update_state(loss)
        self.mae_metric.update_state(y, y_pred)
        return {"loss": self.loss_tracker.result(), "mae": self.mae_metric.result()}

    @property
    def metrics(self):
        return [self.loss_tracker, self.mae_metric]


class WeightedModel(keras.Model):
    def train_step(self, data):
        if len(data) == 3:
            x, y, sample_weight = data
        else:
            sample_weight = None
            x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=y_pred, sample_weight=sample_weight, training=True)
        loss.backward()
        trainable_weights = [v for v in self.trainable_weights]
        gradients = [v.value.grad for v in trainable_weights]
        with torch.no_grad():
            self.optimizer.apply(gradients, trainable_weights)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred, sample_weight=sample_weight)
        return {m.name: m.result() for m in self.metrics}


class EvalModel(keras.Model):
    def test_step(self, data):
        x, y = data
        y_pred = self(x, training=False)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


class GAN(keras.Model):
    def __init__(self, discriminator, generator, latent_dim):
        super().__init__()
        self.discriminator = discriminator
        self.generator = generator
        self.latent_dim = latent_dim
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.seed_generator = keras.random.SeedGenerator(1337)
        self.built = True

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker]

    def compile(self, d_optimizer, g_optimizer, loss_fn):
        super().compile()
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.loss_fn = loss_fn

    def train_step(self, real_images):
        if isinstance(real_images, (tuple, list)):
            real_images = real_images[0]
        batch_size = real_images.shape[0]
        latent = keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
        generated = self.generator(latent)
        combined = torch.concat([generated, real_images], axis=0)
        labels = torch.concat([torch.ones((batch_size, 1)), torch.zeros((batch_size, 1))],
                              axis=0)
        labels += 0.05 * keras.random.uniform(labels.shape, seed=self.seed_generator)
        self.zero_grad()
        d_loss = self.loss_fn(labels, self.discriminator(combined))
        d_loss.backward()
        grads = [v.value.grad for v in self.discriminator.trainable_weights]
        with torch.no_grad():
            self.d_optimizer.apply(grads, self.discriminator.trainable_weights)

        latent = keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
        misleading = torch.zeros((batch_size, 1))
        self.zero_grad()
        g_loss = self.loss_fn(misleading, self.discriminator(self.generator(latent)))
        g_loss.backward()
        grads = [v.value.grad for v in self.generator.trainable_weights]
        with torch.no_grad():
            self.g_optimizer.apply(grads, self.generator.trainable_weights)

        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        return {"d_loss": self.d_loss_tracker.result(), "g_loss": self.g_loss_tracker.result()}


def functional(cls, seed):
    inputs = keras.Input(shape=(4,))
    hidden = layers.Dense(8, activation="relu")(inputs)
    model = cls(inputs, layers.Dense(1)(hidden))
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(scale=0.4, size=w.shape).astype("float32")
                       for w in model.get_weights()])
    return model


def gan_run(rng):
    latent_dim = 4
    discriminator = keras.Sequential([
        keras.Input(shape=(8, 8, 1)),
        layers.Conv2D(4, (3, 3), strides=(2, 2), padding="same"),
        layers.LeakyReLU(negative_slope=0.2),
        layers.GlobalMaxPooling2D(),
        layers.Dense(1),
    ], name="discriminator")
    generator = keras.Sequential([
        keras.Input(shape=(latent_dim,)),
        layers.Dense(4 * 4 * 4),
        layers.LeakyReLU(negative_slope=0.2),
        layers.Reshape((4, 4, 4)),
        layers.Conv2DTranspose(4, (4, 4), strides=(2, 2), padding="same"),
        layers.LeakyReLU(negative_slope=0.2),
        layers.Conv2D(1, (3, 3), padding="same", activation="sigmoid"),
    ], name="generator")
    images = rng.random(size=(32, 8, 8, 1)).astype("float32")
    dataset = torch.utils.data.TensorDataset(torch.from_numpy(images),
                                             torch.from_numpy(np.zeros(32, "float32")))
    loader = torch.utils.data.DataLoader(dataset, batch_size=8, shuffle=False)
    gan = GAN(discriminator=discriminator, generator=generator, latent_dim=latent_dim)
    gan.compile(d_optimizer=keras.optimizers.Adam(learning_rate=3e-4),
                g_optimizer=keras.optimizers.Adam(learning_rate=3e-4),
                loss_fn=keras.losses.BinaryCrossentropy(from_logits=True))
    history = gan.fit(loader, epochs=2, verbose=0).history
    return {"keys": sorted(history), "epochs": len(history["d_loss"]),
            "finite": bool(np.isfinite(history["d_loss"] + history["g_loss"]).all()),
            "d_weights": len(discriminator.trainable_weights),
            "g_weights": len(generator.trainable_weights)}


def main():
    rng = np.random.default_rng(0)
    x = rng.random(size=(64, 4)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5], [0.0]], "float32") + 0.3).astype("float32")
    sw = rng.random(size=(64,)).astype("float32")
    out = {}

    model = functional(CustomModel, 1)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    out["custom"] = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0).history

    model = functional(LowLevelModel, 2)
    model.compile(optimizer=keras.optimizers.SGD(0.05))
    out["low_level"] = model.fit(x, y, batch_size=16, epochs=3, shuffle=False,
                                 verbose=0).history

    model = functional(WeightedModel, 3)
    model.compile(optimizer=keras.optimizers.RMSprop(0.01), loss="mse", metrics=["mae"])
    out["weighted"] = model.fit(x, y, sample_weight=sw, batch_size=16, epochs=3, shuffle=False,
                                verbose=0).history

    model = functional(EvalModel, 4)
    model.compile(loss="mse", metrics=["mae"])
    out["evaluate"] = model.evaluate(x, y, batch_size=16, verbose=0, return_dict=True)
    out["evaluate_list"] = model.evaluate(x, y, batch_size=16, verbose=0)

    out["gan"] = gan_run(rng)
    return out
