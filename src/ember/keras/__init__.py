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
from . import (activations, backend, callbacks, config, constraints, distribution, initializers,
               layers, losses, metrics, models, ops, optimizers, random, regularizers, saving, utils)
from .layers import Input, InputSpec, Layer
from .models import Model, Sequential, load_model, save_model
from .initializers import Initializer
from .layers import KerasTensor
from . import (_onnx_attention, _onnx_conv_lstm, _onnx_einsum, _onnx_export,  # noqa: E402,F401
               _onnx_image, _onnx_norms, _onnx_pooling, _onnx_preprocessing,  # the layers' ONNX
               _onnx_reshaping, _onnx_rnn, _onnx_wrappers)  # converters
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


class device:  # noqa: N801 - Keras's name
    """``with keras.device("cpu"):`` -- ember computes on the CPU, so any CPU name is accepted;
    a GPU or TPU name raises."""

    def __init__(self, device_name):
        name = str(device_name).lower().split(":")[0]
        if name != "cpu":
            raise ValueError(f"ember computes on the CPU; keras.device({device_name!r}) is not "
                             f"available")
        self.name = device_name

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class name_scope:  # noqa: N801 - Keras's name
    """``with keras.name_scope("block"):`` -- accepted for Keras code; ember's weight names do
    not take the prefix."""

    def __init__(self, name, caller=None, deduplicate=True, override_parent=None):
        self.name = name

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


__all__ = ["Initializer", "KerasTensor", "Loss", "Metric", "Optimizer", "Regularizer",
           "__version__", "version", "device", "name_scope", "backend", "Model", "Sequential",
           "Input", "InputSpec", "Layer", "Variable", "load_model", "save_model", "activations",
           "callbacks", "config", "constraints", "distribution", "initializers", "layers", "losses", "metrics",
           "models", "ops", "optimizers", "random", "regularizers", "saving", "utils"]


def __getattr__(name):
    """``keras.wrappers`` (the scikit-learn estimators) is imported on first use: it needs
    scikit-learn, an optional extra."""
    if name == "wrappers":
        import importlib
        return importlib.import_module(".wrappers", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
