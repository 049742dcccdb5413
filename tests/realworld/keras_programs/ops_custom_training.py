"""Training with keras.ops: a custom layer that creates its weights in build() and computes with
keras.ops, a loss function written with keras.ops (a focal-style cross-entropy on logits), and a
regularized model, as a Keras 3 user writes them."""
import numpy as np

import keras
from keras import layers, ops


class ScaledDense(layers.Layer):
    """``scale * (x @ w + b)`` with a learned scalar scale."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                 initializer="glorot_uniform", name="w")
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="b")
        self.scale = self.add_weight(shape=(), initializer="ones", name="scale")

    def call(self, inputs):
        return self.scale * (ops.matmul(inputs, self.w) + self.b)


def focal_crossentropy(y_true, logits):
    """Cross-entropy weighted by (1 - p_true)^2, on logits."""
    log_probs = ops.log_softmax(logits, axis=-1)
    p_true = ops.sum(y_true * ops.exp(log_probs), axis=-1)
    ce = -ops.sum(y_true * log_probs, axis=-1)
    return ops.square(1.0 - p_true) * ce


def main():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(180, 4)).astype("float32")
    labels = np.digitize(x[:, 0] + 0.5 * x[:, 2], [-0.6, 0.6])
    y = keras.utils.to_categorical(labels, num_classes=3)
    model = keras.Sequential([
        keras.Input(shape=(4,)),
        ScaledDense(16),
        layers.Activation("gelu"),
        layers.Dense(16, activation="relu", kernel_regularizer=keras.regularizers.l2(1e-3)),
        layers.Dense(3),
    ])
    init = np.random.default_rng(2)
    model.set_weights([init.normal(scale=0.3, size=w.shape).astype("float32")
                       for w in model.get_weights()])
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.01), loss=focal_crossentropy,
                  metrics=[keras.metrics.CategoricalAccuracy(name="acc")])
    history = model.fit(x, y, batch_size=30, epochs=5, shuffle=False, verbose=0)
    logits = model.predict(x[:6], verbose=0)
    probs = ops.convert_to_numpy(ops.softmax(logits, axis=-1))
    top2 = ops.convert_to_numpy(ops.top_k(logits, k=2).indices)
    return {"history": history.history, "probs": probs, "top2": top2,
            "scale": float(ops.convert_to_numpy(model.layers[0].scale)),
            "norms": ops.convert_to_numpy(ops.norm(model.layers[2].kernel, axis=0))}
