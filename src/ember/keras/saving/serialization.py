"""Layers and models as JSON-ready dicts (``{"class_name", "config", ...}``) and back.

Example::

    >>> spec = serialize_keras_object(keras.layers.Dense(3, name="d"))
    >>> spec["class_name"], spec["config"]["units"]
    ('Dense', 3)
    >>> deserialize_keras_object(spec).units
    3
"""
from __future__ import annotations

import importlib
import inspect

from .object_registration import (BUILTIN_OBJECTS, GLOBAL_CUSTOM_NAMES, CustomObjectScope,
                                  get_registered_name, get_registered_object)

__all__ = ["serialize_keras_object", "deserialize_keras_object", "serialize_function",
           "deserialize_function", "register_module_loader"]

_SEARCHED = ("ember.keras.ops", "ember.keras.activations")
_MODULE_LOADERS: dict = {}
#: the classes Keras saves under a module other than its public package's
_KERAS_MODULES = {"Functional": "keras.src.models.functional", "Sequential": "keras",
                  "Model": "keras"}


def register_module_loader(prefix: str, load) -> None:
    """``load(spec, custom_objects)`` rebuilds the objects saved under a module starting with
    ``prefix`` (Keras's ``keras.src.ops.*`` operation classes, which ember has as one layer
    class per op, not under those names)."""
    _MODULE_LOADERS[prefix] = load


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


def serialize_keras_object(obj) -> dict:
    """``{"module", "class_name", "config", "registered_name", "build_config"}`` for an object
    with ``get_config`` (``build_config``: the input shape a built layer was built for); a
    function as :func:`serialize_function` describes it."""
    if inspect.isfunction(obj) or inspect.isbuiltin(obj):
        return serialize_function(obj)
    cls = type(obj)
    cls = cls.__dict__.get("_functional_of", cls)  # MyModel(inputs, outputs) saves as MyModel
    module = cls.__module__
    if BUILTIN_OBJECTS.get(cls.__name__) is cls and module.startswith("ember.keras."):
        # the module Keras writes for its class of that name ("keras.layers"), so Keras reads it
        module = _KERAS_MODULES.get(cls.__name__) or "keras." + module.split(".")[2]
    saved_as = obj.serialized_as() if hasattr(obj, "serialized_as") else None
    if saved_as is not None:  # saved under Keras's own names (a keras.ops call's operation)
        module, class_name, registered = saved_as
        return {"module": module, "class_name": class_name, "config": obj.get_config(),
                "registered_name": registered}
    spec = {"module": module, "class_name": cls.__name__, "config": obj.get_config()}
    if cls in GLOBAL_CUSTOM_NAMES:
        spec["registered_name"] = GLOBAL_CUSTOM_NAMES[cls]
    shapes = getattr(obj, "_build_shapes", None)
    named = getattr(obj, "_build_shapes_dict", None)
    if getattr(obj, "built", False) and named:  # build(query_shape, value_shape...)
        spec["build_config"] = {"shapes_dict": named}
    elif getattr(obj, "built", False) and shapes:
        spec["build_config"] = {"input_shape": shapes[0]}
    return spec


def deserialize_keras_object(spec: dict, custom_objects=None):
    """The object :func:`serialize_keras_object` described (a model's layers are rebuilt with
    the same ``custom_objects``)."""
    if spec.get("class_name") == "function":
        return deserialize_function(spec, custom_objects)
    module = spec.get("module")
    for prefix, load in _MODULE_LOADERS.items():
        if isinstance(module, str) and module.startswith(prefix):
            return load(spec, custom_objects)
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
        if build and (build.get("input_shape") is not None or build.get("shapes_dict")) \
                and not getattr(obj, "built", True):
            obj.build_from_config(build)
    return obj
