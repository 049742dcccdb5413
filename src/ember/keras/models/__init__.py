"""``keras.models``: ``Model`` (subclassing), ``Sequential``, ``load_model``/``save_model``.

Example::

    >>> model = keras.models.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])
    >>> model.save("m.keras")
    >>> keras.models.load_model("m.keras").count_params()
    4
"""
from ..saving import load_model, save_model
from .cloning import clone_model
from .functional import Functional
from .model import Model, model_from_json
from .sequential import Sequential


__all__ = ["Model", "Sequential", "Functional", "clone_model", "load_model", "save_model",
           "model_from_json"]
