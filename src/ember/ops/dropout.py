"""Dropout: the input times a saved mask already scaled by ``1 / (1 - p)`` (inverted dropout).

``ember.nn.functional.dropout`` draws the mask from ember's generator and wraps this node.

Example::

    >>> import numpy as np
    >>> from ember.ops.dropout import Dropout
    >>> x = ember.ones(3, requires_grad=True)
    >>> Dropout.apply(x, mask=np.array([2.0, 0.0, 2.0], np.float32))
    tensor([2., 0., 2.], grad_fn=<MulBackward0>)
"""
from __future__ import annotations

from ..autograd.function import Function


class Dropout(Function):
    NAME = "MulBackward0"  # torch multiplies by the mask too

    def forward(self, x, mask=None):
        self.mask = mask
        return x * mask

    def backward(self, g):
        return (g * self.mask,)
