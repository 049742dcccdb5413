"""Elementwise ops written as rules: each rule is a forward and its derivative side by side, and
one :class:`Pointwise` node runs any of them (torch's node name is the rule's ``label``).

A rule's ``forward(x, **params)`` returns ``(output, saved)``; its ``backward(g, saved,
**params)`` returns the input gradient. This file holds the activations whose kinks torch
defines in its own way (hardsigmoid, hardswish, the shrinks, threshold) and the smooth ones
without a composite of the same cost (celu, mish); :mod:`ember.ops.unary_math` adds the
trigonometric and special functions.

Example::

    >>> from ember.ops.pointwise import apply_rule, HARDSIGMOID
    >>> apply_rule(HARDSIGMOID, ember.tensor([-4.0, 0.0, 1.5], requires_grad=True))
    tensor([0.0000, 0.5000, 0.7500], grad_fn=<HardsigmoidBackward0>)
"""
from __future__ import annotations

import numpy as np

from .._dtype import torch_dtype_name
from ..autograd.function import Function
from ._util import as_tensor



class Rule:
    """One elementwise function: torch's node ``label``, ``forward`` and ``backward``, and what
    torch saves for backward when ``forward`` keeps something else (``saves``, as
    :attr:`~ember.autograd.Function.SAVES`)."""

    __slots__ = ("label", "forward", "backward", "saves")

    def __init__(self, label: str, forward, backward, saves=None) -> None:
        self.label, self.forward, self.backward, self.saves = label, forward, backward, saves


class Pointwise(Function):
    """Runs one :class:`Rule` on one tensor."""

    def forward(self, x, rule=None, **params):
        self.rule, self.params, self.label, self.SAVES = rule, params, rule.label, rule.saves
        out, self.saved = rule.forward(x, **params)
        return out

    def backward(self, g):
        with np.errstate(all="ignore"):       # poles give inf/nan, as in torch, without warnings
            return (self.rule.backward(g, self.saved, **self.params),)


def apply_rule(rule: Rule, input, **params):
    """``rule`` applied to ``input`` (a Tensor or array-like), recorded as one node."""
    return Pointwise.apply(as_tensor(input), rule=rule, **params)


def require_float(x, kernel: str):
    """torch's error for a float-only kernel given an integer or bool tensor."""
    if x._data.dtype.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{torch_dtype_name(x._data)}\'')
    return x


# ------------------------------------------------------------------------ rules
def _inside(x, lo, hi):
    return (x > lo) & (x < hi)


_INPUT = (0,)  # torch saves the input where these rules keep a mask


HARDSIGMOID = Rule(
    "HardsigmoidBackward0",
    lambda x: (np.clip(x / 6 + 0.5, 0, 1).astype(x.dtype, copy=False), _inside(x, -3, 3)),
    lambda g, inside: g * inside / 6, saves=_INPUT)

# x * relu6(x + 3) / 6; the slope is 0 at and below -3, 1 at and above 3 (torch's kinks).
HARDSWISH = Rule(
    "HardswishBackward0",
    lambda x: (x * np.clip(x + 3, 0, 6) / 6, x),
    lambda g, x: g * np.where(x <= -3, 0, np.where(x >= 3, 1, x / 3 + 0.5)).astype(g.dtype))


def _shrink_forward(x, lambd, soft):
    keep = (x < -lambd) | (x > lambd)
    if soft:
        out = np.where(x > lambd, x - lambd, np.where(x < -lambd, x + lambd, 0))
    else:
        out = np.where(keep, x, 0)
    return out.astype(x.dtype, copy=False), keep


HARDSHRINK = Rule("HardshrinkBackward0", lambda x, lambd: _shrink_forward(x, lambd, False),
                  lambda g, keep, lambd: g * keep, saves=_INPUT)
SOFTSHRINK = Rule("SoftshrinkBackward0", lambda x, lambd: _shrink_forward(x, lambd, True),
                  lambda g, keep, lambd: g * keep, saves=_INPUT)

# x if x > threshold else value; the gradient passes only where x > threshold.
THRESHOLD = Rule(
    "ThresholdBackward0",
    lambda x, threshold, value: (np.where(x > threshold, x, np.asarray(value, x.dtype)), x > threshold),
    lambda g, keep, threshold, value: g * keep, saves=_INPUT)


def _celu_forward(x, alpha):
    e = np.exp(np.minimum(x, 0) / alpha)
    return np.where(x > 0, x, alpha * (e - 1)).astype(x.dtype, copy=False), (x > 0, e)


CELU = Rule("CeluBackward0", _celu_forward,
            lambda g, saved, alpha: np.where(saved[0], g, g * saved[1]), saves=_INPUT)


def _mish_forward(x):
    tsp = np.tanh(np.logaddexp(np.zeros((), x.dtype), x))      # tanh(softplus(x))
    return x * tsp, (x, tsp)


def _mish_backward(g, saved):
    x, tsp = saved
    e = np.exp(-np.abs(x))
    sig = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
    return g * (tsp + x * sig * (1 - tsp * tsp))


MISH = Rule("MishBackward0", _mish_forward, _mish_backward)
