"""Keras's per-sample metric functions that are not losses: the accuracies, cosine similarity
and the correlations. Each takes arrays or Tensors and returns a float32 Tensor.

Example::

    >>> binary_accuracy([[1], [0]], [[0.9], [0.7]])
    tensor([1., 0.])
"""
from __future__ import annotations

import numpy as np

from ... import no_grad
from .. import ops
from .._utils import EPSILON
from ..losses.loss import squeeze_or_expand_to_same_rank
from .base import as_array, same_rank, tensor


def accuracy(y_true, y_pred):
    """1 where the prediction equals the target exactly."""
    y_pred = as_array(y_pred)
    y_true, y_pred = same_rank(as_array(y_true, y_pred.dtype), y_pred)
    return tensor(y_true == y_pred)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1 where ``y_pred > threshold`` matches the 0/1 target."""
    y_true, y_pred = same_rank(as_array(y_true), as_array(y_pred))
    return tensor(y_true == (y_pred > threshold).astype(y_true.dtype))


def categorical_accuracy(y_true, y_pred):
    """1 where the arg-max of the prediction is the arg-max of the one-hot target."""
    y_true, y_pred = as_array(y_true), as_array(y_pred)
    labels = np.argmax(y_true, axis=-1)
    matches = labels == np.argmax(y_pred, axis=-1)
    return tensor(matches)


def sparse_categorical_accuracy(y_true, y_pred):
    """1 where the arg-max of the prediction is the integer target."""
    y_pred = as_array(y_pred)
    y_true = as_array(y_true, y_pred.dtype)
    shape = y_true.shape
    squeezed = y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1
    if squeezed:
        y_true = y_true[..., 0]
    matches = (y_true == np.argmax(y_pred, axis=-1).astype(y_true.dtype)).astype(np.float32)
    if squeezed:
        matches = matches.reshape(shape)
    if matches.ndim > 1 and matches.shape[-1] == 1:
        matches = matches[..., 0]
    return tensor(matches)


def _in_top_k(labels: np.ndarray, y_pred: np.ndarray, k: int) -> np.ndarray:
    """Whether each label's score is among its row's ``k`` largest (ties count, as Keras)."""
    y_pred = y_pred.reshape(-1, y_pred.shape[-1])
    kth = -np.sort(-y_pred, axis=-1)[:, min(k, y_pred.shape[-1]) - 1]
    picked = np.take_along_axis(y_pred, labels.reshape(-1, 1).astype(np.int64), -1)[:, 0]
    return picked >= kth


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1 where the one-hot target's class is among the ``k`` top-scored classes."""
    y_pred = as_array(y_pred)
    labels = np.argmax(as_array(y_true), axis=-1)
    return tensor(_in_top_k(labels, y_pred, k).reshape(labels.shape))


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """1 where the integer target is among the ``k`` top-scored classes (or, with
    ``from_sorted_ids``, among the first ``k`` ids of each row of ``y_pred``)."""
    y_pred = as_array(y_pred)
    labels = as_array(y_true)
    shape = labels.shape
    labels = labels.reshape(-1) if labels.ndim > 1 else labels
    if from_sorted_ids:
        ids = y_pred.reshape(-1, y_pred.shape[-1])[:, :k]
        matches = np.any(labels[:, None].astype(ids.dtype) == ids, axis=1)
    else:
        matches = _in_top_k(labels, y_pred, k)
    return tensor(matches.reshape(shape) if len(shape) > 1 else matches)


def cosine_similarity(y_true, y_pred, axis=-1):
    """The cosine of the angle between target and prediction along ``axis`` (1 is best)."""
    with no_grad():
        y_pred = ops.convert_to_tensor(y_pred)
        y_true = ops.convert_to_tensor(y_true, dtype=y_pred.dtype.name)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return ops.sum(ops.normalize(y_true, axis=axis) * ops.normalize(y_pred, axis=axis),
                       axis=axis)


def _centered(x, axis):
    return x - ops.mean(x, axis=axis, keepdims=True)


def pearson_correlation(y_true, y_pred, axis=-1):
    """Pearson's correlation coefficient along ``axis``."""
    with no_grad():
        y_pred = ops.convert_to_tensor(y_pred)
        y_true = ops.convert_to_tensor(y_true, dtype=y_pred.dtype.name)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        t_norm, p_norm = _centered(y_true, axis), _centered(y_pred, axis)
        t_norm = t_norm / ops.std(t_norm, axis=axis, keepdims=True)
        p_norm = p_norm / ops.std(p_norm, axis=axis, keepdims=True)
        return ops.mean(t_norm * p_norm, axis=axis)


def concordance_correlation(y_true, y_pred, axis=-1):
    """Lin's concordance correlation coefficient along ``axis`` (written as Keras writes it)."""
    with no_grad():
        y_pred = ops.convert_to_tensor(y_pred)
        y_true = ops.convert_to_tensor(y_true, dtype=y_pred.dtype.name)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        t_mean = ops.mean(y_true, axis=axis, keepdims=True)
        p_mean = ops.mean(y_pred, axis=axis, keepdims=True)
        t_var = ops.var(y_true - t_mean, axis=axis, keepdims=True)
        p_var = ops.var(y_pred - p_mean, axis=axis, keepdims=True)
        covar = (y_true - p_mean) * (y_pred - p_mean)
        norm = t_var + p_var + ops.square(t_mean - p_mean)
        return ops.mean(2 * covar / (norm + EPSILON), axis=axis)
