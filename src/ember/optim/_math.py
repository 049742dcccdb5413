"""Small pieces shared by the update rules: the gradient term, running averages, bias corrections.

Every function works in place on NumPy arrays (of any shape, 0-d included, since ``out=`` is
always given), so a rule can run on a whole parameter or on a chunk of a flat buffer.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["grad_term", "decay_weights", "ema", "ema_square", "bias_correction", "f32", "sqrt_scalar"]


def grad_term(grad: np.ndarray, param: np.ndarray, weight_decay: float, maximize: bool,
              out: np.ndarray | None) -> np.ndarray:
    """``±grad + weight_decay·param`` (torch's L2 form), written into ``out``; ``grad`` itself
    when there is neither weight decay nor ``maximize`` (the gradient is never modified)."""
    if weight_decay != 0:
        out = np.multiply(param, weight_decay, out=out)
        if maximize:
            out -= grad
        else:
            out += grad
        return out
    if maximize:
        return np.negative(grad, out=out)
    return grad


def decay_weights(param: np.ndarray, lr: float, weight_decay: float) -> None:
    """Decoupled weight decay (AdamW; Keras's ``weight_decay``): ``param *= 1 − lr·weight_decay``."""
    if weight_decay != 0:
        param *= 1 - lr * weight_decay


def ema(avg: np.ndarray, value: np.ndarray, beta: float, tmp: np.ndarray) -> None:
    """``avg ← β·avg + (1−β)·value`` in place, as torch's ``lerp``: ``avg += (1−β)·(value − avg)``
    (so an infinite value makes the average NaN, as in torch; ``1−β`` is taken in double
    precision, then rounded)."""
    np.subtract(value, avg, out=tmp)
    tmp *= 1 - beta
    avg += tmp


def ema_square(avg: np.ndarray, value: np.ndarray, beta: float, tmp: np.ndarray) -> None:
    """``avg ← β·avg + (1−β)·value²`` in place (four passes)."""
    np.multiply(value, value, out=tmp)
    tmp *= 1 - beta
    avg *= beta
    avg += tmp


def f32(x) -> np.float32:
    """``x`` as a float32 scalar: Keras computes its step constants in the variable's dtype."""
    return np.float32(x)


def bias_correction(beta: float, step: float, float32_scalars: bool = False):
    """``1 − β^t``: in Python floats (torch), or in float32 arithmetic as Keras computes it."""
    if float32_scalars:
        return np.float32(1) - np.power(np.float32(beta), np.float32(step))
    return 1 - beta ** step


def sqrt_scalar(x):
    """``√x`` of a step constant, keeping its kind: a Python float stays a Python float (a NumPy
    float64 scalar would make NumPy compute a float32 array's update in float64)."""
    return np.sqrt(x) if isinstance(x, np.floating) else math.sqrt(x)
