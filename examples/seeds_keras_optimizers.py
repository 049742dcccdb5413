"""Seed: "Optimizers - Practice" (Keras) — batch GD, SGD with momentum, RMSprop, Adam, with
``tensorflow`` → ``ember``. The seed leaves ``model``/``x_train``/``y_train`` to the reader; here
they are a small softmax classifier on the bundled digits.

Run: ``python examples/seeds_keras_optimizers.py``
"""
import ember as tf
from ember.datasets import load_digits

digits = load_digits()
x_train = (digits.data / 16.0).astype("float32")
y_train = digits.target


def new_model():
    return tf.keras.Sequential([
        tf.keras.layers.Dense(32, activation='relu', input_shape=(64,)),
        tf.keras.layers.Dense(10, activation='softmax'),
    ])


model = new_model()
batch_size = len(x_train) # Batch size equal to the size of the dataset

# Using SGD optimizer
model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=0.01),
              loss='sparse_categorical_crossentropy', metrics=['accuracy'])

model.fit(x_train, y_train, epochs=10, batch_size=batch_size)

# Using SGD with momentum
model = new_model()
model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=0.01, momentum=0.9),
              loss='sparse_categorical_crossentropy', metrics=['accuracy'])

# Fit the model
model.fit(x_train, y_train, epochs=10, batch_size=32)

# Using RMSprop optimizer directly as a string (default settings)
model = new_model()
model.compile(optimizer='RMSprop', # Default RMSprop (momentum=0.0)
              loss='sparse_categorical_crossentropy', metrics=['accuracy'])
model.fit(x_train, y_train, epochs=2, batch_size=32, verbose=2)

model.compile(optimizer=tf.keras.optimizers.RMSprop(learning_rate=0.001),
              loss='sparse_categorical_crossentropy', metrics=['accuracy'])

model = new_model()
model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=0.001, beta_1=0.9,
                                                beta_2=0.999), loss='sparse_categorical_crossentropy', metrics=['accuracy'])
model.fit(x_train, y_train, epochs=2, batch_size=32, verbose=2)

# Using shorthand for Adam optimizer
model = new_model()
model.compile(optimizer='Adam', # Equivalent to tf.keras.optimizers.Adam()
              loss='sparse_categorical_crossentropy', metrics=['accuracy'])

# SGD proper (batch_size=1) for one epoch on a slice
model.fit(x_train[:200], y_train[:200], epochs=1, batch_size=1, verbose=2)
print(model.evaluate(x_train, y_train, verbose=0))
