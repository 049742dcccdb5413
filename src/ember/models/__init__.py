"""Classic models that are not ``ember.nn`` modules (the perceptron), and ready-made networks
(the LSTM forecaster of ``ember train --model lstm``).

Example::

    >>> from ember.models import Perceptron
    >>> Perceptron(activation="sign")
    Perceptron(activation='sign', unfitted)
"""
from .perceptron import Perceptron, PerceptronConvergenceWarning
from .sequence import LastStep, SequenceOutputs, lstm_forecaster

__all__ = ["Perceptron", "PerceptronConvergenceWarning", "LastStep", "SequenceOutputs",
           "lstm_forecaster"]
