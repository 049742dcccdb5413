"""``keras.ops`` functions and Python operators on ``KerasTensor``\\ s: nodes of a functional model.

In Keras 3 every op is an ``Operation``: called on symbolic tensors (``keras.Input`` and what
layers make of it) it records a node instead of computing, so a functional model may mix layers
with ``keras.ops.relu(x)``, ``x + residual``, ``x[:, -1]`` or ``ops.concatenate([a, b])``.
ember does the same with one layer class per op (named as Keras names its operation class:
``relu`` -> ``Relu``): the op's function and its non-tensor arguments are kept, the tensors
are filled in when the model runs, and the output shape is found by running the function on
zeros (``_symbolic.infer_output_spec``).

Example::

    >>> import numpy as np
    >>> from ember import keras
    >>> x = keras.Input((4,))
    >>> h = keras.layers.Dense(4)(x)
    >>> y = keras.ops.relu(h + x)[:, :2] * 2.0
    >>> y.shape
    (None, 2)
    >>> keras.Model(x, y)(np.ones((3, 4), np.float32)).shape
    ember.Size([3, 2])
"""
from __future__ import annotations

import functools
import inspect

from ..saving.object_registration import register_keras_serializable
from ..saving.serialization import register_module_loader
from . import keras_op_specs as _specs
from .base import Layer
from .keras_tensor import KerasTensor

__all__ = ["SymbolicOp", "symbolic_op", "dispatching", "get_item"]

_CLASSES: dict = {}
_KERAS_OPS = "keras.src.ops."


@register_keras_serializable(package="ember", name="SymbolicOp")
class SymbolicOp(Layer):
    """One call of a ``keras.ops`` function in a functional model: ``call`` applies it to the
    tensors that arrive in place of the KerasTensors it was called on.

    As Keras's operations, a node whose arguments split into Keras's call arguments (the
    tensors, ``call_names``) and constructor arguments (``op_kwargs``: ``axis=1`` of
    ``ops.mean``) saves as Keras does (``{"module": "keras.src.ops.numpy", "class_name":
    "Mean", "config": {"name": ..., "axis": 1, ...}}``); one that does not (an op taking
    ``*args``) saves its whole call in ember's own form (``SymbolicOp`` with ``"op"``)."""

    def __init__(self, fn, op_name=None, op_kwargs=None, call_names=None, **kwargs):
        super().__init__(**kwargs)
        self.fn = fn
        self.op_name = op_name or fn.__name__
        self.op_kwargs = dict(op_kwargs or {})
        self.call_names = None if call_names is None else tuple(call_names)
        self.built = True  # no weights; the output shape comes from running fn on zeros

    def call(self, *args, **kwargs):
        if self.call_names is None:
            return self.fn(*args, **kwargs)
        if len(args) > len(self.call_names):
            raise TypeError(f"keras.ops.{self.op_name} takes {len(self.call_names)} tensor "
                            f"arguments {list(self.call_names)}; got {len(args)}")
        return self.fn(**dict(zip(self.call_names, args)), **self.op_kwargs, **kwargs)

    def serialized_as(self):
        """(module, class_name, registered_name) of Keras's form, or None for ember's own."""
        if self.call_names is None:
            return None
        name = _specs.keras_class(self.op_name)
        return _specs.keras_module(self.op_name), name, name

    def get_config(self):
        if self.call_names is not None:
            return {"name": self.name, **self.op_kwargs}
        return {"name": self.name, "trainable": self.trainable, "op": self.op_name}

    @classmethod
    def from_config(cls, config):
        """A node saved in ember's own form (``"op"``: the ``keras.ops`` function's name)."""
        config = dict(config)
        name = config.pop("op")
        return _class_for(name)(_op_function(name, ""), op_name=name, **config)


def _op_function(name: str, module: str):
    """The plain ``keras.ops`` function ``name`` (``module``: the saved module, for image ops)."""
    from .. import ops
    if name == "get_item":
        return get_item
    where = ops.image if module.endswith(".image") else ops
    fn = getattr(where, name, None) if name in getattr(where, "__all__", ()) else None
    if not callable(fn):
        raise ValueError(f"A saved functional model calls keras.ops.{name}, which "
                         f"ember.keras.ops does not have")
    return getattr(fn, "__wrapped__", fn)


def _load_keras_operation(spec, custom_objects=None):
    """A node saved by Keras (or by ember in Keras's form): ``class_name`` names the op,
    ``config`` holds its name and constructor arguments, the node's args its call's."""
    op = _specs.op_name_of_class(str(spec.get("class_name")))
    fn = _op_function(op, str(spec.get("module")))
    config = dict(spec.get("config") or {})
    name = config.pop("name", None)
    params = list(inspect.signature(fn).parameters)
    return _class_for(op)(fn, op_name=op, op_kwargs=config, call_names=_specs.call_params(
        op, params), name=name)


register_module_loader(_KERAS_OPS, _load_keras_operation)


def get_item(x, key):
    """``x[key]`` (Keras's ``GetItem`` operation); a key read back from a saved config as a
    list of slices/ints/None/Ellipsis is the tuple it was."""
    if isinstance(key, list) and any(k is None or k is Ellipsis or isinstance(k, slice)
                                     for k in key):
        key = tuple(key)
    return x[key]


def _class_for(name: str) -> type:
    """The node class of ``keras.ops.<name>``, named as Keras names its operation class."""
    cls = _CLASSES.get(name)
    if cls is None:
        cls = _CLASSES[name] = type(_specs.keras_class(name), (SymbolicOp,),
                                    {"__module__": __name__, "_functional_of": SymbolicOp})
    return cls


@functools.lru_cache(maxsize=None)
def _signature(fn):
    try:
        return inspect.signature(fn)
    except (TypeError, ValueError):
        return None


def _split(fn, op: str, args, kwargs):
    """``(call args, constructor kwargs, call names)`` as Keras's operation for ``op`` takes
    them, or None where they do not split so (``*args``, a tensor among the constructor's)."""
    sig = _signature(fn)
    if sig is None or any(p.kind is p.VAR_POSITIONAL for p in sig.parameters.values()):
        return None
    try:
        bound = sig.bind(*args, **kwargs)
    except TypeError:
        return None  # running the op reports the error
    bound.apply_defaults()
    params = sig.parameters
    names = _specs.call_params(op, list(params))
    if any(n not in params for n in names):
        return None
    init = {}
    for key, value in bound.arguments.items():
        if key in names:
            continue
        if params[key].kind is params[key].VAR_KEYWORD:
            init.update(value)
        else:
            init[key] = value
    if not all(_plain(v) for v in init.values()):
        return None
    return [bound.arguments[n] for n in names], init, names


def _plain(value) -> bool:
    """A value a config can hold: None, bool, int, float, str, or lists/tuples of them."""
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, (bool, int, float, str))


def symbolic_op(fn, args, kwargs, name=None):
    """``fn(*args, **kwargs)`` recorded as a node: the output KerasTensor(s). ``name`` is the
    op's public name when it differs from ``fn.__name__`` (``true_divide`` is ``divide``)."""
    op = name or fn.__name__
    split = _split(fn, op, args, kwargs)
    if split is None:
        return _class_for(op)(fn, op_name=op)(*args, **kwargs)
    call_args, init, names = split
    return _class_for(op)(fn, op_name=op, op_kwargs=init, call_names=names)(*call_args)


_CONTAINERS = (KerasTensor, list, tuple, dict)


def _symbolic_in(value) -> bool:
    """True when ``value`` is, or a list/tuple/dict in it holds, a KerasTensor (a plain walk:
    this runs on every eager op call, where ``_tree.flatten`` costs several times the op)."""
    if isinstance(value, KerasTensor):
        return True
    if isinstance(value, (list, tuple)):
        return any(_symbolic_in(v) for v in value)
    if isinstance(value, dict):
        return any(_symbolic_in(v) for v in value.values())
    return False


def dispatching(fn, name=None):
    """``fn`` that records a node when any argument is a KerasTensor and computes otherwise;
    ``name``: the op's public name when it is an alias (``true_divide = divide``)."""
    name = None if name == fn.__name__ else name

    @functools.wraps(fn)
    def op(*args, **kwargs):
        for a in args:
            if isinstance(a, _CONTAINERS) and _symbolic_in(a):
                return symbolic_op(fn, args, kwargs, name)
        if kwargs and _symbolic_in(kwargs):
            return symbolic_op(fn, args, kwargs, name)
        return fn(*args, **kwargs)

    return op
