"""``ember.sklearn``: scikit-learn estimators around ember modules (needs scikit-learn).

``NeuralNetClassifier`` and ``NeuralNetRegressor`` wrap any ``ember.nn.Module`` (or build an MLP
from ``hidden_layer_sizes``) and work in ``Pipeline``, ``GridSearchCV`` and ``cross_val_score``.

Example::

    >>> from ember.sklearn import NeuralNetClassifier
    >>> clf = NeuralNetClassifier(hidden_layer_sizes=(64,), max_iter=30, random_state=0)
    >>> clf.fit(X_train, y_train).score(X_test, y_test)
"""
from .base import default_mlp
from .estimators import NeuralNetClassifier, NeuralNetRegressor

__all__ = ["NeuralNetClassifier", "NeuralNetRegressor", "default_mlp"]
