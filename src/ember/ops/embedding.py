"""Row lookup in an embedding table: ``weight[indices]``, with torch's padding row and
frequency scaling in the backward.

Example::

    >>> from ember.ops.embedding import Embedding
    >>> w = ember.eye(3, requires_grad=True)
    >>> Embedding.apply(w, ember.tensor([2, 0]))
    tensor([[0., 0., 1.],
            [1., 0., 0.]], grad_fn=<EmbeddingBackward0>)
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function

__all__ = ["Embedding"]


class Embedding(Function):
    """``out = weight[indices]``; the backward sums the gradient of each looked-up row into it
    (none into ``padding_idx``; divided by the row's count in the batch when
    ``scale_grad_by_freq``)."""

    def forward(self, weight, indices, padding_idx=None, scale_grad_by_freq=False):
        self.shape, self.indices = weight.shape, indices
        self.padding_idx, self.scale = padding_idx, scale_grad_by_freq
        return weight[indices]

    def backward(self, g):
        rows, width = self.shape
        flat = self.indices.reshape(-1)
        g2 = g.reshape(-1, width)
        if self.scale:
            counts = np.bincount(flat, minlength=rows)
            g2 = g2 / counts[flat][:, None].astype(g.dtype)
        dw = np.zeros(self.shape, g.dtype)
        np.add.at(dw, flat, g2)
        if self.padding_idx is not None:
            dw[self.padding_idx] = 0
        return dw, None
