"""Layers and models as JSON-ready dicts (``{"class_name", "config", ...}``) and back.

Example::

    >>> spec = serialize_keras_object(keras.layers.Dense(3, name="d"))
    >>> spec["class_name"], spec["config"]["units"]
    ('Dense', 3)
    >>> deserialize_keras_object(spec).units
    3
"""
from __future__ import annotations

from .object_registration import GLOBAL_CUSTOM_NAMES, CustomObjectScope, get_registered_object

__all__ = ["serialize_keras_object", "deserialize_keras_object"]


def serialize_keras_object(obj) -> dict:
    """``{"module", "class_name", "config", "registered_name"}`` for an object with
    ``get_config``."""
    cls = type(obj)
    spec = {"module": cls.__module__, "class_name": cls.__name__, "config": obj.get_config()}
    if cls in GLOBAL_CUSTOM_NAMES:
        spec["registered_name"] = GLOBAL_CUSTOM_NAMES[cls]
    return spec


def deserialize_keras_object(spec: dict, custom_objects=None):
    """The object :func:`serialize_keras_object` described (a model's layers are rebuilt with
    the same ``custom_objects``)."""
    names = [spec.get("registered_name"), spec["class_name"]]
    cls = next((c for c in (get_registered_object(n, custom_objects) for n in names if n)
                if c is not None), None)
    if cls is None:
        raise TypeError(f"Could not locate class '{spec['class_name']}'. Make sure custom classes "
                        f"are decorated with `@keras.saving.register_keras_serializable()` or "
                        f"passed in `custom_objects`. Full object config: {spec}")
    with CustomObjectScope(custom_objects):  # nested layers of a model see them too
        return cls.from_config(dict(spec["config"]))
