"""Keras's automatic ``get_config``: a layer or model class that writes no ``get_config`` is
described by the arguments its ``__init__`` received, when they are plain values.

Example::

    >>> class Scale(keras.layers.Layer):
    ...     def __init__(self, factor=2.0, **kwargs):
    ...         super().__init__(**kwargs)
    ...         self.factor = factor
    >>> Scale(3.0, name="s").get_config()["factor"]
    3.0
"""
from __future__ import annotations

import inspect
import textwrap

from .. import _tree

__all__ = ["auto_config", "missing_config_error"]

_SUPPORTED = (str, int, float, bool, type(None))
POSITIONAL = "positional"  # marker: __init__ got *args, which no config can hold


def auto_config(cls, args, kwargs):
    """The ``__init__`` arguments (defaults included) as a dict, ``None`` when one of them is
    not a plain value, or :data:`POSITIONAL` when variadic positional arguments were given."""
    try:
        signature = inspect.signature(cls.__init__)
        bound = signature.bind(None, *args, **kwargs)
    except TypeError:
        return None
    bound.apply_defaults()
    values = dict(bound.arguments)
    params = list(signature.parameters.values())
    values.pop(params[0].name, None)
    for p in params:
        if p.kind is p.VAR_KEYWORD:
            values.update(values.pop(p.name, {}))
        elif p.kind is p.VAR_POSITIONAL:
            if values.pop(p.name, ()):
                return POSITIONAL
    values.pop("name", None)
    if not all(isinstance(v, _SUPPORTED) for v in _tree.flatten(values)):
        return None
    return values


_EXAMPLE = """
    class CustomLayer(keras.layers.Layer):
        def __init__(self, arg1, arg2, **kwargs):
            super().__init__(**kwargs)
            self.arg1 = arg1
            self.arg2 = arg2

        def get_config(self):
            config = super().get_config()
            config.update({
                "arg1": self.arg1,
                "arg2": self.arg2,
            })
            return config
"""


def missing_config_error(obj, reason) -> NotImplementedError:
    """Keras's error for an object whose config cannot be generated automatically."""
    name = type(obj).__name__
    if reason is POSITIONAL:  # Keras's text, line breaks included
        lines = [f"Object {name} was created by passing",
                 "positional only or variadic positional arguments (e.g.,",
                 "`*args`) to `__init__()`, which is not supported by the",
                 "automatic config generation. Please remove all positional",
                 "only and variadic arguments from `__init__()`",
                 "or override `get_config()` and `from_config()` to make",
                 "the object serializatble."]
    else:
        lines = [f"Object {name} was created by passing",
                 "non-serializable argument values in `__init__()`,",
                 "and therefore the object must override `get_config()` in",
                 "order to be serializable. Please implement `get_config()`."]
    text = "\n" + "\n".join(lines)
    return NotImplementedError(text + "\n\nExample:\n\n" + textwrap.dedent(_EXAMPLE))
