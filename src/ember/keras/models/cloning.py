"""``keras.models.clone_model``: the same architecture with new layers.

Example::

    >>> twin = keras.models.clone_model(model)      # same architecture, fresh weights
    >>> twin.set_weights(model.get_weights())       # ... or the same ones
"""
from __future__ import annotations

from .. import _tree
from ..layers.input_layer import InputLayer
from .functional import Functional, functional_from_config
from .model import Model
from .sequential import Sequential

__all__ = ["clone_model"]


def _clone_layer(layer):
    return layer.__class__.from_config(layer.get_config())


def clone_model(model, input_tensors=None, clone_function=None, call_function=None,
                recursive=False, **kwargs):
    """A new model with the same architecture and new layers (fresh weights).

    Args:
        model: a Sequential or functional model (a subclassed model is rebuilt from its config).
        input_tensors: KerasTensor(s) to build the clone on (default: new ``keras.Input``\\ s).
        clone_function: ``layer -> new layer`` (default: ``cls.from_config(get_config())``).
        recursive: also apply ``clone_function`` inside nested models.
    """
    clone_function = clone_function or _clone_layer
    if isinstance(model, Sequential):
        layers = [(clone_model(l, clone_function=clone_function, recursive=True)
                   if recursive and isinstance(l, Model) else clone_function(l))
                  for l in model.layers]
        start = []
        if input_tensors is not None:
            start = [_tree.flatten(input_tensors)[0]]
        elif model._input_layer is not None:
            start = [InputLayer(batch_shape=model._input_layer.batch_shape,
                                dtype=model._input_layer.input_dtype)]
        return Sequential(start + layers, name=model.name, trainable=model.trainable)
    if isinstance(model, Functional):
        by_name = {l.name: l for l in model.operations}
        given = {}
        if input_tensors is not None:
            new = _tree.flatten(input_tensors)
            if len(new) != len(model.inputs):
                raise ValueError(f"`input_tensors` must have as many tensors as the model has "
                                 f"inputs ({len(model.inputs)}); received {len(new)}")
            given = {t._keras_history.operation.name: n._keras_history.operation
                     for t, n in zip(model.inputs, new)}

        def make_layer(spec):
            layer = by_name[spec["name"]]
            if isinstance(layer, InputLayer):
                return given.get(layer.name) or InputLayer(
                    batch_shape=layer.batch_shape, dtype=layer.input_dtype, name=layer.name)
            if recursive and isinstance(layer, Model):
                return clone_model(layer, clone_function=clone_function, recursive=True)
            return clone_function(layer)
        return functional_from_config(type(model), model.get_config(), make_layer=make_layer)
    if clone_function is not _clone_layer or input_tensors is not None:
        raise ValueError(f"Arguments `clone_function` and `input_tensors` are only supported for "
                         f"Sequential models or Functional models. Received model of type "
                         f"'{model.__class__.__name__}', with clone_function={clone_function} "
                         f"and input_tensors={input_tensors}")
    return model.__class__.from_config(model.get_config())

