"""``NeuralNetClassifier`` and ``NeuralNetRegressor``: scikit-learn estimators training an
``ember.nn.Module`` (by default an MLP from ``hidden_layer_sizes``, as ``MLPClassifier``)."""
from __future__ import annotations

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from ember import nn

from .base import NeuralNetBase

_DOC_PARAMS = """
    Args:
        module: an ``ember.nn.Module`` (deep-copied and re-initialized by ``fit``), or a
            callable ``(n_features, n_outputs) -> Module``; None builds an MLP from
            ``hidden_layer_sizes`` and ``activation`` (relu, tanh, logistic, identity, gelu,
            silu, elu, leaky_relu).
        optimizer: 'adam' (default), 'sgd', 'adamw' or 'rmsprop' from ``ember.optim``.
        learning_rate_init: the optimizer's learning rate.
        alpha: L2 penalty, as the optimizer's ``weight_decay``.
        batch_size: 'auto' is ``min(200, n_samples)``.
        max_iter: epochs for ``fit`` (``partial_fit`` runs one).
        tol, n_iter_no_change: stop when the training loss (or, with ``early_stopping``, the
            validation score) has not improved by ``tol`` for ``n_iter_no_change`` epochs.
        early_stopping, validation_fraction: hold out that fraction of the training data and
            keep the weights of the best validation score.
        random_state: seeds initialization, shuffling and the validation split.
"""


class NeuralNetClassifier(ClassifierMixin, NeuralNetBase):
    __doc__ = """Classifier training an ember module with cross-entropy on its logits.
    """ + _DOC_PARAMS + """
    Shape:
        X: ``(n_samples, n_features)``; y: ``(n_samples,)`` labels of any type;
        ``predict_proba``: ``(n_samples, n_classes)``.

    Example::

        >>> clf = NeuralNetClassifier(hidden_layer_sizes=(32,), max_iter=50).fit(X, y)
        >>> clf.predict_proba(X[:2])
    """
    _stratify = True

    def _targets(self, y, first: bool, classes=None):
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if first:
            self.classes_ = np.unique(y) if classes is None else np.unique(np.asarray(classes))
            self._n_outputs = len(self.classes_)
        index = np.searchsorted(self.classes_, y)
        index = np.clip(index, 0, len(self.classes_) - 1)
        if np.any(self.classes_[index] != y):
            unseen = sorted(set(np.asarray(y)[self.classes_[index] != y].tolist()))
            raise ValueError(f"y contains labels not in classes_ {self.classes_.tolist()}: {unseen}")
        return index.astype(np.int64)

    def _loss(self):
        return nn.functional.cross_entropy  # the function: no module built every epoch

    def _score_arrays(self, X, Y) -> float:
        return float(np.mean(self._forward(X).argmax(axis=1) == Y))

    def fit(self, X, y):
        """Trains a fresh module for ``max_iter`` epochs (or until it stops improving)."""
        return self._fit(X, y, partial=False)

    def partial_fit(self, X, y, classes=None):
        """One epoch on ``(X, y)``; the first call needs ``classes`` (all labels) unless ``fit``
        ran before."""
        if not hasattr(self, "module_") and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        return self._fit(X, y, partial=True, classes=classes)

    def predict_proba(self, X):
        """Class probabilities (softmax of the module's outputs), columns in ``classes_`` order."""
        check_is_fitted(self, "module_")
        X = validate_data(self, X, reset=False, dtype=np.float32)
        logits = self._forward(X).astype(np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        prob = np.exp(logits)
        return prob / prob.sum(axis=1, keepdims=True)

    def predict_log_proba(self, X):
        return np.log(self.predict_proba(X))

    def predict(self, X):
        """The most probable class of each row."""
        prob = self.predict_proba(X)
        return self.classes_[np.argmax(prob, axis=1)]

    def score(self, X, y, sample_weight=None):
        return accuracy_score(y, self.predict(X), sample_weight=sample_weight)


class NeuralNetRegressor(RegressorMixin, NeuralNetBase):
    __doc__ = """Regressor training an ember module with the mean squared error.
    """ + _DOC_PARAMS + """
    Shape:
        X: ``(n_samples, n_features)``; y: ``(n_samples,)`` or ``(n_samples, n_targets)``;
        ``predict`` returns y's shape.

    Example::

        >>> reg = NeuralNetRegressor(hidden_layer_sizes=(32,), max_iter=50).fit(X, y)
        >>> reg.predict(X[:2])
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _targets(self, y, first: bool, classes=None):
        y = np.asarray(y, dtype=np.float32)
        if first:
            self._y_1d = y.ndim == 1
            self._n_outputs = 1 if y.ndim == 1 else y.shape[1]
        Y = y.reshape(len(y), -1)
        if Y.shape[1] != self._n_outputs:
            raise ValueError(f"y has {Y.shape[1]} targets, the model was fitted with {self._n_outputs}")
        return Y

    def _loss(self):
        return nn.functional.mse_loss

    def _score_arrays(self, X, Y) -> float:
        return float(r2_score(Y, self._forward(X)))

    def fit(self, X, y):
        """Trains a fresh module for ``max_iter`` epochs (or until it stops improving)."""
        return self._fit(X, y, partial=False)

    def partial_fit(self, X, y):
        """One epoch on ``(X, y)`` (builds the module on the first call)."""
        return self._fit(X, y, partial=True)

    def predict(self, X):
        """The module's outputs, shaped like the ``y`` it was fitted on."""
        check_is_fitted(self, "module_")
        X = validate_data(self, X, reset=False, dtype=np.float32)
        out = self._forward(X).astype(np.float64)
        return out.ravel() if self._y_1d else out
