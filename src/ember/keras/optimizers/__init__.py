"""Keras-style optimizers (Keras 3's defaults and update rules) and learning-rate schedules.

Example::

    >>> from ember.keras.optimizers import Adam
    >>> model.compile(optimizer=Adam(learning_rate=0.01, clipnorm=1.0), loss="mse")
"""
from __future__ import annotations

from .._utils import lookup
from . import schedules
from .base import Optimizer
from .adapters import (SGD, Adadelta, Adafactor, Adagrad, Adam, Adamax, AdamW, Ftrl, Lamb, Lion, Nadam,
                       RMSprop, ScheduleFreeAdamW)
from .muon import Muon
from .wrappers import LossScaleOptimizer, MultiOptimizer, OptimizerMap

__all__ = ["Optimizer", "SGD", "RMSprop", "Adam", "AdamW", "Adagrad", "Adadelta", "Adamax", "Nadam", "Ftrl",
           "Lion", "Lamb", "Adafactor", "ScheduleFreeAdamW", "Muon", "LossScaleOptimizer", "MultiOptimizer",
           "OptimizerMap", "schedules", "get", "serialize", "deserialize"]

ALL = {"sgd": SGD, "rmsprop": RMSprop, "adam": Adam, "adamw": AdamW, "adagrad": Adagrad,
       "adadelta": Adadelta, "adamax": Adamax, "nadam": Nadam, "ftrl": Ftrl, "lion": Lion, "lamb": Lamb,
       "adafactor": Adafactor, "lossscaleoptimizer": LossScaleOptimizer, "multioptimizer": MultiOptimizer,
       "muon": Muon, "schedulefreeadamw": ScheduleFreeAdamW}


def get(identifier) -> Optimizer:
    """``'adam'``, ``'RMSprop'`` (any case), a config dict or an Optimizer → an Optimizer."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        return lookup("optimizer", identifier, ALL)()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    raise TypeError(f"Could not interpret optimizer identifier: {identifier!r}; expected a name "
                    f"({', '.join(sorted(ALL))}) or an Optimizer")


def serialize(optimizer: Optimizer) -> dict:
    return {"class_name": type(optimizer).__name__, "config": optimizer.get_config()}


def deserialize(config: dict) -> Optimizer:
    cls = lookup("optimizer", config["class_name"], ALL)
    return cls.from_config(config.get("config", {}))
