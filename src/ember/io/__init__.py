"""Saving and loading: ``ember.save``/``ember.load`` (safetensors + JSON, no pickle), atomic
writes, and training checkpoints.

Example::

    >>> ember.save(model.state_dict(), "model.safetensors")
    >>> model.load_state_dict(ember.load("model.safetensors"))
"""
from .atomic import atomic_write_bytes, atomic_write_text
from .checkpoint import load_checkpoint, save_checkpoint
from .serialize import FORMAT, CorruptFileError, load, save

__all__ = ["save", "load", "CorruptFileError", "FORMAT", "atomic_write_bytes", "atomic_write_text",
           "save_checkpoint", "load_checkpoint"]
