"""Utilities: :mod:`ember.utils.data` (datasets, samplers, ``DataLoader``) and
:mod:`ember.utils.tensorboard` (``SummaryWriter``; imported on demand, it needs the
``tensorboard`` extra)."""
from . import data

__all__ = ["data"]
