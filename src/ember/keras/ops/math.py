"""``keras.ops.math``: top-k selection, segment reductions, ``logsumexp``, pairwise distances
and sliding windows, on ember's differentiable ops.

Example::

    >>> values, indices = ops.top_k(ops.convert_to_tensor([1.0, 5.0, 3.0]), k=2)
    >>> values
    tensor([5., 3.])
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

import ember

from ..._tensor import Tensor
from ._base import dtype_of, t
from .numpy_math import rsqrt  # noqa: F401 - Keras exports it from ops.math too
from .numpy_reduce import logsumexp  # noqa: F401 - Keras exports it from ops.math too

_TopK = namedtuple("top_k", ["values", "indices"])


def top_k(x, k, sorted=True):  # noqa: A002 - Keras's name
    """The ``k`` largest values along the last axis and their indices (int64, as torch's)."""
    values, indices = ember.topk(t(x), k, sorted=sorted)
    return _TopK(values, indices)


def in_top_k(targets, predictions, k):
    """Whether each target's prediction is among its row's ``k`` largest (ties count)."""
    preds = t(predictions)._data
    idx = t(targets)._data.astype(np.int64)[:, None]
    kth = -np.sort(-preds, axis=-1)[:, k - 1:k]
    return Tensor._make(np.take_along_axis(preds, idx, -1)[:, 0] >= kth[:, 0])


def _segment(data, segment_ids, num_segments, kind):
    data = t(data)
    ids = t(segment_ids)._data.astype(np.int64)
    n = int(ids.max()) + 1 if num_segments is None else int(num_segments)
    valid = (ids >= 0) & (ids < n)
    if kind == "sum":
        onehot = (ids[None, :] == np.arange(n)[:, None]) & valid[None, :]
        flat = data.reshape(data.shape[0], -1)
        out = ember.matmul(Tensor._make(onehot.astype(data._data.dtype)), flat)
        return out.reshape((n,) + tuple(data.shape[1:]))
    fill = {"max": -np.inf, "min": np.inf, "prod": 1}[kind]
    rows = []
    for s in range(n):
        members = np.nonzero(ids == s)[0]
        if members.size == 0:
            base = np.full(data.shape[1:], fill, dtype=np.float64)
            if data._data.dtype.kind != "f":
                info = np.iinfo(data._data.dtype)
                base = np.full(data.shape[1:], {"max": info.min, "min": info.max, "prod": 1}[kind])
            rows.append(Tensor._make(base.astype(data._data.dtype)))
            continue
        part = data[Tensor._make(members)]
        fn = {"max": ember.amax, "min": ember.amin}.get(kind)
        rows.append(fn(part, dim=0) if fn else ember.prod(part, dim=0))
    return ember.stack(rows)


def segment_sum(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    """Sums of the rows of ``data`` that share a segment id."""
    return _segment(data, segment_ids, num_segments, "sum")


def segment_max(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    return _segment(data, segment_ids, num_segments, "max")


def segment_min(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    return _segment(data, segment_ids, num_segments, "min")


def segment_prod(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    return _segment(data, segment_ids, num_segments, "prod")


def cdist(x, y):
    """Euclidean distances between the rows of ``x`` and of ``y`` (batch axes broadcast)."""
    x, y = t(x), t(y)
    if x.ndim < 2 or y.ndim < 2:
        raise ValueError("`cdist` inputs must have rank >= 2")
    if x.shape[-1] != y.shape[-1]:
        raise ValueError("Last dimension of inputs to `cdist` must match")
    d = ember.sub(ember.unsqueeze(x, -2), ember.unsqueeze(y, -3))
    return ember.sqrt(ember.sum(ember.mul(d, d), dim=-1))


def extract_sequences(x, sequence_length, sequence_stride):
    """Windows of ``sequence_length`` every ``sequence_stride`` along the last axis."""
    x = t(x)
    n = (x.shape[-1] - sequence_length) // sequence_stride + 1
    idx = np.arange(n)[:, None] * sequence_stride + np.arange(sequence_length)[None, :]
    return x[(Ellipsis, Tensor._make(idx))]


__all__ = ["cdist", "extract_sequences", "in_top_k", "logsumexp", "rsqrt", "segment_max",
           "segment_min", "segment_prod", "segment_sum", "top_k"]
