"""Keras's single-head attention layers over a ``[query, value]`` or ``[query, value, key]``
list: ``Attention`` (Luong: dot-product scores, or ``score_mode="concat"``) and
``AdditiveAttention`` (Bahdanau: a learned scale times ``tanh(query + key)``). They compose
ember's differentiable ops (``matmul``, ``tanh``, ``softmax``); masks are Keras's: the value
mask (and ``use_causal_mask``) removes keys, the query mask zeroes output rows and is the
output's mask.

Example::

    >>> import numpy as np
    >>> from ember import keras
    >>> q, v = np.ones((2, 3, 4), np.float32), np.ones((2, 5, 4), np.float32)
    >>> keras.layers.Attention()([q, v]).shape
    ember.Size([2, 3, 4])
"""
from __future__ import annotations

import numpy as np

from ..._tensor import Tensor
from ...nn import functional as F
from .. import random as _random
from .base import Layer
from .masking import get_keras_mask

__all__ = ["Attention", "AdditiveAttention"]

_MASKED = 1.0e9  # what Keras subtracts from a masked score (65504 in float16)


def _array(mask):
    return None if mask is None else np.asarray(getattr(mask, "_data", mask), bool)


class Attention(Layer):
    """Dot-product (Luong-style) attention of ``query`` over ``value`` (keys: ``key``, default
    ``value``).

    Args:
        use_scale: learn a scalar ``scale`` (initially 1) multiplying the scores.
        score_mode: ``"dot"`` (``query @ keyᵀ``) or ``"concat"`` (a learned scalar times
            ``sum(tanh(query + key))``).
        dropout: on the attention weights, in training. seed: for that dropout.

    Call: ``layer([query, value(, key)], mask=[query_mask, value_mask], training=False,
    return_attention_scores=False, use_causal_mask=False)``.

    Shape: query ``(B, Tq, dim)``, value/key ``(B, Tv, dim)`` → ``(B, Tq, dim)``; scores
    ``(B, Tq, Tv)``.

    Example::

        >>> import numpy as np
        >>> from ember import keras
        >>> q, v = np.ones((2, 3, 4), np.float32), np.ones((2, 5, 4), np.float32)
        >>> layer = keras.layers.Attention(use_scale=True)
        >>> out, scores = layer([q, v], return_attention_scores=True)
        >>> scores.shape
        ember.Size([2, 3, 5])
    """

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if score_mode not in ("dot", "concat"):
            raise ValueError(f"Invalid value for argument score_mode. Expected one of "
                             f"{{'dot', 'concat'}}. Received: score_mode={score_mode}")
        self.use_scale, self.score_mode = use_scale, score_mode
        self.dropout, self.seed = dropout, seed
        self.seed_generator = _random.SeedGenerator(seed) if dropout > 0 else None
        self.supports_masking = True

    def build(self, input_shape):
        self._check(input_shape)
        self.scale = self.concat_score_weight = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(name="concat_score_weight", shape=(),
                                                       initializer="ones")

    def _check(self, inputs, mask=None) -> None:
        name = type(self).__name__
        if not isinstance(inputs, list):
            raise ValueError(f"{name} layer must be called on a list of inputs, namely "
                             f"[query, value] or [query, value, key]. Received: inputs={inputs}.")
        if not 2 <= len(inputs) <= 3:
            raise ValueError(f"{name} layer accepts inputs list of length 2 or 3, namely "
                             f"[query, value] or [query, value, key]. Received length: "
                             f"{len(inputs)}.")
        if mask is not None and (not isinstance(mask, list) or not 2 <= len(mask) <= 3):
            raise ValueError(f"{name} layer mask must be a list of length 2 or 3, namely "
                             f"[query_mask, value_mask]. Received: mask={mask}.")

    def _scores(self, query, key):
        if self.score_mode == "dot":
            scores = query.matmul(key.transpose(-2, -1))
            return scores if self.scale is None else scores * self.scale
        pairs = query.unsqueeze(-2) + key.unsqueeze(-3)  # (B, Tq, Tv, dim)
        if self.scale is not None:
            pairs = self.scale * pairs
        return self.concat_score_weight * pairs.tanh().sum(-1)

    def call(self, inputs, mask=None, training=False, return_attention_scores=False,
             use_causal_mask=False):
        inputs = list(inputs) if isinstance(inputs, tuple) else inputs
        mask = list(mask) if isinstance(mask, tuple) else mask
        self._check(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        query_mask, value_mask = (_array(mask[0]), _array(mask[1])) if mask else (None, None)
        scores = self._scores(query, key)
        keep = None if value_mask is None else value_mask[..., None, :]  # (B, 1, Tv)
        if use_causal_mask:
            causal = np.tri(scores.shape[-2], scores.shape[-1], dtype=bool)[None]
            keep = causal if keep is None else keep & causal
        if keep is not None:
            penalty = np.where(keep, 0.0, _MASKED).astype(scores._data.dtype)
            scores = scores - Tensor._make(penalty)
        weights = F.softmax(scores, dim=-1)
        if training and self.dropout > 0:
            weights = _random.dropout(weights, self.dropout, seed=self.seed_generator)
        output = weights.matmul(value)
        if query_mask is not None:
            output = output * Tensor._make(query_mask[..., None].astype(output._data.dtype))
        return (output, weights) if return_attention_scores else output

    def _defines_output_shape(self) -> bool:
        return False  # a symbolic call runs call() on zeros: (output, scores) when asked for

    def compute_output_shape(self, input_shape):
        return (*input_shape[0][:-1], input_shape[1][-1])

    def compute_mask(self, inputs, previous_mask=None):
        if isinstance(previous_mask, (list, tuple)):
            return previous_mask[0]
        return get_keras_mask(inputs[0]) if isinstance(inputs, (list, tuple)) else None

    def get_config(self):
        return {**super().get_config(), "use_scale": self.use_scale,
                "score_mode": self.score_mode, "dropout": self.dropout, "seed": self.seed}


class AdditiveAttention(Attention):
    """Additive (Bahdanau-style) attention: scores ``sum(scale * tanh(query + key), -1)`` with
    a learned ``scale`` of the feature size (Glorot-uniform; 1 with ``use_scale=False``).

    Args, call and shapes as :class:`Attention` (no ``score_mode``).

    Example::

        >>> import numpy as np
        >>> from ember import keras
        >>> q, v = np.ones((2, 3, 4), np.float32), np.ones((2, 5, 4), np.float32)
        >>> keras.layers.AdditiveAttention()([q, v]).shape
        ember.Size([2, 3, 4])
    """

    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape):
        self._check(input_shape)
        self.scale = self.concat_score_weight = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(input_shape[0][-1],),
                                         initializer="glorot_uniform")

    def _scores(self, query, key):
        pairs = (query.unsqueeze(-2) + key.unsqueeze(-3)).tanh()  # (B, Tq, Tv, dim)
        return (pairs if self.scale is None else self.scale * pairs).sum(-1)

    def get_config(self):
        config = super().get_config()
        del config["score_mode"]
        return config
