"""ONNX converters of the Keras attention layers (``MultiHeadAttention``,
``GroupQueryAttention`` (its key/value heads repeated into the kernels), ``Attention``,
``AdditiveAttention``) with their masks (the inputs' Keras masks, ``value_mask``/``key_mask``/
``attention_mask`` by keyword or position, ``use_causal_mask``), registered with ``ember.onnx``
like those of ``ember.keras._onnx_export``.

Example::

    >>> q, v = keras.Input((5, 8)), keras.Input((4, 8))
    >>> model = keras.Model([q, v], keras.layers.MultiHeadAttention(2, 4)(q, v))
    >>> model.export("attention.onnx", format="onnx")
"""
from __future__ import annotations

import numpy as np

from .. import onnx as _onnx
from ..onnx import attention as A
from . import _onnx_export as K, _onnx_masks as M
from . import layers as L


def _attention_mask(g, layer, inputs, kwargs):
    """Keras's merged boolean mask (N, T, S) of one call (or None): ``query_mask`` (default the
    query's own Keras mask), ``value_mask``/``key_mask``/``attention_mask`` (by keyword or
    position), the causal triangle and the ``sliding_window`` band."""
    args = list(g.call_args) + [None] * 7
    given = {name: kwargs.get(name) if kwargs.get(name) is not None else args[i]
             for i, name in ((3, "query_mask"), (4, "value_mask"), (5, "key_mask"),
                             (6, "attention_mask"))}
    query_mask = given["query_mask"]
    if query_mask is None:
        query_mask = (g.input_masks or [None])[0]
    query_mask = M.mask_name(g, layer, query_mask, "query's mask")
    masks = [g.op("Unsqueeze", query_mask, g.ints([2]))] if query_mask else []
    for name in ("value_mask", "key_mask"):
        if given[name] is not None:
            masks.append(g.op("Unsqueeze", M.mask_name(g, layer, given[name], name), g.ints([1])))
    if kwargs.get("use_causal_mask"):
        size = g.op("Concat", *[g.op("Slice", g.op("Shape", v), g.ints([1]), g.ints([2]))
                                for v in (inputs[0], inputs[1])], axis=0)
        ones = g.op("Expand", g.const(np.array(True)), size)
        masks.append(g.op("Unsqueeze", g.op("Trilu", ones, upper=0), g.ints([0])))
    window = getattr(layer, "sliding_window", None)
    if window is not None:  # |i - j| < window
        rows, cols = (g.op("Range", g.const(np.int64(0)), g.op("Squeeze", g.op(
            "Slice", g.op("Shape", v), g.ints([1]), g.ints([2])), g.ints([0])),
            g.const(np.int64(1))) for v in (inputs[0], inputs[1]))
        distance = g.op("Abs", g.op("Sub", g.op("Unsqueeze", rows, g.ints([1])),
                                    g.op("Unsqueeze", cols, g.ints([0]))))
        band = g.op("Less", distance, g.const(np.int64(window)))
        masks.append(g.op("Unsqueeze", band, g.ints([0])))
    attention = given["attention_mask"]
    if attention is not None:
        name = M.mask_name(g, layer, attention, "attention_mask")
        masks.append(g.op("Unsqueeze", name, g.ints([0])) if attention.ndim == 2 else name)
    if not masks:
        return None
    mask = masks[0]
    for other in masks[1:]:
        mask = g.op("And", mask, other)
    return mask


def multi_head_attention(g, layer, inputs, shapes, kwargs=None):
    """``MultiHeadAttention(query, value[, key], ...)`` with Keras's masks -> output (and
    scores). A fully masked query row gets even weights where Keras's fused path runs (no
    dropout, no scores asked for), zeros otherwise, as in ember."""
    kwargs = kwargs or {}
    if layer._output_shape is not None and len(layer._output_shape) != 1:
        K._refuse(layer, f"output_shape {layer._output_shape}")
    query, value = inputs[0], inputs[1]
    key = kwargs.get("key")
    key = g.value_of(key) if key is not None else inputs[2] if len(inputs) > 2 and inputs[2] \
        else value
    if key is None:
        K._refuse(layer, "its key is computed outside the exported layers")
    heads = []
    for dense, x, shared in ((layer._query_dense, query, 1), (layer._key_dense, key, 0),
                             (layer._value_dense, value, 0)):
        kernel = K._np(dense.kernel)  # (in, H, d)
        bias = K._np(dense.bias) if dense.bias is not None else None
        if not shared:  # GroupQueryAttention: each key/value head serves num_repeats queries
            repeats = layer.num_heads // kernel.shape[1]
            kernel = np.repeat(kernel, repeats, axis=1)
            bias = None if bias is None else np.repeat(bias, repeats, axis=0)
        n_heads, dim = kernel.shape[-2:]
        bias = None if bias is None else bias.reshape(-1)
        heads.append(A.project(g, x, kernel.reshape(kernel.shape[0], -1), bias, n_heads, dim))
    mask = _attention_mask(g, layer, inputs, kwargs)
    bias, explicit = None, layer.dropout > 0 or bool(kwargs.get("return_attention_scores"))
    if mask is not None:
        fill = -np.inf if explicit else -0.7 * 3.38953e38
        bias = g.op("Unsqueeze", g.op("Where", mask, g.const(np.float32(0)), g.const(np.float32(fill))),
                    g.ints([1]))
    context, scores = A.scaled_attention(g, *heads, layer._inverse_sqrt_key_dim, bias,
                                                  empty_rows_zero=mask is not None and explicit)
    if layer._gate_dense is not None:  # sigmoid(query @ gate kernel + bias), per head
        gate = layer._gate_dense
        kernel = K._np(gate.kernel)  # (in, H, d)
        z = g.op("MatMul", query, g.const(kernel.reshape(kernel.shape[0], -1), "gate_kernel"))
        if gate.bias is not None:
            z = g.op("Add", z, g.const(K._np(gate.bias).reshape(-1), "gate_bias"))
        context = g.op("Mul", context, g.op("Sigmoid", z))
    out_dense = layer._output_dense
    kernel = K._np(out_dense.kernel)  # (H, d, out)
    out = g.op("MatMul", context, g.const(kernel.reshape(-1, kernel.shape[-1]), "output_kernel"))
    if out_dense.bias is not None:
        out = g.op("Add", out, g.const(K._np(out_dense.bias), "output_bias"))
    return (out, scores) if kwargs.get("return_attention_scores") else out


multi_head_attention.takes_kwargs = multi_head_attention.keeps_none = True


def _weight(g, w, hint):
    return g.const(np.asarray(w.detach().numpy(), np.float32), hint)


def attention(g, layer, inputs, shapes, kwargs=None):
    """``Attention``/``AdditiveAttention([query, value(, key)])`` → output (and scores)."""
    kwargs = kwargs or {}
    masks = kwargs.get("mask")
    if masks is not None and not isinstance(masks, (list, tuple)):
        K._refuse(layer, "its mask must be a list [query_mask, value_mask]")
    masks = list(masks or [None, None])
    query_mask, value_mask = (M.mask_name(g, layer, m, what)
                              for m, what in zip(masks[:2], ("query mask", "value mask")))
    parts = list(inputs[0])
    query, value = parts[0], parts[1]
    key = parts[2] if len(parts) > 2 else value
    if isinstance(layer, L.AdditiveAttention) or layer.score_mode == "concat":
        pairs = g.op("Add", g.op("Unsqueeze", query, g.ints([2])),
                     g.op("Unsqueeze", key, g.ints([1])))            # (N, Tq, Tv, dim)
        if isinstance(layer, L.AdditiveAttention):
            pairs = g.op("Tanh", pairs)
            if layer.scale is not None:
                pairs = g.op("Mul", pairs, _weight(g, layer.scale, "scale"))
            scores = g.reduce("ReduceSum", pairs, [3], keepdims=0)
        else:
            if layer.scale is not None:
                pairs = g.op("Mul", pairs, _weight(g, layer.scale, "scale"))
            scores = g.reduce("ReduceSum", g.op("Tanh", pairs), [3], keepdims=0)
            scores = g.op("Mul", scores, _weight(g, layer.concat_score_weight, "concat_weight"))
    else:
        scores = g.op("MatMul", query, g.op("Transpose", key, perm=[0, 2, 1]))
        if layer.scale is not None:
            scores = g.op("Mul", scores, _weight(g, layer.scale, "scale"))
    keep = None if value_mask is None else g.op("Unsqueeze", value_mask, g.ints([1]))  # (N, 1, Tv)
    if kwargs.get("use_causal_mask"):
        size = g.op("Concat", *[g.op("Slice", g.op("Shape", v), g.ints([1]), g.ints([2]))
                                for v in (query, key)], axis=0)
        causal = g.op("Unsqueeze", g.op("Trilu", g.op("Expand", g.const(np.array(True)), size),
                                        upper=0), g.ints([0]))
        keep = causal if keep is None else g.op("And", keep, causal)
    if keep is not None:  # Keras subtracts 1e9 from a masked score
        penalty = g.op("Where", keep, g.const(np.float32(0)), g.const(np.float32(1.0e9)))
        scores = g.op("Sub", scores, penalty)
    weights = g.op("Softmax", scores, axis=-1)
    out = g.op("MatMul", weights, value)
    if query_mask is not None:
        keep_rows = g.op("Cast", g.op("Unsqueeze", query_mask, g.ints([2])),
                         to=int(g.onnx.TensorProto.FLOAT))
        out = g.op("Mul", out, keep_rows)
    return (out, weights) if kwargs.get("return_attention_scores") else out


attention.takes_kwargs = True


CONVERTERS = {L.MultiHeadAttention: multi_head_attention,
              L.GroupQueryAttention: multi_head_attention, L.Attention: attention,
              L.AdditiveAttention: attention}
for _cls, _converter in CONVERTERS.items():
    K.CONVERTERS[_cls] = _converter
    _onnx.register(_cls, _converter)
