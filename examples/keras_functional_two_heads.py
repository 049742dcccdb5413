"""The Keras functional API on the wine data (only the import names ember): two inputs, two
outputs and a skip connection.

The 13 wine measurements are split into two inputs, the "chemistry" (acids, phenols, ash...)
and the "appearance" (colour intensity, hue, OD280/OD315, proline). Both pass through their own
Dense layer, are concatenated, go through a residual block (``Add`` of the block's input and its
output), and feed two heads: the cultivar (3 classes, softmax) and the alcohol content
(regression; alcohol is left out of the inputs). One ``compile`` gives each output its loss
and metric by name, with a weight on the regression loss.

Run: python examples/keras_functional_two_heads.py [--epochs 60]
"""
import argparse

import numpy as np

from ember import keras
from ember.datasets import load_wine
from ember.keras import layers

CHEMISTRY = [1, 2, 3, 4, 5, 6, 7, 8]   # malic acid ... proanthocyanins
APPEARANCE = [9, 10, 11, 12]           # colour intensity, hue, OD280/OD315, proline


def build_model(width=32):
    chemistry = keras.Input(shape=(len(CHEMISTRY),), name="chemistry")
    appearance = keras.Input(shape=(len(APPEARANCE),), name="appearance")
    a = layers.Dense(width // 2, activation="relu", name="chem_dense")(chemistry)
    b = layers.Dense(width // 2, activation="relu", name="look_dense")(appearance)
    x = layers.concatenate([a, b], name="joined")
    block = layers.Dense(width, activation="relu", name="block_1")(x)
    block = layers.Dense(width, name="block_2")(block)
    x = layers.Activation("relu", name="residual_relu")(layers.add([x, block], name="skip"))
    cultivar = layers.Dense(3, activation="softmax", name="cultivar")(x)
    alcohol = layers.Dense(1, name="alcohol")(x)
    return keras.Model(inputs={"chemistry": chemistry, "appearance": appearance},
                       outputs={"cultivar": cultivar, "alcohol": alcohol}, name="wine_two_heads")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=60)
    args = parser.parse_args()
    keras.utils.set_random_seed(0)
    wine = load_wine()
    x, labels = wine.data.astype("float32"), wine.target.astype("int64")
    rng = np.random.default_rng(0)
    order = rng.permutation(len(x))
    train, test = order[:130], order[130:]
    mean, std = x[train].mean(axis=0), x[train].std(axis=0)
    x = (x - mean) / std
    alcohol = x[:, :1]

    def inputs(rows):
        return {"chemistry": x[rows][:, CHEMISTRY], "appearance": x[rows][:, APPEARANCE]}

    def targets(rows):
        return {"cultivar": labels[rows], "alcohol": alcohol[rows]}

    model = build_model()
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=3e-3),
                  loss={"cultivar": "sparse_categorical_crossentropy", "alcohol": "mse"},
                  loss_weights={"cultivar": 1.0, "alcohol": 0.5},
                  metrics={"cultivar": ["accuracy"], "alcohol": ["mae"]})
    model.summary()
    history = model.fit(inputs(train), targets(train), batch_size=16, epochs=args.epochs,
                        validation_split=0.15, verbose=0)
    print("history keys:", sorted(history.history))
    scores = model.evaluate(inputs(test), targets(test), verbose=0, return_dict=True)
    baseline = float(np.abs(alcohol[test] - alcohol[train].mean()).mean())
    print(f"test accuracy {scores['cultivar_accuracy']:.3f}")
    print(f"alcohol MAE {scores['alcohol_mae']:.3f}, predicting the mean {baseline:.3f}")


if __name__ == "__main__":
    main()
