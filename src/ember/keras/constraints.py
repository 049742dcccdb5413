"""Weight constraints (``keras.constraints``): projections applied to a weight after each
optimizer step, with Keras's names and formulas (``epsilon`` is Keras's 1e-7).

Example::

    >>> Dense(8, kernel_constraint=keras.constraints.MaxNorm(2.0))
    >>> keras.constraints.NonNeg()(ember.tensor([-1.0, 2.0]))
    tensor([0., 2.])
"""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ._utils import EPSILON, lookup

__all__ = ["Constraint", "MaxNorm", "MinMaxNorm", "NonNeg", "UnitNorm", "get", "serialize",
           "deserialize", "max_norm", "min_max_norm", "non_neg", "unit_norm"]


def _array(w) -> np.ndarray:
    return w._data if isinstance(w, Tensor) else np.asarray(w)


def _norms(w: np.ndarray, axis) -> np.ndarray:
    return np.sqrt(np.sum(np.square(w), axis=axis, keepdims=True))


class Constraint:
    """Base class: ``__call__(w)`` returns the projected weight (a Tensor of w's dtype)."""

    def __call__(self, w):
        return w

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _out(value: np.ndarray, like: np.ndarray) -> Tensor:
    return Tensor._make(np.asarray(value, dtype=like.dtype))


class MaxNorm(Constraint):
    """Scales each slice along ``axis`` down to norm ``max_value`` when it is larger."""

    def __init__(self, max_value=2, axis=0):
        self.max_value, self.axis = max_value, axis

    def __call__(self, w):
        arr = _array(w)
        norms = _norms(arr, self.axis)
        desired = np.clip(norms, 0, self.max_value)
        return _out(arr * (desired / (EPSILON + norms)), arr)

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Sets negative entries to zero."""

    def __call__(self, w):
        arr = _array(w)
        return _out(arr * (arr >= 0).astype(arr.dtype), arr)


class UnitNorm(Constraint):
    """Divides each slice along ``axis`` by its norm."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        arr = _array(w)
        return _out(arr / (EPSILON + _norms(arr, self.axis)), arr)

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Moves each slice's norm toward ``[min_value, max_value]`` by the fraction ``rate``."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w):
        arr = _array(w)
        norms = _norms(arr, self.axis)
        desired = self.rate * np.clip(norms, self.min_value, self.max_value) + \
            (1 - self.rate) * norms
        return _out(arr * (desired / (EPSILON + norms)), arr)

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


max_norm, non_neg, unit_norm, min_max_norm = MaxNorm, NonNeg, UnitNorm, MinMaxNorm
ALL = {"MaxNorm": MaxNorm, "NonNeg": NonNeg, "UnitNorm": UnitNorm, "MinMaxNorm": MinMaxNorm,
       "max_norm": MaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm, "min_max_norm": MinMaxNorm}


def get(identifier):
    """None, a name (``"max_norm"``), a config dict, a Constraint or a callable → a constraint."""
    if identifier is None or isinstance(identifier, Constraint):
        return identifier
    if isinstance(identifier, str):
        return lookup("constraint", identifier, ALL)()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret constraint identifier: {identifier}")


def serialize(constraint):
    if constraint is None:
        return None
    if not isinstance(constraint, Constraint):
        raise ValueError(f"Cannot save the custom constraint {constraint!r}; use a "
                         f"keras.constraints class")
    return {"class_name": type(constraint).__name__, "config": constraint.get_config()}


def deserialize(config):
    return lookup("constraint", config["class_name"], ALL).from_config(config.get("config", {}))
