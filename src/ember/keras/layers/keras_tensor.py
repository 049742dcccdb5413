"""``KerasTensor``: a symbolic tensor (shape with a None batch axis, dtype) of a model graph.

``keras.Input`` returns one; calling a layer on one returns another and records the call, which
is how ``keras.Model(inputs, outputs)`` finds its graph.
"""
from __future__ import annotations

__all__ = ["KerasTensor"]


class KerasTensor:
    """Shape and dtype of a tensor that will flow through a model, and the layer call (its
    ``_keras_history``: layer, node index, output index) that produces it."""

    _keras_symbolic = True

    def __init__(self, shape, dtype="float32", name=None, history=None):
        self.shape = tuple(shape)
        self.dtype = dtype
        self.name = name
        self._keras_history = history

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self):
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"
