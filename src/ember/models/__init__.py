"""Classic models that are not ``ember.nn`` modules: the perceptron.

Example::

    >>> from ember.models import Perceptron
    >>> Perceptron(activation="sign")
    Perceptron(activation='sign', unfitted)
"""
from .perceptron import Perceptron, PerceptronConvergenceWarning

__all__ = ["Perceptron", "PerceptronConvergenceWarning"]
