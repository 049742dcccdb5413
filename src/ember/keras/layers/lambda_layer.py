"""``Lambda``: a function of the inputs used as a layer (no weights).

A Lambda that wraps a named function saves as that function's name: at load time the name is
found in ``custom_objects``, the functions registered with
``keras.saving.register_keras_serializable``, or ``keras.ops``/``keras.activations``. A Python
``lambda`` (or a closure) cannot be saved: ember stores no code in files.

Example::

    >>> double = keras.layers.Lambda(lambda x: x * 2.0)
    >>> double(np.ones((1, 2), np.float32))
    tensor([[2., 2.]])
"""
from __future__ import annotations

import inspect

from .. import _tree
from ..saving.serialization import deserialize_function, serialize_function
from ._symbolic import is_shape
from .base import Layer

__all__ = ["Lambda", "serialize_function", "deserialize_function"]

class Lambda(Layer):
    """Wraps ``function(inputs, **arguments)`` as a layer.

    Args:
        function: the function; it may take ``mask``/``training`` keyword arguments.
        output_shape: the output shape without the batch axis, or a function of the input
            shape (default: found by running the function on zeros).
        arguments: extra keyword arguments for ``function``.
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Argument `function` of Lambda must be callable. Received: "
                            f"function={function}")
        self.function = function
        self.arguments = dict(arguments or {})
        self._output_shape = output_shape
        params = inspect.signature(function).parameters if _has_signature(function) else {}
        self._takes_mask = "mask" in params
        self._takes_training = "training" in params

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return self._infer_output_shape(input_shape)
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        batch = _tree.flatten(input_shape)[0]
        if is_shape(self._output_shape):
            return (batch,) + tuple(self._output_shape)
        return [(batch,) + tuple(s) for s in self._output_shape]

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._takes_mask:
            kwargs["mask"] = mask
        if self._takes_training:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def get_config(self):
        shape = self._output_shape
        return {**super().get_config(), "function": serialize_function(self.function),
                "output_shape": serialize_function(shape) if callable(shape) else shape,
                "arguments": self.arguments}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["function"] = deserialize_function(config["function"], custom_objects)
        if isinstance(config.get("output_shape"), dict):
            config["output_shape"] = deserialize_function(config["output_shape"], custom_objects)
        return cls(**config)


def _has_signature(fn) -> bool:
    try:
        inspect.signature(fn)
        return True
    except (TypeError, ValueError):
        return False
