"""Weight penalties added to the training loss: ``l1``, ``l2``, ``l1_l2`` (Keras's formulas).

``L1(l1)(w) = l1 * sum(|w|)``, ``L2(l2)(w) = l2 * sum(w**2)``; both for ``L1L2``.

Example::

    >>> from ember.keras.regularizers import l2
    >>> Dense(64, kernel_regularizer=l2(0.01))
"""
from __future__ import annotations

import math

import ember

from ._utils import lookup


def _check(name, value):
    value = float(value)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"Value for argument {name} must be a non-negative finite number. "
                         f"Received: {name}={value}")
    return value


class Regularizer:
    """Base class: ``__call__(weight_tensor)`` returns a scalar loss Tensor."""

    def __call__(self, x):  # pragma: no cover - abstract
        raise NotImplementedError  # abstract: subclasses implement it

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class L1L2(Regularizer):
    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _check("l1", l1)
        self.l2 = _check("l2", l2)

    def __call__(self, x):
        out = None
        if self.l1:
            out = ember.abs(x).sum() * self.l1
        if self.l2:
            term = (x * x).sum() * self.l2
            out = term if out is None else out + term
        return out if out is not None else ember.zeros((), dtype=x.dtype)

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    def __init__(self, l1=0.01):
        super().__init__(l1=l1)

    def get_config(self):
        return {"l1": self.l1}


class L2(L1L2):
    def __init__(self, l2=0.01):
        super().__init__(l2=l2)

    def get_config(self):
        return {"l2": self.l2}


def l1_l2(l1=0.01, l2=0.01):
    """Elastic net: ``L1L2`` with Keras's function defaults (0.01 each)."""
    return L1L2(l1=l1, l2=l2)


l1 = L1
l2 = L2

ALL = {"L1": L1, "L2": L2, "L1L2": L1L2, "l1": L1, "l2": L2, "l1_l2": l1_l2}


def get(identifier):
    if identifier is None:
        return None
    if isinstance(identifier, Regularizer) or (callable(identifier) and not isinstance(identifier, str)):
        return identifier
    if isinstance(identifier, str):
        return lookup("regularizer", identifier, {"l1": L1, "l2": L2, "l1_l2": l1_l2})()
    if isinstance(identifier, dict):
        cls = lookup("regularizer", identifier["class_name"], {"L1": L1, "L2": L2, "L1L2": L1L2})
        return cls.from_config(identifier.get("config", {}))
    raise TypeError(f"Could not interpret regularizer identifier: {identifier!r}")


def serialize(reg) -> dict | None:
    if reg is None:
        return None
    if not isinstance(reg, L1L2):
        raise ValueError(f"Cannot save the custom regularizer {reg!r}; use l1, l2 or l1_l2")
    return {"class_name": type(reg).__name__, "config": reg.get_config()}
