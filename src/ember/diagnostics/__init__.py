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

__all__ = ["ACTIVATIONS", "Finding", "KerasMonitor", "LRFinderResult", "Report",
           "TrainingMonitor", "autograd_derivative", "diagnose", "lr_find", "plot_activations"]


def __getattr__(name):
    """``KerasMonitor`` is imported on first use, so ``ember.keras`` loads only when needed."""
    if name == "KerasMonitor":
        from .keras_callback import KerasMonitor
        globals()["KerasMonitor"] = KerasMonitor
        return KerasMonitor
    raise AttributeError(f"module 'ember.diagnostics' has no attribute {name!r}")
