"""``keras.Model``: a layer that trains (compile/fit/evaluate/predict), saves and summarizes.

Subclass it like Keras (layers as attributes, a ``call``), or use ``Sequential``. A model is a
:class:`~ember.keras.layers.Layer` and so an ``ember.nn.Module``: ``model.parameters()`` feeds an
``ember.optim`` optimizer, ``model.state_dict()`` holds every weight under ``<layer>.<weight>``.

Example::

    >>> class TwoLayer(keras.Model):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.hidden = keras.layers.Dense(8, activation="relu")
    ...         self.out = keras.layers.Dense(1)
    ...     def call(self, inputs, training=None):
    ...         return self.out(self.hidden(inputs))
    >>> model = TwoLayer()
    >>> model.compile(optimizer="adam", loss="mse")
    >>> model.fit(x, y, epochs=3, verbose=0)
"""
from __future__ import annotations

import json

from .. import saving as _saving
from ..layers.base import Layer, _shape_of
from ..trainers import Trainer

__all__ = ["Model", "model_from_json"]


def _none_batch(shape):
    if isinstance(shape, list):
        return [_none_batch(s) for s in shape]
    if isinstance(shape, dict):
        return {k: _none_batch(s) for k, s in shape.items()}
    return (None,) + tuple(shape[1:]) if len(shape) else tuple(shape)


def _functional_arguments(args, kwargs) -> bool:
    return len(args) == 2 or (len(args) == 1 and "outputs" in kwargs) or (
        "inputs" in kwargs and "outputs" in kwargs)


class Model(Trainer, Layer):
    """A trainable stack or graph of layers: subclass it and write ``call``, or give it
    ``inputs`` and ``outputs`` (the functional API: the model is then a ``Functional``, and a
    subclass given them is one too).

    Args:
        name: the model's name (default: the class name in snake_case, numbered).
        trainable: False freezes every weight.
    """

    _functional_class = None  # set by .functional, which builds on this module
    _functional_from_config = None
    _functional_subclasses: dict = {}

    def __new__(cls, *args, **kwargs):
        functional = Model._functional_class
        if functional is not None and _functional_arguments(args, kwargs) and \
                not issubclass(cls, functional):
            if cls is Model:
                cls = functional
            else:  # class MyModel(keras.Model) built as MyModel(inputs, outputs)
                sub = Model._functional_subclasses.get(cls)
                if sub is None:
                    sub = type(cls.__name__, (cls, functional),
                               {"__module__": cls.__module__, "__qualname__": cls.__qualname__,
                                "_functional_of": cls})
                    Model._functional_subclasses[cls] = sub
                cls = sub
        return super().__new__(cls, *args, **kwargs)

    def __init__(self, *args, name=None, trainable=True, dtype=None, **kwargs):
        if args or kwargs:
            raise TypeError(f"Model.__init__() got unexpected arguments: args={args}, "
                            f"kwargs={kwargs}")
        Layer.__init__(self, name=name, trainable=trainable, dtype=dtype)
        self._init_trainer()

    def _kind(self) -> str:
        return "model"

    def __setattr__(self, name, value) -> None:
        if not name.startswith("_") and all(hasattr(value, a) for a in
                                            ("update_state", "result", "reset_state")) \
                and not isinstance(value, Layer):
            tracked = self.__dict__.setdefault("_metrics", [])
            if not any(m is value for m in tracked):
                tracked.append(value)  # Keras tracks metrics set as attributes: fit resets them
        super().__setattr__(name, value)

    # ---- structure ------------------------------------------------------------------------
    @property
    def layers(self) -> list:
        """The model's layers (for a subclassed model: the layers set as attributes)."""
        return self._layers

    def get_layer(self, name=None, index=None) -> Layer:
        """A layer by name or by index in ``layers``."""
        layers = self.layers
        if index is not None and name is not None:
            raise ValueError(f"Provide only a layer name or a layer index. Received: "
                             f"index={index}, name={name}.")
        if index is not None:
            if not -len(layers) <= index < len(layers):
                raise ValueError(f"Was asked to retrieve layer at index {index} but model only "
                                 f"has {len(layers)} layers.")
            return layers[index]
        if name is None:
            raise ValueError("Provide either a layer name or layer index at `get_layer`.")
        for layer in layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}. Existing layers are: "
                         f"{[l.name for l in layers]}.")

    def build(self, input_shape=None) -> None:
        """Creates every weight by running ``call`` on zeros of ``input_shape`` (batch axis
        included; None allowed)."""
        if input_shape is None:
            raise ValueError("You must provide an `input_shape` argument.")
        if isinstance(input_shape, tuple) or not isinstance(input_shape, (list, dict)):
            input_shape = tuple(input_shape)
        self._build_shapes = [input_shape, self._infer_output_shape(input_shape)]
        self.built = True

    def _maybe_build(self, first_input) -> None:
        shapes = _none_batch(_shape_of(first_input))
        if type(self).build is Model.build:  # like Keras: the call builds the sublayers eagerly
            self._build_shapes = [shapes, None]
            self.built = True
        else:
            self._build_once(shapes)

    def _build_for_data(self, shapes) -> None:
        """Before ``fit``/``predict``: a model with a ``build`` of its own builds now."""
        if type(self).build is not Model.build:
            self.build(shapes)

    # ---- config -----------------------------------------------------------------------------
    @classmethod
    def from_config(cls, config, custom_objects=None):
        """The model ``config`` describes: a functional graph (``layers``, ``input_layers``,
        ``output_layers``) or, for a subclassed model, ``cls(**config)``."""
        if "input_layers" in config and "output_layers" in config and \
                Model._functional_from_config is not None:
            return Model._functional_from_config(cls, config, custom_objects)
        return super().from_config(config)

    # ---- reporting ------------------------------------------------------------------------
    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None) -> None:
        """Prints Keras's table: layer (type), output shape, parameter count, then the totals."""
        from .summary import render
        (print_fn or print)(render(self, line_length, positions))

    # ---- saving -----------------------------------------------------------------------------
    def save(self, filepath, overwrite=True, **kwargs) -> None:
        """Saves architecture, weights, compile config and optimizer state in one file."""
        _saving.save_model(self, filepath, overwrite=overwrite)

    def save_weights(self, filepath, overwrite=True) -> None:
        _saving.save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, skip_mismatch=False, **kwargs) -> None:
        _saving.load_weights(self, filepath)

    def to_json(self, **kwargs) -> str:
        """The model's architecture (no weights) as a JSON string; ``kwargs`` go to
        ``json.dumps``. ``keras.models.model_from_json`` rebuilds it."""
        return json.dumps(_saving.serialize_keras_object(self), **kwargs)

    def export(self, filepath, format="tf_saved_model", verbose=True, input_signature=None,
               **kwargs) -> None:
        """Writes the model for serving; ``format="onnx"`` (the one ember can write) gives an
        ONNX file with a dynamic batch axis, run by onnxruntime (see ``ember.onnx``)."""
        from .._onnx_model_export import export_model
        export_model(self, filepath, format=format, verbose=verbose,
                     input_signature=input_signature, **kwargs)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def model_from_json(json_string, custom_objects=None):
    """The model (fresh weights) whose architecture ``Model.to_json`` wrote.

    Example::

        >>> twin = keras.models.model_from_json(model.to_json())
    """
    return _saving.deserialize_keras_object(json.loads(json_string), custom_objects=custom_objects)
