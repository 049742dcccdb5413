"""ONNX converters for attention: ``ember.nn.MultiheadAttention`` and the transformer encoder
layer (self-attention and feed-forward blocks with their residual connections and LayerNorms),
written with MatMul/Softmax nodes. Masks, ``is_causal``, ``bias_k``/``bias_v`` and
``add_zero_attn`` are refused with an error naming them.
"""
from __future__ import annotations

import math

import numpy as np

from ..nn import functional as F
from . import torch_layers as T
from .graph import ExportError


def _np(tensor):
    return tensor.detach().numpy()


def _refuse_kwargs(m, kwargs, names):
    for name in names:
        value = kwargs.get(name)
        if value is not None and value is not False:
            raise ExportError(f"ember.onnx.export cannot export {type(m).__name__} called with "
                              f"{name} set (masks and causal attention are not exported)")


def project(g, x, weight, bias, heads, head_dim):
    """(N, L, in) @ ``weight`` (in, heads*head_dim) + ``bias`` -> (N, heads, L, head_dim)."""
    y = g.op("MatMul", x, g.const(np.ascontiguousarray(weight), "proj_weight"))
    if bias is not None:
        y = g.op("Add", y, g.const(bias, "proj_bias"))
    y = g.op("Reshape", y, g.ints([0, 0, heads, head_dim]))
    return g.op("Transpose", y, perm=[0, 2, 1, 3])


def scaled_attention(g, qh, kh, vh, scale: float):
    """softmax(q k^T * scale) v on (N, H, L, d) heads -> ((N, L, H*d) context, (N, H, L, S)
    weights)."""
    qh = g.op("Mul", qh, g.const(np.float32(scale)))
    scores = g.op("MatMul", qh, g.op("Transpose", kh, perm=[0, 1, 3, 2]))
    weights = g.op("Softmax", scores, axis=-1, hint="attention_weights")
    out = g.op("MatMul", weights, vh)
    return g.op("Reshape", g.op("Transpose", out, perm=[0, 2, 1, 3]), g.ints([0, 0, -1])), weights


def attend(g, m, q, k, v, need_weights=False, average=True):
    """Batch-first multi-head attention of ``m`` on (N, L, E) value names -> (out, weights)."""
    if m.bias_k is not None or m.add_zero_attn:
        raise ExportError("ember.onnx.export cannot export MultiheadAttention with add_bias_kv or "
                          "add_zero_attn")
    E, H = m.embed_dim, m.num_heads
    hd = E // H
    if m._qkv_same_embed_dim:
        wq, wk, wv = np.split(_np(m.in_proj_weight), 3)
    else:
        wq, wk, wv = _np(m.q_proj_weight), _np(m.k_proj_weight), _np(m.v_proj_weight)
    bq = bk = bv = None
    if m.in_proj_bias is not None:
        bq, bk, bv = np.split(_np(m.in_proj_bias), 3)
    qh = project(g, q, wq.T, bq, H, hd)
    kh = project(g, k, wk.T, bk, H, hd)
    vh = project(g, v, wv.T, bv, H, hd)
    out, weights = scaled_attention(g, qh, kh, vh, 1.0 / math.sqrt(hd))
    out = T.linear(g, m.out_proj, [out], None)
    if not need_weights:
        return out, None
    if average:
        weights = g.op("ReduceMean", weights, g.ints([1]), keepdims=0) if g.opset >= 18 else \
            g.op("ReduceMean", weights, axes=[1], keepdims=0)
    return out, weights


def multihead_attention(g, m, inputs, shapes, kwargs=None):
    kwargs = kwargs or {}
    _refuse_kwargs(m, kwargs, ("key_padding_mask", "attn_mask", "is_causal"))
    if len(inputs) != 3 or len(shapes[0]) != 3:
        raise ExportError("ember.onnx.export exports MultiheadAttention called as "
                          "mha(query, key, value) on batched 3-D tensors (masks as keywords are "
                          "not exported)")
    q, k, v = inputs
    if not m.batch_first:
        q, k, v = (g.op("Transpose", t, perm=[1, 0, 2]) for t in (q, k, v))
    out, weights = attend(g, m, q, k, v, kwargs.get("need_weights", True),
                          kwargs.get("average_attn_weights", True))
    if not m.batch_first:
        out = g.op("Transpose", out, perm=[1, 0, 2])
    return out, weights


multihead_attention.takes_kwargs = True


def _activation(g, layer, fn, x):
    if fn is F.relu:
        return g.op("Relu", x)
    if fn is F.gelu:
        return T.gelu(g, type("Exact", (), {"approximate": "none"})(), [x], None)
    from . import converter_for
    convert = converter_for(fn) if hasattr(fn, "modules") else None
    if convert is None:
        raise ExportError(f"ember.onnx.export cannot export {type(layer).__name__}: its "
                          f"activation {fn!r} has no converter")
    return convert(g, fn, [x], None)


def encoder_layer(g, m, inputs, shapes, kwargs=None):
    """``TransformerEncoderLayer`` (post- or pre-norm) in eval form (dropouts are identities)."""
    _refuse_kwargs(m, kwargs or {}, ("src_mask", "src_key_padding_mask", "is_causal"))
    if len(inputs) > 1 or len(shapes[0]) != 3:
        raise ExportError("ember.onnx.export exports TransformerEncoderLayer on a batched 3-D "
                          "input without masks")
    x, first = inputs[0], m.self_attn.batch_first
    if not first:
        x = g.op("Transpose", x, perm=[1, 0, 2])

    def sa(y):
        return attend(g, m.self_attn, y, y, y)[0]

    def ff(y):
        y = _activation(g, m, m.activation, T.linear(g, m.linear1, [y], None))
        return T.linear(g, m.linear2, [y], None)

    def norm(layer, y):
        return T.layer_norm(g, layer, [y], None)

    if m.norm_first:
        x = g.op("Add", x, sa(norm(m.norm1, x)))
        x = g.op("Add", x, ff(norm(m.norm2, x)))
    else:
        x = norm(m.norm1, g.op("Add", x, sa(x)))
        x = norm(m.norm2, g.op("Add", x, ff(x)))
    return x if first else g.op("Transpose", x, perm=[1, 0, 2])


encoder_layer.takes_kwargs = True
