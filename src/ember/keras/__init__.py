"""ember.keras: the Keras-3-style front door on ember's engine.

Models are stacks of layers whose weights are ember Tensors; ``fit`` runs ember's training step
(forward → loss → ``backward()`` → optimizer update) with Keras 3's defaults and semantics.

Example::

    >>> import ember as tf
    >>> model = tf.keras.Sequential([tf.keras.layers.Dense(4, activation="relu", input_shape=(2,)),
    ...                              tf.keras.layers.Dense(1, activation="sigmoid")])
    >>> model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    >>> history = model.fit(X, y, epochs=100, verbose=0)
"""
from . import (activations, callbacks, config, constraints, initializers, layers, losses,
               metrics, models, ops, optimizers, random, regularizers, saving, utils)
from .layers import Input, InputSpec, Layer
from .models import Model, Sequential, load_model, save_model
from .initializers import Initializer
from .layers import KerasTensor
from .losses import Loss
from .metrics import Metric
from .optimizers import Optimizer
from .regularizers import Regularizer
from .variables import Variable

# The Keras 3 API this front door follows (code that checks ``keras.__version__`` sees a 3.x);
# the local part names ember.
__version__ = "3.15.1+ember"


def version() -> str:
    """``keras.version()``: the version string."""
    return __version__


__all__ = ["Initializer", "KerasTensor", "Loss", "Metric", "Optimizer", "Regularizer",
           "__version__", "version", "Model", "Sequential", "Input", "InputSpec", "Layer",
           "Variable", "load_model", "save_model", "activations", "callbacks", "config",
           "constraints", "initializers", "layers", "losses", "metrics", "models", "ops",
           "optimizers", "random", "regularizers", "saving", "utils"]
