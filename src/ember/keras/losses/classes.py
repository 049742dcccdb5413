"""The Keras loss classes: each a :class:`LossFunctionWrapper` around one function of
:mod:`.functions`, with Keras's names, argument order and defaults.

Example::

    >>> loss = BinaryCrossentropy(from_logits=True, label_smoothing=0.1)
    >>> loss(y_true, logits)            # a scalar Tensor (mean over the batch)
"""
from __future__ import annotations

from . import functions as fn
from .._utils import bind_arguments
from .loss import Loss, LossFunctionWrapper


def _wrapper(class_name: str, function, default_name: str, params: tuple, doc: str):
    """A LossFunctionWrapper subclass whose ``__init__(*params, reduction, name, dtype)`` mirrors
    Keras's signature (``params``: ``(name, default)`` pairs, in Keras's order)."""
    def __init__(self, *args, reduction="sum_over_batch_size", name=default_name, dtype=None,
                 **kwargs):
        values = bind_arguments(class_name, list(params), args, kwargs)
        LossFunctionWrapper.__init__(self, function, reduction=reduction, name=name, dtype=dtype,
                                     **values)
        for key, value in values.items():
            setattr(self, key, value)

    return type(class_name, (LossFunctionWrapper,), {
        "__init__": __init__, "__doc__": doc,
        "from_config": classmethod(lambda cls, config: cls(**config))})


MeanSquaredError = _wrapper("MeanSquaredError", fn.mean_squared_error, "mean_squared_error", (),
                            "Mean of the squared errors.")
MeanAbsoluteError = _wrapper("MeanAbsoluteError", fn.mean_absolute_error, "mean_absolute_error",
                             (), "Mean of the absolute errors.")
MeanAbsolutePercentageError = _wrapper(
    "MeanAbsolutePercentageError", fn.mean_absolute_percentage_error,
    "mean_absolute_percentage_error", (), "``100 * mean(|y - p| / max(|y|, eps))``.")
MeanSquaredLogarithmicError = _wrapper(
    "MeanSquaredLogarithmicError", fn.mean_squared_logarithmic_error,
    "mean_squared_logarithmic_error", (), "Mean of ``(log(p + 1) - log(y + 1))**2``.")
CosineSimilarity = _wrapper("CosineSimilarity", fn.cosine_similarity, "cosine_similarity",
                            (("axis", -1),), "Minus the cosine similarity along ``axis``.")
Huber = _wrapper("Huber", fn.huber, "huber_loss", (("delta", 1.0),),
                 "Quadratic below ``delta``, linear above.")
LogCosh = _wrapper("LogCosh", fn.log_cosh, "log_cosh", (), "Mean of ``log(cosh(p - y))``.")
Hinge = _wrapper("Hinge", fn.hinge, "hinge", (), "``mean(max(1 - y p, 0))`` with labels in -1/1.")
SquaredHinge = _wrapper("SquaredHinge", fn.squared_hinge, "squared_hinge", (),
                        "``mean(max(1 - y p, 0)**2)`` with labels in -1/1.")
CategoricalHinge = _wrapper("CategoricalHinge", fn.categorical_hinge, "categorical_hinge", (),
                            "``max(neg - pos + 1, 0)`` for one-hot targets.")
KLDivergence = _wrapper("KLDivergence", fn.kl_divergence, "kl_divergence", (),
                        "Kullback-Leibler divergence ``sum(y log(y / p))``.")
Poisson = _wrapper("Poisson", fn.poisson, "poisson", (), "Mean of ``p - y log(p)``.")
BinaryCrossentropy = _wrapper(
    "BinaryCrossentropy", fn.binary_crossentropy, "binary_crossentropy",
    (("from_logits", False), ("label_smoothing", 0.0), ("axis", -1)),
    "Cross-entropy of 0/1 targets and probabilities (or logits).")
BinaryFocalCrossentropy = _wrapper(
    "BinaryFocalCrossentropy", fn.binary_focal_crossentropy, "binary_focal_crossentropy",
    (("apply_class_balancing", False), ("alpha", 0.25), ("gamma", 2.0), ("from_logits", False),
     ("label_smoothing", 0.0), ("axis", -1)),
    "Binary cross-entropy weighted towards hard examples.")
CategoricalCrossentropy = _wrapper(
    "CategoricalCrossentropy", fn.categorical_crossentropy, "categorical_crossentropy",
    (("from_logits", False), ("label_smoothing", 0.0), ("axis", -1)),
    "Cross-entropy of one-hot targets and class probabilities (or logits).")
CategoricalFocalCrossentropy = _wrapper(
    "CategoricalFocalCrossentropy", fn.categorical_focal_crossentropy,
    "categorical_focal_crossentropy",
    (("alpha", 0.25), ("gamma", 2.0), ("from_logits", False), ("label_smoothing", 0.0),
     ("axis", -1)), "Categorical cross-entropy weighted towards hard examples.")
Dice = _wrapper("Dice", fn.dice, "dice", (("axis", None),), "``1 - Dice coefficient``.")
Tversky = _wrapper("Tversky", fn.tversky, "tversky", (("alpha", 0.5), ("beta", 0.5), ("axis", None)),
                   "``1 - Tversky index``.")


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy of integer targets; ``ignore_class`` targets are left out of the mean."""

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 axis=-1, name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(fn.sparse_categorical_crossentropy, reduction=reduction, name=name,
                         dtype=dtype, from_logits=from_logits, ignore_class=ignore_class, axis=axis)
        self.from_logits, self.ignore_class, self.axis = from_logits, ignore_class, axis

    def call(self, y_true, y_pred):
        values = super().call(y_true, y_pred)
        if self.ignore_class is not None:
            labels = y_true
            if len(labels.shape) == len(y_pred.shape) and labels.shape[self.axis] == 1:
                from .. import ops
                labels = ops.squeeze(labels, axis=self.axis)
            self._mask = fn.ignore_mask(labels, self.ignore_class)
        return values

    def get_config(self):
        return {**Loss.get_config(self), "from_logits": self.from_logits,
                "ignore_class": self.ignore_class}


class CategoricalGeneralizedCrossEntropy(LossFunctionWrapper):
    """Generalized cross-entropy ``(1 - p**q) / q`` for integer targets (robust to label noise)."""

    def __init__(self, q=0.5, reduction="sum_over_batch_size",
                 name="categorical_generalized_cross_entropy", dtype=None):
        if not 0 < q < 1:
            raise ValueError("q must be in the interval (0, 1)")
        super().__init__(fn.categorical_generalized_cross_entropy, reduction=reduction, name=name,
                         dtype=dtype, q=q)
        self.q = q

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred, q=self.q)


class Circle(LossFunctionWrapper):
    """Circle loss for embeddings (positives: equal labels); only positive losses are averaged."""

    def __init__(self, gamma=80.0, margin=0.4, remove_diagonal=True,
                 reduction="sum_over_batch_size", name="circle", dtype=None):
        super().__init__(fn.circle, reduction=reduction, name=name, dtype=dtype, gamma=gamma,
                         margin=margin, remove_diagonal=remove_diagonal)
        self.gamma, self.margin, self.remove_diagonal = gamma, margin, remove_diagonal

    def call(self, y_true, y_pred):
        values = self.fn(y_true, y_pred, **self._fn_kwargs)
        self._mask = values > 0
        return values


ALL_CLASSES = [
    BinaryCrossentropy, BinaryFocalCrossentropy, CategoricalCrossentropy,
    CategoricalFocalCrossentropy, CategoricalGeneralizedCrossEntropy, CategoricalHinge, Circle,
    CosineSimilarity, Dice, Hinge, Huber, KLDivergence, LogCosh, MeanAbsoluteError,
    MeanAbsolutePercentageError, MeanSquaredError, MeanSquaredLogarithmicError, Poisson,
    SparseCategoricalCrossentropy, SquaredHinge, Tversky]
