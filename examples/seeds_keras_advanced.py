"""Seed: "Advanced Topics" in Keras — Dropout, BatchNormalization, Glorot/He initializers,
gradient clipping and learning-rate scheduling, with ``tensorflow`` → ``ember``.

Run: ``python examples/seeds_keras_advanced.py``
"""
import numpy as np

import ember as tf
from ember import keras

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
y = np.array([[0], [1], [1], [0]], dtype=np.float32)

keras_model = keras.Sequential([
    keras.layers.Dense(4, activation='relu', input_shape=(2,)),
    keras.layers.Dense(1, activation='sigmoid')
])
keras_model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])

# ---- In [81]: Dropout
from ember.keras.layers import Dropout

# Define MLP model with Dropout
model_dropout = keras.Sequential([
    keras.layers.Dense(4, activation='relu', input_shape=(2,)),
    keras.layers.Dropout(0.5),  # Dropout layer with 50% probability
    keras.layers.Dense(1, activation='sigmoid')
])

# Compile model
model_dropout.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])

# ---- In [83]: Batch Normalization
from ember.keras.layers import BatchNormalization

# Define MLP model with Batch Normalization
model_batchnorm = keras.Sequential([
    keras.layers.Dense(4, input_shape=(2,), activation='relu'),
    keras.layers.BatchNormalization(),  # Batch Normalization layer
    keras.layers.Dense(1, activation='sigmoid')
])

# Compile model
model_batchnorm.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])

# ---- In [85]: Xavier & He Initialization in Keras
from ember.keras.initializers import GlorotUniform, HeNormal

# Xavier Initialization (Glorot)
xavier_initializer = GlorotUniform()

# He Initialization (for ReLU)
he_initializer = HeNormal()

# ---- In [87]: Gradient Clipping in Keras
from ember.keras.optimizers import Adam

# Define optimizer with gradient clipping
optimizer = Adam(learning_rate=0.01, clipnorm=1.0)  # clipnorm prevents exploding gradients

# Compile model with clipped gradients
keras_model.compile(optimizer=optimizer, loss='binary_crossentropy', metrics=['accuracy'])

# ---- In [89]: Learning Rate Scheduling in Keras
from ember.keras.callbacks import LearningRateScheduler


# Define exponential decay function
def exponential_decay(epoch, lr):
    return lr * np.exp(-0.1)


# Define step decay function
def step_decay(epoch, lr):
    if epoch % 10 == 0:
        return lr * 0.5
    return lr


# Apply scheduler callbacks
exp_decay_callback = LearningRateScheduler(exponential_decay)
step_decay_callback = LearningRateScheduler(step_decay)

# Train model with learning rate scheduler
history = keras_model.fit(X, y, epochs=20, callbacks=[exp_decay_callback])
print(history)
