"""Weight penalties added to the training loss (Keras 3's formulas, on ``keras.ops``):
``L1(l1)(w) = l1 * sum(|w|)``, ``L2(l2)(w) = l2 * sum(w**2)``, ``L1L2`` both (its function
alias ``l1_l2`` defaults to 0 and 0, as in Keras 3), and ``OrthogonalRegularizer`` (the mean
absolute cosine between distinct rows or columns, times ``factor / 2``).

Example::

    >>> from ember.keras.regularizers import l2
    >>> Dense(64, kernel_regularizer=l2(0.01))
"""
from __future__ import annotations

import math

from . import ops
from ._utils import lookup


def validate_float_arg(value, name):
    """``value`` as a float, or Keras's error for a negative, infinite or non-numeric one."""
    if isinstance(value, bool) or not isinstance(value, (float, int)) or math.isinf(value) \
            or math.isnan(value) or value < 0:
        raise ValueError(f"Invalid value for argument {name}: expected a non-negative float."
                         f"Received: {name}={value}")
    return float(value)


class Regularizer:
    """Base class: ``__call__(weight)`` returns a scalar penalty; subclasses give a
    ``get_config`` so they can be saved.

    Example::

        >>> class MaxAbs(keras.regularizers.Regularizer):
        ...     def __init__(self, factor):
        ...         self.factor = factor
        ...     def __call__(self, x):
        ...         return self.factor * keras.ops.max(keras.ops.abs(x))
        ...     def get_config(self):
        ...         return {"factor": self.factor}
    """

    def __call__(self, x):
        return 0.0

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def get_config(self):
        raise NotImplementedError(f"{self} does not implement get_config()")


class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x**2)``."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = validate_float_arg(0.0 if l1 is None else l1, name="l1")
        self.l2 = validate_float_arg(0.0 if l2 is None else l2, name="l2")

    def __call__(self, x):
        name = x.dtype.name
        penalty = ops.convert_to_tensor(0.0, dtype=name)
        if self.l1 != 0.0:
            penalty = penalty + ops.cast(self.l1, name) * ops.sum(ops.absolute(x))
        if self.l2 != 0.0:
            penalty = penalty + ops.cast(self.l2, name) * ops.sum(ops.square(x))
        return penalty

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """``l1 * sum(|x|)``."""

    def __init__(self, l1=0.01):
        self.l1 = validate_float_arg(0.01 if l1 is None else l1, name="l1")

    def __call__(self, x):
        return ops.cast(self.l1, x.dtype.name) * ops.sum(ops.absolute(x))

    def get_config(self):
        return {"l1": self.l1}


class L2(Regularizer):
    """``l2 * sum(x**2)``."""

    def __init__(self, l2=0.01):
        self.l2 = validate_float_arg(0.01 if l2 is None else l2, name="l2")

    def __call__(self, x):
        return ops.cast(self.l2, x.dtype.name) * ops.sum(ops.square(x))

    def get_config(self):
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Encourages orthogonal rows (``mode='rows'``) or columns of a 2-D weight: ``factor / 2``
    times the mean absolute cosine similarity between distinct rows (columns)."""

    def __init__(self, factor=0.01, mode="rows"):
        self.factor = validate_float_arg(factor, name="factor")
        if mode not in {"rows", "columns"}:
            raise ValueError(f'Invalid value for argument `mode`. Expected one of {{"rows", '
                             f'"columns"}}. Received: mode={mode}')
        self.mode = mode

    def __call__(self, inputs):
        if len(inputs.shape) != 2:
            raise ValueError(f"Inputs to OrthogonalRegularizer must have rank 2. Received: "
                             f"inputs.shape={tuple(inputs.shape)}")
        if self.mode == "rows":
            unit = ops.normalize(inputs, axis=1)
            product, size = ops.matmul(unit, ops.transpose(unit)), inputs.shape[0]
        else:
            unit = ops.normalize(inputs, axis=0)
            product, size = ops.matmul(ops.transpose(unit), unit), inputs.shape[1]
        off_diagonal = product * (1.0 - ops.eye(size, dtype=inputs.dtype.name))
        pairs = size * (size - 1.0) / 2.0
        return self.factor * 0.5 * ops.sum(ops.absolute(off_diagonal)) / pairs

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}


l1, l2, l1_l2 = L1, L2, L1L2
orthogonal_regularizer = OrthogonalRegularizer

ALL = {"Regularizer": Regularizer, "L1": L1, "L2": L2, "L1L2": L1L2,
       "OrthogonalRegularizer": OrthogonalRegularizer, "l1": L1, "l2": L2, "l1_l2": L1L2,
       "orthogonal_regularizer": OrthogonalRegularizer}


def get(identifier):
    """A name (``'l2'``), a config, a Regularizer or a callable -> a regularizer."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        return lookup("regularizer", identifier, ALL)()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret regularizer identifier: {identifier}")


def deserialize(config, custom_objects=None):
    cls = lookup("regularizer", config["class_name"], {**ALL, **(custom_objects or {})})
    return cls.from_config(config.get("config", {}))


def serialize(regularizer) -> dict | None:
    """``{'class_name', 'config'}`` of a built-in regularizer (None for None)."""
    if regularizer is None:
        return None
    name = type(regularizer).__name__
    if ALL.get(name) is not type(regularizer) or name == "Regularizer":
        raise ValueError(f"Cannot save the custom regularizer {regularizer!r}; use a built-in one")
    return {"class_name": name, "config": regularizer.get_config()}
