"""Keras's ``MultiHeadAttention``: Keras 3's weights (sublayers ``query``, ``key``, ``value``
with kernels ``(dim, heads, key_dim)`` and ``attention_output`` with ``(heads, value_dim,
dim)``), its masks (the inputs' Keras masks, ``attention_mask``, ``use_causal_mask``) and its
numbers; the attention itself is ember's one node (:mod:`ember.ops.attention`)."""
from __future__ import annotations

import math

import numpy as np

from ..._tensor import Tensor
from ...nn import functional as F
from ...nn.functional.attention import _attend
from .. import initializers as _init
from .. import random as _random
from .. import regularizers as _reg
from .._utils import unique_name
from .base import Layer
from .masking import get_keras_mask

__all__ = ["MultiHeadAttention"]


class _Projection(Layer):
    """Keras's ``EinsumDense`` as MultiHeadAttention uses it: the last ``bound`` axes of the
    input times a kernel ``bound_shape + out_shape``, plus a bias ``out_shape``."""

    def __init__(self, in_shape, out_shape, use_bias, kernel_initializer, bias_initializer,
                 kernel_regularizer, bias_regularizer, kernel_constraint, bias_constraint,
                 **kwargs):
        super().__init__(**kwargs)
        self.in_shape, self.out_shape = tuple(in_shape), tuple(out_shape)
        self.kernel = self.add_weight(shape=self.in_shape + self.out_shape, name="kernel",
                                      initializer=kernel_initializer,
                                      regularizer=kernel_regularizer,
                                      constraint=kernel_constraint)
        self.bias = None
        if use_bias:
            self.bias = self.add_weight(shape=self.out_shape, name="bias",
                                        initializer=bias_initializer,
                                        regularizer=bias_regularizer, constraint=bias_constraint)
        self.built = True

    def call(self, inputs):
        n_in, n_out = int(np.prod(self.in_shape)), int(np.prod(self.out_shape))
        lead = tuple(inputs.shape[:inputs.ndim - len(self.in_shape)])
        x = inputs.reshape(lead + (n_in,))
        bias = None if self.bias is None else self.bias.reshape(n_out)
        return F.linear(x, self.kernel.reshape(n_in, n_out).T, bias).reshape(lead + self.out_shape)


class MultiHeadAttention(Layer):
    """Attention of ``query`` over ``value`` (and ``key``, default ``value``) in ``num_heads``
    heads (Vaswani et al., 2017).

    Args:
        num_heads, key_dim: heads and query/key size per head. value_dim: default key_dim.
        dropout: on the attention weights (training only). use_bias: default True.
        output_shape: the output's last size (default the query's).
        sliding_window: a query attends only to keys less than this many steps away.
        use_gate: the output of each head is multiplied by ``sigmoid`` of a projection of the
            query (a sublayer ``gate``) before the output projection.
        kernel/bias _initializer, _regularizer, _constraint: as Keras.

    ``call(query, value, key=None, attention_mask=None, return_attention_scores=False,
    training=None, use_causal_mask=False)``; the inputs' Keras masks are used, and the
    output carries the query's. Scores are ``(batch, heads, T, S)``.

    Example::

        >>> mha = layers.MultiHeadAttention(num_heads=2, key_dim=4)
        >>> x = np.zeros((3, 5, 8), np.float32)
        >>> out, scores = mha(x, x, return_attention_scores=True)
        >>> out.shape, scores.shape
        (ember.Size([3, 5, 8]), ember.Size([3, 2, 5, 5]))
    """

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, attention_axes=None, sliding_window=None,
                 flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 use_gate=False, seed=None, **kwargs):
        for name, value in (("num_heads", num_heads), ("key_dim", key_dim)):
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"Received an invalid value for argument `{name}`, expected a "
                                 f"positive integer. Received: {name}={value}")
        if value_dim is not None and (not isinstance(value_dim, int) or value_dim <= 0):
            raise ValueError(f"Received an invalid value for argument `value_dim`, expected a "
                             f"positive integer or `None`. Received: value_dim={value_dim}")
        if attention_axes not in (None, 1, (1,), [1]):
            raise NotImplementedError("ember.keras MultiHeadAttention attends over axis 1 only "
                                      "(no attention_axes)")
        if sliding_window is not None and (not isinstance(sliding_window, int)
                                           or isinstance(sliding_window, bool)
                                           or sliding_window <= 0):
            raise ValueError(f"`sliding_window` must be `None` or a positive integer. "
                             f"Received: sliding_window={sliding_window}")
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.supports_masking = True
        self.num_heads, self.key_dim = num_heads, key_dim
        self.value_dim = value_dim or key_dim
        self.dropout, self.use_bias = float(dropout), bool(use_bias)
        if isinstance(output_shape, int):
            output_shape = (output_shape,)
        if output_shape is not None and len(tuple(output_shape)) != 1:
            raise NotImplementedError(f"ember.keras MultiHeadAttention supports a 1-D "
                                      f"output_shape; received output_shape={output_shape}")
        self._output_shape = None if output_shape is None else tuple(output_shape)
        self.flash_attention = flash_attention
        self.kernel_initializer = _init.get(kernel_initializer)
        self.bias_initializer = _init.get(bias_initializer)
        self.kernel_regularizer = _reg.get(kernel_regularizer)
        self.bias_regularizer = _reg.get(bias_regularizer)
        self.kernel_constraint, self.bias_constraint = kernel_constraint, bias_constraint
        self.sliding_window, self.use_gate = sliding_window, bool(use_gate)
        self._kv_heads = num_heads  # GroupedQueryAttention projects keys and values to fewer
        self.seed = seed
        self.seed_generator = _random.SeedGenerator(seed)
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(key_dim))

    def _projection(self, name, in_shape, out_shape):
        return _Projection(in_shape, out_shape, self.use_bias, self.kernel_initializer,
                           self.bias_initializer, self.kernel_regularizer, self.bias_regularizer,
                           self.kernel_constraint, self.bias_constraint, name=name)

    def build(self, query_shape, value_shape=None, key_shape=None):
        if value_shape is None and isinstance(query_shape, list):
            query_shape, value_shape = query_shape[0], query_shape[1]
        key_shape = value_shape if key_shape is None else key_shape
        H, kd, vd, kv = self.num_heads, self.key_dim, self.value_dim, self._kv_heads
        self._query_dense = self._projection("query", (query_shape[-1],), (H, kd))
        self._key_dense = self._projection("key", (key_shape[-1],), (kv, kd))
        self._gate_dense = None
        if self.use_gate:
            self._gate_dense = self._projection("gate", (query_shape[-1],), (H, vd))
        self._value_dense = self._projection("value", (value_shape[-1],), (kv, vd))
        out = self._output_shape or (query_shape[-1],)
        self._output_dense = self._projection("attention_output", (H, vd), out)
        # Keras builds a Softmax and a Dropout layer here, which take those auto-names; the
        # attention op computes both, so the names are taken to number later layers as Keras
        unique_name("softmax")
        unique_name("dropout")
        for w in self.weights:  # Keras's path: built inside this layer's scope
            w.path = f"{self.name}/{w.path}"
        self.built = True

    # Keras's public names of the projections (its weight files save them under these names)
    query_dense = property(lambda self: self._query_dense)
    key_dense = property(lambda self: self._key_dense)
    value_dense = property(lambda self: self._value_dense)
    output_dense = property(lambda self: self._output_dense)

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        out = self._output_shape or (query_shape[-1],)
        return tuple(query_shape[:-1]) + tuple(out)

    def _maybe_build(self, first_input) -> None:
        pass  # built in call, when the shapes of query, value and key are all known

    def _defines_output_shape(self) -> bool:
        return False  # a symbolic call runs call() on zeros: (output, scores) when asked for

    def _attention_mask(self, query, value, query_mask, value_mask, key_mask, attention_mask,
                        use_causal_mask):
        """Keras's merged boolean mask ``(B, T, S)`` (or None)."""
        auto = None
        if query_mask is None:
            query_mask = get_keras_mask(query)
        if query_mask is not None:
            auto = np.asarray(query_mask._data, bool)[:, :, None]
        for m in (value_mask, key_mask):
            if m is not None:
                m = np.asarray(getattr(m, "_data", m), bool)[:, None, :]
                auto = m if auto is None else auto & m
        if use_causal_mask:
            causal = np.tri(query.shape[1], value.shape[1], dtype=bool)[None]
            auto = causal if auto is None else auto & causal
        if self.sliding_window is not None:
            distance = np.arange(query.shape[1])[:, None] - np.arange(value.shape[1])
            band = (np.abs(distance) < self.sliding_window)[None]
            auto = band if auto is None else auto & band
        if attention_mask is not None:
            attention_mask = np.asarray(getattr(attention_mask, "_data", attention_mask), bool)
            return attention_mask if auto is None else attention_mask & auto
        return auto

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False):
        if key is None:
            key = value
        if not self.built:
            self.build(tuple(query.shape), tuple(value.shape), tuple(key.shape))
        mask = self._attention_mask(query, value, query_mask, value_mask, key_mask,
                                    attention_mask, use_causal_mask)
        q = self._query_dense.call(query).transpose(1, 2)  # (no mask hand-over: Keras clears it)
        k = self._share_heads(self._key_dense.call(key).transpose(1, 2))
        v = self._share_heads(self._value_dense.call(value).transpose(1, 2))
        # Keras's two paths differ where a query has every key masked: its explicit path
        # (dropout or scores asked for) zeroes those weights, its fused path adds
        # -0.7·3.38953e38 to the scores and so spreads them evenly; both are followed here
        bias = None
        if mask is not None:
            if mask.ndim == 2:
                mask = mask[None]
            fused = not (self.dropout > 0 or return_attention_scores)
            fill = np.float32(-0.7 * 3.38953e38) if fused else -np.inf
            bias = Tensor._make(np.where(mask, 0, fill).astype(q._data.dtype)[:, None])
        keep = None
        if training and self.dropout > 0:
            shape = (q.shape[0], self.num_heads, q.shape[2], k.shape[2])
            ones = Tensor._make(np.ones(shape, q._data.dtype))
            keep = _random.dropout(ones, self.dropout, seed=self.seed_generator)._data
        out = _attend(q, k, v, bias, self._inverse_sqrt_key_dim, 0.0,
                      weights="raw" if return_attention_scores else None, keep=keep)
        scores = None
        if return_attention_scores:
            scores = out[..., self.value_dim:]
            out = out[..., :self.value_dim]
        out = out.transpose(1, 2)
        if self._gate_dense is not None:
            out = out * F.sigmoid(self._gate_dense.call(query))
        output = self._output_dense.call(out)
        return (output, scores) if return_attention_scores else output

    def _share_heads(self, x):
        """Keys or values ``(B, kv heads, S, d)`` for the ``num_heads`` query heads (the same
        here; :class:`GroupedQueryAttention` repeats each of its fewer heads)."""
        return x

    def compute_mask(self, inputs, previous_mask):
        return previous_mask

    def get_config(self):
        return {**super().get_config(), "num_heads": self.num_heads, "key_dim": self.key_dim,
                "value_dim": self.value_dim, "dropout": self.dropout, "use_bias": self.use_bias,
                "output_shape": self._output_shape, "use_gate": self.use_gate,
                "sliding_window": self.sliding_window,
                "kernel_initializer": _init.serialize(self.kernel_initializer),
                "bias_initializer": _init.serialize(self.bias_initializer),
                "kernel_regularizer": _reg.serialize(self.kernel_regularizer),
                "bias_regularizer": _reg.serialize(self.bias_regularizer), "seed": self.seed}
