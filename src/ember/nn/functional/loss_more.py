"""Margin, embedding and likelihood losses of ``ember.nn.functional``, written as composites of
ember's differentiable ops with torch's formulas, checks and defaults: cosine embedding, margin
ranking, multi-label margin and soft margin, triplet margin (with or without a custom distance),
Poisson and Gaussian negative log-likelihood.

Example::

    >>> F.margin_ranking_loss(ember.tensor([2.0, 1.0]), ember.tensor([1.0, 3.0]),
    ...                       ember.tensor([1.0, 1.0]), margin=0.5)
    tensor(1.2500)
"""
from __future__ import annotations

import math

import numpy as np

from ..._tensor import Tensor
from ...ops import elementwise as ew
from ...ops._util import as_tensor, float_input
from .activation import logsigmoid
from .distance import pairwise_distance
from .layers import linear
from .loss import _check_reduction, _legacy, cross_entropy

__all__ = ["cosine_embedding_loss", "margin_ranking_loss", "multilabel_margin_loss",
           "multilabel_soft_margin_loss", "triplet_margin_loss", "triplet_margin_with_distance_loss",
           "poisson_nll_loss", "gaussian_nll_loss", "linear_cross_entropy"]


def _reduce(loss, reduction: str):
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()


def cosine_embedding_loss(input1, input2, target, margin: float = 0, size_average=None,
                          reduce=None, reduction: str = "mean"):
    """``1 - cos(x1, x2)`` for targets 1, ``max(0, cos(x1, x2) - margin)`` for targets -1.

    Shape: inputs ``(N, D)`` or ``(D,)``, target ``(N,)`` or ``()``.
    """
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    a, b, y = float_input(as_tensor(input1)), float_input(as_tensor(input2)), as_tensor(target)
    if a.ndim not in (1, 2) or a.shape != b.shape:
        raise RuntimeError(f"cosine_embedding_loss: expected 1D or 2D inputs of one shape, got "
                           f"{tuple(a.shape)} and {tuple(b.shape)}")
    if y.ndim != a.ndim - 1:
        raise RuntimeError(f"{a.ndim}D target tensor expects {a.ndim - 1}D input tensors, but "
                           f"found inputs with sizes {list(a.shape)} and {list(b.shape)}.")
    dim = a.ndim - 1
    eps = 1e-12
    prod = (a * b).sum(dim)
    denom = ew.sqrt(((a * a).sum(dim) + eps) * ((b * b).sum(dim) + eps))
    cos = prod / denom
    zero = Tensor._make(np.zeros((), cos._data.dtype))
    pos = ew.where(y == 1, 1 - cos, zero)
    neg = ew.where(y == -1, ew.clamp(cos - margin, min=0), zero)
    return _reduce(pos + neg, reduction)


def margin_ranking_loss(input1, input2, target, margin: float = 0, size_average=None, reduce=None,
                        reduction: str = "mean"):
    """``max(0, -target * (input1 - input2) + margin)`` (target 1: input1 should rank higher)."""
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    a, b, y = as_tensor(input1), as_tensor(input2), as_tensor(target)
    if not (a.ndim == b.ndim == y.ndim):
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension "
                           f"but got sizes: input1: {a.shape}, input2: {b.shape}, target: "
                           f"{y.shape} ")
    return _reduce(ew.clamp(-y * (a - b) + margin, min=0), reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction: str = "mean"):
    """Multi-label hinge: for each target class ``j`` (``target`` lists them, ended by -1) and
    each non-target class ``i``, ``max(0, 1 - (x[j] - x[i]))``, summed and divided by C."""
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    x, t = as_tensor(input), as_tensor(target)
    if t._data.dtype != np.int64:
        raise RuntimeError(f'"multilabel_margin_loss_forward_out_frame" not implemented for '
                           f"'{t.dtype}'")
    if x.ndim not in (1, 2) or t.shape != x.shape:
        raise RuntimeError(f"inconsistent target size: {list(t.shape)} for input of size: "
                           f"{list(x.shape)}")
    unbatched = x.ndim == 1
    xb = x.reshape(1, -1) if unbatched else x
    tb = t._data.reshape(xb.shape)
    n, c = xb.shape
    is_target = np.zeros((n, c), bool)
    pairs_j, pairs_i, rows = [], [], []
    for r in range(n):
        labels = []
        for v in tb[r]:
            if v < 0:
                break
            if v >= c:
                raise RuntimeError(f"target index {v} is out of bounds for {c} classes")
            labels.append(int(v))
        is_target[r, labels] = True
        others = np.flatnonzero(~is_target[r])
        for j in labels:
            pairs_j.extend([j] * len(others))
            pairs_i.extend(others.tolist())
            rows.extend([r] * len(others))
    rows, pj, pi = (Tensor._make(np.asarray(v, np.int64)) for v in (rows, pairs_j, pairs_i))
    hinge = ew.clamp(1 - (xb[rows, pj] - xb[rows, pi]), min=0)
    per_sample = Tensor._make(np.zeros(n, xb._data.dtype)).index_put((rows,), hinge,
                                                                     accumulate=True) / c
    if unbatched and reduction == "none":
        per_sample = per_sample.reshape(())
    return _reduce(per_sample, reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction: str = "mean"):
    """Per-class logistic loss ``-(y log σ(x) + (1 - y) log σ(-x))``, averaged over the classes."""
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    x, y = float_input(as_tensor(input)), as_tensor(target).to(float_input(as_tensor(input)).dtype)
    loss = -(y * logsigmoid(x) + (1 - y) * logsigmoid(-x))
    if weight is not None:
        loss = loss * weight
    class_dim = x.ndim - 1
    loss = loss.sum(class_dim) / x.shape[class_dim]
    return _reduce(loss, reduction)


def triplet_margin_loss(anchor, positive, negative, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-06, swap: bool = False, size_average=None, reduce=None,
                        reduction: str = "mean"):
    """``max(0, margin + d(a, p) - d(a, n))`` with ``d`` the ``p``-norm pairwise distance
    (``swap`` uses ``min(d(a, n), d(p, n))``, Balntas et al. 2016)."""
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    a, pos, neg = as_tensor(anchor), as_tensor(positive), as_tensor(negative)
    if not (a.ndim == pos.ndim == neg.ndim):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the "
                           f"same number of dimensions, but got: anchor {a.ndim}D, positive "
                           f"{pos.ndim}D, and negative {neg.ndim}D inputs")
    d_pos = pairwise_distance(a, pos, p, eps)
    d_neg = pairwise_distance(a, neg, p, eps)
    if swap:
        d_neg = ew.minimum(d_neg, pairwise_distance(pos, neg, p, eps))
    return _reduce(ew.clamp(margin + d_pos - d_neg, min=0), reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin: float = 1.0, swap: bool = False,
                                      reduction: str = "mean"):
    """:func:`triplet_margin_loss` with any ``distance_function(x, y)`` (pairwise distance by
    default)."""
    _check_reduction(reduction)
    if margin <= 0:
        raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater than 0, "
                         f"got {margin} instead")
    dist = distance_function if distance_function is not None else pairwise_distance
    d_pos = dist(anchor, positive)
    d_neg = dist(anchor, negative)
    if swap:
        d_neg = ew.minimum(d_neg, dist(positive, negative))
    return _reduce(ew.clamp(margin + d_pos - d_neg, min=0), reduction)


def poisson_nll_loss(input, target, log_input: bool = True, full: bool = False,
                     size_average=None, eps: float = 1e-08, reduce=None, reduction: str = "mean"):
    """Negative log-likelihood of ``target`` under Poisson(λ): ``exp(input) - target * input``
    when ``input`` is ``log λ`` (``log_input``), else ``input - target * log(input + eps)``;
    ``full`` adds Stirling's approximation of ``log(target!)`` (for targets above 1)."""
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    x = float_input(as_tensor(input))
    y = as_tensor(target).to(x.dtype)
    if log_input:
        loss = ew.exp(x) - y * x
    else:
        loss = x - y * ew.log(x + eps)
    if full:
        ya = y._data
        with np.errstate(divide="ignore", invalid="ignore"):
            stirling = ya * np.log(ya) - ya + 0.5 * np.log(2 * np.pi * ya)
        loss = loss + Tensor._make(np.where(ya > 1, stirling, 0).astype(ya.dtype))
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full: bool = False, eps: float = 1e-06,
                      reduction: str = "mean"):
    """Negative log-likelihood of ``target`` under N(``input``, ``var``):
    ``0.5 (log var + (input - target)² / var)`` (+ ``0.5 log 2π`` with ``full``). ``var`` may
    have one fewer dim or a last dim of 1 (one variance per sample), or be a float; it is clamped
    to ``eps`` without changing its gradient, as torch does."""
    _check_reduction(reduction)
    x = float_input(as_tensor(input))
    y = as_tensor(target).to(x.dtype)
    if isinstance(var, (int, float)):
        var = Tensor._make(np.full(x.shape, var, x._data.dtype))
    v = as_tensor(var).to(x.dtype)
    if v.shape != x.shape:
        if tuple(x.shape[:-1]) == tuple(v.shape):
            v = v.unsqueeze(-1)
        elif not (tuple(x.shape[:-1]) == tuple(v.shape[:-1]) and v.shape[-1] == 1):
            raise ValueError("var is of incorrect size")
    if np.any(v._data < 0):
        raise ValueError("var has negative entry/entries")
    v = v + Tensor._make(np.maximum(v._data, eps) - v._data)
    loss = 0.5 * (ew.log(v) + (x - y) ** 2 / v)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def linear_cross_entropy(input, linear_weight, target, *, linear_bias=None, weight=None,
                         reduction: str = "mean", ignore_index: int | None = None,
                         label_smoothing: float = 0.0, options=None):
    """``cross_entropy(linear(input, linear_weight, linear_bias), target, ...)``, torch 2.13's
    fused head. ``linear_weight`` is ``(C, d1, …, dK, in_features)`` for a K-dimensional loss;
    ``options`` (a ``LinearCrossEntropyOptions``) only changes torch's memory use, not the result.

    Shape: input ``(in_features,)`` or ``(N, in_features)``; target indices ``(N,)`` (or
    ``(N, d1, …)``) or probabilities of the logits' shape ``(N, C, d1, …)``.

    Example::

        >>> w = ember.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
        >>> F.linear_cross_entropy(ember.tensor([[2.0, -1.0]]), w, ember.tensor([0]))
        tensor(0.1698)
    """
    x, w = as_tensor(input), as_tensor(linear_weight)
    if x.dim() < 1 or x.dim() > 2:
        raise RuntimeError(f"expected input with dimensionality 1 or 2, got {x.dim()}")
    if w.dim() < 2:
        raise RuntimeError(f"expected linear_weight with dimensionality at least 2, got {w.dim()}")
    batch, in_features = tuple(x.shape[:-1]), x.shape[-1]
    if in_features != w.shape[-1]:
        raise RuntimeError("expected equal input and linear_weight last dimensions (in_features), "
                           f"got {x.shape[-1]} and {w.shape[-1]}, respectively")
    num_classes, out_features = w.shape[0], tuple(w.shape[1:-1])
    if linear_bias is not None and tuple(linear_bias.shape) != (num_classes, *out_features):
        raise RuntimeError(f"expected linear_bias shape {(num_classes, *out_features)}, got "
                           f"{tuple(linear_bias.shape)}")
    if out_features and not batch:
        raise RuntimeError(f"K-dimensional loss defined by linear_weight shape {tuple(w.shape)} "
                           f"requires batched input, (N, {in_features}), got unbatched input with "
                           f"shape {tuple(x.shape)}")
    logits_shape = (*batch, num_classes, *out_features)
    if tuple(as_tensor(target).shape) == logits_shape and ignore_index is not None:
        raise RuntimeError("ignore_index cannot be specified when target contains probabilities")
    rows = math.prod(out_features, start=num_classes)
    flat_w = w.reshape(rows, in_features) if out_features else w
    flat_b = (linear_bias.reshape(rows) if out_features and linear_bias is not None
              else linear_bias)
    logits = linear(x, flat_w, flat_b).reshape(logits_shape)
    return cross_entropy(logits, target, weight=weight, reduction=reduction,
                         ignore_index=-100 if ignore_index is None else ignore_index,
                         label_smoothing=label_smoothing)
