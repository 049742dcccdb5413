"""Keras's per-sample loss functions (``keras.losses.mean_squared_error`` …), written with
``keras.ops`` as Keras writes them, so they broadcast targets the same way and are
differentiable through ember's ops.

Each returns one value per sample (the last axis reduced), except where Keras reduces otherwise
(``dice``/``tversky`` over ``axis``, ``categorical_hinge`` and the cross-entropies over the
class axis).

Example::

    >>> mean_squared_error([[0.0, 1.0]], [[1.0, 1.0]])
    tensor([0.5000])
"""
from __future__ import annotations

import math
import warnings

from .. import ops
from .._utils import EPSILON
from .loss import squeeze_or_expand_to_same_rank


def _pair(y_true, y_pred, same_rank=True):
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true, dtype=y_pred.dtype.name)
    if same_rank:
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return y_true, y_pred


# ---- regression ---------------------------------------------------------------------------
def mean_squared_error(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    return ops.mean(ops.square(y_true - y_pred), axis=-1)


def mean_absolute_error(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    return ops.mean(ops.abs(y_true - y_pred), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    eps = ops.convert_to_tensor(EPSILON, dtype=y_pred.dtype.name)
    diff = ops.abs((y_true - y_pred) / ops.maximum(ops.abs(y_true), eps))
    return 100.0 * ops.mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    eps = ops.convert_to_tensor(EPSILON)
    first = ops.log(ops.maximum(y_pred, eps) + 1.0)
    second = ops.log(ops.maximum(y_true, eps) + 1.0)
    return ops.mean(ops.square(first - second), axis=-1)


def _l2_normalize(x, axis):
    return x * ops.rsqrt(ops.maximum(ops.sum(ops.square(x), axis=axis, keepdims=True), 1e-12))


def cosine_similarity(y_true, y_pred, axis=-1):
    """Minus the cosine of the angle between target and prediction (-1 is best)."""
    y_true, y_pred = _pair(y_true, y_pred)
    return -ops.sum(_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis), axis=axis)


def huber(y_true, y_pred, delta=1.0):
    y_true, y_pred = _pair(y_true, y_pred)
    delta = ops.convert_to_tensor(delta, dtype=y_pred.dtype.name)
    error = y_pred - y_true
    abs_error = ops.abs(error)
    half = ops.convert_to_tensor(0.5, dtype=abs_error.dtype.name)
    return ops.mean(ops.where(abs_error <= delta, half * ops.square(error),
                              delta * abs_error - half * ops.square(delta)), axis=-1)


def log_cosh(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred)
    x = y_pred - y_true
    return ops.mean(x + ops.softplus(x * -2.0) - math.log(2.0), axis=-1)


# ---- probabilistic -------------------------------------------------------------------------
def kl_divergence(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred, same_rank=False)
    y_true = ops.clip(y_true, EPSILON, 1)
    y_pred = ops.clip(y_pred, EPSILON, 1)
    return ops.sum(y_true * ops.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred, same_rank=False)
    return ops.mean(y_pred - y_true * ops.log(y_pred + EPSILON), axis=-1)


def _smooth(y_true, label_smoothing, num_classes):
    return y_true * (1.0 - label_smoothing) + label_smoothing / num_classes


def _check_axis(axis):
    if isinstance(axis, bool):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type {type(axis)}")


def _warn_one_class(name, y_pred):
    if y_pred.shape[-1] == 1:
        warnings.warn(f"In loss {name}, expected y_pred.shape to be (batch_size, num_classes) with "
                      f"num_classes > 1. Received: y_pred.shape={tuple(y_pred.shape)}. Consider "
                      f"using 'binary_crossentropy' if you only have 2 classes.", SyntaxWarning,
                      stacklevel=3)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    _check_axis(axis)
    y_true, y_pred = _pair(y_true, y_pred, same_rank=False)
    _warn_one_class("categorical_crossentropy", y_pred)
    if label_smoothing:
        y_true = _smooth(y_true, label_smoothing, y_true.shape[-1])
    return ops.categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    """Cross-entropy down-weighting easy examples by ``alpha * (1 - p)**gamma`` (Lin et al. 2017)."""
    _check_axis(axis)
    y_true, y_pred = _pair(y_true, y_pred, same_rank=False)
    _warn_one_class("categorical_focal_crossentropy", y_pred)
    if label_smoothing:
        y_true = _smooth(y_true, label_smoothing, y_true.shape[-1])
    if from_logits:
        y_pred = ops.softmax(y_pred, axis=axis)
    output = ops.clip(y_pred / ops.sum(y_pred, axis=axis, keepdims=True), EPSILON, 1.0 - EPSILON)
    cce = -y_true * ops.log(output)
    return ops.sum(ops.power(1.0 - output, gamma) * alpha * cce, axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """Cross-entropy with integer targets; ``ignore_class`` entries give 0 (and are left out of
    the mean by the Loss class)."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true)
    if len(y_true.shape) == len(y_pred.shape) and y_true.shape[axis] == 1:
        y_true = ops.squeeze(y_true, axis=axis)
    if ignore_class is None:
        return ops.sparse_categorical_crossentropy(y_true, y_pred, from_logits=from_logits,
                                                   axis=axis)
    valid = ignore_mask(y_true, ignore_class)
    y_true = ops.where(valid, y_true, 0)
    y_pred = ops.where(ops.expand_dims(valid, axis), y_pred, 0)
    res = ops.sparse_categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)
    return ops.where(valid, res, 0.0)


def ignore_mask(y_true, ignore_class):
    """True where the (squeezed) integer target is not ``ignore_class``."""
    y_true = ops.convert_to_tensor(y_true)
    return ops.not_equal(y_true, ops.cast(ignore_class, y_true.dtype.name))


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    y_true, y_pred = _pair(y_true, y_pred, same_rank=False)
    if label_smoothing:
        y_true = _smooth(y_true, label_smoothing, 2)
    return ops.mean(ops.binary_crossentropy(y_true, y_pred, from_logits=from_logits), axis=axis)


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25, gamma=2.0,
                              from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary cross-entropy down-weighting easy examples by ``(1 - p_t)**gamma``."""
    y_true, y_pred = _pair(y_true, y_pred, same_rank=False)
    if label_smoothing:
        y_true = _smooth(y_true, label_smoothing, 2)
    if from_logits:
        y_pred = ops.sigmoid(y_pred)
    bce = ops.binary_crossentropy(y_true, y_pred, from_logits=False)
    p_t = y_true * y_pred + (1 - y_true) * (1 - y_pred)
    focal = ops.power(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal = (y_true * alpha + (1 - y_true) * (1 - alpha)) * focal
    return ops.mean(focal, axis=axis)


def categorical_generalized_cross_entropy(y_true, y_pred, q):
    """``(1 - p**q) / q`` with ``p`` the predicted probability of the integer target (Zhang &
    Sabuncu 2018)."""
    y_pred = ops.convert_to_tensor(y_pred)
    hot = ops.cast(ops.one_hot(ops.cast(y_true, "int32"), y_pred.shape[-1]), y_pred.dtype.name)
    p = ops.sum(y_pred * hot, axis=-1)
    return (1 - ops.power(p, q)) / q


# ---- hinge --------------------------------------------------------------------------------
def _hinge_labels(y_true):
    """0/1 labels become -1/1 (labels already in -1/1 are kept)."""
    binary = ops.all(ops.logical_or(ops.equal(y_true, 0), ops.equal(y_true, 1)))
    return ops.cond(binary, lambda: 2.0 * y_true - 1.0, lambda: y_true)


def hinge(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred, same_rank=False)
    return ops.mean(ops.maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0), axis=-1)


def squared_hinge(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred, same_rank=False)
    return ops.mean(ops.square(ops.maximum(1.0 - _hinge_labels(y_true) * y_pred, 0.0)), axis=-1)


def categorical_hinge(y_true, y_pred):
    y_true, y_pred = _pair(y_true, y_pred, same_rank=False)
    pos = ops.sum(y_true * y_pred, axis=-1)
    neg = ops.max((1.0 - y_true) * y_pred, axis=-1)
    return ops.maximum(neg - pos + 1.0, ops.cast(0.0, y_pred.dtype.name))


# ---- segmentation -----------------------------------------------------------------------------
def dice(y_true, y_pred, axis=None):
    """``1 - 2|A∩B| / (|A| + |B|)`` over ``axis`` (all axes by default)."""
    y_true, y_pred = _pair(y_true, y_pred, same_rank=False)
    inter = ops.sum(y_true * y_pred, axis=axis)
    return 1 - ops.divide(2.0 * inter, ops.sum(y_true, axis=axis) + ops.sum(y_pred, axis=axis)
                          + EPSILON)


def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """``1 - TP / (TP + alpha FP + beta FN)`` over ``axis`` (Salehi et al. 2017)."""
    y_true, y_pred = _pair(y_true, y_pred, same_rank=False)
    inter = ops.sum(y_true * y_pred, axis=axis)
    fp = ops.sum((1 - y_pred) * y_true, axis=axis)
    fn = ops.sum(y_pred * (1 - y_true), axis=axis)
    return 1 - ops.divide(inter, inter + fp * alpha + fn * beta + EPSILON)


def circle(y_true, y_pred, ref_labels=None, ref_embeddings=None, remove_diagonal=True, gamma=80,
           margin=0.4):
    """Circle loss on L2-normalised embeddings ``y_pred`` with integer labels ``y_true``
    (Sun et al. 2020); pairs with equal labels are positives."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, "int32")
    ref_emb = y_pred if ref_embeddings is None else ops.convert_to_tensor(ref_embeddings)
    ref_lab = y_true if ref_labels is None else ops.cast(ref_labels, "int32")
    dist = ops.maximum(1 - ops.matmul(y_pred, ops.transpose(ref_emb)), 0.0)
    same = ops.equal(ops.expand_dims(y_true, 1), ops.expand_dims(ref_lab, 0))
    pos_mask, neg_mask = same, ops.logical_not(same)
    if remove_diagonal:
        off_diag = ops.logical_not(ops.cast(ops.eye(same.shape[0], same.shape[1]), "bool"))
        pos_mask = ops.logical_and(pos_mask, off_diag)
    pos_w = ops.maximum((margin + dist) * ops.cast(pos_mask, dist.dtype.name), 0.0)
    neg_w = ops.maximum((1 + margin - dist) * ops.cast(neg_mask, dist.dtype.name), 0.0)
    pos = -1 * gamma * pos_w * (margin - dist)
    neg = gamma * neg_w * (1 - margin - dist)
    p_loss = ops.logsumexp(ops.where(pos_mask, pos, float("-inf")), axis=1)
    n_loss = ops.logsumexp(ops.where(neg_mask, neg, float("-inf")), axis=1)
    return ops.softplus(p_loss + n_loss)
