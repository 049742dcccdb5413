"""Attention with torch's functional names: ``F.scaled_dot_product_attention`` and
``F.multi_head_attention_forward`` (what ``nn.MultiheadAttention`` calls). The attention itself
is one graph node (:mod:`ember.ops.attention`).

Example::

    >>> q = k = v = ember.randn(2, 4, 5, 8)          # (batch, heads, tokens, head_dim)
    >>> F.scaled_dot_product_attention(q, k, v, is_causal=True).shape
    ember.Size([2, 4, 5, 8])
"""
from __future__ import annotations

import math

import numpy as np

from ..._tensor import Tensor
from ...ops._util import as_tensor
from ...ops.attention import ScaledDotProductAttention
from ...ops.shape import cat
from .layers import dropout_mask, linear

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]


def _additive(mask, dtype, name: str = "attn_mask"):
    """A bool mask (True = masked out, MHA's convention) or a float mask as an additive bias."""
    m = as_tensor(mask)
    if m._data.dtype == np.bool_:
        return Tensor._make(np.where(m._data, -np.inf, 0).astype(dtype))
    if m._data.dtype.kind != "f":
        raise ValueError(f"only bool and floating types of {name} are supported, got {m.dtype}")
    return m


def _check_attention_shapes(q, k, v) -> None:
    for name, t in (("query", q), ("key", k), ("value", v)):
        if t.ndim < 2:
            raise RuntimeError(f"scaled_dot_product_attention: {name} must have at least 2 "
                               f"dimensions (..., tokens, features), got shape {tuple(t.shape)}")
    if q.shape[-1] != k.shape[-1]:
        raise RuntimeError(f"scaled_dot_product_attention: query and key must have the same "
                           f"last dimension, got query {tuple(q.shape)} and key {tuple(k.shape)}")
    if k.shape[-2] != v.shape[-2]:
        raise RuntimeError(f"scaled_dot_product_attention: key and value must have the same "
                           f"number of tokens, got key {tuple(k.shape)} and value "
                           f"{tuple(v.shape)}")
    if not (q.dtype == k.dtype == v.dtype):
        raise RuntimeError(f"Expected query, key, and value to have the same dtype, but got "
                           f"query.dtype: {q.dtype} key.dtype: {k.dtype} and value.dtype: "
                           f"{v.dtype} instead.")


def _scores_shape(q, k, bias) -> tuple:
    batch = np.broadcast_shapes(tuple(q.shape[:-2]), tuple(k.shape[:-2]))
    shape = tuple(batch) + (q.shape[-2], k.shape[-2])
    if bias is not None:
        try:
            shape = np.broadcast_shapes(shape, tuple(bias.shape))
        except ValueError:
            raise RuntimeError(f"attn_mask of shape {tuple(bias.shape)} cannot be broadcast to "
                               f"the attention scores' shape {shape} (batch..., query tokens, "
                               f"key tokens)") from None
    return shape


def _torch_name(q, k, v, dropout_p: float) -> str:
    """The node torch 2.13 on the CPU records: its flash kernel for equal 4-D batches, same
    value width and no dropout; otherwise the last op of its math path."""
    if q.ndim == k.ndim == v.ndim == 4 and q.shape[:2] == k.shape[:2] == v.shape[:2] \
            and q.shape[-1] == v.shape[-1] and dropout_p == 0:
        return "ScaledDotProductFlashAttentionForCpuBackward0"
    return "MmBackward0" if q.ndim == 2 else "UnsafeViewBackward0"


def _attend(q, k, v, bias, scale, dropout_p: float, weights=None, keep=None):
    """The attention node; ``keep`` (dropout multipliers) is drawn here unless given."""
    shape = _scores_shape(q, k, bias)
    if keep is None and dropout_p > 0:
        keep = dropout_mask(shape, dropout_p, q._data.dtype)
    return ScaledDotProductAttention.apply(q, k, v, bias, scale=scale, keep=keep,
                                           weights=weights, label=_torch_name(q, k, v, dropout_p))


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale=None, enable_gqa: bool = False):
    """``softmax(q kᵀ · scale + mask) v``, torch's signature and rules.

    Args:
        attn_mask: bool (True = may attend) or float (added to the scores), broadcastable to
            ``(..., L, S)``. is_causal: also mask the keys after each query (top-left aligned).
        dropout_p: dropout on the attention weights (always applied when > 0, like torch).
        scale: default ``1/√E``. enable_gqa: query heads share key/value heads in groups.

    Shape: q ``(..., L, E)``, k ``(..., S, E)``, v ``(..., S, Ev)`` → ``(..., L, Ev)``.
    """
    q, k, v = as_tensor(query), as_tensor(key), as_tensor(value)
    _check_attention_shapes(q, k, v)
    if not 0.0 <= dropout_p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")
    if enable_gqa and q.ndim >= 3 and q.shape[-3] != k.shape[-3]:
        groups = q.shape[-3] // k.shape[-3]
        index = np.repeat(np.arange(k.shape[-3]), groups)
        k, v = k[..., index, :, :], v[..., index, :, :]
    dtype = q._data.dtype
    bias = None
    if attn_mask is not None:
        m = as_tensor(attn_mask)
        bias = _bias_of(m._data, dtype) if m._data.dtype == np.bool_ else m
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be "
                               "set when is_causal=True")
        L, S = q.shape[-2], k.shape[-2]
        bias = _bias_of(np.tri(L, S, dtype=bool), dtype)
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else float(scale)
    return _attend(q, k, v, bias, scale, dropout_p)


def _bias_of(allowed: np.ndarray, dtype) -> Tensor:
    """A bool mask (True: may attend) as the additive bias: 0 there, -inf elsewhere (a constant
    for ``ember.onnx.export`` unless the mask is computed from the inputs)."""
    return Tensor._make(np.where(allowed, 0, -np.inf).astype(dtype))


def _check_mha(query, key, value, key_padding_mask, attn_mask, num_heads, embed_dim) -> bool:
    """torch's shape checks; returns whether the input is batched."""
    if query.ndim not in (2, 3):
        raise ValueError(f"query should be unbatched 2D or batched 3D tensor but received "
                         f"{query.ndim}-D query tensor")
    batched = query.ndim == 3
    word = "batched (3-D)" if batched else "unbatched (2-D)"
    if key.ndim != query.ndim or value.ndim != query.ndim:
        raise ValueError(f"For {word} `query`, expected `key` and `value` to be "
                         f"{query.ndim}-D but found {key.ndim}-D and {value.ndim}-D tensors "
                         f"respectively")
    if key_padding_mask is not None and key_padding_mask.ndim != query.ndim - 1:
        raise ValueError(f"For {word} `query`, expected `key_padding_mask` to be `None` or "
                         f"{query.ndim - 1}-D but found {key_padding_mask.ndim}-D tensor instead")
    if attn_mask is not None and attn_mask.ndim not in (2, 3):
        raise ValueError(f"For {word} `query`, expected `attn_mask` to be `None`, 2-D or 3-D "
                         f"but found {attn_mask.ndim}-D tensor instead")
    if query.shape[-1] != embed_dim:
        raise ValueError(f"was expecting embedding dimension of {embed_dim}, but got "
                         f"{query.shape[-1]} (query of shape {tuple(query.shape)})")
    return batched


def _in_projection(query, key, value, w, b, w_q, w_k, w_v, embed_dim):
    """q, k, v projections: one matmul for self-attention with a packed weight."""
    E = embed_dim
    if w is None:
        bq, bk, bv = (None, None, None) if b is None else (b[:E], b[E:2 * E], b[2 * E:])
        return linear(query, w_q, bq), linear(key, w_k, bk), linear(value, w_v, bv)
    if query is key and key is value:
        return tuple(linear(query, w, b).chunk(3, -1))
    bq, bk, bv = (None, None, None) if b is None else (b[:E], b[E:2 * E], b[2 * E:])
    if key is value:
        kv = linear(key, w[E:], None if b is None else b[E:]).chunk(2, -1)
        return (linear(query, w[:E], bq),) + tuple(kv)
    return linear(query, w[:E], bq), linear(key, w[E:2 * E], bk), linear(value, w[2 * E:], bv)


def multi_head_attention_forward(query, key, value, embed_dim_to_check: int, num_heads: int,
                                 in_proj_weight, in_proj_bias, bias_k, bias_v,
                                 add_zero_attn: bool, dropout_p: float, out_proj_weight,
                                 out_proj_bias, training: bool = True, key_padding_mask=None,
                                 need_weights: bool = True, attn_mask=None,
                                 use_separate_proj_weight: bool = False, q_proj_weight=None,
                                 k_proj_weight=None, v_proj_weight=None, static_k=None,
                                 static_v=None, average_attn_weights: bool = True,
                                 is_causal: bool = False):
    """Multi-head attention on time-major input (torch's function; ``nn.MultiheadAttention``
    handles ``batch_first``).

    Masks: ``key_padding_mask (N, S)`` and ``attn_mask (L, S)`` or ``(N·heads, L, S)``, bool
    (True = ignore that key) or float (added to the scores).

    Shape: query ``(L, N, E)``, key/value ``(S, N, E_k/E_v)`` (or unbatched without N);
    returns ``(output (L, N, E), weights (N, L, S) or (N, heads, L, S), or None)``.
    """
    q_in, k_in, v_in = as_tensor(query), as_tensor(key), as_tensor(value)
    batched = _check_mha(q_in, k_in, v_in, key_padding_mask, attn_mask, num_heads,
                         embed_dim_to_check)
    if static_k is not None or static_v is not None:
        raise NotImplementedError("static_k/static_v are not supported")
    E, H = embed_dim_to_check, num_heads
    head_dim = E // H
    if head_dim * H != E:
        raise ValueError(f"embed_dim {E} not divisible by num_heads {H}")
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to "
                           "create this mask.")
    def time_major(t):  # (L, N, E); projected in this layout, so the linear layers save what
        return t.unsqueeze(1) if not batched else t  # torch's do (a view, or a strided copy)
    qx = time_major(q_in)
    kx = qx if k_in is q_in else time_major(k_in)
    vx = kx if v_in is k_in else time_major(v_in)
    q, k, v = _in_projection(qx, kx, vx, None if use_separate_proj_weight else in_proj_weight,
                             in_proj_bias, q_proj_weight, k_proj_weight, v_proj_weight, E)
    L, N, S = q.shape[0], q.shape[1], k.shape[0]
    if key_padding_mask is not None and not batched:
        key_padding_mask = as_tensor(key_padding_mask).unsqueeze(0)
    bias = _mha_bias(attn_mask, key_padding_mask, is_causal, need_weights, N, H, L, S,
                     q._data.dtype)
    if bias_k is not None and bias_v is not None:
        k = cat([k, bias_k.reshape(1, 1, E).expand(1, N, E)], 0)
        v = cat([v, bias_v.reshape(1, 1, E).expand(1, N, E)], 0)
        bias = _pad_key(bias, N, H, L)
    elif bias_k is not None or bias_v is not None:
        raise ValueError("bias_k and bias_v must be given together")

    def heads(t):  # (T, N, E) -> (N, H, T, head_dim)
        return t.reshape(t.shape[0], N * H, head_dim).transpose(0, 1).reshape(N, H, t.shape[0], head_dim)
    q, k, v = heads(q), heads(k), heads(v)
    if add_zero_attn:
        zeros = Tensor._make(np.zeros((N, H, 1, head_dim), q._data.dtype))
        k, v = cat([k, zeros], 2), cat([v, zeros], 2)
        bias = _pad_key(bias, N, H, L)
    causal = is_causal and bias is None
    if causal:
        bias = Tensor._make(np.where(np.tri(L, k.shape[2], dtype=bool), 0, -np.inf)
                            .astype(q._data.dtype))
    p = dropout_p if training else 0.0
    out = _attend(q, k, v, bias, 1.0 / math.sqrt(head_dim), p,
                  weights="dropped" if need_weights else None)
    weights = None
    if need_weights:
        weights = out[..., head_dim:]
        out = out[..., :head_dim]
        if average_attn_weights:
            weights = weights.mean(1)
        if not batched:
            weights = weights.squeeze(0)
    out = out.transpose(1, 2).reshape(N, L, E)
    out = linear(out, out_proj_weight, out_proj_bias)
    out = out.squeeze(0) if not batched else out.transpose(0, 1)
    return out, weights


def _mha_bias(attn_mask, key_padding_mask, is_causal, need_weights, N, H, L, S, dtype):
    """attn_mask and key_padding_mask merged into one additive bias ``(N|1, H|1, L|1, S)``."""
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # torch then uses the causal mask itself (see the caller)
    bias = None
    if attn_mask is not None:
        m = _additive(attn_mask, dtype)
        if m.ndim == 2:
            if tuple(m.shape) != (L, S):
                raise RuntimeError(f"The shape of the 2D attn_mask is {tuple(m.shape)}, but "
                                   f"should be {(L, S)}.")
            bias = m.reshape(1, 1, L, S)
        else:
            if tuple(m.shape) != (N * H, L, S):
                raise RuntimeError(f"The shape of the 3D attn_mask is {tuple(m.shape)}, but "
                                   f"should be {(N * H, L, S)}.")
            bias = m.reshape(N, H, L, S)
    if key_padding_mask is not None:
        kp = _additive(key_padding_mask, dtype, "key_padding_mask")
        if kp.shape[0] != N:
            raise ValueError(f"Expected key_padded_mask.shape[0] to be {N}, but got "
                             f"{kp.shape[0]}")
        if kp.shape[1] != S:
            raise ValueError(f"Expected key_padded_mask.shape[1] to be {S}, but got "
                             f"{kp.shape[1]}")
        kp = kp.reshape(N, 1, 1, S)
        bias = kp if bias is None else bias + kp
    return bias


def _pad_key(bias, N, H, L):
    """One more key (bias_k or the zero key), not masked."""
    if bias is None:
        return None
    shape = tuple(bias.shape[:-1]) + (1,)
    return cat([bias, Tensor._make(np.zeros(shape, bias._data.dtype))], -1)
