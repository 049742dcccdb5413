"""Keras's ``GroupQueryAttention`` (class ``GroupedQueryAttention``, Ainslie et al., 2023):
``num_query_heads`` query heads share ``num_key_value_heads`` key/value heads, each key/value
head serving ``num_query_heads // num_key_value_heads`` consecutive query heads. Keras 3's
weights (sublayers ``query (dim, u, h)``, ``key``/``value (dim, v, h)``, ``gate`` with
``use_gate``, ``attention_output (u, h, dim)``), masks and numbers; everything but the sharing
of heads is :class:`~ember.keras.layers.MultiHeadAttention`'s (one attention node).

Example::

    >>> import numpy as np
    >>> from ember.keras import layers
    >>> gqa = layers.GroupQueryAttention(head_dim=4, num_query_heads=4, num_key_value_heads=2)
    >>> x = np.zeros((3, 5, 8), np.float32)
    >>> out, scores = gqa(x, x, return_attention_scores=True)
    >>> out.shape, scores.shape
    (ember.Size([3, 5, 8]), ember.Size([3, 4, 5, 5]))
"""
from __future__ import annotations

from ...ops.layout import repeat_interleave
from .. import initializers as _init
from .. import regularizers as _reg
from .attention import MultiHeadAttention
from .base import Layer

__all__ = ["GroupedQueryAttention", "GroupQueryAttention"]


class GroupedQueryAttention(MultiHeadAttention):
    """Attention of ``query`` over ``value`` (and ``key``) with grouped key/value heads:
    ``num_key_value_heads=1`` is multi-query attention, ``num_key_value_heads ==
    num_query_heads`` is multi-head attention.

    Args:
        head_dim: size of each head (queries, keys and values).
        num_query_heads: query heads. num_key_value_heads: key/value heads; must divide
            ``num_query_heads``.
        dropout: on the attention weights (training only). use_bias: default True.
        sliding_window: a query attends only to keys less than this many steps away.
        flash_attention: accepted as Keras (ember has one attention kernel); True refuses
            ``dropout`` and ``return_attention_scores`` with Keras's errors.
        kernel/bias _initializer, _regularizer, _constraint, activity_regularizer: as Keras.
        use_gate: gate each head's output with ``sigmoid`` of a projection of the query.
        seed: of the dropout.

    ``call(query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
    attention_mask=None, return_attention_scores=False, training=None, use_causal_mask=False)``.

    Shape: query ``(B, T, dim)``, value/key ``(B, S, dim_v)`` → ``(B, T, dim)``; scores
    ``(B, num_query_heads, T, S)``.

    Example::

        >>> import numpy as np
        >>> from ember.keras import layers
        >>> gqa = layers.GroupQueryAttention(8, num_query_heads=4, num_key_value_heads=1)
        >>> gqa(np.zeros((2, 3, 6), np.float32), np.zeros((2, 7, 6), np.float32)).shape
        ember.Size([2, 3, 6])
    """

    def __init__(self, head_dim, num_query_heads, num_key_value_heads, dropout=0.0,
                 use_bias=True, sliding_window=None, flash_attention=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, use_gate=False, seed=None,
                 **kwargs):
        for name, value in (("head_dim", head_dim), ("num_query_heads", num_query_heads),
                            ("num_key_value_heads", num_key_value_heads)):
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"Received an invalid value for argument `{name}`, expected a "
                                 f"positive integer. Received: {name}={value}")
        if num_query_heads % num_key_value_heads != 0:
            raise ValueError("`num_query_heads` must be divisible by `num_key_value_heads`.")
        if flash_attention and dropout > 0.0:
            raise ValueError("Dropout is not supported when flash attention is enabled. Please "
                             "set dropout to 0.0 to use flash attention.")
        super().__init__(num_query_heads, head_dim, dropout=dropout, use_bias=use_bias,
                         sliding_window=sliding_window, flash_attention=flash_attention,
                         kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                         use_gate=use_gate, seed=seed, **kwargs)
        self.head_dim, self.num_query_heads = head_dim, num_query_heads
        self.num_key_value_heads = self._kv_heads = num_key_value_heads
        self.num_repeats = num_query_heads // num_key_value_heads

    def _share_heads(self, x):
        return x if self.num_repeats == 1 else repeat_interleave(x, self.num_repeats, dim=1)

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False):
        if self.flash_attention and return_attention_scores:
            raise ValueError("Returning attention scores is not supported when flash attention "
                             "is enabled. Please disable flash attention to access attention "
                             "scores.")
        return super().call(query, value, key, query_mask, value_mask, key_mask, attention_mask,
                            return_attention_scores, training, use_causal_mask)

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        key_shape = value_shape if key_shape is None else key_shape
        if value_shape is not None and query_shape[-1] != value_shape[-1]:
            raise ValueError(f"The last dimension of `query_shape` and `value_shape` must be "
                             f"equal, but are {query_shape[-1]}, {value_shape[-1]}. Received: "
                             f"query_shape={tuple(query_shape)}, "
                             f"value_shape={tuple(value_shape)}")
        if value_shape is not None and tuple(value_shape[1:-1]) != tuple(key_shape[1:-1]):
            raise ValueError(f"All dimensions of `value` and `key`, except the last one, must "
                             f"be equal. Received: value_shape={tuple(value_shape)} and "
                             f"key_shape={tuple(key_shape)}")
        return tuple(query_shape)

    def get_config(self):
        return {**Layer.get_config(self), "head_dim": self.head_dim,
                "num_query_heads": self.num_query_heads,
                "num_key_value_heads": self.num_key_value_heads, "use_bias": self.use_bias,
                "use_gate": self.use_gate, "sliding_window": self.sliding_window,
                "dropout": self.dropout,
                "kernel_initializer": _init.serialize(self.kernel_initializer),
                "bias_initializer": _init.serialize(self.bias_initializer),
                "kernel_regularizer": _reg.serialize(self.kernel_regularizer),
                "bias_regularizer": _reg.serialize(self.bias_regularizer), "seed": self.seed}


GroupQueryAttention = GroupedQueryAttention  # Keras's public name
