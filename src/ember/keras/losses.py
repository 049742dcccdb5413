"""Losses with Keras's names, formulas and reduction, on ``ember.nn.functional``'s losses
(with Keras's probability clipping) where the two agree, else on ember's differentiable ops.

A loss object is called as ``loss(y_true, y_pred, sample_weight=None)`` and returns a scalar
ember Tensor: per-sample values (mean over the last axis) times ``sample_weight``, summed and
divided by the number of values (Keras's ``"sum_over_batch_size"``).

Example::

    >>> from ember.keras import losses
    >>> losses.get("binary_crossentropy")(y_true, y_pred)
"""
from __future__ import annotations

import math

import numpy as np

import ember

from .._tensor import Tensor
from ..nn import functional as F
from ._utils import EPSILON, lookup, snake_case, to_array, to_tensor

_REDUCTIONS = ("sum_over_batch_size", "sum", "none", None)


def _same_rank(y_true: np.ndarray, y_pred: Tensor) -> np.ndarray:
    """Keras's squeeze-or-expand: a (N,) target meets a (N, 1) prediction as (N, 1)."""
    if y_true.ndim == y_pred.ndim - 1 and y_pred.shape[-1] == 1:
        return y_true[..., None]
    if y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        return y_true[..., 0]
    return y_true


def _prepare(y_true, y_pred):
    y_pred = to_tensor(y_pred)
    y_true = _same_rank(to_array(y_true), y_pred)
    return Tensor._make(y_true.astype(y_pred._data.dtype, copy=False)), y_pred


def _check_shapes(y_true, y_pred):
    if y_true.shape != y_pred.shape:
        raise ValueError(f"Arguments `target` and `output` must have the same shape. Received: "
                         f"target.shape={tuple(y_true.shape)}, output.shape={tuple(y_pred.shape)}")


# ---- per-sample loss functions (Keras's `keras.losses.<name>` functions) ------------------
def mean_squared_error(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    _check_shapes(y_true, y_pred)
    return F.mse_loss(y_pred, y_true, reduction="none").mean(-1)


def mean_absolute_error(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    _check_shapes(y_true, y_pred)
    return F.l1_loss(y_pred, y_true, reduction="none").mean(-1)


def mean_absolute_percentage_error(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    denom = Tensor._make(np.maximum(np.abs(y_true._data), np.asarray(EPSILON, y_true._data.dtype)))
    return (ember.abs(y_true - y_pred) / denom).mean(-1) * 100.0


def mean_squared_logarithmic_error(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    a = ember.log(ember.clamp(y_pred, min=EPSILON) + 1.0)
    b = ember.log(ember.clamp(y_true, min=EPSILON) + 1.0)
    d = a - b
    return (d * d).mean(-1)


def huber(y_true, y_pred, delta=1.0):
    y_true, y_pred = _prepare(y_true, y_pred)
    _check_shapes(y_true, y_pred)
    return F.huber_loss(y_pred, y_true, reduction="none", delta=delta).mean(-1)


def log_cosh(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    x = y_pred - y_true
    softplus = ember.relu(x * -2.0) + ember.log1p(ember.exp(-ember.abs(x * 2.0)))
    return (x + softplus - math.log(2.0)).mean(-1)


def _signed_labels(y_true: Tensor) -> Tensor:
    arr = y_true._data
    if np.all((arr == 0) | (arr == 1)):
        arr = 2.0 * arr - 1.0
    return Tensor._make(arr.astype(y_true._data.dtype, copy=False))


def hinge(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    return ember.relu(1.0 - _signed_labels(y_true) * y_pred).mean(-1)


def squared_hinge(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    h = ember.relu(1.0 - _signed_labels(y_true) * y_pred)
    return (h * h).mean(-1)


def categorical_hinge(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    pos = (y_true * y_pred).sum(-1)
    neg = ((1.0 - y_true) * y_pred).amax(-1)
    return ember.relu(neg - pos + 1.0)


def kl_divergence(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    t = ember.clamp(y_true, EPSILON, 1.0)
    p = ember.clamp(y_pred, EPSILON, 1.0)
    return (t * ember.log(t / p)).sum(-1)


def poisson(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    return (y_pred - y_true * ember.log(y_pred + EPSILON)).mean(-1)


def cosine_similarity(y_true, y_pred, axis=-1):
    y_true, y_pred = _prepare(y_true, y_pred)
    def unit(v):
        return v / ember.sqrt(ember.clamp((v * v).sum(axis, keepdim=True), min=1e-12))
    return -(unit(y_true) * unit(y_pred)).sum(axis)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0):
    y_true, y_pred = _prepare(y_true, y_pred)
    _check_shapes(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        per = F.binary_cross_entropy_with_logits(y_pred, y_true, reduction="none")
    else:
        p = ember.clamp(y_pred, EPSILON, 1.0 - EPSILON)
        per = F.binary_cross_entropy(p, y_true, reduction="none")
    return per.mean(-1)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    y_true, y_pred = _prepare(y_true, y_pred)
    _check_shapes(y_true, y_pred)
    if label_smoothing:
        k = y_pred.shape[axis]
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / k
    if from_logits:
        log_prob = F.log_softmax(y_pred, dim=axis)
    else:
        p = y_pred / y_pred.sum(axis, keepdim=True)
        log_prob = ember.log(ember.clamp(p, EPSILON, 1.0 - EPSILON))
    return -(y_true * log_prob).sum(axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, axis=-1):
    y_pred = to_tensor(y_pred)
    labels = to_array(y_true)
    if labels.ndim == y_pred.ndim and labels.shape[-1] == 1:
        labels = labels[..., 0]
    if labels.shape != tuple(y_pred.shape[:-1]):
        raise ValueError(f"Arguments `target` and `output` must have the same shape up until the "
                         f"last dimension: target.shape={tuple(labels.shape)}, "
                         f"output.shape={tuple(y_pred.shape)}")
    idx = labels.astype(np.int64)
    n_classes = y_pred.shape[-1]
    if idx.size and (idx.min() < 0 or idx.max() >= n_classes):
        raise ValueError(f"Received a label value of {int(idx.max() if idx.max() >= n_classes else idx.min())} "
                         f"which is outside the valid range of [0, {n_classes - 1}]")
    if y_pred.ndim > 2:  # classes last (Keras) → classes on axis 1 (ember.nn.functional)
        y_pred = y_pred.reshape(-1, n_classes)
    target = Tensor._make(idx.reshape(-1) if labels.ndim > 1 else idx)
    if from_logits:
        out = F.cross_entropy(y_pred, target, reduction="none")
    else:
        p = y_pred / y_pred.sum(-1, keepdim=True)
        out = F.nll_loss(ember.log(ember.clamp(p, EPSILON, 1.0 - EPSILON)), target, reduction="none")
    return out.reshape(labels.shape) if labels.ndim > 1 else out


# ---- loss objects ------------------------------------------------------------------------
def _reduce(values: Tensor, sample_weight, reduction):
    if sample_weight is not None:
        sw = to_array(sample_weight).astype(values._data.dtype, copy=False)
        while sw.ndim > values.ndim and sw.shape[-1] == 1:
            sw = sw[..., 0]
        while sw.ndim < values.ndim:
            sw = sw[..., None]
        values = values * Tensor._make(sw)
    if reduction in ("none", None):
        return values
    total = values.sum()
    if reduction == "sum":
        return total
    return total / float(max(values._data.size, 1))


class Loss:
    """Base class: ``call(y_true, y_pred)`` gives per-sample values; ``__call__`` reduces them."""

    def __init__(self, name=None, reduction="sum_over_batch_size"):
        if reduction not in _REDUCTIONS:
            raise ValueError(f"Invalid value for argument `reduction`. Expected one of "
                             f"{_REDUCTIONS[:3]}. Received: reduction={reduction!r}")
        self.name = name or snake_case(type(self).__name__)
        self.reduction = reduction

    def call(self, y_true, y_pred):  # pragma: no cover - abstract
        raise NotImplementedError  # abstract: subclasses implement it

    def __call__(self, y_true, y_pred, sample_weight=None):
        return _reduce(self.call(y_true, y_pred), sample_weight, self.reduction)

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class LossFunctionWrapper(Loss):
    """Turns a per-sample function ``fn(y_true, y_pred, **kwargs)`` into a Loss."""

    def __init__(self, fn, name=None, reduction="sum_over_batch_size", **kwargs):
        super().__init__(name or getattr(fn, "__name__", "loss"), reduction)
        self.fn, self.kwargs = fn, kwargs

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self.kwargs)

    def get_config(self):
        return {**super().get_config(), **self.kwargs}


def _loss_class(class_name, fn, default_name, **defaults):
    def __init__(self, *args, reduction="sum_over_batch_size", name=default_name, **kwargs):
        params = dict(defaults)
        keys = list(defaults)
        if len(args) > len(keys):
            raise TypeError(f"{class_name}() takes at most {len(keys)} positional arguments")
        params.update(zip(keys, args))
        for k, v in kwargs.items():
            if k not in defaults:
                raise TypeError(f"{class_name}() got an unexpected keyword argument {k!r}; "
                                f"expected some of {keys + ['reduction', 'name']}")
            params[k] = v
        LossFunctionWrapper.__init__(self, fn, name=name, reduction=reduction, **params)

    def from_config(cls, config):
        return cls(**config)

    return type(class_name, (LossFunctionWrapper,), {
        "__init__": __init__, "from_config": classmethod(from_config),
        "__doc__": f"Loss object for ``{fn.__name__}`` (Keras's ``{class_name}``)."})


BinaryCrossentropy = _loss_class("BinaryCrossentropy", binary_crossentropy, "binary_crossentropy",
                                 from_logits=False, label_smoothing=0.0)
CategoricalCrossentropy = _loss_class("CategoricalCrossentropy", categorical_crossentropy,
                                      "categorical_crossentropy", from_logits=False,
                                      label_smoothing=0.0, axis=-1)
SparseCategoricalCrossentropy = _loss_class("SparseCategoricalCrossentropy",
                                            sparse_categorical_crossentropy,
                                            "sparse_categorical_crossentropy", from_logits=False)
MeanSquaredError = _loss_class("MeanSquaredError", mean_squared_error, "mean_squared_error")
MeanAbsoluteError = _loss_class("MeanAbsoluteError", mean_absolute_error, "mean_absolute_error")
MeanAbsolutePercentageError = _loss_class("MeanAbsolutePercentageError",
                                          mean_absolute_percentage_error,
                                          "mean_absolute_percentage_error")
MeanSquaredLogarithmicError = _loss_class("MeanSquaredLogarithmicError",
                                          mean_squared_logarithmic_error,
                                          "mean_squared_logarithmic_error")
Huber = _loss_class("Huber", huber, "huber_loss", delta=1.0)
LogCosh = _loss_class("LogCosh", log_cosh, "log_cosh")
Hinge = _loss_class("Hinge", hinge, "hinge")
SquaredHinge = _loss_class("SquaredHinge", squared_hinge, "squared_hinge")
CategoricalHinge = _loss_class("CategoricalHinge", categorical_hinge, "categorical_hinge")
KLDivergence = _loss_class("KLDivergence", kl_divergence, "kl_divergence")
Poisson = _loss_class("Poisson", poisson, "poisson")
CosineSimilarity = _loss_class("CosineSimilarity", cosine_similarity, "cosine_similarity", axis=-1)

mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh

FUNCTIONS = {
    "binary_crossentropy": binary_crossentropy, "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
    "mean_squared_error": mean_squared_error, "mse": mean_squared_error,
    "mean_absolute_error": mean_absolute_error, "mae": mean_absolute_error,
    "mean_absolute_percentage_error": mean_absolute_percentage_error,
    "mape": mean_absolute_percentage_error,
    "mean_squared_logarithmic_error": mean_squared_logarithmic_error,
    "msle": mean_squared_logarithmic_error, "huber": huber, "log_cosh": log_cosh,
    "logcosh": log_cosh, "hinge": hinge, "squared_hinge": squared_hinge,
    "categorical_hinge": categorical_hinge, "kl_divergence": kl_divergence, "kld": kl_divergence,
    "kullback_leibler_divergence": kl_divergence, "poisson": poisson,
    "cosine_similarity": cosine_similarity,
}
CLASSES = {c.__name__: c for c in (
    BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy, MeanSquaredError,
    MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError, Huber, LogCosh,
    Hinge, SquaredHinge, CategoricalHinge, KLDivergence, Poisson, CosineSimilarity)}


def get(identifier):
    """A name (``'mse'``, ``'BinaryCrossentropy'``), a Loss, a function or a config → a loss."""
    if identifier is None:
        return None
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        if identifier in CLASSES:
            return CLASSES[identifier]()
        return lookup("loss", identifier, FUNCTIONS)
    if isinstance(identifier, dict):
        cls = lookup("loss", identifier["class_name"], CLASSES)
        return cls.from_config(identifier.get("config", {}))
    if callable(identifier):
        return identifier
    raise TypeError(f"Could not interpret loss identifier: {identifier!r}")


def to_loss_object(identifier) -> Loss:
    """What ``compile`` stores: always a Loss object named like the identifier Keras shows."""
    obj = get(identifier)
    if isinstance(obj, Loss):
        return obj
    return LossFunctionWrapper(obj, name=identifier if isinstance(identifier, str) else None)


def serialize(loss) -> dict:
    if isinstance(loss, LossFunctionWrapper) and type(loss) is LossFunctionWrapper:
        for name, fn in FUNCTIONS.items():
            if fn is loss.fn:
                return {"function": loss.name if loss.name in FUNCTIONS else name}
    if type(loss).__name__ in CLASSES and type(loss) is CLASSES[type(loss).__name__]:
        return {"class_name": type(loss).__name__, "config": loss.get_config()}
    raise ValueError(f"Cannot save the custom loss {loss!r}; use a built-in keras loss")
