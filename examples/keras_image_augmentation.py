"""An image classifier with Keras preprocessing layers in the model, in the style of Keras's
"Image classification from scratch" guide: a ``data_augmentation`` Sequential of random layers
(active in ``fit``, the identity in ``evaluate``/``predict``), then ``Resizing`` and
``Rescaling`` in front of a small convnet, all with ember's imports.

The guide's cats-vs-dogs photos cannot be downloaded here: the bundled 8×8 handwritten digits
(values 0–16) stand in, as channels_last images.
Run: python examples/keras_image_augmentation.py
"""
import numpy as np
from ember import keras
from ember.keras import layers
import ember

ember.manual_seed(0)
keras.utils.set_random_seed(0)

digits = ember.datasets.load_digits(images=True, data_format="channels_last")
x, y = digits.X.astype("float32"), digits.y
order = np.random.default_rng(0).permutation(len(x))
x, y = x[order], y[order]
x_train, y_train, x_test, y_test = x[:1400], y[:1400], x[1400:], y[1400:]

data_augmentation = keras.Sequential(
    [
        layers.RandomRotation(0.04, fill_mode="constant"),
        layers.RandomTranslation(0.1, 0.1, fill_mode="constant"),
        layers.RandomZoom(0.1, fill_mode="constant"),
        layers.RandomContrast(0.2, value_range=(0, 16)),
    ],
    name="data_augmentation",
)

inputs = keras.Input(shape=(8, 8, 1))
h = data_augmentation(inputs)
h = layers.Resizing(12, 12)(h)
h = layers.Rescaling(1.0 / 16)(h)
h = layers.Conv2D(16, 3, padding="same", activation="relu")(h)
h = layers.MaxPooling2D()(h)
h = layers.Conv2D(32, 3, padding="same", activation="relu")(h)
h = layers.Flatten()(h)
h = layers.Dropout(0.2)(h)
outputs = layers.Dense(10, activation="softmax")(h)
model = keras.Model(inputs, outputs)
model.summary()

model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
history = model.fit(x_train, y_train, batch_size=64, epochs=10, validation_split=0.1, verbose=2)

loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
first = model.predict(x_test[:8], verbose=0)
again = model.predict(x_test[:8], verbose=0)
print(f"test accuracy {accuracy:.3f}")
print(f"predict is deterministic (augmentation off): {bool(np.array_equal(first, again))}")
augmented = data_augmentation(x_test[:8], training=True)
print(f"augmentation changes images while training: "
      f"{bool(not np.allclose(np.asarray(augmented), x_test[:8]))}")
