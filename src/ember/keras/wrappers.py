"""``keras.wrappers``: scikit-learn estimators over compiled ``ember.keras`` models, with Keras
3.5's names and arguments: ``SKLearnClassifier``, ``SKLearnRegressor``, ``SKLearnTransformer``.

``model`` is a compiled Keras model (cloned, and the clone compiled alike, at each ``fit``) or a
callable ``model(X=, y=, **model_kwargs)`` returning one; ``fit`` runs ``model.fit`` with
``fit_kwargs`` (updated by ``fit``'s own keywords). The classifier one-hot encodes its labels and
``predict`` returns the label of the largest output; the transformer's ``transform`` is
``model.predict``. scikit-learn is imported when this module is (``pip install scikit-learn``).

Example::

    >>> def build(X, y, hidden=16):
    ...     model = keras.Sequential([keras.Input((X.shape[1],)),
    ...                               keras.layers.Dense(hidden, activation="relu"),
    ...                               keras.layers.Dense(y.shape[1], activation="softmax")])
    ...     model.compile(loss="categorical_crossentropy", optimizer="adam")
    ...     return model
    >>> clf = keras.wrappers.SKLearnClassifier(build, fit_kwargs={"epochs": 20, "verbose": 0})
    >>> clf.fit(X, y).predict(X[:3])
"""
from __future__ import annotations

import numpy as np

try:
    import sklearn  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError("ember.keras.wrappers needs scikit-learn: pip install scikit-learn") from exc
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, TransformerMixin
from sklearn.preprocessing import OneHotEncoder
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from .models import Model, clone_model
from . import optimizers as _optimizers

__all__ = ["SKLearnClassifier", "SKLearnRegressor", "SKLearnTransformer"]


def _clone_compiled(model):
    """``clone_model(model)`` compiled with a fresh copy of ``model``'s optimizer, its loss and
    metrics (as Keras's wrapper gets from its ``clone_model``)."""
    twin = clone_model(model)
    if getattr(model, "compiled", False):
        optimizer = _optimizers.deserialize(_optimizers.serialize(model.optimizer))
        twin.compile(optimizer=optimizer, **model._compile_config)
    return twin


class _SKLBase(BaseEstimator):
    """What the three wrappers share: the model's construction, ``fit`` and the target's
    reshaping (a 1-D ``y`` is given to Keras as a column and predictions come back 1-D)."""

    _is_classifier = False

    def __init__(self, model, warm_start=False, model_kwargs=None, fit_kwargs=None):
        self.model = model
        self.warm_start = warm_start
        self.model_kwargs = model_kwargs
        self.fit_kwargs = fit_kwargs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = True
        tags.target_tags.multi_output = not self._is_classifier  # y may be 2-D
        return tags

    @property
    def epoch_(self) -> int:
        """The number of epochs of the last ``fit``."""
        history = getattr(self, "history_", None)
        return len(getattr(history, "epoch", [])) if history is not None else 0

    def _get_model(self, X, y):
        if self.warm_start and hasattr(self, "model_"):
            return self.model_
        if isinstance(self.model, Model):
            return _clone_compiled(self.model)
        if not callable(self.model):
            raise TypeError(f"{type(self).__name__}: model must be a compiled keras Model or a "
                            f"callable returning one, got {type(self.model).__name__}")
        return self.model(X=X, y=y, **(self.model_kwargs or {}))

    @staticmethod
    def _check_model(model) -> None:
        if not isinstance(model, Model):
            raise TypeError(f"the model callable must return a keras Model, got "
                            f"{type(model).__name__}")
        if not getattr(model, "compiled", False) or not getattr(model, "loss", None) or \
                getattr(model, "optimizer", None) is None:
            raise RuntimeError("Given model needs to be compiled, and have a loss and an "
                               "optimizer.")

    def _process_target(self, y, reset: bool):
        type_of_target(y, raise_unknown=True)
        y = np.asarray(y)
        if reset:
            self._y_ndim = y.ndim
        return y.reshape(-1, 1) if y.ndim == 1 else y

    def _reverse_process_target(self, out):
        out = np.asarray(out)
        return out[:, 0] if self._y_ndim == 1 and out.ndim == 2 and out.shape[1] == 1 else out

    def fit(self, X, y, **kwargs):
        """Builds (or, with ``warm_start``, keeps) the model and runs ``model.fit(X, y)``.

        Args:
            X: ``(n_samples, n_features)``; y: ``(n_samples,)`` or ``(n_samples, n_outputs)``.
            kwargs: passed to ``model.fit`` (over ``fit_kwargs``).
        """
        X, y = validate_data(self, X, y, multi_output=not self._is_classifier,
                             y_numeric=not self._is_classifier, dtype="float32")
        target = self._process_target(y, reset=True)
        model = self._get_model(X, target)
        self._check_model(model)
        fit_kwargs = {**(self.fit_kwargs or {}), **kwargs}
        self.history_ = model.fit(X, target, **fit_kwargs)
        self.model_ = model
        return self

    def _raw(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype="float32")
        return np.asarray(self.model_.predict(X, verbose=0))

    def predict(self, X):
        """The model's predictions, in the shape of the ``y`` given to ``fit``."""
        return self._reverse_process_target(self._raw(X))


class SKLearnClassifier(ClassifierMixin, _SKLBase):
    """A scikit-learn classifier over a Keras model with one output per class (labels are one-hot
    encoded for ``fit``; ``predict`` takes the largest output). Args as the module says.

    Example::

        >>> clf = SKLearnClassifier(build, fit_kwargs={"epochs": 10, "verbose": 0}).fit(X, y)
        >>> clf.classes_, clf.predict(X[:2])
    """

    _is_classifier = True

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.poor_score = True
        return tags

    def _process_target(self, y, reset: bool):
        kind = type_of_target(y, raise_unknown=True)
        if kind not in ("binary", "multiclass"):
            raise ValueError(f"Only binary and multiclass target types are supported. Target "
                             f"type: {kind}")
        y = np.asarray(y).reshape(-1, 1)
        if reset:
            self._encoder = OneHotEncoder(sparse_output=False, dtype=np.float32).fit(y)
            self.classes_ = self._encoder.categories_[0]
            if len(self.classes_) == 1:
                raise ValueError("Classifier can't train when only one class is present.")
        return self._encoder.transform(y)

    def _reverse_process_target(self, out):
        return self.classes_[np.argmax(out.reshape(len(out), -1), axis=1)]

    def decision_function(self, X):
        """The model's raw outputs ``(n_samples, n_classes)``."""
        return self._raw(X)


class SKLearnRegressor(RegressorMixin, _SKLBase):
    """A scikit-learn regressor over a Keras model (one output column per target).

    Example::

        >>> reg = SKLearnRegressor(build, model_kwargs={"loss": "mse"}).fit(X, y)
        >>> reg.score(X, y)
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.regressor_tags.poor_score = True
        return tags


class SKLearnTransformer(TransformerMixin, _SKLBase):
    """A scikit-learn transformer whose ``transform`` is the fitted model's ``predict`` (e.g.
    an embedding for a later step of a pipeline).

    Example::

        >>> features = SKLearnTransformer(build).fit(X, y).transform(X)
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]  # the model computes in float32
        return tags

    def transform(self, X):
        """``model_.predict(X)``: ``(n_samples, n_outputs)``."""
        return self._raw(X)
