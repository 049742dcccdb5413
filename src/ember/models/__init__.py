"""Classic models that are not ``ember.nn`` modules (the perceptron), and ready-made networks
(the blocks of ``ember train --model lstm``'s forecaster).

Example::

    >>> from ember.models import Perceptron
    >>> Perceptron(activation="sign")
    Perceptron(activation='sign', unfitted)
"""
from .perceptron import Perceptron, PerceptronConvergenceWarning
from .sequence import LastStep, SequenceOutputs

__all__ = ["Perceptron", "PerceptronConvergenceWarning", "LastStep", "SequenceOutputs"]
