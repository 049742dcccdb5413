"""``ember.nn``: modules, layers, activations, losses, ``functional``, ``init`` and ``utils``,
with PyTorch's names, defaults and numbers.

Example::

    >>> import ember
    >>> import ember.nn as nn
    >>> model = nn.Sequential(nn.Linear(9, 4), nn.Linear(4, 2), nn.Linear(2, 1))
    >>> sum(p.numel() for p in model.parameters())
    53
"""
from . import functional, init, parallel, utils
from .module import Module
from .modules import *  # noqa: F401,F403 - the public layer classes
from .modules import __all__ as _modules_all
from .parallel import DataParallel
from .parameter import Buffer, Parameter

__all__ = ["DataParallel", "Module", "Parameter", "Buffer", "functional", "init", "parallel", "utils"] + list(_modules_all)
