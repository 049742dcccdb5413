"""Keras's data utilities in a small pipeline: a PyDataset feeding fit, pad_sequences and
CategoryEncoding turning token lists into bag-of-words vectors, Discretization of a numeric
column, normalize, and a trained classifier's predictions."""
import math

import numpy as np

import keras
from keras import layers


class BagOfWords(keras.utils.PyDataset):
    def __init__(self, docs, labels, batch_size, **kwargs):
        super().__init__(**kwargs)
        self.docs, self.labels, self.batch_size = docs, labels, batch_size

    def __len__(self):
        return math.ceil(len(self.docs) / self.batch_size)

    def __getitem__(self, idx):
        part = slice(idx * self.batch_size, (idx + 1) * self.batch_size)
        return self.docs[part], self.labels[part]


def main():
    rng = np.random.default_rng(9)
    lengths = rng.integers(2, 9, size=96)
    sequences = [list(rng.integers(1, 20, size=n)) for n in lengths]
    labels = np.array([float(np.mean(s) > 10) for s in sequences], dtype="float32")[:, None]
    padded = keras.utils.pad_sequences(sequences, maxlen=6, padding="post", truncating="pre")
    bags = keras.layers.CategoryEncoding(num_tokens=20, output_mode="count")(padded)
    bags = keras.ops.convert_to_numpy(bags)
    bags = keras.utils.normalize(bags, axis=-1, order=2).astype("float32")
    buckets = keras.layers.Discretization(bin_boundaries=[3.0, 5.0, 7.0])(
        lengths.astype("float32"))
    model = keras.Sequential([keras.Input(shape=(20,)), layers.Dense(8, activation="relu"),
                              layers.Dropout(0.0), layers.Dense(1, activation="sigmoid")])
    init = np.random.default_rng(4)
    model.set_weights([init.normal(scale=0.5, size=w.shape).astype("float32")
                       for w in model.get_weights()])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(BagOfWords(bags[:80], labels[:80], batch_size=16), epochs=3,
                        shuffle=False, verbose=0)
    return {"padded": padded, "buckets": keras.ops.convert_to_numpy(buckets),
            "history": history.history, "predictions": model.predict(bags[80:], verbose=0)}
