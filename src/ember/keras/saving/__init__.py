"""``keras.saving``: model files (through ``ember.io``), object serialization and the registry
of custom classes.

Example::

    >>> model.save("model.keras")
    >>> keras.saving.load_model("model.keras", custom_objects={"MyLayer": MyLayer})
"""
from .model_file import FORMAT, load_model, load_weights, save_model, save_weights
from .object_registration import (CustomObjectScope, custom_object_scope, get_custom_objects,
                                  get_registered_name, get_registered_object,
                                  register_keras_serializable)
from .serialization import deserialize_keras_object, serialize_keras_object

__all__ = ["save_model", "load_model", "save_weights", "load_weights", "FORMAT",
           "register_keras_serializable", "get_registered_object", "get_registered_name",
           "get_custom_objects", "custom_object_scope", "CustomObjectScope",
           "serialize_keras_object", "deserialize_keras_object"]
