"""Row lookup in an embedding table: ``weight[indices]``, with torch's padding row and
frequency scaling in the backward; and ``EmbeddingBag``, the sum, mean or max of each bag
(a contiguous run) of looked-up rows without materialising the rows per bag.

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

__all__ = ["Embedding", "EmbeddingBag"]


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


class EmbeddingBag(Function):
    """``out[b] = reduce(weight[indices[starts[b]:starts[b+1]]])`` for ``mode`` ``"sum"``
    (times ``per_sample_weights``), ``"mean"`` or ``"max"``; entries equal to ``padding_idx``
    are left out (and not counted by the mean); an empty bag gives zeros. The backward adds
    each bag's gradient into its rows (the max's into the row that won, per column), and
    gives ``per_sample_weights`` the dot product of the gradient with its row.

    Example::

        >>> import numpy as np
        >>> from ember.ops.embedding import EmbeddingBag
        >>> w = ember.eye(3, requires_grad=True)
        >>> EmbeddingBag.apply(w, np.array([0, 1, 2]), np.array([0, 2]), "sum")
        tensor([[1., 1., 0.],
                [0., 0., 1.]], grad_fn=<EmbeddingBagBackward0>)
    """

    NAME = "EmbeddingBagBackward0"

    def forward(self, weight, indices, starts, mode, per_sample_weights=None, padding_idx=None,
                scale_grad_by_freq=False):
        n, bags = indices.shape[0], starts.shape[0]
        ends = np.append(starts[1:], n)
        bag = np.repeat(np.arange(bags), ends - starts)       # the bag of every entry
        keep = np.ones(n, bool) if padding_idx is None else indices != padding_idx
        counts = np.bincount(bag[keep], minlength=bags)
        rows = weight[indices]
        self.shape, self.indices, self.bag, self.keep = weight.shape, indices, bag, keep
        self.mode, self.scale = mode, scale_grad_by_freq
        out = np.zeros((bags, weight.shape[1]), weight.dtype)
        filled = counts > 0
        if not n or not filled.any():
            self.winner = np.zeros((0, weight.shape[1]), np.int64)
            self.coef = np.zeros(n, weight.dtype)
            return out
        first = np.minimum(starts, n - 1)
        if mode == "max":
            rows = np.where(keep[:, None], rows, -np.inf)
            best = np.maximum.reduceat(rows, first, axis=0)
            position = np.where(rows == best[bag], np.arange(n)[:, None], n)
            self.winner = np.minimum.reduceat(position, first, axis=0)[filled]  # first maximum
            self.filled = filled
            out[filled] = best[filled]
            return out
        coef = keep.astype(weight.dtype)
        if per_sample_weights is not None:
            coef = coef * per_sample_weights
            self.rows = rows
        if mode == "mean":
            coef = coef / np.maximum(counts, 1)[bag].astype(weight.dtype)
        self.coef = coef
        total = np.add.reduceat(rows * coef[:, None], first, axis=0)
        out[filled] = total[filled]
        return out

    def backward(self, g):
        rows, width = self.shape
        n = self.indices.shape[0]
        dw = np.zeros(self.shape, g.dtype) if self.needs_grad(0) else None
        dpsw = None
        if self.mode == "max":
            if dw is not None and self.winner.size:
                cols = np.broadcast_to(np.arange(width), self.winner.shape)
                winners = np.minimum(self.winner, n - 1)
                np.add.at(dw, (self.indices[winners], cols), g[self.filled])
            return dw, None, None, None, None
        if dw is not None and n:
            per_entry = g[self.bag] * self.coef[:, None]
            if self.scale:
                freq = np.bincount(self.indices, minlength=rows)
                per_entry = per_entry / freq[self.indices][:, None].astype(g.dtype)
            np.add.at(dw, self.indices, per_entry)
        if self.needs_grad(4):
            dpsw = np.where(self.keep, (g[self.bag] * self.rows).sum(axis=1), 0).astype(g.dtype)
        return dw, None, None, None, dpsw
