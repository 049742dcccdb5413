"""Loss functions of ``ember.nn.functional`` (``F.mse_loss``, ``F.cross_entropy``, …).

Each validates its arguments like torch, then runs one fused node from ``ember.ops.loss``.
``reduction`` is ``'mean'`` (default), ``'sum'`` or ``'none'``.
"""
from __future__ import annotations

import warnings

import numpy as np

from ..._tensor import Tensor
from ...ops._util import as_tensor, promote_types
from ...ops import loss as ops

__all__ = ["mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss", "kl_div",
           "hinge_embedding_loss", "multi_margin_loss", "soft_margin_loss"]

_REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction; expected one of "
                         f"'mean', 'sum', 'none'")


def legacy_reduction(size_average, reduce, reduction: str, stacklevel: int = 3) -> str:
    """``reduction`` as torch reads its deprecated ``size_average``/``reduce`` arguments (with
    its warning): ``reduce=False`` → 'none', ``size_average=False`` → 'sum', else 'mean'."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = "none" if not reduce else "mean" if size_average else "sum"
    warnings.warn(f"size_average and reduce args will be deprecated, please use "
                  f"reduction='{reduction}' instead.", UserWarning, stacklevel=stacklevel)
    return reduction


_legacy = legacy_reduction


def _size(shape) -> str:
    return f"ember.Size({list(shape)})"


def _pair(input, target, name: str, warn_broadcast: bool = True):
    """Both operands as tensors of one float dtype; warns (like torch) when shapes differ."""
    x, y = as_tensor(input), as_tensor(target)
    dx, dy = x._data.dtype, y._data.dtype
    dt = promote_types(dx, dy)
    if dt.kind != "f":
        from ... import _dtype
        dt = _dtype.get_default_dtype().np
    x = x if dx == dt else x.to(dt)
    y = y if dy == dt else y.to(dt)
    if x.shape != y.shape:
        try:
            np.broadcast_shapes(x.shape, y.shape)
        except ValueError:
            raise RuntimeError(f"{name}: the size of input {tuple(x.shape)} must match the size of "
                               f"target {tuple(y.shape)} (they cannot be broadcast together)") from None
        if warn_broadcast:
            warnings.warn(f"Using a target size ({_size(y.shape)}) that is different to the input "
                          f"size ({_size(x.shape)}). This will likely lead to incorrect results due "
                          f"to broadcasting. Please ensure they have the same size.", UserWarning,
                          stacklevel=3)
    return x, y


def _weight_array(weight, dtype):
    if weight is None:
        return None
    w = as_tensor(weight)._data
    return w if w.dtype == dtype else w.astype(dtype)


def _elementwise_weight(weight, x):
    """torch's per-element weight of mse/l1/huber: it must have the input's size."""
    w = _weight_array(weight, x._data.dtype)
    if w is not None and w.shape != x.shape:
        raise ValueError(f"Weights and input must have the same size: got weight of shape "
                         f"{tuple(w.shape)} for input of shape {tuple(x.shape)}")
    return w


def mse_loss(input, target, size_average=None, reduce=None, reduction: str = "mean", weight=None):
    """Mean squared error ``(x - y)²``.

    Example::

        >>> F.mse_loss(ember.tensor([1.0, 2.0]), ember.tensor([1.0, 4.0]))
        tensor(2.)
    """
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    x, y = _pair(input, target, "mse_loss")
    return ops.MseLoss.apply(x, y, weight=_elementwise_weight(weight, x), reduction=reduction,
                             weight_mean=True)


def l1_loss(input, target, size_average=None, reduce=None, reduction: str = "mean", weight=None):
    """Mean absolute error ``|x - y|``."""
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    x, y = _pair(input, target, "l1_loss")
    return ops.L1Loss.apply(x, y, weight=_elementwise_weight(weight, x), reduction=reduction,
                            weight_mean=True)


def huber_loss(input, target, reduction: str = "mean", delta: float = 1.0, weight=None):
    """``0.5 d²`` where ``|d| < delta``, else ``delta (|d| - 0.5 delta)``."""
    _check_reduction(reduction)
    if delta <= 0:
        raise RuntimeError(f"huber_loss does not support non-positive values for delta, got {delta}")
    x, y = _pair(input, target, "huber_loss")
    return ops.HuberLoss.apply(x, y, weight=_elementwise_weight(weight, x), reduction=reduction,
                               delta=float(delta))


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction: str = "mean",
                   beta: float = 1.0):
    """``0.5 d² / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta`` (L1 when beta = 0)."""
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    if beta < 0:
        raise RuntimeError(f"smooth_l1_loss does not support negative values for beta, got {beta}")
    x, y = _pair(input, target, "smooth_l1_loss")
    return ops.SmoothL1Loss.apply(x, y, reduction=reduction, beta=float(beta))


def _same_size(x, y, message: str) -> None:
    if x.shape != y.shape:
        raise ValueError(message.format(t=_size(y.shape), i=_size(x.shape)))


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction: str = "mean"):
    """``-w (y log x + (1 - y) log(1 - x))`` on probabilities, logs clamped at -100."""
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    x, y = _pair(input, target, "binary_cross_entropy", warn_broadcast=False)
    _same_size(x, y, "Using a target size ({t}) that is different to the input size ({i}) is "
                     "deprecated. Please ensure they have the same size.")
    xd = x._data
    for name, values in (("input", xd), ("target", y._data)):
        if values.size and not (np.all(values >= 0) and np.all(values <= 1)):
            bad = values[~((values >= 0) & (values <= 1))].flat[0]
            raise RuntimeError(f"all elements of {name} should be between 0 and 1, got {bad}")
    return ops.BinaryCrossEntropy.apply(x, y, weight=_weight_array(weight, xd.dtype),
                                        reduction=reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction: str = "mean", pos_weight=None):
    """Sigmoid + binary cross-entropy in one stable formula (finite for logits of ±1000)."""
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    x, y = _pair(input, target, "binary_cross_entropy_with_logits", warn_broadcast=False)
    _same_size(x, y, "Target size ({t}) must be the same as input size ({i})")
    dt = x._data.dtype
    return ops.BinaryCrossEntropyWithLogits.apply(
        x, y, weight=_weight_array(weight, dt), reduction=reduction,
        pos_weight=_weight_array(pos_weight, dt))


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction: str = "mean"):
    """``log(1 + exp(-y x))`` for targets ±1."""
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    x, y = _pair(input, target, "soft_margin_loss")
    return ops.SoftMarginLoss.apply(x, y, reduction=reduction)


def hinge_embedding_loss(input, target, margin: float = 1.0, size_average=None, reduce=None,
                         reduction: str = "mean"):
    """``x`` where ``y = 1``, ``max(0, margin - x)`` where ``y = -1``."""
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    x, y = _pair(input, target, "hinge_embedding_loss")
    return ops.HingeEmbeddingLoss.apply(x, y, reduction=reduction, margin=float(margin))


def kl_div(input, target, size_average=None, reduce=None, reduction: str = "mean",
           log_target: bool = False):
    """``y (log y - x)`` with ``x`` log-probabilities; ``'batchmean'`` divides the sum by the batch."""
    reduction = _legacy(size_average, reduce, reduction)
    if reduction not in _REDUCTIONS + ("batchmean",):
        raise ValueError(f"{reduction} is not a valid value for reduction; expected one of "
                         f"'mean', 'batchmean', 'sum', 'none'")
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with the "
                      "KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.", UserWarning, stacklevel=2)
    x, y = _pair(input, target, "kl_div", warn_broadcast=False)
    inner = "sum" if reduction == "batchmean" else reduction
    out = ops.KlDiv.apply(x, y, reduction=inner, log_target=bool(log_target))
    if reduction == "batchmean" and x.ndim:
        out = out / x.shape[0]
    return out


def _class_input(input, name: str) -> Tensor:
    x = as_tensor(input)
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"{name}: expected a floating point input (scores), got {x.dtype}")
    if x.ndim == 0:
        raise RuntimeError(f"{name}: input must have at least 1 dimension (classes), got a 0-d tensor")
    return x


def _check_targets(x: np.ndarray, t: np.ndarray, ignore_index: int, name: str) -> bool:
    """Raises unless every target is a class index or ``ignore_index``; returns True when all
    are class indices (then only an ``ignore_index`` inside ``[0, C)`` can still match)."""
    batch_shape = (x.shape[0],) + x.shape[2:] if x.ndim >= 2 else ()
    if t.shape != batch_shape:
        raise ValueError(f"{name}: expected target of shape {batch_shape} for input of shape "
                         f"{tuple(x.shape)}, got target of shape {tuple(t.shape)}")
    c = x.shape[1] if x.ndim >= 2 else x.shape[0]
    if t.size == 0 or (t.min() >= 0 and t.max() < c):      # the common case, two reductions
        return True
    bad = (t != ignore_index) & ((t < 0) | (t >= c))
    if np.any(bad):
        raise IndexError(f"Target {int(t[bad].flat[0])} is out of bounds: class indices must be in "
                         f"[0, {c}) for {c} classes")
    return False


def _index_loss(input, target, weight, ignore_index, reduction, label_smoothing, from_logits,
                name):
    _check_reduction(reduction)
    x = _class_input(input, name)
    t = as_tensor(target)
    xd, td = x._data, t._data
    if td.dtype.kind not in "iu":
        raise RuntimeError(f"{name}: expected class-index targets of dtype int64, got {t.dtype}")
    all_classes = _check_targets(xd, td, ignore_index, name)
    c = xd.shape[1] if xd.ndim >= 2 else xd.shape[0]
    w = _weight_array(weight, xd.dtype)
    if w is not None and w.shape != (c,):
        raise RuntimeError(f"{name}: weight tensor should be defined either for all {c} classes or "
                           f"no classes but got weight tensor of shape: {list(w.shape)}")
    unbatched = xd.ndim == 1
    if unbatched:
        x = x.unsqueeze(0)
        td = td.reshape(1)
    if all_classes and not (0 <= ignore_index < c and (td == ignore_index).any()):
        ignore_index = None         # every target counts: the node needs no mask
    with np.errstate(invalid="ignore", divide="ignore"):
        out = ops.NllLoss.apply(x, td.astype(np.int64, copy=False), weight=w,
                                ignore_index=ignore_index, reduction=reduction,
                                label_smoothing=float(label_smoothing), from_logits=from_logits)
    return out.squeeze(0) if unbatched and reduction == "none" else out


def cross_entropy(input, target, weight=None, size_average=None, ignore_index: int = -100,
                  reduce=None, reduction: str = "mean", label_smoothing: float = 0.0):
    """Cross-entropy between logits ``input`` and class indices (int64) or class probabilities
    (float, same shape as input), with log-softmax fused in.

    Shape: input ``(C,)``, ``(N, C)`` or ``(N, C, d1, …)``; target indices ``()``, ``(N,)`` or
    ``(N, d1, …)``, or probabilities shaped like input.

    Example::

        >>> F.cross_entropy(ember.tensor([[0.1, 6.0, -2.0, 3.2]]), ember.tensor([2]))
        tensor(8.0619)
    """
    reduction = _legacy(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    t = as_tensor(target)
    if t._data.dtype.kind == "f":
        _check_reduction(reduction)
        x = _class_input(input, "cross_entropy")
        if t.dtype != x.dtype:
            t = t.to(x.dtype)
        if t.shape != x.shape:
            raise RuntimeError(f"cross_entropy: probability targets must have the input's shape "
                               f"{tuple(x.shape)}, got {tuple(t.shape)}")
        w = _weight_array(weight, x._data.dtype)
        unbatched = x.ndim == 1
        if unbatched:
            x, t = x.unsqueeze(0), t.unsqueeze(0)
        out = ops.SoftCrossEntropy.apply(x, t, weight=w, reduction=reduction,
                                         label_smoothing=float(label_smoothing))
        return out.squeeze(0) if unbatched and reduction == "none" else out
    return _index_loss(input, t, weight, ignore_index, reduction, label_smoothing, True,
                       "cross_entropy")


def nll_loss(input, target, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
             reduction: str = "mean"):
    """Negative log-likelihood of class indices given log-probabilities ``input``."""
    reduction = _legacy(size_average, reduce, reduction)
    return _index_loss(input, target, weight, ignore_index, reduction, 0.0, False, "nll_loss")


def multi_margin_loss(input, target, p: int = 1, margin: float = 1.0, weight=None,
                      size_average=None, reduce=None, reduction: str = "mean"):
    """Multi-class hinge: ``Σ_{j≠y} max(0, margin - x_y + x_j)^p / C``."""
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    if p not in (1, 2):
        raise ValueError(f"only p == 1 and p == 2 supported, got p={p}")
    x = _class_input(input, "multi_margin_loss")
    if x.ndim > 2:
        raise RuntimeError(f"multi_margin_loss: expected 1-D or 2-D input, got shape {tuple(x.shape)}")
    td = as_tensor(target)._data
    _check_targets(x._data, td, -(1 << 62), "multi_margin_loss")
    return ops.MultiMarginLoss.apply(x, td.astype(np.int64, copy=False), p=p, margin=float(margin),
                                     weight=_weight_array(weight, x._data.dtype), reduction=reduction)
