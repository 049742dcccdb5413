"""Keras-style optimizers (Keras 3's defaults and update rules) and learning-rate schedules.

Example::

    >>> from ember.keras.optimizers import Adam
    >>> model.compile(optimizer=Adam(learning_rate=0.01, clipnorm=1.0), loss="mse")
"""
from __future__ import annotations

import inspect

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


def deserialize(config: dict, custom_objects=None) -> Optimizer:
    """The optimizer ``serialize`` described; ``custom_objects`` maps class names to your own
    optimizer classes."""
    cls = (custom_objects or {}).get(config["class_name"]) or lookup("optimizer", config["class_name"], ALL)
    inner = config.get("config", {})
    # a subclass's own from_config may not take custom_objects (Keras checks the same way)
    if custom_objects is None or "custom_objects" not in inspect.signature(cls.from_config).parameters:
        return cls.from_config(inner)
    return cls.from_config(inner, custom_objects)
