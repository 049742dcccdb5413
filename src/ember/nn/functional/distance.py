"""Distances and similarities between vectors: ``pairwise_distance``, ``cosine_similarity``,
``pdist`` (composites of ember's norm and arithmetic, with torch's eps rules).

Example::

    >>> F.cosine_similarity(ember.tensor([[3.0, 4.0]]), ember.tensor([[1.0, 0.0]]))
    tensor([0.6000])
"""
from __future__ import annotations

import numpy as np

from ..._tensor import Tensor
from ...ops._util import as_tensor
from ...ops.indexing import triu_indices
from ...ops.linalg_more import vector_norm

__all__ = ["pairwise_distance", "cosine_similarity", "pdist"]


def pairwise_distance(x1, x2, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False):
    """``‖x1 - x2 + eps‖_p`` over the last dim (``eps`` keeps the gradient finite at 0)."""
    a, b = as_tensor(x1), as_tensor(x2)
    dim = -1 if max(a.ndim, b.ndim) else None
    return vector_norm(a - b + eps, p, dim, keepdim)


def cosine_similarity(x1, x2, dim: int = 1, eps: float = 1e-8):
    """``x1 · x2 / (max(‖x1‖, eps) max(‖x2‖, eps))`` along ``dim`` (inputs broadcast).

    The norms are clamped without a gradient, as torch does, so tiny vectors keep the gradient
    of their unclamped norm.
    """
    a, b = as_tensor(x1), as_tensor(x2)
    shape = np.broadcast_shapes(tuple(a.shape), tuple(b.shape))
    a, b = a.expand(*shape), b.expand(*shape)

    def unit(v):
        n = vector_norm(v, 2, dim, keepdim=True)
        clamped = n + Tensor._make(np.maximum(n._data, eps) - n._data)
        return v / clamped
    return (unit(a) * unit(b)).sum(dim)


def pdist(input, p: float = 2):
    """The ``p``-norm distance between every pair of rows ``i < j`` of an ``(N, M)`` input, in
    row-major order: a 1-D tensor of ``N (N - 1) / 2`` values."""
    x = as_tensor(input)
    if x.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {x.ndim}D")
    i, j = triu_indices(x.shape[0], x.shape[0], 1)
    diff = x[i] - x[j]
    return vector_norm(diff, p, -1)
