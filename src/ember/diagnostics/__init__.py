"""Make training visible: health monitor and report, learning-rate finder, activation gallery.

Example::

    >>> from ember.diagnostics import diagnose
    >>> print(diagnose([], __import__("numpy").zeros((0, 0)), [], {}, {}, []))
    No problems found.
"""
from .findings import Finding, Report, diagnose

__all__ = ["Finding", "Report", "diagnose"]
