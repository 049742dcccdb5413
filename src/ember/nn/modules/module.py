"""``Module``'s path as torch names it (``torch.nn.modules.module.Module``); the class lives in
:mod:`ember.nn.module`."""
from ..module import Module

__all__ = ["Module"]
