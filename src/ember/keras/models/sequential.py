"""``Sequential``: a linear stack of layers (a model may itself be one of them).

Example::

    >>> model = Sequential([keras.Input(shape=(2,)),
    ...                     Dense(4, activation="relu"),
    ...                     Dense(1, activation="sigmoid")])
    >>> model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    >>> model.fit(X, y, epochs=100, verbose=0)
    >>> [name for name, _ in model.named_parameters()]
    ['dense.kernel', 'dense.bias', 'dense_1.kernel', 'dense_1.bias']
"""
from __future__ import annotations

import numpy as np

from ..._tensor import Tensor
from ..saving import deserialize_keras_object, serialize_keras_object
from ..layers.base import InputSpec, Layer
from ..layers.input_layer import InputLayer
from .functional import Functional
from .model import Model

__all__ = ["Sequential"]


class Sequential(Model):
    """Layers applied one after the other; built as soon as the input shape is known (from
    ``keras.Input``, ``input_shape=`` on the first layer, a built model as first layer,
    ``build(input_shape)`` or the first batch).

    Args:
        layers: the layers (``keras.Input(...)`` may come first).
        trainable: False freezes every layer.
        name: the model's name (default ``sequential``, numbered).
    """

    def __init__(self, layers=None, trainable=True, name=None):
        super().__init__(name=name)
        self.__dict__["_input_layer"] = None  # not a child module: it holds no weights
        self.__dict__["_functional"] = None  # the graph of the layers' symbolic calls
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._rebuild()
        if not trainable:
            self.trainable = False

    # ---- structure ------------------------------------------------------------------------
    def add(self, layer, rebuild=True) -> None:
        """Appends a layer (or, first, a ``keras.Input``/``InputLayer``)."""
        if getattr(layer, "_keras_symbolic", False) and isinstance(
                getattr(layer._keras_history, "operation", None), InputLayer):
            layer = layer._keras_history.operation
        if isinstance(layer, InputLayer):
            if self._layers or self._input_layer is not None:
                raise ValueError(f"Sequential model '{self.name}' has already been configured to "
                                 f"use input shape {self.input_shape}. You cannot add a different "
                                 f"Input layer to it.")
            self.__dict__["_input_layer"] = layer
            self._rebuild()
            return
        if not isinstance(layer, Layer):
            raise ValueError(f"Only instances of `keras.Layer` can be added to a Sequential "
                             f"model. Received: {layer!r} (of type {type(layer)})")
        if any(l.name == layer.name for l in self._layers):
            raise ValueError(f"All layers added to a Sequential model should have unique names. "
                             f"Name '{layer.name}' is already the name of a layer in this model. "
                             f"Update the `name` argument to pass a unique name.")
        if not self._layers and self._input_layer is None:
            shape = layer._batch_input_shape
            if shape is None and isinstance(layer, Model) and layer.built:
                shape = layer.input_shape
            if shape is not None and not isinstance(shape, (list, dict)):
                self.__dict__["_input_layer"] = InputLayer(batch_shape=shape)
        self._modules[layer.name.replace(".", "_")] = layer
        self.__dict__["_functional"] = None
        if rebuild:
            self._rebuild()

    def pop(self, rebuild=True) -> Layer:
        """Removes and returns the last layer."""
        if not self._layers:
            raise IndexError("There are no layers in the model.")
        key = next(reversed(self._modules))
        layer = self._modules.pop(key)
        self.__dict__["_functional"] = None
        if rebuild:
            self._rebuild()
        return layer

    def _rebuild(self) -> None:
        if self._input_layer is not None and self._layers:
            self.built = False
            self.build(self._input_layer.batch_shape)

    def build(self, input_shape=None) -> None:
        """Creates every layer's weights for inputs of ``input_shape`` (batch axis included)."""
        if input_shape is None:
            if self._input_layer is None:
                raise ValueError("You must provide an `input_shape` argument.")
            input_shape = self._input_layer.batch_shape
        if not self._layers:
            raise ValueError(f"Sequential model {self.name} cannot be built because it has no "
                             f"layers. Call `model.add(layer)`.")
        input_shape = tuple(input_shape)
        if self._input_layer is None:
            self.__dict__["_input_layer"] = InputLayer(batch_shape=input_shape)
        shape = input_shape
        for layer in self._layers:
            layer._build_once(shape)
            shape = layer.output_shape
        self._build_shapes = [input_shape, shape]
        self.input_spec = InputSpec(shape=input_shape)
        self.built = True
        self._trace()

    def _trace(self) -> None:
        """Calls the layers on the input's KerasTensor, as Keras does once the input shape is
        known, so that ``inputs``/``outputs`` and every layer's ``input``/``output`` exist
        (feature extraction: ``keras.Model(model.inputs, [l.output for l in model.layers])``)."""
        inputs = x = self._input_layer.output
        try:
            for layer in self._layers:
                x = layer(x)
        except NotImplementedError:  # a layer without shape inference: no graph, as in Keras
            return
        self.__dict__["_functional"] = Functional(inputs=inputs, outputs=x)

    @property
    def inputs(self) -> list:
        """The input KerasTensor (in a list), once the input shape is known."""
        if self._functional is None:
            raise AttributeError(f"Sequential model '{self.name}' has no defined inputs yet.")
        return self._functional.inputs

    @property
    def outputs(self) -> list:
        """The output KerasTensor (in a list), once the input shape is known."""
        if self._functional is None:
            raise AttributeError(f"Sequential model '{self.name}' has no defined outputs yet.")
        return self._functional.outputs

    def compute_output_shape(self, input_shape):
        shape = input_shape
        for layer in self._layers:
            shape = layer.compute_output_shape(shape)
        return shape

    # ---- forward ----------------------------------------------------------------------------
    def call(self, inputs, training=None):
        x = inputs
        if x._data.dtype.kind in "iub":  # the InputLayer's float32 dtype, as Keras converts
            x = Tensor._make(x._data.astype(np.float32))
        for layer in self._layers:
            x = layer(x, training=training) if training is not None else layer(x)
        return x

    # ---- config -----------------------------------------------------------------------------
    def get_config(self) -> dict:
        layers = []
        if self._input_layer is not None:
            layers.append(serialize_keras_object(self._input_layer))
        layers.extend(serialize_keras_object(layer) for layer in self._layers)
        return {"name": self.name, "trainable": self.trainable, "layers": layers}

    @classmethod
    def from_config(cls, config, custom_objects=None) -> "Sequential":
        model = cls(name=config.get("name"))
        for spec in config["layers"]:
            model.add(deserialize_keras_object(spec, custom_objects), rebuild=False)
        model._rebuild()
        if not config.get("trainable", True):
            model.trainable = False
        return model
