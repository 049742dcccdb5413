"""Keras's ``Embedding``: integer indices to dense vectors, with ``mask_zero`` making the mask
that the following layers receive, and ``ReversibleEmbedding``, which also projects back to the
vocabulary. The lookup is ``ember.nn.functional.embedding``."""
from __future__ import annotations

import warnings

import numpy as np

from ..._tensor import Tensor
from ...nn import functional as F
from ...ops.linalg import matmul
from ...ops.activation import tanh
from .. import initializers as _init
from .. import regularizers as _reg
from ..ops._base import cast
from .base import Layer
from .core import refuse_lora_and_quantization
from .masking import set_keras_mask

__all__ = ["Embedding", "ReversibleEmbedding"]


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


class ReversibleEmbedding(Embedding):
    """An :class:`Embedding` that can also project back from ``output_dim`` to ``input_dim``
    (``call(x, reverse=True)``, logits over the vocabulary), with the transposed table
    (``tie_weights=True``, Press & Wolf, 2016) or a separate ``reverse_embeddings (output_dim,
    input_dim)``; no bias.

    Args:
        input_dim, output_dim, embeddings_initializer/_regularizer/_constraint, mask_zero:
            as :class:`Embedding`.
        tie_weights: reverse with ``embeddings.T`` (default) or with its own weights.
        reverse_dtype: dtype of the reverse matmul (default the layer's float32).
        logit_soft_cap: reverse logits become ``tanh(logits / cap) * cap``.

    Shape: forward ``(batch, ...)`` integers → ``(batch, ..., output_dim)``; reverse
    ``(batch, ..., output_dim)`` → ``(batch, ..., input_dim)``.

    Example::

        >>> emb = layers.ReversibleEmbedding(100, 8)
        >>> hidden = emb(np.array([[4, 2, 0]]))
        >>> emb(hidden, reverse=True).shape
        ember.Size([1, 3, 100])
    """

    def __init__(self, input_dim, output_dim, tie_weights=True, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 reverse_dtype=None, logit_soft_cap=None, **kwargs):
        weights = kwargs.pop("weights", None)
        super().__init__(input_dim, output_dim, embeddings_initializer=embeddings_initializer,
                         embeddings_regularizer=embeddings_regularizer,
                         embeddings_constraint=embeddings_constraint, mask_zero=mask_zero,
                         **kwargs)
        self.tie_weights = bool(tie_weights)
        self.reverse_dtype = reverse_dtype
        self.logit_soft_cap = logit_soft_cap
        if weights is not None:
            self.build()
            self.set_weights(weights)

    def build(self, input_shape=None):
        if self.built:
            return
        super().build(input_shape)
        if not self.tie_weights:
            self.reverse_embeddings = self.add_weight(
                shape=(self.output_dim, self.input_dim), initializer=self.embeddings_initializer,
                name="reverse_embeddings")

    def call(self, inputs, reverse=False):
        if not reverse:
            result = super().call(inputs)
            set_keras_mask(result, super().compute_mask(inputs))
            return result
        kernel = self.embeddings.T if self.tie_weights else self.reverse_embeddings
        if self.reverse_dtype is not None:
            inputs, kernel = cast(inputs, self.reverse_dtype), cast(kernel, self.reverse_dtype)
        logits = matmul(inputs, kernel)
        if self.logit_soft_cap is not None:
            logits = tanh(logits / self.logit_soft_cap) * self.logit_soft_cap
        return logits

    def compute_mask(self, inputs, mask=None):
        return None  # the forward call attaches the mask itself; the reverse one makes none

    def compute_output_shape(self, input_shape, reverse=False):
        if reverse:
            return (*input_shape[:-1], self.input_dim)
        return (*input_shape, self.output_dim)

    def get_config(self):
        return {**super().get_config(), "tie_weights": self.tie_weights,
                "reverse_dtype": self.reverse_dtype, "logit_soft_cap": self.logit_soft_cap}
