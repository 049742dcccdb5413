"""``Pipeline`` (Keras's plain layer that applies a list of layers in turn, for preprocessing and
augmentation) and ``keras.layers.serialize``/``deserialize``.

Unlike ``Sequential``, a Pipeline is not a model: it has no ``fit`` and its ``training``
defaults to True, so augmentation layers in it are active unless told otherwise.

Example::

    >>> import numpy as np
    >>> from ember.keras import layers
    >>> pipe = layers.Pipeline([layers.Rescaling(0.5), layers.Dense(2)])
    >>> pipe(np.ones((3, 4), np.float32)).shape
    ember.Size([3, 2])
    >>> layers.deserialize(layers.serialize(pipe)).layers[0].scale
    0.5
"""
from __future__ import annotations

from ..saving.serialization import deserialize_keras_object, serialize_keras_object
from .base import Layer, _call_spec
from .masking import _mask_args, get_keras_mask

__all__ = ["Pipeline", "deserialize", "serialize"]


class Pipeline(Layer):
    """Applies ``layers`` one after the other, passing each output's mask to the next layer.

    Args:
        layers: the layers, in order.
        name: the layer's name.
    """

    def __init__(self, layers, name=None):
        super().__init__(name=name)
        self._pipeline_layers = list(layers)
        for i, layer in enumerate(self._pipeline_layers):
            self.add_module(str(i), layer)

    @property
    def layers(self) -> list:
        return self._pipeline_layers

    def build(self, input_shape):
        for layer in self._pipeline_layers:
            layer._build_once(input_shape)
            input_shape = layer.compute_output_shape(input_shape)

    def compute_output_shape(self, input_shape):
        for layer in self._pipeline_layers:
            input_shape = layer.compute_output_shape(input_shape)
        return input_shape

    def call(self, inputs, training=True, mask=None):
        outputs = inputs
        for layer in self._pipeline_layers:
            kwargs = {}
            if "mask" in _mask_args(type(layer)):
                kwargs["mask"] = mask
            if _call_spec(type(layer))[0] and training is not None:
                kwargs["training"] = training
            outputs = layer(inputs, **kwargs)
            inputs, mask = outputs, get_keras_mask(outputs)
        return outputs

    @classmethod
    def from_config(cls, config):
        layers = config.get("layers")
        if not isinstance(layers, (list, tuple)):
            raise ValueError(f"`Pipeline` config must contain a `layers` key mapping to a list "
                             f"of serialized layers. Received config with layers={layers}.")
        config = {**config, "layers": [deserialize_keras_object(x) for x in layers]}
        return cls(**config)

    def get_config(self):
        return {"layers": [serialize_keras_object(x) for x in self._pipeline_layers],
                "name": self.name}


def serialize(layer) -> dict:
    """A layer's config as Keras saves it (``{"module", "class_name", "config", ...}``)."""
    return serialize_keras_object(layer)


def deserialize(config, custom_objects=None):
    """The layer :func:`serialize` described; anything else is a ValueError."""
    obj = deserialize_keras_object(config, custom_objects=custom_objects)
    if not isinstance(obj, Layer):
        raise ValueError(f"`keras.layers.deserialize` was passed a `config` object that is not "
                         f"a `keras.layers.Layer`. Received: {config}")
    return obj
