"""``keras.Input`` and ``InputLayer``: where a model's data enters, with its shape and dtype.

Example::

    >>> x = keras.Input(shape=(4,), name="features")
    >>> x.shape
    (None, 4)
"""
from __future__ import annotations

from .base import Layer
from .keras_tensor import KerasTensor
from .node import Node

__all__ = ["InputLayer", "Input"]


class InputLayer(Layer):
    """Declares the input (shape without the batch axis, dtype) of a model.

    Args:
        shape: the shape of one sample, e.g. ``(4,)``.
        batch_size: a fixed batch size (default None: any).
        dtype: the dtype of the data (default float32).
        batch_shape: the shape with the batch axis, instead of ``shape`` and ``batch_size``.
    """

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, ragged=None,
                 batch_shape=None, input_tensor=None, optional=False, name=None,
                 input_shape=None, **kwargs):
        if ragged:  # Keras's message on its torch backend
            raise ValueError("`ragged=True` is not supported with the torch backend")
        shape = shape if shape is not None else input_shape
        if batch_shape is None:
            if shape is None:
                raise ValueError("You must pass a `shape` argument.")
            if isinstance(shape, int):
                shape = (shape,)
            batch_shape = (batch_size,) + tuple(shape)
        elif shape is not None:
            raise ValueError(f"You cannot pass both `shape` and `batch_shape` at the same time. "
                             f"Received: shape={shape}, batch_shape={batch_shape}")
        super().__init__(name=name, batch_input_shape=batch_shape, **kwargs)
        self.batch_shape = tuple(None if s is None else int(s) for s in batch_shape)
        self.input_dtype = "float32" if dtype is None else str(getattr(dtype, "name", dtype))
        self.optional = bool(optional)
        self._build_once(self.batch_shape)
        Node(self, outputs=KerasTensor(self.batch_shape, self.input_dtype, name=self.name))

    def compute_output_shape(self, input_shape):
        return input_shape

    def call(self, inputs, training=False):
        return inputs

    def get_config(self):
        return {"batch_shape": list(self.batch_shape), "dtype": self.input_dtype,
                "sparse": False, "ragged": False, "name": self.name, "optional": self.optional}


def Input(shape=None, batch_size=None, dtype=None, sparse=None, ragged=None,  # noqa: N802
          batch_shape=None, name=None, tensor=None, optional=False):
    """``keras.Input(shape=(n,))``: a symbolic tensor starting a model; ``shape`` excludes the
    batch axis."""
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, ragged=ragged,
                       batch_shape=batch_shape, name=name, optional=optional)
    return layer.output
