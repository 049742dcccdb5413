"""The Keras optimizer base: clipping, weight decay, learning rate (float or schedule), step count.

A subclass declares its slot names (``_slots``) and writes ``_update(w, g, slots, lr)`` on NumPy
arrays, in place. One ``apply(grads, variables)`` call runs Keras's sequence: clip the gradients
(``clipnorm`` per variable, ``global_clipnorm`` or ``clipvalue``), decay the weights
(``w -= w * weight_decay * lr``), update, then ``iterations += 1``.
"""
from __future__ import annotations

import math

import numpy as np

from .._utils import snake_case
from . import schedules as _schedules


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


class Optimizer:
    """Base class of the Keras-style optimizers (see the module docstring)."""

    _slots: tuple[str, ...] = ()

    def __init__(self, learning_rate=0.001, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        if kwargs:
            raise TypeError(f"Argument(s) not recognized: {kwargs}")
        if use_ema or loss_scale_factor or gradient_accumulation_steps:
            raise ValueError("ember.keras optimizers do not support use_ema, "
                                      "loss_scale_factor or gradient_accumulation_steps")
        self.name = name or snake_case(type(self).__name__)
        self.weight_decay = _check_nonneg("weight_decay", weight_decay)
        self.clipnorm = _check_nonneg("clipnorm", clipnorm)
        self.clipvalue = _check_nonneg("clipvalue", clipvalue)
        self.global_clipnorm = _check_nonneg("global_clipnorm", global_clipnorm)
        if sum(v is not None for v in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(f"Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
                             f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                             f"global_clipnorm={global_clipnorm}")
        if isinstance(learning_rate, _schedules.LearningRateSchedule) or callable(learning_rate):
            self._learning_rate = learning_rate
        else:
            self._learning_rate = _check_nonneg("learning_rate", learning_rate, allow_none=False)
        self.iterations = 0
        self._state: list[dict[str, np.ndarray]] | None = None
        self._ids: dict[int, int] = {}

    # ---- learning rate --------------------------------------------------------------
    @property
    def learning_rate(self) -> float:
        """The current rate (a schedule is evaluated at ``iterations``), as a float32 value."""
        lr = self._learning_rate
        if isinstance(lr, _schedules.LearningRateSchedule):
            return float(np.float32(lr(self.iterations)))
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
    def build(self, variables) -> None:
        """Creates the zero-initialised slots (momenta…) for each variable."""
        self._ids = {id(v): i for i, v in enumerate(variables)}
        self._state = [self._init_slots(v._data) for v in variables]

    def _init_slots(self, w: np.ndarray) -> dict[str, np.ndarray]:
        return {name: np.zeros_like(w) for name in self._slots}

    @property
    def built(self) -> bool:
        return self._state is not None

    def state_arrays(self) -> dict[str, np.ndarray]:
        """The optimizer's state as named arrays (for saving): step count and every slot."""
        out = {"iterations": np.array([self.iterations], np.int64)}
        for i, slots in enumerate(self._state or []):
            for name, arr in slots.items():
                out[f"{i}/{name}"] = arr
        out.update(self._extra_state())
        return out

    def load_state_arrays(self, arrays: dict, variables) -> None:
        self.build(variables)
        self.iterations = int(np.asarray(arrays["iterations"]).reshape(-1)[0])
        for i, slots in enumerate(self._state):
            for name in slots:
                key = f"{i}/{name}"
                if key not in arrays:
                    raise ValueError(f"Saved optimizer state lacks {key!r}; it does not match "
                                     f"this model's variables")
                slots[name][...] = arrays[key]
        self._load_extra_state(arrays)

    def _extra_state(self) -> dict:
        return {}

    def _load_extra_state(self, arrays) -> None:
        pass

    # ---- update -------------------------------------------------------------------------
    def _clip(self, grads):
        if self.clipnorm:
            out = []
            for g in grads:
                norm = math.sqrt(float(np.vdot(g, g)))
                out.append(g * np.float32(self.clipnorm / max(norm, self.clipnorm)) if norm > 0 else g)
            return out
        if self.global_clipnorm:
            norm = math.sqrt(sum(float(np.vdot(g, g)) for g in grads))
            scale = self.global_clipnorm * min(1.0 / norm if norm else math.inf,
                                               1.0 / self.global_clipnorm)
            return [g * np.asarray(scale, g.dtype) for g in grads]
        if self.clipvalue:
            return [np.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def apply(self, grads, variables) -> None:
        """Updates ``variables`` (ember Tensors) in place from ``grads`` (arrays or Tensors)."""
        variables = list(variables)
        if self._state is None or len(self._state) != len(variables):
            self.build(variables)
        grads = [getattr(g, "_data", g) for g in grads]
        grads = self._clip([np.asarray(g, dtype=v._data.dtype) for g, v in zip(grads, variables)])
        lr = self.learning_rate
        if self.weight_decay:
            for v in variables:
                v._data -= v._data * np.float32(self.weight_decay * lr)
        self._before_step()
        for g, v in zip(grads, variables):
            self._update(v._data, g, self._state[self._ids.get(id(v), 0)], lr)
        self.iterations += 1

    def apply_gradients(self, grads_and_vars) -> None:
        grads, variables = zip(*grads_and_vars)
        self.apply(grads, variables)

    def _before_step(self) -> None:
        pass

    def _update(self, w, g, slots, lr):  # pragma: no cover - abstract
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
                "clipvalue": self.clipvalue}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = _schedules.deserialize(config["learning_rate"])
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} learning_rate={self.learning_rate:g}>"
