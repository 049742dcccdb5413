"""Make training visible: health monitor and report, learning-rate finder, activation gallery.

Example::

    >>> from ember.diagnostics import diagnose
    >>> print(diagnose([], __import__("numpy").zeros((0, 0)), [], {}, {}, []))
    No problems found.
"""
from .findings import Finding, Report, diagnose
from .gallery import ACTIVATIONS, autograd_derivative, plot_activations
from .lr_finder import LRFinderResult, lr_find
from .monitor import TrainingMonitor

__all__ = ["ACTIVATIONS", "Finding", "LRFinderResult", "Report", "TrainingMonitor",
           "autograd_derivative", "diagnose", "lr_find", "plot_activations"]
