"""The metrics that are the mean of a per-sample function: accuracies, regression errors,
probabilistic losses and hinges, with Keras's names, defaults and signatures
``(name, dtype, *options)``.

Example::

    >>> m = BinaryAccuracy(threshold=0.7)
    >>> m.update_state([[1], [0]], [[0.9], [0.8]])
    >>> float(m.result())
    0.5
"""
from __future__ import annotations

import numpy as np

from .. import losses as _losses
from . import functions as fn
from .base import Mean, as_array, same_rank, tensor, wrapper_class

Accuracy = wrapper_class("Accuracy", fn.accuracy, "accuracy", direction="up",
                         doc="How often the prediction equals the target exactly.")
BinaryAccuracy = wrapper_class("BinaryAccuracy", fn.binary_accuracy, "binary_accuracy",
                               (("threshold", 0.5),), "up",
                               "How often ``y_pred > threshold`` matches the 0/1 target.")
CategoricalAccuracy = wrapper_class("CategoricalAccuracy", fn.categorical_accuracy,
                                    "categorical_accuracy", direction="up",
                                    doc="How often the arg-max matches the one-hot target.")
SparseCategoricalAccuracy = wrapper_class(
    "SparseCategoricalAccuracy", fn.sparse_categorical_accuracy, "sparse_categorical_accuracy",
    direction="up", doc="How often the arg-max matches the integer target.")
TopKCategoricalAccuracy = wrapper_class(
    "TopKCategoricalAccuracy", fn.top_k_categorical_accuracy, "top_k_categorical_accuracy",
    (("k", 5),), "up", "How often the one-hot target is among the top ``k`` predictions.")
SparseTopKCategoricalAccuracy = wrapper_class(
    "SparseTopKCategoricalAccuracy", fn.sparse_top_k_categorical_accuracy,
    "sparse_top_k_categorical_accuracy", (("k", 5), ("from_sorted_ids", False)), "up",
    "How often the integer target is among the top ``k`` predictions.")

MeanSquaredError = wrapper_class("MeanSquaredError", _losses.mean_squared_error,
                                 "mean_squared_error", direction="down")
MeanAbsoluteError = wrapper_class("MeanAbsoluteError", _losses.mean_absolute_error,
                                  "mean_absolute_error", direction="down")
MeanAbsolutePercentageError = wrapper_class(
    "MeanAbsolutePercentageError", _losses.mean_absolute_percentage_error,
    "mean_absolute_percentage_error", direction="down")
MeanSquaredLogarithmicError = wrapper_class(
    "MeanSquaredLogarithmicError", _losses.mean_squared_logarithmic_error,
    "mean_squared_logarithmic_error", direction="down")
CosineSimilarity = wrapper_class("CosineSimilarity", fn.cosine_similarity, "cosine_similarity",
                                 (("axis", -1),), "up")
LogCoshError = wrapper_class("LogCoshError", _losses.log_cosh, "logcosh", direction="down")
PearsonCorrelation = wrapper_class("PearsonCorrelation", fn.pearson_correlation,
                                   "pearson_correlation", (("axis", -1),), "up")
ConcordanceCorrelation = wrapper_class("ConcordanceCorrelation", fn.concordance_correlation,
                                       "concordance_correlation", (("axis", -1),), "up")

BinaryCrossentropy = wrapper_class(
    "BinaryCrossentropy", _losses.binary_crossentropy, "binary_crossentropy",
    (("from_logits", False), ("label_smoothing", 0)), "down")
CategoricalCrossentropy = wrapper_class(
    "CategoricalCrossentropy", _losses.categorical_crossentropy, "categorical_crossentropy",
    (("from_logits", False), ("label_smoothing", 0), ("axis", -1)), "down")
SparseCategoricalCrossentropy = wrapper_class(
    "SparseCategoricalCrossentropy", _losses.sparse_categorical_crossentropy,
    "sparse_categorical_crossentropy", (("from_logits", False), ("ignore_class", None),
                                        ("axis", -1)), "down")
KLDivergence = wrapper_class("KLDivergence", _losses.kl_divergence, "kl_divergence",
                             direction="down")
Poisson = wrapper_class("Poisson", _losses.poisson, "poisson", direction="down")
Hinge = wrapper_class("Hinge", _losses.hinge, "hinge", direction="down")
SquaredHinge = wrapper_class("SquaredHinge", _losses.squared_hinge, "squared_hinge",
                             direction="down")
CategoricalHinge = wrapper_class("CategoricalHinge", _losses.categorical_hinge,
                                 "categorical_hinge", direction="down")


class RootMeanSquaredError(Mean):
    """``sqrt(mean((y_pred - y_true)**2))`` over everything seen."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self._direction = "down"

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = same_rank(as_array(y_true, self.dtype), as_array(y_pred, self.dtype))
        return super().update_state(np.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self):
        return tensor(np.sqrt(super().result()._data), self.dtype)


