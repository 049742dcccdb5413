"""Where saved class names are looked up: ember.keras's own classes, the classes registered with
``@register_keras_serializable``, ``custom_object_scope`` and a ``custom_objects`` argument.

ember.keras's layers and models register themselves when their class is defined (see
``Layer.__init_subclass__``), so loading needs no import of ``ember.keras.models`` here.

Example::

    >>> @keras.saving.register_keras_serializable(package="demo")
    ... class Scale(keras.layers.Layer):
    ...     def get_config(self):
    ...         return super().get_config()
    >>> keras.saving.get_registered_name(Scale)
    'demo>Scale'
"""
from __future__ import annotations

import inspect

__all__ = ["register_keras_serializable", "get_registered_object", "get_registered_name",
           "get_custom_objects", "custom_object_scope", "CustomObjectScope", "register_builtin"]

BUILTIN_OBJECTS: dict = {}          # class name -> ember.keras's own class
GLOBAL_CUSTOM_OBJECTS: dict = {}    # "package>name" -> registered class or function
GLOBAL_CUSTOM_NAMES: dict = {}      # class or function -> "package>name"
_SCOPES: list[dict] = []


def register_builtin(cls) -> None:
    """Records one of ember.keras's own classes under its class name."""
    BUILTIN_OBJECTS[cls.__name__] = cls


class CustomObjectScope:
    """``with custom_object_scope({"MyLayer": MyLayer}):`` makes the names known to loading."""

    def __init__(self, custom_objects):
        self.custom_objects = dict(custom_objects or {})

    def __enter__(self):
        _SCOPES.append(self.custom_objects)
        return self

    def __exit__(self, *exc):
        _SCOPES.remove(self.custom_objects)


custom_object_scope = CustomObjectScope


def get_custom_objects() -> dict:
    """The live global dictionary of registered custom objects."""
    return GLOBAL_CUSTOM_OBJECTS


def register_keras_serializable(package="Custom", name=None):
    """Decorator: registers a class or function as ``"package>name"`` for saving and loading."""
    def decorator(arg):
        class_name = name if name is not None else arg.__name__
        key = f"{package}>{class_name}"
        if inspect.isclass(arg) and not hasattr(arg, "get_config"):
            raise ValueError("Cannot register a class that does not have a get_config() method.")
        GLOBAL_CUSTOM_OBJECTS[key] = arg
        GLOBAL_CUSTOM_NAMES[arg] = key
        return arg
    return decorator


def get_registered_name(obj) -> str:
    """``"package>name"`` for a registered object, else its ``__name__``."""
    return GLOBAL_CUSTOM_NAMES.get(obj, getattr(obj, "__name__", type(obj).__name__))


def get_registered_object(name, custom_objects=None, module_objects=None):
    """The class or function saved as ``name``: from ``custom_objects``, an active
    ``custom_object_scope``, the registered objects, ``module_objects``, then ember.keras's own
    classes; None when unknown."""
    for table in [custom_objects or {}] + _SCOPES[::-1] + [GLOBAL_CUSTOM_OBJECTS,
                                                           module_objects or {}, BUILTIN_OBJECTS]:
        if name in table:
            return table[name]
    return None
