"""A subclassed Keras model with its own train_step and test_step (only the import names
ember), in the form Keras's guide "customizing what happens in fit()" gives for the torch
backend: zero the gradients, run the model, ``compute_loss``, ``backward()``, then
``optimizer.apply`` under ``no_grad``, and report metrics from trackers the model owns.

The step adds one thing fit() does not do by itself: it clips the global gradient norm and
reports the norm before clipping as a metric. The data: the iris flowers, three classes.

Run: python examples/keras_custom_train_step.py [--epochs 40]
"""
import argparse

import numpy as np

import ember
from ember import keras
from ember.datasets import load_iris
from ember.keras import layers


class ClippedClassifier(keras.Model):
    """Two Dense layers as attributes; ``train_step`` clips gradients to ``max_norm``."""

    def __init__(self, hidden=16, classes=3, max_norm=1.0, **kwargs):
        super().__init__(**kwargs)
        self.hidden = layers.Dense(hidden, activation="relu")
        self.out = layers.Dense(classes)
        self.max_norm = max_norm
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.accuracy = keras.metrics.SparseCategoricalAccuracy(name="accuracy")
        self.grad_norm = keras.metrics.Mean(name="grad_norm")

    def call(self, inputs, training=None):
        return self.out(self.hidden(inputs))

    @property
    def metrics(self):
        return [self.loss_tracker, self.accuracy, self.grad_norm]

    def train_step(self, data):
        x, y = data
        self.zero_grad()
        logits = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=logits)
        loss.backward()
        weights = list(self.trainable_weights)
        grads = [w.value.grad for w in weights]
        norm = ember.sqrt(sum((g * g).sum() for g in grads))
        scale = min(1.0, self.max_norm / (float(norm) + 1e-6))
        with ember.no_grad():
            self.optimizer.apply([g * scale for g in grads], weights)
        self.loss_tracker.update_state(loss)
        self.accuracy.update_state(y, logits)
        self.grad_norm.update_state(norm)
        return {m.name: m.result() for m in self.metrics}

    def test_step(self, data):
        x, y = data
        logits = self(x, training=False)
        self.loss_tracker.update_state(self.compute_loss(y=y, y_pred=logits))
        self.accuracy.update_state(y, logits)
        return {"loss": self.loss_tracker.result(), "accuracy": self.accuracy.result()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=40)
    args = parser.parse_args()
    keras.utils.set_random_seed(0)
    iris = load_iris()
    x, y = iris.data.astype("float32"), iris.target.astype("int64")
    order = np.random.default_rng(0).permutation(len(x))
    train, test = order[:110], order[110:]
    x = (x - x[train].mean(axis=0)) / x[train].std(axis=0)
    model = ClippedClassifier(max_norm=1.0)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-2),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(x[train], y[train], batch_size=16, epochs=args.epochs,
                        validation_data=(x[test], y[test]), verbose=0)
    print("history keys:", sorted(history.history))
    print(f"mean gradient norm: first epoch {history.history['grad_norm'][0]:.3f}, "
          f"last epoch {history.history['grad_norm'][-1]:.3f}")
    scores = model.evaluate(x[test], y[test], verbose=0, return_dict=True)
    print(f"test accuracy {scores['accuracy']:.3f}")


if __name__ == "__main__":
    main()
