"""The Keras optimizer base: Keras's arguments, learning rate (a float, a callable or a schedule),
clipping, weight decay and step count, over ``ember.optim``'s machinery and update rules.

A Keras optimizer owns no maths. A subclass names an ``ember.optim`` update rule (``_rule``), its
slots (``_slots``: Keras's names → the rule's argument names, in Keras's order) and writes
``_hyper(lr)``: the rule's keyword arguments for this step, with the flags that select Keras's
form of the formula. ``apply(grads, variables)`` runs Keras's sequence once per call:

1. divide the gradients by ``loss_scale_factor`` (``fit`` multiplied the loss by it, through
   ``scale_loss``);
2. with ``gradient_accumulation_steps = N``: add them to the accumulators, and go on only every
   N-th call, with the accumulated mean (``iterations`` counts these updates; a schedule sees
   every call);
3. clip the gradients (``clipnorm`` per variable, ``global_clipnorm`` or ``clipvalue``) with
   ``ember.nn.utils``'s clipping functions;
4. one step of an ``ember.optim.Optimizer`` engine over the variables: it decays the weights
   (``w *= 1 − weight_decay·lr``, Keras's decoupled form), then applies the rule, with the
   slots kept in flat buffers and the update run once per group (threaded when large);
5. with ``use_ema``: update the moving average of every variable (overwriting the weights with
   it every ``ema_overwrite_frequency`` updates; ``finalize_variable_values`` does it at the end
   of ``fit``);
6. project constrained variables; count the call.
"""
from __future__ import annotations

import functools
import inspect
import math
import re

import numpy as np

from ... import optim as _optim
from ..._tensor import Tensor
from ...nn.utils.clip_grad import clamp_, scale_to_norm_, total_norm
from ...optim._math import decay_weights, ema
from .. import distribution as _distribution
from .._utils import snake_case
from . import schedules as _schedules

__all__ = ["Optimizer"]


def _check_nonneg(name, value, allow_none=True):
    if value is None and allow_none:
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"Argument `{name}` must be a number. Received: {name}={value!r}") from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"Argument `{name}` must be a non-negative number. Received: {name}={value}")
    return value


def _decay_then(rule, param, grad, *, decoupled_decay: float = 0.0, **kwargs) -> None:
    """Keras's weight decay before the update: ``param *= 1 − lr·weight_decay``, then ``rule``."""
    decay_weights(param, kwargs["lr"], decoupled_decay)
    rule(param, grad, **kwargs)


#: Keras's arguments of every optimizer, in the order they follow an optimizer's own
_BASE_ARGS = {"weight_decay": None, "clipnorm": None, "clipvalue": None, "global_clipnorm": None, "use_ema": False,
              "ema_momentum": 0.99, "ema_overwrite_frequency": None, "loss_scale_factor": None,
              "gradient_accumulation_steps": None, "name": None}


def _with_base_positionals(init):
    """``init(self, <own arguments>, **kwargs)`` extended to take Keras's base arguments
    positionally after its own, in Keras's order (``Adam(1e-3, 0.9, 0.999, 1e-7, False, 0.01)``
    sets ``weight_decay``), with the signature that says so."""
    sig = inspect.signature(init)
    params = list(sig.parameters.values())
    own = [p.name for p in params[1:] if p.kind is p.POSITIONAL_OR_KEYWORD]
    if "name" in own or not any(p.kind is p.VAR_KEYWORD for p in params):
        return init  # the optimizer spells its arguments out itself
    extras = [name for name in _BASE_ARGS if name not in own]

    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        if len(args) > len(own):
            extra = args[len(own):]
            if len(extra) > len(extras):
                raise TypeError(f"{type(self).__name__}() takes at most {len(own) + len(extras)} positional "
                                f"arguments ({len(args)} given)")
            for name, value in zip(extras, extra):
                if name in kwargs:
                    raise TypeError(f"{type(self).__name__}() got multiple values for argument '{name}'")
                kwargs[name] = value
            args = args[:len(own)]
        init(self, *args, **kwargs)

    keyword = inspect.Parameter.POSITIONAL_OR_KEYWORD
    __init__.__signature__ = sig.replace(parameters=[
        *params[:len(own) + 1], *(inspect.Parameter(n, keyword, default=_BASE_ARGS[n]) for n in extras),
        *(p for p in params[len(own) + 1:] if p.kind is p.VAR_KEYWORD)])
    return __init__


class _Engine(_optim.Optimizer):
    """``ember.optim``'s one fast path driven by a Keras optimizer: its slots, rule and constants.

    Groups: the variables that get weight decay, and those excluded from it.
    """

    def __init__(self, owner: "Optimizer", groups: list) -> None:
        self._owner = owner
        self._rule = functools.partial(_decay_then, owner._rule)
        self._scratch = owner._scratch
        self._elementwise = owner._elementwise
        super().__init__(groups, {})

    def _slots(self, group: dict) -> tuple:
        return tuple(self._owner._slots)

    def _arg_name(self, name: str) -> str:
        return self._owner._slots[name]

    def _initial(self, name: str, group: dict) -> float:
        return self._owner._initial(name)

    def _init_state(self, p: Tensor, group: dict) -> dict:
        slots = self._owner._init_slots(p._data, **group["flags"])
        return {name: Tensor._make(arr) for name, arr in slots.items()}

    def _hyper(self, group: dict, scalars: dict, fresh: bool) -> dict:
        return {**self._owner._step_kwargs, "decoupled_decay": group["decay"], **group["flags"]}


class Optimizer:
    """Base class of the Keras-style optimizers (see the module docstring)."""

    #: the ``ember.optim`` update rule
    _rule = None
    #: Keras's slot names → the rule's argument names, in Keras's order
    _slots: dict = {}
    #: the rule's scratch arguments
    _scratch: tuple = ("gbuf", "tmp")
    #: False for a rule that needs whole variables (norm-based or factored updates)
    _elementwise = True
    #: the subclass's own arguments, saved by ``get_config`` (attributes of the same names)
    _config: tuple = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "__init__" in cls.__dict__:
            cls.__init__ = _with_base_positionals(cls.__dict__["__init__"])

    def __init__(self, learning_rate=0.001, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        if kwargs:
            raise TypeError(f"Argument(s) not recognized: {kwargs}")
        if gradient_accumulation_steps and not gradient_accumulation_steps >= 2:
            raise ValueError("`gradient_accumulation_steps` must be an integer >= 2. Received: "
                             f"gradient_accumulation_steps={gradient_accumulation_steps}")
        if use_ema:
            if not 0 <= ema_momentum <= 1:
                raise ValueError(f"`ema_momentum` must be in the range [0, 1]. Received: "
                                 f"ema_momentum={ema_momentum}")
            if ema_overwrite_frequency and (not isinstance(ema_overwrite_frequency, int)
                                            or ema_overwrite_frequency < 1):
                raise ValueError("`ema_overwrite_frequency` must be an integer >= 1 or None. "
                                 f"Received: ema_overwrite_frequency={ema_overwrite_frequency}")
        self.name = name or snake_case(type(self).__name__)
        self.weight_decay = _check_nonneg("weight_decay", weight_decay)
        self.clipnorm = _check_nonneg("clipnorm", clipnorm)
        self.clipvalue = _check_nonneg("clipvalue", clipvalue)
        self.global_clipnorm = _check_nonneg("global_clipnorm", global_clipnorm)
        self.use_ema, self.ema_momentum = bool(use_ema), ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        if sum(v is not None for v in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(f"Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
                             f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                             f"global_clipnorm={global_clipnorm}")
        if isinstance(learning_rate, _schedules.LearningRateSchedule) or callable(learning_rate):
            self._learning_rate = learning_rate
        else:
            self._learning_rate = _check_nonneg("learning_rate", learning_rate, allow_none=False)
        self._iterations = 0  # every apply() call; ``iterations`` counts the updates
        self._averages: list = []  # use_ema: the moving average of each variable
        self._accumulators: list = []  # gradient_accumulation_steps: the summed gradients
        self._engine: _Engine | None = None
        self._variables: list = []
        self._excluded_ids: set = set()
        self._excluded_names: re.Pattern | None = None
        self._step_kwargs: dict = {}

    @property
    def iterations(self) -> int:
        """The number of updates: the ``apply`` calls, divided by ``gradient_accumulation_steps``
        when gradients are accumulated (Keras's count; schedules see every call)."""
        steps = self.gradient_accumulation_steps
        return self._iterations // steps if steps else self._iterations

    # ---- learning rate --------------------------------------------------------------
    @property
    def learning_rate(self) -> float:
        """The current rate (a schedule is evaluated at the number of ``apply`` calls), as a
        float32 value."""
        lr = self._learning_rate
        if isinstance(lr, _schedules.LearningRateSchedule):
            return float(np.float32(lr(self._iterations)))
        if callable(lr):  # Keras also takes a zero-argument callable
            return float(np.float32(lr()))
        return float(np.float32(lr))

    @learning_rate.setter
    def learning_rate(self, value):
        if isinstance(self._learning_rate, _schedules.LearningRateSchedule):
            raise TypeError("This optimizer was created with a `LearningRateSchedule` object as its "
                            "`learning_rate` constructor argument, hence its learning rate is not "
                            "settable.")
        self._learning_rate = _check_nonneg("learning_rate", value, allow_none=False)

    # ---- state --------------------------------------------------------------------------
    def exclude_from_weight_decay(self, var_list=None, var_names=None) -> None:
        """Keeps ``var_list`` and the variables whose name matches one of ``var_names`` (regular
        expressions) out of weight decay; call it before the optimizer is built."""
        if self.built:
            raise ValueError("`exclude_from_weight_decay()` can only be configured before the "
                             "optimizer is built.")
        self._excluded_ids = {id(v) for v in (var_list or [])}
        self._excluded_names = re.compile("|".join(var_names)) if var_names else None

    def _decays(self, variable) -> bool:
        """Whether ``exclude_from_weight_decay`` leaves ``variable`` to weight decay."""
        if id(variable) in self._excluded_ids:
            return False
        name = getattr(variable, "name", None)
        return not (self._excluded_names is not None and isinstance(name, str)
                    and self._excluded_names.search(name))

    def build(self, variables) -> None:
        """Creates the slots (momenta…) of each variable, at their initial values."""
        self._variables = list(variables)
        groups: dict = {}
        for v in self._variables:
            decay, flags = self._variable_group(v)
            key = (decay, tuple(sorted(flags.items())))
            groups.setdefault(key, {"params": [], "decay": decay, "flags": flags})["params"].append(v)
        groups = list(groups.values())
        self._engine = _Engine(self, groups) if groups else None
        for group in (self._engine.param_groups if self._engine else []):
            self._engine._create_state(group)
        # Keras creates both at zero: the first update copies the weights into the average
        self._averages = [np.zeros_like(v._data) for v in self._variables] if self.use_ema else []
        self._accumulators = ([np.zeros_like(v._data) for v in self._variables]
                              if self.gradient_accumulation_steps else [])

    def _variable_group(self, variable) -> tuple[float, dict]:
        """The weight decay of ``variable`` and the rule's extra flags for it; variables with equal
        answers share one group of the engine."""
        return (self.weight_decay or 0.0) if self._decays(variable) else 0.0, {}

    def _initial(self, slot: str) -> float:
        """A slot's initial value (zero unless the optimizer says otherwise)."""
        return 0.0

    def _init_slots(self, w: np.ndarray, **flags) -> dict:
        """The slots of a variable, for a whole-variable rule (``_elementwise = False``)."""
        return {name: np.full_like(w, self._initial(name)) for name in self._slots}

    @property
    def built(self) -> bool:
        return self._engine is not None or bool(self._variables)

    def _slot(self, variable, name: str) -> np.ndarray:
        return self._engine.state[variable][name]._data

    def _variable_state(self) -> dict[str, list]:
        """Each per-variable state array, by name: the slots, then the moving averages and the
        gradient accumulators when the optimizer keeps them."""
        out = {name: [self._slot(v, name) for v in self._variables] for name in self._slots}
        if self.use_ema:
            out["average"] = self._averages
        if self.gradient_accumulation_steps:
            out["gradient_accumulator"] = self._accumulators
        return out

    def state_arrays(self) -> dict[str, np.ndarray]:
        """The optimizer's state as named arrays (for saving): step count and every slot."""
        out = {"iterations": np.array([self._iterations], np.int64)}
        for name, arrays in self._variable_state().items():
            out.update({f"{i}/{name}": arr for i, arr in enumerate(arrays)})
        out.update(self._extra_state())
        return out

    def load_state_arrays(self, arrays: dict, variables) -> None:
        self.build(variables)
        iterations = np.asarray(arrays.get("iterations"))
        if iterations.dtype.kind not in "iu" or iterations.size != 1 or int(iterations.flat[0]) < 0:
            raise ValueError(f"Saved optimizer state has no valid 'iterations' (an integer >= 0); "
                             f"got {arrays.get('iterations')!r}")
        self._iterations = int(iterations.flat[0])
        for name, targets in self._variable_state().items():
            for i, target in enumerate(targets):
                key = f"{i}/{name}"
                if key not in arrays:
                    raise ValueError(f"Saved optimizer state lacks {key!r}; it does not match "
                                     f"this model's variables")
                value = np.asarray(arrays[key])
                if value.shape != target.shape or value.dtype.kind not in "biuf":
                    raise ValueError(f"Saved optimizer state {key!r} has shape {value.shape} "
                                     f"(dtype {value.dtype}), expected {target.shape}; it does not "
                                     f"match this model's variables")
                target[...] = value
        self._load_extra_state(arrays)

    def _extra_state(self) -> dict:
        return {}

    def _load_extra_state(self, arrays) -> None:
        pass

    # ---- update -------------------------------------------------------------------------
    def _clip(self, grads: list) -> list:
        """Keras's gradient clipping, on copies (the caller's gradients are left as they are)."""
        if not (self.clipnorm or self.global_clipnorm or self.clipvalue):
            return grads
        grads = [np.array(g, copy=True) for g in grads]
        if self.clipnorm:
            for g in grads:
                scale_to_norm_([g], self.clipnorm, total_norm([g]), eps=0.0)
        elif self.global_clipnorm:
            scale_to_norm_(grads, self.global_clipnorm, total_norm(grads), eps=0.0)
        else:
            clamp_(grads, self.clipvalue)
        return grads

    def apply(self, grads, variables=None) -> None:
        """Updates ``variables`` (ember Tensors; the built ones by default) in place from ``grads``
        (arrays or Tensors; a ``None`` gradient leaves its variable alone).

        Keras's sequence: unscale by ``loss_scale_factor``; with ``gradient_accumulation_steps``
        add to the accumulators and update only every N-th call, with their mean; clip, decay
        and update; then the moving averages (``use_ema``), and the constraints.
        """
        variables = self._variables if variables is None else list(variables)
        pairs = [(g, v) for g, v in zip(grads, variables) if g is not None]
        if not self.built or not all(id(v) in self._engine_ids() for _, v in pairs):
            self.build(variables)
        arrays = []
        for g, v in pairs:
            arr = np.asarray(getattr(g, "_data", g), dtype=v._data.dtype)
            if arr.shape != v._data.shape:
                raise ValueError(f"A gradient of shape {arr.shape} was given for a variable of shape "
                                 f"{v._data.shape}")
            arrays.append(arr)
        plan = _distribution.active_step()
        if plan is not None:  # a data-parallel fit: the ranks' gradients, averaged
            arrays = plan.average_gradients(arrays)
        if self.loss_scale_factor is not None:
            arrays = [a / np.asarray(self.loss_scale_factor, a.dtype) for a in arrays]
        steps = self.gradient_accumulation_steps
        if not steps:
            self._update(pairs, arrays)
        else:
            index = {id(v): i for i, v in enumerate(self._variables)}
            accumulated = [self._accumulators[index[id(v)]] for _, v in pairs]
            if (self._iterations + 1) % steps == 0:
                self._update(pairs, [(a + acc) / steps for a, acc in zip(arrays, accumulated)])
                for acc in self._accumulators:
                    acc.fill(0)
            else:
                for a, acc in zip(arrays, accumulated):
                    acc += a
        if self.use_ema:
            self._update_averages()
        self._iterations += 1
        for _, v in pairs:  # Keras projects constrained variables after each update
            if getattr(v, "constraint", None) is not None:
                projected = v.constraint(v)
                v._data[...] = getattr(projected, "_data", projected)

    def _update(self, pairs: list, arrays: list) -> None:
        """One update of the variables of ``pairs`` from the gradient ``arrays``: clipping, weight
        decay and the rule."""
        arrays = self._clip(arrays)
        self._step_kwargs = self._hyper(self.learning_rate)
        if pairs:
            grad_of = {id(v): a for (_, v), a in zip(pairs, arrays)}
            for group in self._engine.param_groups:
                params = [p for p in group["params"] if id(p) in grad_of]
                if params:
                    self._engine._apply(group, params, [grad_of[id(p)] for p in params])

    # ---- moving averages (use_ema) -------------------------------------------------------
    def _update_averages(self) -> None:
        """``average ← m·average + (1 − m)·w`` for every variable, with ``m = 0`` on the first
        update (the average starts at the weights); every ``ema_overwrite_frequency`` updates
        the weights are replaced by their averages."""
        first = self.iterations == 0
        for v, avg in zip(self._variables, self._averages):
            if first:
                avg[...] = v._data
            else:
                ema(avg, v._data, self.ema_momentum, np.empty_like(avg))
        freq = self.ema_overwrite_frequency
        if freq and (self.iterations + 1) % freq == 0:
            self._write_averages(self._variables)

    def _write_averages(self, var_list) -> None:
        var_list = list(var_list)
        if len(var_list) != len(self._averages):
            raise ValueError(f"The length of model variables ({len(var_list)}) to override does not "
                             f"match the length of model variables stored in the optimizer "
                             f"({len(self._averages)}). Please check if the optimizer was called on "
                             f"your model.")
        for v, avg in zip(var_list, self._averages):
            v._data[...] = avg

    def _swap_averages(self) -> None:
        """Exchanges the weights and their moving averages (``SwapEMAWeights``)."""
        for v, avg in zip(self._variables, self._averages):
            held = v._data.copy()
            v._data[...] = avg
            avg[...] = held

    def _reset_averages_to_weights(self) -> None:
        for v, avg in zip(self._variables, self._averages):
            avg[...] = v._data

    def finalize_variable_values(self, var_list) -> None:
        """At the end of ``fit``: with ``use_ema``, the weights in ``var_list`` become their moving
        averages (otherwise nothing happens)."""
        if self.use_ema:
            self._write_averages(var_list)

    def scale_loss(self, loss):
        """``loss · loss_scale_factor`` (the loss itself when no factor is set); ``fit`` calls it
        before ``backward()`` and ``apply`` divides the gradients by the same factor."""
        return loss if self.loss_scale_factor is None else loss * self.loss_scale_factor

    def _engine_ids(self) -> set:
        return {id(p) for g in self._engine.param_groups for p in g["params"]} if self._engine else set()

    def apply_gradients(self, grads_and_vars) -> None:
        grads, variables = zip(*grads_and_vars)
        self.apply(grads, variables)

    def _hyper(self, lr: float) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError  # abstract: subclasses implement it

    # ---- config ---------------------------------------------------------------------------
    def get_config(self) -> dict:
        lr = self._learning_rate
        if isinstance(lr, _schedules.LearningRateSchedule):
            lr = _schedules.serialize(lr)
        elif callable(lr):
            raise ValueError("Cannot save an optimizer whose learning_rate is a plain callable; "
                             "use a keras.optimizers.schedules.LearningRateSchedule")
        return {"name": self.name, "learning_rate": lr, "weight_decay": self.weight_decay,
                "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm,
                "clipvalue": self.clipvalue, "use_ema": self.use_ema, "ema_momentum": self.ema_momentum,
                "ema_overwrite_frequency": self.ema_overwrite_frequency,
                "loss_scale_factor": self.loss_scale_factor,
                "gradient_accumulation_steps": self.gradient_accumulation_steps, **{key: getattr(self, key) for key in self._config}}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = _schedules.deserialize(config["learning_rate"], custom_objects)
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} learning_rate={self.learning_rate:g}>"
