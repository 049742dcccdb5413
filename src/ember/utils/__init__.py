"""Utilities: :mod:`ember.utils.data` (datasets, samplers, ``DataLoader``),
:mod:`ember.utils.checkpoint` (activation checkpointing) and
:mod:`ember.utils.tensorboard` (``SummaryWriter``; imported on demand, it needs the
``tensorboard`` extra)."""
from . import checkpoint, data

__all__ = ["checkpoint", "data"]
