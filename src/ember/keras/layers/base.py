"""``keras.layers.Layer``: Keras's layer contract on an ``ember.nn.Module``.

A Keras layer *is* an ``ember.nn.Module``, as Keras 3's torch backend makes every layer a
``torch.nn.Module``: its weights are :class:`~ember.keras.Variable`\\ s (``ember.nn.Parameter``
subclasses) registered on the module, its sublayers are child modules, and ``parameters()``,
``named_parameters()``, ``state_dict()``, ``load_state_dict()``, ``train()``/``eval()`` and
forward hooks work on any layer or model. The maths is ``ember.nn.functional``'s.

The contract every layer follows (write new layers the same way):

* ``__init__(self, <config>, **kwargs)``: validate and store the configuration (quote bad
  values: ``Received: units=-1``), pass ``**kwargs`` (``name``, ``trainable``, ``dtype``,
  ``input_shape`` …) to ``super().__init__``. Create no weights here unless the shapes are known.
* ``build(self, input_shape)``: create the weights with ``self.add_weight(shape=, initializer=,
  name=, trainable=, regularizer=, constraint=)``. ``input_shape`` is a tuple (a list of tuples
  for a layer called on a list); the batch axis may be ``None``. Called once, before the first
  call. Optionally set ``self.input_spec`` (an :class:`InputSpec`) to have inputs checked.
* ``call(self, inputs, training=None)``: compute on ember Tensors with ``ember.nn.functional``
  or ``keras.ops``. Declare ``training`` only if the layer behaves differently in training; it
  receives the explicit argument, else the enclosing call's value (``fit`` passes True,
  ``evaluate``/``predict`` False), else the signature's default. ``self.add_loss(x)`` adds a
  penalty to the model's loss.
* ``compute_output_shape(self, input_shape)``: the output shape for an input shape. The default
  runs ``call`` on small zero inputs (weights restored afterwards); override it when that is
  wasteful or wrong.
* ``get_config(self)``: ``{**super().get_config(), <each __init__ argument>}`` so that
  ``cls.from_config(config)`` rebuilds the layer (saving, ``clone_model``).

Example::

    >>> class Linear(keras.layers.Layer):
    ...     def __init__(self, units=32, **kwargs):
    ...         super().__init__(**kwargs)
    ...         self.units = units
    ...     def build(self, input_shape):
    ...         self.w = self.add_weight(shape=(input_shape[-1], self.units),
    ...                                  initializer="random_normal", name="w")
    ...     def call(self, inputs):
    ...         return keras.ops.matmul(inputs, self.w)
    >>> layer = Linear(4)
    >>> layer(np.ones((2, 3), np.float32)).shape
    (2, 4)
    >>> [name for name, _ in layer.named_parameters()]
    ['w']
"""
from __future__ import annotations

import functools
import inspect

import numpy as np

from ..._tensor import Tensor
from ...nn.module import Module
from .. import regularizers as _reg
from .._utils import snake_case, to_tensor, unique_name
from ..saving.object_registration import register_builtin
from ..variables import Variable
from .. import _tree
from . import _config, _symbolic, _tracking
from . import masking as _masking
from .input_spec import InputSpec, assert_input_compatibility
from .keras_tensor import KerasTensor
from .layer_weights import LayerWeights

__all__ = ["Layer", "InputSpec"]

_CALL_SPECS: dict = {}


def _call_spec(cls) -> tuple[bool, object]:
    """(call() declares ``training``, its default) for a layer class, cached."""
    spec = _CALL_SPECS.get(cls)
    if spec is None:
        params = inspect.signature(cls.call).parameters
        p = params.get("training")
        spec = (p is not None, None if p is None or p.default is p.empty else p.default)
        _CALL_SPECS[cls] = spec
    return spec


def _shape_from_args(input_shape, input_dim, batch_input_shape, batch_size):
    if batch_input_shape is not None:
        return tuple(batch_input_shape)
    if input_shape is not None:
        if isinstance(input_shape, int):
            input_shape = (input_shape,)
        return (batch_size,) + tuple(input_shape)
    if input_dim is not None:
        return (batch_size, int(input_dim))
    return None


def _convert_input(x):
    if isinstance(x, (Tensor, str)) or getattr(x, "_keras_symbolic", False):
        return x  # a string stays one (the equation of a keras.ops.einsum node)
    if isinstance(x, (list, tuple)) and x and all(
            isinstance(v, (Tensor, np.ndarray)) or getattr(v, "_keras_symbolic", False) for v in x):
        return type(x)(_convert_input(v) for v in x)
    if isinstance(x, dict):
        return {k: _convert_input(v) for k, v in x.items()}
    return to_tensor(x)


def _shape_of(x):
    if isinstance(x, (list, tuple)):
        return [_shape_of(v) for v in x]
    if isinstance(x, dict):
        return {k: _shape_of(v) for k, v in x.items()}
    return tuple(x.shape)


def _marks_built(build):
    @functools.wraps(build)
    def wrapper(self, *args, **kwargs):
        out = build(self, *args, **kwargs)
        self.built = True
        return out
    return wrapper


class Layer(LayerWeights, Module):
    """Base class of every Keras layer and model (see the module docstring for the contract).

    Args:
        name: unique name (default: the class name in snake_case, numbered ``dense_1`` …).
        trainable: whether ``fit`` updates the layer's weights (sets each ``requires_grad``).
        dtype: accepted for Keras compatibility (weights are float32).
        input_shape / input_dim / batch_input_shape / batch_size: declare the input of the
            first layer of a ``Sequential`` so the model is built at once (``input_shape``
            excludes the batch axis).
        activity_regularizer: penalty on the layer's output, divided by the batch size and
            added to the loss.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # ember.keras's own classes load by name; a keras.ops node class (Add, Relu) saves as
        # SymbolicOp and must not shadow the layer of the same name
        if cls.__module__.startswith("ember.keras.") and "_functional_of" not in cls.__dict__:
            register_builtin(cls)
        if "build" in cls.__dict__:  # layer.build(shape) called by hand marks it built, as in Keras
            cls.build = _marks_built(cls.__dict__["build"])

    def __new__(cls, *args, **kwargs):
        layer = super().__new__(cls)
        Module.__init__(layer)  # tracking works even before a subclass calls super().__init__()
        d = layer.__dict__
        d["_trainable_variables"], d["_non_trainable_variables"] = [], []
        d["_losses"] = []
        d["_inbound_nodes"] = []
        d["built"] = False
        if cls.get_config is Layer.get_config:  # no get_config of its own: Keras's auto-config
            d["_auto_config"] = _config.auto_config(cls, args, kwargs)
        return layer

    def __init__(self, *, activity_regularizer=None, trainable=True, dtype=None, autocast=True,
                 name=None, input_shape=None, input_dim=None, batch_input_shape=None,
                 batch_size=None, **kwargs):
        if kwargs:
            raise TypeError(f"Unrecognized keyword arguments passed to {type(self).__name__}: "
                            f"{kwargs}")
        if name is not None and (not isinstance(name, str) or "/" in name):
            raise ValueError(f"Argument `name` must be a string and cannot contain character `/`. "
                             f"Received: name={name} (of type {type(name)})")
        self.name = name or unique_name(snake_case(type(self).__name__))
        self._trainable = bool(trainable)
        self._batch_input_shape = _shape_from_args(input_shape, input_dim, batch_input_shape,
                                                   batch_size)
        self.activity_regularizer = _reg.get(activity_regularizer)
        self.input_spec = None
        self._build_shapes = None  # (input_shape, output_shape) once built

    # ---- attribute tracking -------------------------------------------------------------
    def __setattr__(self, name, value) -> None:
        d = self.__dict__
        if isinstance(value, Variable):
            if not any(v is value for v in d["_parameters"].values()):
                self._track_variable(value, key=name)
            d[name] = value
            return
        if isinstance(value, (list, tuple, dict)) and not isinstance(value, Module) \
                and name != "_modules" and _tracking.holds_modules(value):
            d["_modules"][name] = _tracking.LayerCollection(value)
            d[name] = value
            return
        Module.__setattr__(self, name, value)

    @property
    def _layers(self) -> list:
        """Direct sublayers, in the order they were assigned (lists and dicts flattened)."""
        out = []
        for module in self._modules.values():
            if isinstance(module, _tracking.LayerCollection):
                out.extend(m for m in module.layers() if isinstance(m, Layer))
            elif isinstance(module, Layer):
                out.append(module)
        return out

    def _flatten_layers(self, include_self=True) -> list:
        """This layer and every layer below it, each once, breadth first (Keras's order)."""
        out, seen, queue = ([self] if include_self else []), {id(self)}, list(self._layers)
        while queue:
            layer = queue.pop(0)
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            out.append(layer)
            queue.extend(layer._layers)
        return out

    # ---- build and call -----------------------------------------------------------------
    def build(self, input_shape) -> None:
        """Creates the weights for inputs of ``input_shape`` (override in subclasses)."""
        self.built = True

    def _build_once(self, input_shape) -> None:
        """Builds (if needed) and records the input shape (the output shape follows lazily)."""
        if isinstance(input_shape, tuple) or not isinstance(input_shape, (list, dict)):
            input_shape = tuple(input_shape)
        if not self.built:
            self.build(input_shape)
            self.built = True
        if self._build_shapes is None or self._build_shapes[0] != input_shape:
            self._build_shapes = [input_shape, None]

    @property
    def input_shape(self):
        if self._inbound_nodes:
            return _tree.map_structure(lambda t: t.shape, self.input)
        return None if self._build_shapes is None else self._build_shapes[0]

    @property
    def output_shape(self):
        if self._inbound_nodes:
            return _tree.map_structure(lambda t: t.shape, self.output)
        if self._build_shapes is None:
            return None
        if self._build_shapes[1] is None:
            self._build_shapes[1] = self.compute_output_shape(self._build_shapes[0])
        return self._build_shapes[1]

    @property
    def input(self):
        """The symbolic input(s) of the layer's first call in a graph."""
        return self._node_attribute("input_tensors", "input")

    @property
    def output(self):
        """The symbolic output(s) of the layer's first call in a graph."""
        return self._node_attribute("output_tensors", "output")

    def _node_attribute(self, attr, what):
        if not self._inbound_nodes:
            raise AttributeError(f"The layer {self.name} has never been called and thus has no "
                                 f"defined {what}.")
        values = getattr(self._inbound_nodes[0], attr)
        return values[0] if len(values) == 1 else values

    def compute_output_shape(self, input_shape):
        """The output shape for ``input_shape`` (default: found by running ``call`` on zeros)."""
        return self._infer_output_shape(input_shape)

    def _defines_output_shape(self) -> bool:
        return type(self).compute_output_shape is not Layer.compute_output_shape

    def _accepts_training(self) -> bool:
        return _call_spec(type(self))[0]

    def _infer_output_shape(self, input_shape):
        """The output shape(s) of ``call`` on zeros of ``input_shape`` (see ``_symbolic``)."""
        def tensor(shape):
            return KerasTensor(shape)
        inputs = tensor(input_shape) if _symbolic.is_shape(input_shape) else \
            _symbolic._map_shapes(tensor, input_shape)
        out = _symbolic.infer_output_spec(self, (inputs,), {})
        return _tree.map_structure(lambda t: t.shape, out)

    def identity_shape(self, input_shape):
        """``compute_output_shape`` of layers whose output has their input's shape."""
        return input_shape

    def call(self, *args, **kwargs):
        raise NotImplementedError(f"Layer {type(self).__name__} does not have a `call()` method "
                                  f"implemented.")

    def forward(self, *args, **kwargs):
        """``Module.forward``: the layer's ``call`` (hooks run around it)."""
        return self.call(*args, **kwargs)

    def __call__(self, *args, **kwargs):
        if _symbolic.any_symbolic(args, kwargs):
            return _symbolic.symbolic_call(self, args, kwargs)
        ctx, entry = _tracking.enter_context(self)
        if entry:
            self._clear_losses()
        try:
            if args:
                args = (_convert_input(args[0]),) + args[1:]
                if not self.built:
                    named = _symbolic.build_shapes_by_name(self, args, kwargs)
                    if named is None:
                        self._maybe_build(args[0])
                    else:
                        self.build(**named)
                        self.built = True
                assert_input_compatibility(self.input_spec, args[0], self.name)
            has_training, default = _call_spec(type(self))
            training = kwargs.pop("training", None)
            if training is None:
                training = ctx.training if ctx.training is not None else default
            ctx.training = training  # like Keras: later sibling calls see it too
            if has_training and training is not None:
                kwargs["training"] = training
            previous_mask = _masking.fill_mask_arguments(self, args, kwargs)
            outputs = Module.__call__(self, *args, **kwargs)
            if args:
                _masking.attach_output_masks(self, args[0], outputs, previous_mask)
            if self.activity_regularizer is not None and not ctx.symbolic:
                for out in (outputs if isinstance(outputs, (list, tuple)) else [outputs]):
                    penalty = self.activity_regularizer(out)
                    if out.ndim:
                        penalty = penalty / float(max(out.shape[0], 1))
                    self.add_loss(penalty)
            return outputs
        finally:
            if entry:
                _tracking.exit_context(ctx)

    # ---- masks --------------------------------------------------------------------------
    @property
    def supports_masking(self) -> bool:
        """Whether the layer passes a mask on (True where ``compute_mask`` is overridden, or
        when set, as Keras's layers do in ``__init__``)."""
        flag = self.__dict__.get("_supports_masking")
        return type(self).compute_mask is not Layer.compute_mask if flag is None else flag

    @supports_masking.setter
    def supports_masking(self, value) -> None:
        self.__dict__["_supports_masking"] = bool(value)

    def compute_mask(self, inputs, previous_mask):
        """The mask of the output (default: the input's mask, unchanged)."""
        return previous_mask

    def _maybe_build(self, first_input) -> None:
        if type(self).build is Layer.build:  # nothing to create: like Keras, no shapes recorded
            self.built = True
            if self._defines_output_shape():  # but the shape is checked (pooling too small …)
                self.compute_output_shape(_shape_of(first_input))
        else:
            self._build_once(_shape_of(first_input))

    # ---- config -------------------------------------------------------------------------
    def get_config(self) -> dict:
        """The arguments that rebuild this layer with ``from_config``: a subclass returns
        ``{**super().get_config(), <its own arguments>}``; one that writes no ``get_config``
        gets the plain-valued arguments its ``__init__`` received (Keras's auto-config)."""
        config = {"name": self.name, "trainable": self._trainable}
        if type(self).get_config is Layer.get_config:
            auto = self.__dict__.get("_auto_config")
            if not isinstance(auto, dict):
                raise _config.missing_config_error(self, auto)
            params = inspect.signature(type(self).__init__).parameters
            if "name" not in params and not any(p.kind is p.VAR_KEYWORD
                                                for p in params.values()):
                config.pop("name")
            config = {**config, **auto}
            if not any(p.kind is p.VAR_KEYWORD for p in params.values()):
                config.pop("trainable", None)
            return config
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = list(self._batch_input_shape)
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = _reg.serialize(self.activity_regularizer)
        return config

    def build_from_config(self, config) -> None:
        """Builds from ``{"input_shape": ...}`` (what a saved file records for a built layer),
        or from ``{"shapes_dict": {"query_shape": ..., "value_shape": ...}}`` for a ``build``
        with several shapes."""
        named = config.get("shapes_dict")
        if not named:
            self._build_once(config["input_shape"])
            return
        named = {k: tuple(v) if isinstance(v, list) and not any(
            isinstance(d, list) for d in v) else v for k, v in named.items()}
        self.build(**named)
        self.built = True
        self._build_shapes = [next(iter(named.values())), None]
        self._build_shapes_dict = named

    @classmethod
    def from_config(cls, config):
        """``cls(**config)``, with Keras's error when the config does not fit ``__init__``."""
        try:
            return cls(**config)
        except Exception as exc:
            raise TypeError(f"Error when deserializing class '{cls.__name__}' using "
                            f"config={config}.\n\nException encountered: {exc}") from exc

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"

