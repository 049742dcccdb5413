"""Optimizers that drive other optimizers: ``LossScaleOptimizer`` (dynamic loss scaling) and
``MultiOptimizer`` with its ``OptimizerMap`` (an optimizer per group of variables), as in Keras 3.

Neither has an update rule of its own: they decide which inner optimizer's ``apply`` runs, on
which gradients.
"""
from __future__ import annotations

import re
from collections.abc import MutableMapping

import numpy as np

from .. import distribution as _distribution
from .base import Optimizer

__all__ = ["LossScaleOptimizer", "OptimizerMap", "MultiOptimizer"]

_BASE_DEFAULTS = {"weight_decay": None, "clipnorm": None, "global_clipnorm": None, "clipvalue": None,
                  "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
                  "loss_scale_factor": None, "gradient_accumulation_steps": None}


def _serialize(optimizer) -> dict:
    from . import serialize
    return serialize(optimizer)


def _deserialize(config, custom_objects=None):
    from . import deserialize
    return deserialize(config, custom_objects) if isinstance(config, dict) else config


def _scalar_state(arrays: dict, key: str, kinds: str):
    value = np.asarray(arrays.get(key))
    if value.size != 1 or value.dtype.kind not in kinds:
        raise ValueError(f"Saved optimizer state has no valid {key!r}; got {arrays.get(key)!r}")
    return value.reshape(-1)[0]


class LossScaleOptimizer(Optimizer):
    """Dynamic loss scaling around ``inner_optimizer``: ``fit`` multiplies the loss by the scale,
    and each step divides the gradients by it. A step whose gradients hold an inf or a NaN is
    skipped and halves the scale; after ``dynamic_growth_steps`` finite steps in a row the scale
    doubles.

    Args:
        inner_optimizer: the ``keras.optimizers.Optimizer`` that updates the weights (its own
            ``loss_scale_factor`` is switched off).
        initial_scale: the first scale (float32).
        dynamic_growth_steps: how many finite steps double the scale.

    Example::

        >>> from ember import keras
        >>> opt = keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam(), initial_scale=1024.0)
        >>> float(opt.scale_loss(keras.ops.convert_to_tensor(0.5)))
        512.0
    """

    def __init__(self, inner_optimizer, initial_scale=2.0 ** 15, dynamic_growth_steps=2000, name=None,
                 **kwargs):
        if not kwargs.pop("dynamic", True):
            raise ValueError("LossScaleOptimizer no longer supports `dynamic=False`. Instead, simply "
                             "set `loss_scale_factor` directly on the `inner_optimizer`.")
        for arg, default in _BASE_DEFAULTS.items():
            if arg in kwargs and kwargs.pop(arg) != default:
                raise ValueError(f"LossScaleOptimizer does not support `{arg}`. Instead, set "
                                 f"`{arg}` on the `inner_optimizer`.")
        if kwargs:
            raise ValueError(f"LossScaleOptimizer does not support arguments: `{'`, `'.join(kwargs)}`.")
        if not isinstance(inner_optimizer, Optimizer):
            raise TypeError(f"`inner_optimizer` must be a keras.optimizers.Optimizer. Received: "
                            f"inner_optimizer={inner_optimizer!r}")
        super().__init__(learning_rate=0.0, name=name)
        self.inner_optimizer = inner_optimizer
        self.initial_scale = initial_scale
        self.dynamic_growth_steps = dynamic_growth_steps
        self.inner_optimizer.loss_scale_factor = None  # or the gradients are unscaled twice
        self.step_counter = 0
        self.dynamic_scale = np.float32(initial_scale)
        self._built = False

    @property
    def built(self) -> bool:
        return self._built

    def build(self, variables) -> None:
        self.step_counter = 0
        self.dynamic_scale = np.float32(self.initial_scale)
        self.inner_optimizer.build(variables)
        self._variables = list(variables)
        self._built = True

    def apply(self, grads, variables=None) -> None:
        """Skips the step and halves the scale when a gradient is not finite; otherwise runs the
        inner optimizer on the unscaled gradients and counts towards doubling the scale."""
        if not self.built:
            self.build(variables)
        arrays = [None if g is None else np.asarray(getattr(g, "_data", g)) for g in grads]
        plan = _distribution.active_step()
        if plan is not None:  # every rank decides on the same averaged gradients
            present = [i for i, a in enumerate(arrays) if a is not None]
            for i, a in zip(present, plan.average_gradients([arrays[i] for i in present])):
                arrays[i] = a
        if not all(np.isfinite(a).all() for a in arrays if a is not None):
            self.step_counter = 0
            self.dynamic_scale = np.float32(self.dynamic_scale * np.float32(0.5))
            return
        scale = self.dynamic_scale
        unscaled = [None if a is None else a / scale.astype(a.dtype) for a in arrays]
        _distribution._STATE["step"] = None  # already averaged: the inner step must not again
        try:
            self.inner_optimizer.apply(unscaled, variables)
        finally:
            _distribution._STATE["step"] = plan
        if self.step_counter == self.dynamic_growth_steps - 1:
            self.step_counter = 0
            self.dynamic_scale = np.float32(self.dynamic_scale * np.float32(2.0))
        else:
            self.step_counter += 1

    def scale_loss(self, loss):
        return loss * float(self.dynamic_scale if self.built else self.initial_scale)

    @property
    def learning_rate(self) -> float:
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        self.inner_optimizer.learning_rate = value

    @property
    def iterations(self) -> int:
        return self.inner_optimizer.iterations

    def finalize_variable_values(self, var_list) -> None:
        self.inner_optimizer.finalize_variable_values(var_list)

    def state_arrays(self) -> dict:
        return {**self.inner_optimizer.state_arrays(),
                "step_counter": np.array([self.step_counter], np.int64),
                "dynamic_scale": np.array([self.dynamic_scale], np.float32)}

    def load_state_arrays(self, arrays: dict, variables) -> None:
        self.build(variables)
        self.inner_optimizer.load_state_arrays(arrays, variables)
        self.step_counter = int(_scalar_state(arrays, "step_counter", "iu"))
        self.dynamic_scale = np.float32(_scalar_state(arrays, "dynamic_scale", "f"))

    def get_config(self) -> dict:
        return {"name": self.name, "inner_optimizer": _serialize(self.inner_optimizer),
                "initial_scale": self.initial_scale, "dynamic_growth_steps": self.dynamic_growth_steps}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        return cls(_deserialize(config.pop("inner_optimizer"), custom_objects), **config)

    def __repr__(self):
        return f"<LossScaleOptimizer inner={self.inner_optimizer!r} scale={float(self.dynamic_scale):g}>"


class OptimizerMap(MutableMapping):
    """Variable paths (``"dense/kernel"``; keys are exact paths or regular expressions that must
    match the whole path) → the optimizer that trains them; ``default_optimizer`` for the rest.

    Example::

        >>> from ember import keras
        >>> opts = keras.optimizers.OptimizerMap(keras.optimizers.SGD(), {"encoder/.*": keras.optimizers.Adam()})
        >>> opts["encoder/kernel"].name, opts["decoder/kernel"].name
        ('adam', 'sgd')
    """

    def __init__(self, default_optimizer, optimizer_map=None):
        if not isinstance(default_optimizer, Optimizer):
            raise TypeError(f"default_optimizer must be a Keras Optimizer instance. Received: "
                            f"{default_optimizer}")
        if optimizer_map is not None and not isinstance(optimizer_map, dict):
            raise TypeError(f"optimizer_map must be a dictionary. Received: {optimizer_map}")
        self._default_optimizer = default_optimizer
        self._optimizer_map = dict(optimizer_map or {})

    @property
    def default_optimizer(self):
        return self._default_optimizer

    def __getitem__(self, key):
        if key in self._optimizer_map:
            return self._optimizer_map[key]
        matching = [pattern for pattern in self._optimizer_map if re.fullmatch(pattern, key)]
        if len(matching) > 1:
            raise ValueError(f"Multiple optimizers assigned to variable {key}.")
        return self._optimizer_map[matching[0]] if matching else self._default_optimizer

    def __setitem__(self, key, optimizer):
        if key in self._optimizer_map:
            raise ValueError(f"'{key}' already exists in the OptimizerMap with value "
                             f"{self._optimizer_map[key]}. Please make sure to not use duplicated keys.")
        if not isinstance(key, str):
            raise ValueError(f"key must be a string. Received: {key}")
        _check_inner(optimizer)
        self._optimizer_map[key] = optimizer

    def __delitem__(self, key):
        del self._optimizer_map[key]

    def __len__(self):
        return len(self._optimizer_map)

    def __iter__(self):
        return iter(self._optimizer_map)

    def __call__(self, variable):
        return self[getattr(variable, "path", None) or getattr(variable, "name", "")]

    def get_config(self) -> dict:
        return {"default_optimizer": _serialize(self._default_optimizer),
                "optimizer_map": {k: _serialize(v) for k, v in self._optimizer_map.items()}}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        return cls(_deserialize(config["default_optimizer"], custom_objects),
                   {k: _deserialize(v, custom_objects) for k, v in (config.get("optimizer_map") or {}).items()})


def _check_inner(optimizer) -> None:
    if not isinstance(optimizer, Optimizer):
        raise ValueError(f"optimizer must be a Keras Optimizer instance. Received: {optimizer}")
    if isinstance(optimizer, LossScaleOptimizer):
        raise ValueError("optimizer cannot be LossScaleOptimizer.")
    if isinstance(optimizer, MultiOptimizer):
        raise ValueError("optimizer cannot be MultiOptimizer.")


class MultiOptimizer(Optimizer):
    """Trains each variable with the optimizer that ``optimizer_map`` (an ``OptimizerMap``, or a
    callable from a variable to an optimizer) gives it; each inner optimizer keeps its own
    learning rate, state and step count (reach them through ``optimizers``).

    Args:
        optimizer_map: an ``OptimizerMap`` or a callable ``variable → optimizer``.
        loss_scale_factor: set on every inner optimizer.

    Example::

        >>> from ember import keras
        >>> opt = keras.optimizers.MultiOptimizer(keras.optimizers.OptimizerMap(
        ...     keras.optimizers.SGD(0.1), {"head/.*": keras.optimizers.Adam(1e-3)}))
        >>> model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(4, name="body"),
        ...                           keras.layers.Dense(1, name="head")])
        >>> model.compile(optimizer=opt, loss="mse")
        >>> [o.name for o in opt.optimizers]
        ['adam', 'sgd']
    """

    def __init__(self, optimizer_map, loss_scale_factor=None, name=None):
        self._inner_optimizers = []
        super().__init__(learning_rate=0.0, loss_scale_factor=loss_scale_factor, name=name)
        self._optimizer_map = optimizer_map
        inner = list(optimizer_map.values()) if hasattr(optimizer_map, "values") else []
        default = getattr(optimizer_map, "default_optimizer", None)
        for opt in inner + ([default] if default is not None else []):
            if all(opt is not o for o in self._inner_optimizers):
                opt.loss_scale_factor = loss_scale_factor
                self._inner_optimizers.append(opt)
        self._owner_of: dict = {}
        self._built = False

    @property
    def optimizers(self) -> list:
        return self._inner_optimizers

    @property
    def built(self) -> bool:
        return self._built

    @property
    def loss_scale_factor(self):
        return getattr(self, "_loss_scale_factor", None)

    @loss_scale_factor.setter
    def loss_scale_factor(self, value):
        self._loss_scale_factor = value
        for opt in self._inner_optimizers:
            opt.loss_scale_factor = value

    @property
    def learning_rate(self):
        raise AttributeError("Learning rate cannot be accessed on a MultiOptimizer. Access the "
                             "learning rate on the individual sub-optimizers instead.")

    @learning_rate.setter
    def learning_rate(self, value):
        raise AttributeError("Learning rate cannot be set on a MultiOptimizer. Set the learning rate "
                             "on the individual sub-optimizers instead.")

    def _index(self, opt) -> int:
        return next(i for i, o in enumerate(self._inner_optimizers) if o is opt)

    def build(self, variables) -> None:
        if self._built:
            return
        self._variables = list(variables)
        for v in self._variables:
            opt = self._optimizer_map(v)
            if not isinstance(opt, Optimizer):
                raise ValueError(f"Optimizer for variable {getattr(v, 'path', v)} is not an Optimizer "
                                 f"instance.")
            if isinstance(opt, LossScaleOptimizer):
                raise ValueError("LossScaleOptimizer cannot be used inside an MultiOptimizer.")
            if isinstance(opt, MultiOptimizer):
                raise ValueError("MultiOptimizer cannot be used inside an MultiOptimizer.")
            if all(opt is not o for o in self._inner_optimizers):
                opt.loss_scale_factor = self.loss_scale_factor
                self._inner_optimizers.append(opt)
            self._owner_of[id(v)] = self._index(opt)
        for opt, group in zip(self._inner_optimizers, self._split(self._variables)):
            if group:
                opt.build(group)
        self._built = True

    def _split(self, items, key=lambda item: item) -> list:
        """``items`` grouped by the inner optimizer that owns each one's variable."""
        groups = [[] for _ in self._inner_optimizers]
        for item in items:
            groups[self._owner_of[id(key(item))]].append(item)
        return groups

    def apply(self, grads, variables=None) -> None:
        grads = list(grads)
        if not grads:
            return
        if variables is None:
            if not self._built:
                raise ValueError("When passing `grads` without `variables`, the optimizer must "
                                 "already be built on a list of variables. Call "
                                 "`optimizer.build(trainable_variables)` first.")
            variables = self._variables
        self.build(variables)
        if len(grads) != len(self._owner_of):
            raise ValueError(f"Gradients must match trainable variables one-to-one. Received "
                             f"{len(grads)} gradients and {len(self._owner_of)} variables.")
        for opt, pairs in zip(self._inner_optimizers,
                              self._split(zip(grads, variables), key=lambda pair: pair[1])):
            if pairs:
                opt.apply([g for g, _ in pairs], [v for _, v in pairs])
        self._iterations += 1

    def finalize_variable_values(self, var_list) -> None:
        for opt, group in zip(self._inner_optimizers, self._split(var_list)):
            if group:
                opt.finalize_variable_values(group)

    def state_arrays(self) -> dict:
        out = {"iterations": np.array([self._iterations], np.int64)}
        for i, opt in enumerate(self._inner_optimizers):
            if opt.built:
                out.update({f"optimizer_{i}.{k}": v for k, v in opt.state_arrays().items()})
        return out

    def load_state_arrays(self, arrays: dict, variables) -> None:
        self.build(variables)
        self._iterations = int(_scalar_state(arrays, "iterations", "iu"))
        for i, (opt, group) in enumerate(zip(self._inner_optimizers, self._split(self._variables))):
            if group:
                prefix = f"optimizer_{i}."
                opt.load_state_arrays({k[len(prefix):]: v for k, v in arrays.items()
                                       if k.startswith(prefix)}, group)

    def get_config(self) -> dict:
        if not isinstance(self._optimizer_map, OptimizerMap):
            raise ValueError("Cannot save a MultiOptimizer whose optimizer_map is a plain callable; "
                             "use a keras.optimizers.OptimizerMap")
        return {"optimizer_map": {"class_name": "OptimizerMap", "config": self._optimizer_map.get_config()},
                "loss_scale_factor": self.loss_scale_factor, "name": self.name}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        optimizer_map = config["optimizer_map"]
        if isinstance(optimizer_map, dict):
            config["optimizer_map"] = OptimizerMap.from_config(optimizer_map.get("config", optimizer_map),
                                                               custom_objects)
        return cls(**config)

    def __repr__(self):
        return f"<MultiOptimizer optimizers={self._inner_optimizers!r}>"
