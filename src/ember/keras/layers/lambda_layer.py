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

import importlib
import inspect

from .. import _tree
from ..saving.object_registration import get_registered_name, get_registered_object
from ._symbolic import is_shape
from .base import Layer

__all__ = ["Lambda", "serialize_function", "deserialize_function"]

_SEARCHED = ("ember.keras.ops", "ember.keras.activations")


def serialize_function(fn):
    """A named function as ``{"class_name": "function", "config": name, ...}``; a lambda or
    closure is returned as is (it can be cloned, not saved)."""
    name = getattr(fn, "__name__", "")
    if name == "<lambda>" or "<locals>" in getattr(fn, "__qualname__", "<locals>"):
        return fn
    return {"module": getattr(fn, "__module__", None), "class_name": "function", "config": name,
            "registered_name": get_registered_name(fn)}


def deserialize_function(spec, custom_objects=None):
    """The function :func:`serialize_function` described."""
    if callable(spec):
        return spec
    for key in (spec.get("registered_name"), spec["config"]):
        fn = get_registered_object(key, custom_objects) if key else None
        if fn is not None:
            return fn
    module = spec.get("module") or ""
    searched = [m for m in _SEARCHED if module.startswith(m.rsplit(".", 1)[0])] + list(_SEARCHED)
    for name in searched:
        fn = getattr(importlib.import_module(name), spec["config"], None)
        if callable(fn):
            return fn
    raise TypeError(f"Could not locate function '{spec['config']}'. Make sure custom classes and "
                    f"functions are decorated with `@keras.saving.register_keras_serializable()` "
                    f"or passed in `custom_objects`. Full object config: {spec}")


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
