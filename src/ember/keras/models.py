"""``Sequential``: a stack of layers with Keras's model API (summary, weights, compile/fit, save).

Example::

    >>> model = Sequential([Dense(4, activation="relu", input_shape=(2,)),
    ...                     Dense(1, activation="sigmoid")])
    >>> model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    >>> model.fit(X, y, epochs=100, verbose=0)
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from . import layers as _layers
from ._utils import to_tensor, unique_name
from .layers.base import Layer
from .layers.core import InputLayer, KerasTensor
from .trainer import Trainer


class Sequential(Trainer):
    """A linear stack of layers; built as soon as the input shape is known (from ``Input``,
    ``input_shape``/``input_dim`` on the first layer, ``build`` or the first batch)."""

    def __init__(self, layers=None, name=None, trainable=True):
        self.name = name or unique_name("sequential")
        self._layers: list[Layer] = []
        self._input_layer: InputLayer | None = None
        self.built = False
        self._init_trainer()
        for layer in layers or []:
            self.add(layer)
        if not trainable:
            self.trainable = False

    # ---- structure ------------------------------------------------------------------------
    def add(self, layer) -> None:
        """Appends a layer (or, first, an ``Input``/``InputLayer``)."""
        if isinstance(layer, KerasTensor):
            layer = layer._input_layer
        if isinstance(layer, InputLayer):
            if self._layers or self._input_layer is not None:
                raise ValueError("An InputLayer/Input can only be the first layer of a Sequential "
                                 "model.")
            self._input_layer = layer
            self.built = False
            self.build(layer.batch_shape)
            return
        if not isinstance(layer, Layer):
            raise TypeError(f"Only instances of `keras.Layer` can be added to a Sequential model. "
                            f"Received: {layer!r} (of type {type(layer).__name__})")
        if any(l.name == layer.name for l in self._layers):
            raise ValueError(f"All layers added to a Sequential model should have unique names. "
                             f"Name '{layer.name}' is already the name of a layer in this model.")
        if not self._layers and self._input_layer is None and layer._batch_input_shape is not None:
            self._input_layer = InputLayer(batch_shape=layer._batch_input_shape)
        self._layers.append(layer)
        if self._input_layer is not None:
            self.built = False
            self.build(self._input_layer.batch_shape)

    def pop(self) -> Layer:
        if not self._layers:
            raise IndexError("There are no layers in the model.")
        layer = self._layers.pop()
        return layer

    @property
    def layers(self) -> list[Layer]:
        return list(self._layers)

    def get_layer(self, name=None, index=None) -> Layer:
        if index is not None:
            return self._layers[index]
        for layer in self._layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}. Existing layers are: "
                         f"{[l.name for l in self._layers]}.")

    def build(self, input_shape=None) -> None:
        """Creates every layer's weights for inputs of ``input_shape`` (batch axis included)."""
        if input_shape is None:
            if self._input_layer is None:
                raise ValueError("You must provide an `input_shape` argument.")
            input_shape = self._input_layer.batch_shape
        shape = tuple(input_shape)
        if self._input_layer is None:
            self._input_layer = InputLayer(batch_shape=shape)
        for layer in self._layers:
            layer._build_once(shape)
            shape = layer.output_shape
        self.built = True

    @property
    def input_shape(self):
        return None if self._input_layer is None else self._input_layer.batch_shape

    @property
    def output_shape(self):
        return self._layers[-1].output_shape if self._layers and self.built else None

    # ---- forward ----------------------------------------------------------------------------
    def __call__(self, inputs, training=False):
        x = to_tensor(inputs)
        if x._data.dtype.kind in "iub":  # Keras feeds integer/boolean data to layers as float32
            x = Tensor._make(x._data.astype(np.float32))
        if not self.built:
            self.build((None,) + tuple(x.shape[1:]))
        for layer in self._layers:
            x = layer(x, training=training)
        return x

    call = __call__

    def _clear_activity_losses(self) -> None:
        for layer in self._layers:
            if layer._activity_losses:
                layer._activity_losses = []

    @property
    def losses(self) -> list:
        out = []
        for layer in self._layers:
            out.extend(layer.losses)
        return out

    # ---- weights ----------------------------------------------------------------------------
    @property
    def weights(self):
        return [w for layer in self._layers for w in layer.weights]

    @property
    def trainable_weights(self):
        return [w for layer in self._layers for w in layer.trainable_weights]

    @property
    def non_trainable_weights(self):
        return [w for layer in self._layers for w in layer.non_trainable_weights]

    @property
    def trainable(self) -> bool:
        return all(layer.trainable for layer in self._layers) if self._layers else True

    @trainable.setter
    def trainable(self, value) -> None:
        for layer in self._layers:
            layer.trainable = value

    def get_weights(self) -> list[np.ndarray]:
        """All weights as NumPy arrays, layer by layer (a Dense kernel is (in, out), then bias)."""
        return [w for layer in self._layers for w in layer.get_weights()]

    def set_weights(self, weights) -> None:
        weights = list(weights)
        expected = sum(len(layer.weights) for layer in self._layers)
        if len(weights) != expected:
            raise ValueError(f"You called `set_weights(weights)` on model {self.name} with a weight "
                             f"list of length {len(weights)}, but the model was expecting "
                             f"{expected} weights.")
        i = 0
        for layer in self._layers:
            k = len(layer.weights)
            layer.set_weights(weights[i:i + k])
            i += k

    def count_params(self) -> int:
        if not self.built:
            raise ValueError(f"You tried to call `count_params` on model '{self.name}', but the "
                             f"model isn't built. You can build it manually via: "
                             f"`model.build(batch_input_shape)`.")
        return sum(layer.count_params() for layer in self._layers)

    def summary(self, print_fn=None, line_length=None) -> None:
        """Prints Keras's table: layer (type), output shape, parameter count, then the totals."""
        from .summary import render
        text = render(self)
        (print_fn or print)(text)

    # ---- saving -------------------------------------------------------------------------------
    def get_config(self) -> dict:
        layers = []
        if self._input_layer is not None:
            layers.append({"class_name": "InputLayer", "config": self._input_layer.get_config()})
        for layer in self._layers:
            layers.append({"class_name": type(layer).__name__, "config": layer.get_config()})
        return {"name": self.name, "layers": layers}

    @classmethod
    def from_config(cls, config) -> "Sequential":
        model = cls(name=config.get("name"))
        for spec in config["layers"]:
            layer_cls = _layers.ALL.get(spec["class_name"])
            if layer_cls is None:
                raise ValueError(f"Unknown layer class {spec['class_name']!r} in the saved config; "
                                 f"known: {', '.join(sorted(_layers.ALL))}")
            model.add(layer_cls.from_config(dict(spec["config"])))
        return model

    def save(self, filepath, overwrite=True) -> None:
        """Saves architecture, weights, compile config and optimizer state in one safetensors file."""
        from .saving import save_model
        save_model(self, filepath, overwrite=overwrite)

    def save_weights(self, filepath, overwrite=True) -> None:
        from .saving import save_weights
        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath) -> None:
        from .saving import load_weights
        load_weights(self, filepath)

    def __repr__(self):
        return f"<Sequential name={self.name}, built={self.built}>"


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True) -> Sequential:  # noqa: A002
    """Loads a model written by ``model.save(filepath)`` (see :mod:`ember.keras.saving`)."""
    from .saving import load_model as _load
    return _load(filepath, compile=compile)
