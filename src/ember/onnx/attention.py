"""ONNX converters for attention: ``ember.nn.MultiheadAttention`` and the transformer encoder and
decoder layers (attention and feed-forward blocks with their residual connections and
LayerNorms), written with MatMul/Softmax nodes.

Masks follow ember's (and torch's) rules: ``attn_mask`` ``(L, S)`` or ``(N*heads, L, S)`` and
``key_padding_mask`` ``(N, S)``, bool (True = masked out) or float (added to the scores), merged
into one additive bias; ``is_causal`` without a key padding mask and without weights uses the
causal triangle itself. A mask that is an input of the export stays an input of the graph; a 2-D
``attn_mask`` made inside ``forward`` (e.g. ``generate_square_subsequent_mask``) is stored as a
constant; any other mask made inside ``forward`` is refused (it would freeze input-dependent
values). ``bias_k``/``bias_v`` and ``add_zero_attn`` are refused with an error naming them.
"""
from __future__ import annotations

import math

import numpy as np

from ..nn import functional as F
from . import torch_layers as T
from .graph import ExportError


def _np(tensor):
    return tensor.detach().numpy()


def _unsqueeze(g, x, axes):
    return g.op("Unsqueeze", x, g.ints(axes))


def lengths(g, query, key, axis: int) -> str:
    """The run-time ``[L, S]`` of a query and a key (their sequence ``axis``)."""
    return g.op("Concat", *[g.op("Slice", g.op("Shape", x), g.ints([axis]), g.ints([axis + 1]))
                            for x in (query, key)], axis=0)


def causal_bias(g, sizes) -> str:
    """The causal triangle's bias (0 on and below the diagonal, -inf above), ``(1, 1, L, S)``,
    for the run-time ``sizes`` ``[L, S]``: any sequence length."""
    keep = g.op("Trilu", g.op("Expand", g.const(np.array(True)), sizes), upper=0)
    bias = g.op("Where", keep, g.const(np.float32(0)), g.const(np.float32(-np.inf)))
    return _unsqueeze(g, bias, [0, 1])


def _is_causal(data) -> bool:
    """Whether a 2-D mask is the causal triangle (``generate_square_subsequent_mask``)."""
    rows, cols = data.shape
    if rows != cols:
        return False
    above = ~np.tri(rows, cols, dtype=bool)
    return bool(np.array_equal(data, above) if data.dtype == np.bool_ else
                np.array_equal(data, np.where(above, -np.inf, 0).astype(data.dtype)))


def mask_bias(g, owner, mask, what: str, heads: int, sizes=None):
    """The additive bias (broadcasting to ``(N, H, L, S)``) of one mask tensor, or None; a
    constant causal triangle follows the run-time ``sizes`` when given."""
    if mask is None:
        return None
    data = mask.numpy()
    if data.dtype != np.bool_ and data.dtype.kind != "f":
        raise ExportError(f"ember.onnx.export cannot export {type(owner).__name__}: only bool and "
                          f"floating types of {what} are supported, got {data.dtype}")
    name = g.value_of(mask)
    if name is None:
        if what.endswith("key_padding_mask") or data.ndim != 2:
            raise ExportError(
                f"ember.onnx.export cannot export {type(owner).__name__}: its {what} of shape "
                f"{tuple(data.shape)} is computed outside the exported modules; pass it to "
                f"ember.onnx.export as an input (in args) so that the graph takes it as one")
        if sizes is not None and _is_causal(data):
            return causal_bias(g, sizes)
        bias = np.where(data, -np.inf, 0) if data.dtype == np.bool_ else data
        return g.const(bias.astype(np.float32).reshape((1, 1) + data.shape), "attn_bias")
    if data.dtype == np.bool_:
        name = g.op("Where", name, g.const(np.float32(-np.inf)), g.const(np.float32(0.0)),
                    hint="mask_bias")
    elif data.dtype != np.float32:
        name = g.op("Cast", name, to=int(g.onnx.TensorProto.FLOAT))
    if what.endswith("key_padding_mask"):
        return _unsqueeze(g, name, [1, 2])
    if data.ndim == 2:
        return _unsqueeze(g, name, [0, 1])
    return g.op("Reshape", name, g.ints([-1, heads, data.shape[1], data.shape[2]]))


def attention_bias(g, m, attn_mask, key_padding_mask, is_causal, need_weights, sizes,
                   names=("attn_mask", "key_padding_mask")):
    """ember's ``_mha_bias`` as ONNX: the merged additive bias of one attention call, or None
    (``sizes``: the run-time ``[L, S]`` of ``lengths``)."""
    if is_causal and key_padding_mask is None and not need_weights:
        return causal_bias(g, sizes)
    if is_causal and attn_mask is None:
        raise ExportError(f"ember.onnx.export cannot export {type(m).__name__}: is_causal needs "
                          f"attn_mask (as in torch)")
    parts = [b for b in (mask_bias(g, m, attn_mask, names[0], m.num_heads, sizes),
                         mask_bias(g, m, key_padding_mask, names[1], m.num_heads)) if b is not None]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else g.op("Add", *parts, hint="attn_bias")


def project(g, x, weight, bias, heads, head_dim):
    """(N, L, in) @ ``weight`` (in, heads*head_dim) + ``bias`` -> (N, heads, L, head_dim)."""
    y = g.op("MatMul", x, g.const(np.ascontiguousarray(weight), "proj_weight"))
    if bias is not None:
        y = g.op("Add", y, g.const(bias, "proj_bias"))
    y = g.op("Reshape", y, g.ints([0, 0, heads, head_dim]))
    return g.op("Transpose", y, perm=[0, 2, 1, 3])


def scaled_attention(g, qh, kh, vh, scale: float, bias=None, empty_rows_zero: bool = False):
    """softmax(q k^T * scale + bias) v on (N, H, L, d) heads -> ((N, L, H*d) context,
    (N, H, L, S) weights); ``empty_rows_zero``: a row whose bias is all ``-inf`` gets zero
    weights (as ember's attention), not NaN."""
    qh = g.op("Mul", qh, g.const(np.float32(scale)))
    scores = g.op("MatMul", qh, g.op("Transpose", kh, perm=[0, 1, 3, 2]))
    if bias is not None:
        scores = g.op("Add", scores, bias)
    weights = g.op("Softmax", scores, axis=-1, hint="attention_weights")
    if empty_rows_zero:
        weights = g.op("Where", g.op("IsNaN", weights), g.const(np.float32(0)), weights)
    out = g.op("MatMul", weights, vh)
    return g.op("Reshape", g.op("Transpose", out, perm=[0, 2, 1, 3]), g.ints([0, 0, -1])), weights


def attend(g, m, q, k, v, need_weights=False, average=True, bias=None):
    """Batch-first multi-head attention of ``m`` on (N, L, E) value names (``bias``: the
    additive mask of ``attention_bias``) -> (out, weights)."""
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
    out, weights = scaled_attention(g, qh, kh, vh, 1.0 / math.sqrt(hd), bias)
    out = T.linear(g, m.out_proj, [out], None)
    if not need_weights:
        return out, None
    if average:
        weights = g.reduce("ReduceMean", weights, [1], keepdims=0)
    return out, weights


def multihead_attention(g, m, inputs, shapes, kwargs=None):
    kwargs = kwargs or {}
    if len(inputs) != 3 or len(shapes[0]) != 3:
        raise ExportError("ember.onnx.export exports MultiheadAttention called as "
                          "mha(query, key, value, ...) on batched 3-D tensors, with its masks "
                          "given as keyword arguments")
    q, k, v = inputs
    first = m.batch_first
    need = kwargs.get("need_weights", True)
    bias = attention_bias(g, m, kwargs.get("attn_mask"), kwargs.get("key_padding_mask"),
                          bool(kwargs.get("is_causal")), need, lengths(g, q, k, 1 if first else 0))
    if not first:
        q, k, v = (g.op("Transpose", t, perm=[1, 0, 2]) for t in (q, k, v))
    out, weights = attend(g, m, q, k, v, need, kwargs.get("average_attn_weights", True), bias)
    if not first:
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


def _residual_blocks(g, m, x, blocks):
    """Post-norm ``norm_k(x + block_k(x))`` or pre-norm ``x + block_k(norm_k(x))`` for each
    block in order (``m.norm1``, ``m.norm2``, ...)."""
    for k, block in enumerate(blocks, start=1):
        norm = getattr(m, f"norm{k}")
        if m.norm_first:
            x = g.op("Add", x, block(T.layer_norm(g, norm, [x], None)))
        else:
            x = T.layer_norm(g, norm, [g.op("Add", x, block(x))], None)
    return x


def _feed_forward(g, m):
    def ff(y):
        y = _activation(g, m, m.activation, T.linear(g, m.linear1, [y], None))
        return T.linear(g, m.linear2, [y], None)
    return ff


def _batch_first(g, x, first):
    return x if first else g.op("Transpose", x, perm=[1, 0, 2])


def _self_attention(g, attn, mask, padding, causal, sizes, names):
    def sa(y):
        bias = attention_bias(g, attn, mask, padding, causal, False, sizes, names)
        return attend(g, attn, y, y, y, bias=bias)[0]
    return sa


def encoder_layer(g, m, inputs, shapes, kwargs=None):
    """``TransformerEncoderLayer`` (post- or pre-norm) in eval form (dropouts are identities)."""
    kwargs = kwargs or {}
    if len(inputs) > 1 or len(shapes[0]) != 3:
        raise ExportError("ember.onnx.export exports TransformerEncoderLayer on a batched 3-D "
                          "input, with its masks given as keyword arguments")
    first = m.self_attn.batch_first
    axis = 1 if first else 0
    sa = _self_attention(g, m.self_attn, kwargs.get("src_mask"),
                         kwargs.get("src_key_padding_mask"), bool(kwargs.get("is_causal")),
                         lengths(g, inputs[0], inputs[0], axis), ("src_mask", "src_key_padding_mask"))
    x = _residual_blocks(g, m, _batch_first(g, inputs[0], first), [sa, _feed_forward(g, m)])
    return _batch_first(g, x, first)


encoder_layer.takes_kwargs = True


def decoder_layer(g, m, inputs, shapes, kwargs=None):
    """``TransformerDecoderLayer(tgt, memory, ...)``: self-attention, attention over
    ``memory`` and the feed-forward block (post- or pre-norm), in eval form."""
    kwargs = kwargs or {}
    if len(inputs) != 2 or len(shapes[0]) != 3:
        raise ExportError("ember.onnx.export exports TransformerDecoderLayer called as "
                          "layer(tgt, memory) on batched 3-D tensors, with its masks given as "
                          "keyword arguments")
    first = m.self_attn.batch_first
    axis = 1 if first else 0
    sa = _self_attention(g, m.self_attn, kwargs.get("tgt_mask"),
                         kwargs.get("tgt_key_padding_mask"), bool(kwargs.get("tgt_is_causal")),
                         lengths(g, inputs[0], inputs[0], axis), ("tgt_mask", "tgt_key_padding_mask"))
    memory = _batch_first(g, inputs[1], first)

    def cross(y):
        bias = attention_bias(g, m.multihead_attn, kwargs.get("memory_mask"),
                              kwargs.get("memory_key_padding_mask"),
                              bool(kwargs.get("memory_is_causal")), False,
                              lengths(g, inputs[0], inputs[1], axis),
                              ("memory_mask", "memory_key_padding_mask"))
        return attend(g, m.multihead_attn, y, memory, memory, bias=bias)[0]

    x = _residual_blocks(g, m, _batch_first(g, inputs[0], first),
                         [sa, cross, _feed_forward(g, m)])
    return _batch_first(g, x, first)


decoder_layer.takes_kwargs = True
