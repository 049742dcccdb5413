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
    """``{"module", "class_name", "config", "registered_name", "build_config"}`` for an object
    with ``get_config`` (``build_config``: the input shape a built layer was built for)."""
    cls = type(obj)
    cls = cls.__dict__.get("_functional_of", cls)  # MyModel(inputs, outputs) saves as MyModel
    spec = {"module": cls.__module__, "class_name": cls.__name__, "config": obj.get_config()}
    if cls in GLOBAL_CUSTOM_NAMES:
        spec["registered_name"] = GLOBAL_CUSTOM_NAMES[cls]
    shapes = getattr(obj, "_build_shapes", None)
    if getattr(obj, "built", False) and shapes:
        spec["build_config"] = {"input_shape": shapes[0]}
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
        obj = cls.from_config(dict(spec["config"]))
        build = spec.get("build_config")
        if build and build.get("input_shape") is not None and not getattr(obj, "built", True):
            obj.build_from_config(build)
    return obj
