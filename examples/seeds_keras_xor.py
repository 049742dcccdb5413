"""Seed: "Implementing Neural Networks in Keras" — the XOR MLP, with ``tensorflow`` → ``ember``.

Run: ``python examples/seeds_keras_xor.py``
"""
import numpy as np

# 📦 Import required libraries
import ember as tf
from ember import keras

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
y = np.array([[0], [1], [1], [0]], dtype=np.float32)

# Define MLP model in Keras
keras_model = keras.Sequential([
    keras.layers.Dense(4, activation='relu', input_shape=(2,)),
    keras.layers.Dense(1, activation='sigmoid')
])

# Compile model
keras_model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])

# Train model
keras_model.fit(X, y, epochs=100, verbose=1)

# Evaluate model
loss, accuracy = keras_model.evaluate(X, y)
print(f"Final Loss: {loss:.4f}, Accuracy: {accuracy:.4f}")
