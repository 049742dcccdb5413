"""Saving and loading: ``ember.save``/``ember.load`` (safetensors + JSON, no pickle), atomic
writes, training checkpoints, and the bounded readers and schema checks every file reader uses.

Example::

    >>> ember.save(model.state_dict(), "model.safetensors")
    >>> model.load_state_dict(ember.load("model.safetensors"))
"""
from .atomic import atomic_write_bytes, atomic_write_text
from .bounded import loads_json, memory_budget, open_regular, read_at_most
from .checkpoint import load_checkpoint, save_checkpoint
from .errors import CorruptFileError
from .schema import SchemaError
from .serialize import FORMAT, MAX_NESTING, load, save

__all__ = ["save", "load", "CorruptFileError", "SchemaError", "FORMAT", "MAX_NESTING",
           "atomic_write_bytes", "atomic_write_text", "save_checkpoint", "load_checkpoint",
           "open_regular", "read_at_most", "loads_json", "memory_budget"]
