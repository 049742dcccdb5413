"""The Sequential model as Keras's guide teaches it: layers given as a list or added one by one,
weights created on the first call or from keras.Input, pop, summary-ready models, feature
extraction with keras.Model(model.inputs, [layer.output ...]), a trained model wrapped with a
Softmax for probabilities (Sequential([model, layers.Softmax()])), and transfer learning with
frozen layers."""
import numpy as np

import keras
from keras import layers, ops


def seeded(model, seed):
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(scale=0.4, size=w.shape).astype("float32")
                       for w in model.get_weights()])
    return model


def main():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, 5)).astype("float32")
    labels = (x[:, 0] > 0).astype("int64") + (x[:, 1] > 0.5).astype("int64")
    out = {}

    model = keras.Sequential([layers.Dense(4, activation="relu", name="layer1"),
                              layers.Dense(3, activation="relu", name="layer2"),
                              layers.Dense(2, name="layer3")])
    out["unbuilt"] = [len(model.weights), len(model.layers)]
    seeded_input = ops.ones((3, 5))
    model(seeded_input)
    out["built"] = [len(model.weights), [list(w.shape) for w in model.weights]]

    stacked = keras.Sequential()
    stacked.add(layers.Dense(4, activation="relu"))
    stacked.add(layers.Dense(3, activation="relu"))
    stacked.add(layers.Dense(2))
    stacked.pop()
    out["after_pop"] = len(stacked.layers)

    with_input = keras.Sequential()
    with_input.add(keras.Input(shape=(5,)))
    with_input.add(layers.Dense(2, activation="relu"))
    out["input_model"] = [len(with_input.layers), len(with_input.weights),
                          list(with_input.outputs[0].shape)]

    classifier = seeded(keras.Sequential([keras.Input(shape=(5,)),
                                          layers.Dense(8, activation="relu", name="hidden"),
                                          layers.Dense(3, name="logits")]), 1)
    classifier.compile(optimizer=keras.optimizers.Adam(0.02),
                       loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                       metrics=["accuracy"])
    out["history"] = classifier.fit(x, labels, batch_size=10, epochs=3, shuffle=False,
                                    verbose=0).history
    probability_model = keras.Sequential([classifier, layers.Softmax()])
    probs = probability_model.predict(x[:5], verbose=0)
    out["probs"] = probs
    out["probs_sum"] = probs.sum(axis=1)
    out["probability_layers"] = [type(layer).__name__ for layer in probability_model.layers]

    extractor = keras.Model(inputs=classifier.inputs,
                            outputs=[layer.output for layer in classifier.layers])
    features = extractor(x[:4])
    out["features"] = [ops.convert_to_numpy(f) for f in features]
    hidden_only = keras.Model(inputs=classifier.inputs,
                              outputs=classifier.get_layer(name="hidden").output)
    out["hidden"] = hidden_only.predict(x[:4], verbose=0)

    base = seeded(keras.Sequential([keras.Input(shape=(5,)), layers.Dense(6, activation="relu"),
                                    layers.Dense(6, activation="relu")]), 2)
    for layer in base.layers[:-1]:
        layer.trainable = False
    frozen_kernel = ops.convert_to_numpy(base.layers[0].kernel).copy()
    transfer = keras.Sequential([base, layers.Dense(1, kernel_initializer="ones")])
    transfer.compile(optimizer="sgd", loss="mse")
    target = x[:, :1] * 0.5
    out["transfer_history"] = transfer.fit(x, target, batch_size=10, epochs=2, shuffle=False,
                                           verbose=0).history
    out["frozen"] = [bool(np.array_equal(ops.convert_to_numpy(base.layers[0].kernel),
                                         frozen_kernel)),
                     len(transfer.trainable_weights), len(transfer.non_trainable_weights)]
    base.trainable = False
    out["all_frozen"] = [len(transfer.trainable_weights), len(transfer.non_trainable_weights)]
    return out
