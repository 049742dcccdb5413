"""ONNX converters of the Keras padding, cropping and up-sampling layers of every rank
(``ZeroPadding1D``/``3D``, ``Cropping1D``/``2D``/``3D``, ``UpSampling1D``/``3D``) and of the
single-head ``Attention``/``AdditiveAttention``, registered with ``ember.onnx`` like those of
``ember.keras._onnx_export``: ``Pad``, ``Slice``, nearest up-sampling as ``Unsqueeze`` →
``Expand`` → ``Reshape`` per axis (any rank, dynamic batch), and scores → ``Softmax`` →
``MatMul`` (a causal mask as a constant; the inputs' masks are not exported).

Example::

    >>> model = keras.Sequential([keras.Input((6, 3)), keras.layers.Cropping1D((1, 2)),
    ...                           keras.layers.UpSampling1D(2)])
    >>> model.export("model.onnx", format="onnx")
"""
from __future__ import annotations

import numpy as np

from .. import onnx as _onnx
from . import _onnx_export as K, _onnx_masks as M
from . import layers as L


def zero_padding(g, layer, inputs, shapes):
    rank = len(shapes[0])
    begins, ends = [0] * rank, [0] * rank
    for axis, (a, b) in zip(layer._axes(), layer.padding):
        begins[axis], ends[axis] = a, b
    return g.op("Pad", inputs[0], g.ints(begins + ends, "pads"), mode="constant")


def cropping(g, layer, inputs, shapes):
    axes = list(layer._axes())
    starts = [a for a, _ in layer.cropping]
    ends = [shapes[0][axis] - b if shapes[0][axis] is not None else -b if b else
            2 ** 62 for axis, (_, b) in zip(axes, layer.cropping)]
    return g.op("Slice", inputs[0], g.ints(starts, "starts"), g.ints(ends, "ends"),
                g.ints(axes, "axes"))


def up_sampling(g, layer, inputs, shapes):
    """Each spatial axis repeated ``factor`` times: a new axis after it, broadcast to the
    factor, then merged back (``0`` keeps the batch size, ``-1`` an unknown length)."""
    x, shape = inputs[0], list(shapes[0])
    for axis, factor in zip(layer._axes(), layer._factors):
        if factor == 1:
            continue
        x = g.op("Unsqueeze", x, g.ints([axis + 1]))
        expand = [1] * (len(shape) + 1)
        expand[axis + 1] = factor
        x = g.op("Expand", x, g.ints(expand, "expand"))
        shape[axis] = None if shape[axis] is None else shape[axis] * factor
        target = [0] + [-1 if s is None else s for s in shape[1:]]
        x = g.op("Reshape", x, g.ints(target, "shape"))
    return x


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


CONVERTERS = {
    L.Attention: attention, L.AdditiveAttention: attention,
    L.ZeroPadding1D: zero_padding, L.ZeroPadding3D: zero_padding,
    L.Cropping1D: cropping, L.Cropping2D: cropping, L.Cropping3D: cropping,
    L.UpSampling1D: up_sampling, L.UpSampling3D: up_sampling,
}
for _cls, _converter in CONVERTERS.items():
    K.CONVERTERS[_cls] = _converter
    _onnx.register(_cls, _converter)
