"""Keras's ``Embedding``: integer indices to dense vectors, with ``mask_zero`` making the mask
that the following layers receive. The lookup is ``ember.nn.functional.embedding``."""
from __future__ import annotations

import warnings

import numpy as np

from ..._tensor import Tensor
from ...nn import functional as F
from .. import initializers as _init
from .. import regularizers as _reg
from .base import Layer
from .core import refuse_lora_and_quantization

__all__ = ["Embedding"]


class Embedding(Layer):
    """A table ``embeddings (input_dim, output_dim)`` looked up by integer inputs.

    Args:
        input_dim: vocabulary size (largest index + 1). output_dim: vector size.
        embeddings_initializer: default ``uniform`` (U(-0.05, 0.05)).
        embeddings_regularizer, embeddings_constraint: as Keras.
        mask_zero: index 0 is padding: the output carries the mask ``inputs != 0``.
        weights: an initial table.

    Shape: ``(batch, ...)`` integers → ``(batch, ..., output_dim)``.

    Example::

        >>> emb = layers.Embedding(100, 8, mask_zero=True)
        >>> emb(np.array([[4, 2, 0]])).shape
        ember.Size([1, 3, 8])
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 weights=None, lora_rank=None, lora_alpha=None, quantization_config=None,
                 **kwargs):
        for name, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"`{name}` must be a positive integer. Received: {name}={value} "
                                 f"(of type {type(value).__name__}).")
        refuse_lora_and_quantization("Embedding", lora_rank, quantization_config)
        if kwargs.pop("input_length", None) is not None:
            warnings.warn("Argument `input_length` is deprecated. Just remove it.", stacklevel=2)
        super().__init__(**kwargs)
        self.input_dim, self.output_dim = input_dim, output_dim
        self.embeddings_initializer = _init.get(embeddings_initializer)
        self.embeddings_regularizer = _reg.get(embeddings_regularizer)
        self.embeddings_constraint = embeddings_constraint
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        if weights is not None:
            self.build()
            self.set_weights(weights if isinstance(weights, list) and len(weights) == 1
                             else [weights])

    def build(self, input_shape=None):
        if self.built:
            return
        self.embeddings = self.add_weight(shape=(self.input_dim, self.output_dim),
                                          initializer=self.embeddings_initializer,
                                          name="embeddings",
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint)
        self.built = True

    def call(self, inputs):
        arr = inputs._data
        if arr.dtype.kind not in "iu":
            arr = arr.astype(np.int32)
        return F.embedding(Tensor._make(arr), self.embeddings)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return Tensor._make(np.asarray(inputs._data != 0))

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.output_dim)

    def get_config(self):
        return {**super().get_config(), "input_dim": self.input_dim,
                "output_dim": self.output_dim,
                "embeddings_initializer": _init.serialize(self.embeddings_initializer),
                "embeddings_regularizer": _reg.serialize(self.embeddings_regularizer),
                "mask_zero": self.mask_zero}
