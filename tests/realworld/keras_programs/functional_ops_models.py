"""Functional models written with keras.ops, as keras.io examples write them: a residual MLP
(``x = ops.relu(x + h)``), a transformer block whose attention is keras.ops arithmetic, a model
that splits, gates and stacks with ``ops.split``/``ops.where``/``ops.stack``, and a functional
model with its own ``train_step`` (torch backend). Each is trained, frozen layer by layer,
summarized and rebuilt from its JSON config."""
import numpy as np

import keras
import torch
from keras import layers, ops


def residual_mlp(width=16, blocks=2):
    inputs = keras.Input(shape=(6,), name="features")
    x = layers.Dense(width, activation="relu")(inputs)
    for _ in range(blocks):
        h = layers.Dense(width, activation="relu")(x)
        h = layers.Dense(width)(h)
        x = ops.relu(x + h)  # the residual connection is an op, not a layer
    x = layers.Dropout(0.0)(x)
    outputs = layers.Dense(1)(x)
    return keras.Model(inputs, outputs, name="residual_mlp")


def transformer_block(seq_len=5, dim=8, heads=2):
    inputs = keras.Input(shape=(seq_len, dim))
    head_dim = dim // heads
    q = layers.Dense(dim)(inputs)
    k = layers.Dense(dim)(inputs)
    v = layers.Dense(dim)(inputs)

    def split_heads(t):
        t = ops.reshape(t, (-1, seq_len, heads, head_dim))
        return ops.transpose(t, (0, 2, 1, 3))

    q, k, v = split_heads(q), split_heads(k), split_heads(v)
    scores = ops.matmul(q, ops.transpose(k, (0, 1, 3, 2))) / ops.sqrt(float(head_dim))
    weights = ops.softmax(scores, axis=-1)
    attended = ops.transpose(ops.matmul(weights, v), (0, 2, 1, 3))
    attended = ops.reshape(attended, (-1, seq_len, dim))
    x = layers.LayerNormalization(epsilon=1e-6)(inputs + layers.Dense(dim)(attended))
    ff = layers.Dense(dim)(layers.Dense(2 * dim, activation="gelu")(x))
    x = layers.LayerNormalization(epsilon=1e-6)(x + ff)
    pooled = ops.concatenate([ops.mean(x, axis=1), x[:, -1, :]], axis=-1)
    return keras.Model(inputs, layers.Dense(3)(pooled), name="tiny_transformer")


def split_gate_stack():
    inputs = keras.Input(shape=(8,))
    h = layers.Dense(8, activation="tanh")(inputs)
    left, right = ops.split(h, 2, axis=-1)
    gated = ops.where(left > 0.0, left * ops.sigmoid(right), 0.1 * left)
    stacked = ops.stack([gated, right, ops.abs(left - right)], axis=1)  # (batch, 3, 4)
    x = layers.Flatten()(stacked)
    return keras.Model(inputs, layers.Dense(2)(x), name="split_gate_stack")


class PenalizedModel(keras.Model):
    """A functional model whose train_step adds an activity penalty computed with keras.ops."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.penalty_tracker = keras.metrics.Mean(name="penalty")

    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        penalty = 0.01 * ops.mean(ops.square(y_pred))
        loss = ops.mean(ops.square(y - y_pred)) + penalty
        loss.backward()
        trainable_weights = [v for v in self.trainable_weights]
        gradients = [v.value.grad for v in trainable_weights]
        with torch.no_grad():
            self.optimizer.apply(gradients, trainable_weights)
        self.loss_tracker.update_state(loss)
        self.penalty_tracker.update_state(penalty)
        return {"loss": self.loss_tracker.result(), "penalty": self.penalty_tracker.result()}

    @property
    def metrics(self):
        return [self.loss_tracker, self.penalty_tracker]


def _structure(model):
    lines = []
    model.summary(line_length=200, print_fn=lambda text, **_: lines.append(text))
    first_cells = [line.split("│")[1] for line in "\n".join(lines).split("\n")
                   if line.startswith("│")]
    summary_types = [cell.split("(")[1].split(")")[0] for cell in first_cells if "(" in cell]
    return {"layers": [type(layer).__name__ for layer in model.layers],
            "n_layers": len(model.layers), "last": type(model.layers[-1]).__name__,
            "operations": [type(op).__name__ for op in model.operations],
            "summary": summary_types,
            "config": [spec["class_name"] for spec in model.get_config()["layers"]]}


def _init(model, seed):
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(scale=0.3, size=w.shape).astype("float32")
                       for w in model.get_weights()])


def main():
    rng = np.random.default_rng(11)
    out = {}
    data = {"residual_mlp": (residual_mlp(), rng.normal(size=(64, 6)), 1),
            "tiny_transformer": (transformer_block(), rng.normal(size=(48, 5, 8)), 3),
            "split_gate_stack": (split_gate_stack(), rng.normal(size=(64, 8)), 2)}
    for name, (model, x, n_out) in data.items():
        x = x.astype("float32")
        y = np.tanh(x.reshape(len(x), -1)[:, :n_out] * 2.0).astype("float32")
        _init(model, 3)
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mse")
        history = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
        for layer in model.layers[:-1]:  # freeze all but the head, as transfer learning does
            layer.trainable = False
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="mse")
        tuned = model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
        clone = keras.models.model_from_json(model.to_json())
        clone.set_weights(model.get_weights())
        out[name] = {"history": history.history, "tuned": tuned.history,
                     "n_trainable": len(model.trainable_weights),
                     "head": ops.convert_to_numpy(model.layers[-1].kernel),
                     "pred": model.predict(x[:4], verbose=0),
                     "clone_pred": clone.predict(x[:4], verbose=0), **_structure(model)}
    inputs = keras.Input(shape=(4,))
    h = layers.Dense(8, activation="relu")(inputs)
    outputs = layers.Dense(1)(ops.concatenate([h, inputs[:, :2]], axis=-1))
    model = PenalizedModel(inputs, outputs)
    _init(model, 7)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01))
    x = rng.normal(size=(64, 4)).astype("float32")
    y = (x[:, :1] * 0.5 - x[:, 1:2]).astype("float32")
    history = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    out["penalized"] = {"history": history.history, "pred": model.predict(x[:4], verbose=0),
                        **_structure(model)}
    return out
