"""Layers of ``ember.nn.functional``: linear, dropout (elementwise and channel-wise),
batch/layer/group norm, one_hot and normalize. Each validates its arguments like torch and
wraps a node from ``ember.ops``."""
from __future__ import annotations

import builtins
import warnings

import numpy as np

from ... import random as _random
from ..._dtype import torch_dtype_name
from ..._tensor import Tensor
from ...ops._util import as_tensor
from ...ops.dropout import Dropout
from ...ops.linalg import Addmm
from ...ops.normalization import BatchNorm, GroupNorm, LayerNorm

__all__ = ["linear", "dropout", "dropout1d", "dropout2d", "batch_norm", "layer_norm", "group_norm", "one_hot",
           "normalize"]

_dtype_name = torch_dtype_name        # the name its importers use


def linear(input, weight, bias=None):
    """``input @ weight.T + bias`` over the last axis, as one fused graph node.

    Shape: input ``(*, in_features)``, weight ``(out_features, in_features)``, bias
    ``(out_features,)``, output ``(*, out_features)``.

    Example::

        >>> F.linear(ember.ones(2, 3), ember.ones(4, 3)).shape
        ember.Size([2, 4])
    """
    x = as_tensor(input)
    xd, wd = x._data, weight._data
    if xd.dtype != wd.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_dtype_name(xd)} and "
                           f"{_dtype_name(wd)}")
    if xd.ndim == 0:
        raise RuntimeError("linear: input must have at least 1 dimension, got a 0-d tensor")
    if xd.shape[-1] != wd.shape[-1]:
        rows = xd.size // xd.shape[-1] if xd.shape[-1] else 0
        raise RuntimeError(f"Linear expected {wd.shape[-1]} input features, got {xd.shape[-1]} "
                           f"(input shape {tuple(xd.shape)}); mat1 and mat2 shapes cannot be "
                           f"multiplied ({rows}x{xd.shape[-1]} and {wd.shape[1]}x{wd.shape[0]})")
    return Addmm.apply(x, weight, bias)


def _dropout(x, p: float, training: bool, inplace: bool, mask_shape):
    """Inverted dropout with one Bernoulli draw per element of ``mask_shape`` (broadcast over
    ``x``), from ember's global generator."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return x
    arr = x._data
    if arr.dtype.kind != "f":
        raise RuntimeError(f"dropout expects a floating point input, got {x.dtype}")
    out = Dropout.apply(x, mask=dropout_mask(mask_shape, p, arr.dtype))
    if inplace:
        x._check_inplace()
        return x._assign(out)
    return out


def dropout(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zeroes each element with probability ``p`` and scales the rest by ``1 / (1 - p)``
    (inverted dropout); the identity when not ``training``. Draws from ember's global generator.

    Example::

        >>> F.dropout(ember.ones(4), p=0.5, training=False)
        tensor([1., 1., 1., 1.])
    """
    x = as_tensor(input)
    return _dropout(x, p, training, inplace, x.shape)


def dropout1d(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zeroes whole channels of ``(N, C, L)`` (or unbatched ``(C, L)``) input with probability
    ``p``; the survivors are scaled by ``1 / (1 - p)``.

    Example::

        >>> F.dropout1d(ember.ones(2, 3, 4), p=0.5, training=False).shape
        ember.Size([2, 3, 4])
    """
    x = as_tensor(input)
    if x.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {x.ndim}D input. "
                           f"Note that dropout1d exists to provide channel-wise dropout on inputs "
                           f"with 1 spatial dimension, a channel dimension, and an optional batch "
                           f"dimension (i.e. 2D or 3D inputs).")
    shape = x.shape[:-1] + (1,)
    return _dropout(x, p, training, inplace, shape)


def dropout2d(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zeroes whole channels: each ``(n, c)`` feature map of ``(N, C, H, W)`` input is dropped
    with probability ``p`` (the rest scaled by ``1 / (1 - p)``). Like torch, 3-D input is read
    as ``(N, C, L)`` (with torch's warning), other ranks warn as deprecated.

    Example::

        >>> y = F.dropout2d(ember.ones(2, 3, 4, 4), p=0.5)    # each map all 0 or all 2
        >>> sorted(set(y.sum((2, 3)).flatten().tolist()) | {0.0, 32.0})
        [0.0, 32.0]
    """
    x = as_tensor(input)
    if x.ndim not in (3, 4):
        warnings.warn(f"dropout2d: Received a {x.ndim}-D input to dropout2d, which is deprecated and "
                      f"will result in an error in a future release. To retain the behavior and "
                      f"silence this warning, please use dropout instead. Note that dropout2d exists "
                      f"to provide channel-wise dropout on inputs with 2 spatial dimensions, a channel "
                      f"dimension, and an optional batch dimension (i.e. 3D or 4D inputs).")
    if x.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
                      "dropout behavior is desired - input is interpreted as shape (N, C, L), where C "
                      "is the channel dim. This behavior will change in a future release to interpret "
                      "the input as one without a batch dimension, i.e. shape (C, H, W). To maintain "
                      "the 1D channel-wise dropout behavior, please switch to using dropout1d instead.")
    shape = x.shape[:2] + (1,) * (x.ndim - 2) if x.ndim >= 2 else x.shape
    return _dropout(x, p, training, inplace, shape)


def dropout3d(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zeroes whole channels: each ``(n, c)`` volume of ``(N, C, D, H, W)`` input (or each
    channel of unbatched ``(C, D, H, W)``) is dropped with probability ``p``, the rest scaled by
    ``1 / (1 - p)``. Other ranks warn as deprecated (as in torch) and are read as unbatched.

    Example::

        >>> F.dropout3d(ember.ones(2, 3, 2, 2, 2), p=0.5, training=False).shape
        ember.Size([2, 3, 2, 2, 2])
    """
    x = as_tensor(input)
    if x.ndim not in (4, 5):
        warnings.warn(f"dropout3d: Received a {x.ndim}-D input to dropout3d, which is deprecated and "
                      f"will result in an error in a future release. To retain the behavior and "
                      f"silence this warning, please use dropout instead. Note that dropout3d exists "
                      f"to provide channel-wise dropout on inputs with 3 spatial dimensions, a channel "
                      f"dimension, and an optional batch dimension (i.e. 4D or 5D inputs).")
    lead = x.shape[:2] if x.ndim == 5 else x.shape[:1]
    shape = lead + (1,) * (x.ndim - len(lead))
    return _dropout(x, p, training, inplace, shape)


def dropout_mask(shape, p: float, dtype) -> np.ndarray:
    """Inverted-dropout multipliers: 0 with probability ``p``, else ``1 / (1 - p)``, drawn
    from ember's global generator (the one rule behind every dropout in ember)."""
    dtype = np.dtype(dtype)
    if p == 1.0:
        return np.zeros(shape, dtype=dtype)
    draw = _random._gen(None).random(shape, dtype=dtype if dtype in (np.float32, np.float64)
                                     else np.float64)
    mask = (draw >= p).astype(dtype)
    mask *= 1.0 / (1.0 - p)
    return mask


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training: bool = False,
               momentum: float | None = 0.1, eps: float = 1e-5):
    """Normalises each channel (axis 1) of ``(N, C)``, ``(N, C, L)`` or ``(N, C, H, W)`` input.

    In training, batch statistics are used and the running ones (when given) are updated
    in place: ``running = (1 - momentum) * running + momentum * batch`` with the unbiased
    batch variance (``momentum=None`` is handled by the module, which passes ``1 / n``).
    """
    x = as_tensor(input)
    if x._data.ndim >= 2 and (training or running_mean is None or running_var is None) \
            and x._data.size // x._data.shape[1] <= 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input "
                         f"size {tuple(x._data.shape)}")
    return _batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps)


def _batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps,
                unbiased_running_var: bool = True, reduce=None):
    """``batch_norm`` for both front doors: torch's running variance is the unbiased batch
    variance, Keras's (``unbiased_running_var=False``) the biased one; Keras passes
    ``momentum = 1 - its momentum``. A single value per channel is allowed here (its variance
    is 0), as Keras allows it. ``reduce`` (SyncBatchNorm's sum of a float64 array across
    processes) takes the batch statistics over every process's batch."""
    arr = x._data
    if arr.ndim < 2:
        raise ValueError(f"batch_norm expected 2D or 3D input (got {arr.ndim}D input)")
    c = arr.shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        if t is not None and t._data.size != c:
            raise RuntimeError(f"{name} should contain {c} elements not {t._data.size}")
    use_batch = training or running_mean is None or running_var is None
    if use_batch:
        n = arr.size // c
        axes = (0,) + tuple(range(2, arr.ndim))
        if reduce is None:
            mean = arr.mean(axis=axes)
            var = arr.var(axis=axes)
        else:
            n, mean, var = _global_moments(arr, axes, reduce)
        if training and running_mean is not None and running_var is not None:
            m = 0.1 if momentum is None else momentum
            rm, rv = running_mean._data, running_var._data
            rm *= 1 - m
            rm += (m * mean).astype(rm.dtype, copy=False)
            rv *= 1 - m
            correction = n / (n - 1) if unbiased_running_var else 1
            rv += (m * correction * var).astype(rv.dtype, copy=False)
    else:
        mean, var = running_mean._data, running_var._data
    return BatchNorm.apply(x, weight, bias, mean=mean, var=var, eps=float(eps),
                           batch_stats=use_batch, reduce=reduce if use_batch else None,
                           count=n if use_batch and reduce is not None else None)


def _global_moments(arr, axes, reduce):
    """(count, mean, biased variance) per channel over every process's ``arr``: one sum
    across processes of the count and the per-channel mean's shift-free moments, in float64.
    A process with an empty batch contributes nothing."""
    c = arr.shape[1]
    local = np.empty(2 * c + 1, np.float64)
    local[:c] = arr.sum(axis=axes, dtype=np.float64)
    local[c:2 * c] = np.square(arr, dtype=np.float64).sum(axis=axes)
    local[-1] = arr.size // c
    total = reduce(local)
    n = int(round(total[-1]))
    if n < 2:
        raise ValueError(f"Expected more than 1 value per channel when training, got input "
                         f"size {n} over all processes")
    mean = total[:c] / n
    var = np.maximum(total[c:2 * c] / n - mean * mean, 0.0)
    return n, mean.astype(arr.dtype), var.astype(arr.dtype)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps: float = 1e-5):
    """Normalises over the last ``len(normalized_shape)`` axes, then applies weight and bias."""
    x = as_tensor(input)
    shape = (normalized_shape,) if isinstance(normalized_shape, (builtins.int, np.integer)) \
        else tuple(normalized_shape)
    k = len(shape)
    if tuple(x._data.shape[x._data.ndim - k:]) != shape or x._data.ndim < k:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*, {', '.join(str(s) for s in shape)}], but got input of size "
                           f"{list(x._data.shape)}")
    return LayerNorm.apply(x, weight, bias, k=k, eps=float(eps))


def group_norm(input, num_groups: int, weight=None, bias=None, eps: float = 1e-5):
    """Normalises each sample over groups of channels: ``(N, C, *)`` is split into
    ``num_groups`` groups of ``C / num_groups`` channels, each standardised over its channels and
    positions, then scaled and shifted per channel.

    Example::

        >>> y = F.group_norm(ember.arange(8.0).reshape(1, 4, 2), 2)
        >>> [round(v, 4) for v in y[0, :2].flatten().tolist()]
        [-1.3416, -0.4472, 0.4472, 1.3416]
    """
    x = as_tensor(input)
    if x.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {x.ndim}")
    c = x.shape[1]
    if num_groups <= 0 or c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but "
                           f"got input of shape {list(x.shape)} and num_groups={num_groups}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.ndim != 1 or t.shape[0] != c):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of "
                               f"channels in input, but got {name} of shape {list(t.shape)} and "
                               f"input of shape {list(x.shape)}")
    return GroupNorm.apply(x, weight, bias, groups=int(num_groups), eps=float(eps))


def one_hot(input, num_classes: int = -1):
    """Class indices → one-hot rows (int64), like ``torch.nn.functional.one_hot``.

    Example::

        >>> F.one_hot(ember.tensor([0, 2]), num_classes=3)
        tensor([[1, 0, 0],
                [0, 0, 1]])
    """
    t = as_tensor(input)
    arr = t._data
    if arr.dtype != np.int64:
        raise RuntimeError(f"one_hot is only applicable to index tensor of type LongTensor, got "
                           f"{t.dtype}")
    if arr.size and arr.min() < 0:
        raise RuntimeError(f"Class values must be non-negative, got {int(arr.min())}")
    if num_classes == -1:
        if arr.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(arr.max()) + 1
    elif arr.size and arr.max() >= num_classes:
        raise RuntimeError(f"Class values must be smaller than num_classes, got {int(arr.max())} "
                           f"for num_classes={num_classes}")
    out = np.zeros(arr.shape + (num_classes,), dtype=np.int64)
    np.put_along_axis(out, arr[..., None], 1, axis=-1)
    return Tensor._make(out)


def normalize(input, p: float = 2.0, dim: int = 1, eps: float = 1e-12):
    """``x / max(‖x‖_p, eps)`` along ``dim``."""
    x = as_tensor(input)
    norm = x.norm(p, dim, True).clamp(min=eps)
    return x / norm.expand_as(x)
