"""A GRU sequence classifier in Keras style (only the import names ember): variable-length
token sequences, padded with 0 and masked by ``Embedding(mask_zero=True)``, so the GRU skips
the padding.

The task: each sequence holds "positive" tokens (1-3) and "negative" tokens (4-6); the label
says whether the positives outnumber the negatives. A model must read the whole sequence, and
the padding must not count.

Run: python examples/gru_sequence_classifier_keras.py [--epochs 15]
"""
import argparse

import numpy as np

from ember import keras
from ember.keras import layers

MAX_LEN, VOCAB = 12, 7


def make_data(n, rng):
    lengths = rng.integers(3, MAX_LEN + 1, n)
    tokens = np.zeros((n, MAX_LEN), np.int64)
    labels = np.zeros(n, np.float32)
    for i, length in enumerate(lengths):
        seq = rng.integers(1, VOCAB, length)
        tokens[i, :length] = seq
        labels[i] = float((seq <= 3).sum() > (seq >= 4).sum())
    return tokens, labels


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=15)
    args = parser.parse_args()
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x_train, y_train = make_data(2000, rng)
    x_test, y_test = make_data(500, rng)

    model = keras.Sequential([
        keras.Input(shape=(MAX_LEN,), dtype="int64"),
        layers.Embedding(VOCAB, 8, mask_zero=True),
        layers.GRU(16),
        layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01),
                  loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=64, epochs=args.epochs, validation_split=0.1,
              verbose=2)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test accuracy {accuracy:.3f} (majority class {max(y_test.mean(), 1 - y_test.mean()):.3f})")


if __name__ == "__main__":
    main()
