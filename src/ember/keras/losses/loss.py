"""The ``Loss`` base class and Keras's reduction rules.

A loss object is called as ``loss(y_true, y_pred, sample_weight=None)``: both are converted to
the loss's dtype (float32), ``call`` gives per-sample values, the sample weights are brought to
the values' rank (a trailing axis of size 1 is squeezed or added) and multiplied in, and the
result is reduced: ``"sum_over_batch_size"`` (the default) divides the sum by the number of
values, ``"sum"`` sums, ``"mean_with_sample_weight"`` divides by the sum of the weights,
``None``/``"none"`` returns the values.

Example::

    >>> class Scaled(keras.losses.Loss):
    ...     def call(self, y_true, y_pred):
    ...         return keras.ops.mean(keras.ops.square(y_true - y_pred), axis=-1) * 2
"""
from __future__ import annotations

from .. import ops
from .._utils import snake_case, unique_name

REDUCTIONS = ("sum_over_batch_size", "sum", None, "none", "mean", "mean_with_sample_weight")


def standardize_reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(f"Invalid value for argument `reduction`. Expected one of "
                         f"{set(REDUCTIONS)}. Received: reduction={reduction}")
    return reduction


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Makes ranks equal when they differ by one and the longer ends in a size-1 axis: the
    size-1 axis is squeezed, or (when the other is a vector) an axis is added to the vector."""
    r1, r2 = len(x1.shape), len(x2.shape)
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = ops.expand_dims(x2, axis=-1)
        else:
            x1 = ops.squeeze(x1, axis=-1)
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = ops.expand_dims(x1, axis=-1)
        else:
            x2 = ops.squeeze(x2, axis=-1)
    return x1, x2


def apply_mask(sample_weight, mask, dtype, reduction):
    """Folds a boolean ``mask`` into the weights; under a mean reduction the kept values are
    re-weighted so the mean runs over them only."""
    if mask is None:
        return sample_weight
    mask = ops.convert_to_tensor(mask)
    if reduction in ("mean", "sum_over_batch_size"):
        total = ops.cast(int(mask._data.size), dtype)
        valid = ops.sum(ops.cast(mask, dtype))
        float_mask = ops.where(ops.cast(mask, "bool"), ops.divide_no_nan(total, valid), 0)
        float_mask = ops.cast(float_mask, dtype)
    else:
        float_mask = ops.cast(mask, dtype)
    if sample_weight is None:
        return float_mask
    sample_weight = ops.cast(sample_weight, dtype)
    float_mask, sample_weight = squeeze_or_expand_to_same_rank(float_mask, sample_weight)
    return sample_weight * float_mask


def reduce_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    if reduction in (None, "none") or tuple(values.shape) in ((), (0,)):
        return values
    loss = values.sum() if values._data.dtype.kind == "f" else ops.sum(values)
    if reduction in ("sum_over_batch_size", "mean", "mean_with_sample_weight"):
        if reduction == "mean_with_sample_weight" and sample_weight is not None:
            divisor = ops.cast(ops.sum(sample_weight), loss.dtype)
        else:
            return loss / float(values._data.size)  # not zero: empty values returned above
        loss = ops.divide_no_nan(loss, divisor)
    return loss


def reduce_weighted_values(values, sample_weight=None, mask=None, reduction="sum_over_batch_size",
                           dtype=None):
    """Weights (and mask) brought to the values' rank, multiplied in, then reduced."""
    reduction = standardize_reduction(reduction)
    values = ops.convert_to_tensor(values, dtype=dtype)
    if sample_weight is not None:
        sample_weight = ops.convert_to_tensor(sample_weight, dtype=dtype)
    sample_weight = apply_mask(sample_weight, mask, values.dtype, reduction)
    if sample_weight is not None:
        sample_weight = ops.cast(sample_weight, values.dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values = values * sample_weight
    return reduce_values(values, sample_weight, reduction)


class Loss:
    """Base class: subclasses implement ``call(y_true, y_pred)`` returning per-sample losses.

    Args:
        name: the loss's name (default: the class name in snake_case).
        reduction: how ``__call__`` reduces the values (see the module docstring).
        dtype: the dtype inputs are converted to (default float32).
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or unique_name(snake_case(type(self).__name__))
        self.reduction = standardize_reduction(reduction)
        self._dtype = ops.standardize_dtype(dtype)

    @property
    def dtype(self) -> str:
        return self._dtype

    def __call__(self, y_true, y_pred, sample_weight=None):
        y_pred = ops.convert_to_tensor(y_pred, dtype=self.dtype)
        y_true = ops.convert_to_tensor(y_true, dtype=self.dtype)
        values = self.call(y_true, y_pred)
        mask = getattr(self, "_mask", None)
        self._mask = None
        return reduce_weighted_values(values, sample_weight=sample_weight, mask=mask,
                                      reduction=self.reduction, dtype=self.dtype)

    def call(self, y_true, y_pred):  # pragma: no cover - abstract
        raise NotImplementedError("abstract: subclasses implement call(y_true, y_pred)")

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, reduction={self.reduction}>"


class LossFunctionWrapper(Loss):
    """A per-sample function ``fn(y_true, y_pred, **kwargs)`` as a Loss (targets and predictions
    brought to the same rank first, as Keras does)."""

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", None), reduction=reduction,
                         dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        config = super().get_config()
        config.update(self._fn_kwargs)
        return config

    def __repr__(self):
        return f"<LossFunctionWrapper({getattr(self.fn, '__name__', self.fn)}, " \
               f"kwargs={self._fn_kwargs})>"
