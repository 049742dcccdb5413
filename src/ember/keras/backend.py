"""``keras.backend``: the backend's name and numeric settings, and Keras's dtype helpers.

ember is its own backend: ``backend()`` answers ``'ember'``. Arrays are float32 and the fuzz
factor is 1e-7, as in Keras; asking for another float type or fuzz factor raises.

Example::

    >>> keras.backend.floatx(), keras.backend.epsilon()
    ('float32', 1e-07)
"""
from __future__ import annotations

import itertools

from ._utils import EPSILON
from .config import image_data_format, set_image_data_format  # noqa: F401
from .ops._base import FLOATX, result_type, standardize_dtype  # noqa: F401
from .utils import clear_session, is_keras_tensor  # noqa: F401

_UIDS: dict = {}


def backend() -> str:
    """The name of the engine under ``keras``: ``'ember'``."""
    return "ember"


def floatx() -> str:
    return FLOATX


def set_floatx(value) -> None:
    """Accepts only ``'float32'``: ember.keras computes in float32."""
    if standardize_dtype(value) != FLOATX:
        raise ValueError(f"ember.keras computes in {FLOATX}; set_floatx({value!r}) is not supported")


def epsilon() -> float:
    return EPSILON


def set_epsilon(value) -> None:
    """Accepts only Keras's default fuzz factor (1e-7)."""
    if float(value) != EPSILON:
        raise ValueError(f"ember.keras uses the fuzz factor {EPSILON}; set_epsilon({value}) is not "
                         f"supported")


def is_float_dtype(dtype) -> bool:
    return standardize_dtype(dtype).startswith(("float", "bfloat"))


def is_int_dtype(dtype) -> bool:
    return standardize_dtype(dtype).startswith(("int", "uint"))


def get_uid(prefix="") -> int:
    """1, 2, 3… for each call with the same ``prefix``."""
    counter = _UIDS.setdefault(prefix, itertools.count(1))
    return next(counter)


__all__ = ["backend", "clear_session", "epsilon", "floatx", "get_uid", "image_data_format",
           "is_float_dtype", "is_int_dtype", "is_keras_tensor", "result_type", "set_epsilon",
           "set_floatx", "set_image_data_format", "standardize_dtype"]
