"""The functional API as Keras's guide teaches it: a small model built layer by layer from
keras.Input, a model with three inputs and two outputs (an issue-tracker style ticket router)
trained with per-output losses and loss weights given as dicts, a small residual network with
skip connections, a shared embedding, feature extraction from intermediate layers, and models
nested as layers (an ensemble and an encoder/decoder autoencoder)."""
import numpy as np

import keras
from keras import layers, ops


def seeded(model, seed):
    """Gives ``model`` the same weights on every library (a normal draw from ``seed``)."""
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(scale=0.2, size=w.shape).astype("float32")
                       for w in model.get_weights()])
    return model


def mnist_like_mlp(x, y):
    inputs = keras.Input(shape=(16,), name="pixels")
    h = layers.Dense(32, activation="relu")(inputs)
    h = layers.Dense(32, activation="relu")(h)
    outputs = layers.Dense(4)(h)
    model = seeded(keras.Model(inputs=inputs, outputs=outputs, name="mlp"), 1)
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  optimizer=keras.optimizers.RMSprop(learning_rate=0.01), metrics=["accuracy"])
    history = model.fit(x, y, batch_size=16, epochs=3, validation_split=0.2, shuffle=False,
                        verbose=0)
    scores = model.evaluate(x, y, verbose=0)
    return {"history": history.history, "scores": scores,
            "layer_types": [type(layer).__name__ for layer in model.layers],
            "output_shape": list(model.output.shape), "params": model.count_params()}


def ticket_router(rng):
    words, tags = 50, 6
    title_in = keras.Input(shape=(None,), name="title")
    body_in = keras.Input(shape=(None,), name="body")
    tags_in = keras.Input(shape=(tags,), name="tags")
    title = layers.Embedding(words, 8)(title_in)
    body = layers.Embedding(words, 8)(body_in)
    title = layers.LSTM(12)(title)
    body = layers.GRU(6)(body)
    x = layers.concatenate([title, body, tags_in])
    priority = layers.Dense(1, name="priority")(x)
    department = layers.Dense(3, name="department")(x)
    model = seeded(keras.Model(inputs=[title_in, body_in, tags_in],
                               outputs={"priority": priority, "department": department}), 2)
    model.compile(optimizer=keras.optimizers.RMSprop(1e-2),
                  loss={"priority": keras.losses.BinaryCrossentropy(from_logits=True),
                        "department": keras.losses.CategoricalCrossentropy(from_logits=True)},
                  loss_weights={"priority": 1.0, "department": 0.2})
    n = 48
    data = {"title": rng.integers(0, words, size=(n, 7)), "body": rng.integers(0, words, (n, 9)),
            "tags": rng.integers(0, 2, size=(n, tags)).astype("float32")}
    targets = {"priority": rng.random(size=(n, 1)).astype("float32"),
               "department": keras.utils.to_categorical(rng.integers(0, 3, n), 3)}
    history = model.fit(data, targets, epochs=2, batch_size=16, shuffle=False, verbose=0)
    out = model.predict(data, verbose=0)
    return {"history": history.history, "priority": out["priority"][:5],
            "department": out["department"][:5],
            "outputs": sorted(model.output), "inputs": [t.name for t in model.inputs]}


def toy_resnet(rng):
    inputs = keras.Input(shape=(8, 8, 3), name="img")
    x = layers.Conv2D(8, 3, activation="relu")(inputs)
    x = layers.Conv2D(8, 3, activation="relu")(x)
    block_1 = layers.MaxPooling2D(2)(x)
    x = layers.Conv2D(8, 3, activation="relu", padding="same")(block_1)
    x = layers.Conv2D(8, 3, activation="relu", padding="same")(x)
    block_2 = layers.add([x, block_1], name="skip_1")
    x = layers.Conv2D(8, 3, activation="relu", padding="same")(block_2)
    block_3 = layers.add([x, block_2], name="skip_2")
    x = layers.GlobalAveragePooling2D()(block_3)
    x = layers.Dense(16, activation="relu")(x)
    x = layers.Dropout(0.0)(x)
    outputs = layers.Dense(3)(x)
    model = seeded(keras.Model(inputs, outputs, name="toy_resnet"), 3)
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.CategoricalCrossentropy(from_logits=True), metrics=["acc"])
    x_img = rng.normal(size=(24, 8, 8, 3)).astype("float32")
    y = keras.utils.to_categorical(rng.integers(0, 3, 24), 3)
    history = model.fit(x_img, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    return {"history": history.history, "pred": model.predict(x_img[:4], verbose=0),
            "add_inputs": [len(model.get_layer(name).input) for name in ("skip_1", "skip_2")],
            "layer_types": [type(layer).__name__ for layer in model.layers]}


def shared_and_extracted(rng):
    shared = layers.Embedding(20, 4, name="shared_embedding")
    text_a, text_b = keras.Input(shape=(None,), dtype="int32"), keras.Input(shape=(None,),
                                                                              dtype="int32")
    pooled = [layers.GlobalAveragePooling1D()(shared(t)) for t in (text_a, text_b)]
    similarity = layers.Dot(axes=1, normalize=True)(pooled)
    pair = seeded(keras.Model([text_a, text_b], similarity), 4)
    tokens = rng.integers(0, 20, size=(5, 6))
    sims = pair.predict([tokens, tokens[::-1]], verbose=0)

    base = seeded(keras.Sequential([keras.Input(shape=(6,)), layers.Dense(5, activation="relu",
                                    name="h1"), layers.Dense(4, activation="tanh", name="h2"),
                                    layers.Dense(2, name="logits")]), 5)
    extractor = keras.Model(inputs=base.inputs,
                            outputs=[layer.output for layer in base.layers])
    features = extractor(rng.normal(size=(3, 6)).astype("float32"))
    single = keras.Model(inputs=base.inputs, outputs=base.get_layer(name="h2").output)
    return {"sims": sims, "n_shared_weights": len(pair.weights),
            "features": [ops.convert_to_numpy(f) for f in features],
            "single": single.predict(np.ones((2, 6), "float32"), verbose=0)}


def nested_models(rng):
    def get_model():
        inputs = keras.Input(shape=(4,))
        return keras.Model(inputs, layers.Dense(1)(inputs))

    members = [get_model() for _ in range(3)]
    inputs = keras.Input(shape=(4,))
    ensemble = seeded(keras.Model(inputs, layers.average([m(inputs) for m in members])), 6)

    encoder_input = keras.Input(shape=(6, 6, 1), name="original_img")
    x = layers.Conv2D(4, 3, activation="relu")(encoder_input)
    x = layers.Conv2D(2, 3, activation="relu")(x)
    encoder_output = layers.GlobalMaxPooling2D()(x)
    encoder = keras.Model(encoder_input, encoder_output, name="encoder")
    decoder_input = keras.Input(shape=(2,), name="encoded_img")
    x = layers.Reshape((1, 1, 2))(decoder_input)
    x = layers.Conv2DTranspose(4, 3, activation="relu")(x)
    decoder_output = layers.Conv2DTranspose(1, 4, activation="relu")(x)
    decoder = keras.Model(decoder_input, decoder_output, name="decoder")
    autoencoder_input = keras.Input(shape=(6, 6, 1), name="img")
    autoencoder = seeded(keras.Model(autoencoder_input,
                                     decoder(encoder(autoencoder_input)), name="autoencoder"), 7)
    autoencoder.compile(optimizer="adam", loss="mse")
    images = rng.random(size=(10, 6, 6, 1)).astype("float32")
    history = autoencoder.fit(images, images, epochs=2, batch_size=5, shuffle=False, verbose=0)
    return {"ensemble": ensemble.predict(rng.normal(size=(3, 4)).astype("float32"), verbose=0),
            "ae_history": history.history, "decoded_shape": list(decoder.output.shape),
            "ae_layers": [layer.name for layer in autoencoder.layers]}


def main():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(80, 16)).astype("float32")
    y = (x[:, :4].argmax(axis=1)).astype("int64")
    return {"mlp": mnist_like_mlp(x, y), "router": ticket_router(rng), "resnet": toy_resnet(rng),
            "shared": shared_and_extracted(rng), "nested": nested_models(rng)}
