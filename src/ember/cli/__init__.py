"""The ``ember`` command line (see ``ember.cli.main``)."""
from .main import main

__all__ = ["main"]
