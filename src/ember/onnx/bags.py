"""ONNX converters for ``nn.EmbeddingBag`` and ``nn.AdaptiveLogSoftmaxWithLoss``.

ONNX has no EmbeddingBag: the looked-up rows (a ``Gather``) are reduced per bag. A 2-D input
``(B, N)`` reduces over its second axis; a 1-D input cut at ``offsets`` builds the bag
membership ``M[b, i] = starts[b] <= i < ends[b]`` (``(B, n)``, from the offsets at run time, so
the number of entries and of bags are both dynamic): the sum and the mean are ``M @ rows``, the
max a ``ReduceMax`` over the rows each bag holds. ``padding_idx`` entries are left out of every
bag (and of the mean's count); an empty bag gives zeros, as in ember.

``AdaptiveLogSoftmaxWithLoss.forward`` takes the target and returns the loss of a training step;
its inference methods ``log_prob(input)`` and ``predict(input)`` are exported instead, called from
the ``forward`` of a wrapper module (as torch users export them)::

    >>> class LogProb(ember.nn.Module):
    ...     def __init__(self, asm):
    ...         super().__init__()
    ...         self.asm = asm
    ...     def forward(self, x):
    ...         return self.asm.log_prob(x)
    >>> ember.onnx.export(LogProb(asm), ember.randn(2, 16), "asm.onnx")
"""
from __future__ import annotations

import numpy as np

from .graph import ExportError
from .torch_layers import embedding_rows, linear

_INT64_MAX = np.iinfo(np.int64).max


def _np(tensor) -> np.ndarray:
    return tensor.detach().numpy()


def _value(g, tensor, hint: str) -> str:
    """The ONNX name of a traced tensor, or a constant holding an untraced one."""
    name = g.value_of(tensor)
    return name if name is not None else g.const(tensor.numpy(), hint)


# ---------------------------------------------------------------------------------- EmbeddingBag
def _bag_arguments(g, m, inputs, kwargs):
    """(indices, offsets, per_sample_weights) names, each None when not given (``inputs`` keep
    the positions of arguments passed as None)."""
    names = list(inputs) + [None] * (3 - len(inputs))
    for i, key in ((1, "offsets"), (2, "per_sample_weights")):
        if kwargs.get(key) is not None:
            names[i] = _value(g, kwargs[key], key)
    if names[2] is not None and m.mode != "sum":
        raise ExportError(f"ember.onnx.export cannot export EmbeddingBag: per_sample_weights is "
                          f"only supported for mode='sum' (got mode={m.mode!r})")
    index = g.op("Cast", names[0], to=int(g.onnx.TensorProto.INT64))
    offsets = None if names[1] is None else g.op("Cast", names[1], to=int(g.onnx.TensorProto.INT64))
    return index, offsets, names[2]


def _kept(g, m, index):
    """``index != padding_idx`` (bool), or None when every entry counts."""
    if m.padding_idx is None:
        return None
    pad = int(m.padding_idx) % m.num_embeddings
    return g.op("Not", g.op("Equal", index, g.ints([pad])))


def _bag_max(g, members, rows, count, axis):
    """The max over the rows each bag holds (``members`` bool broadcast to ``rows``); zeros for
    an empty bag."""
    masked = g.op("Where", members, rows, g.const(np.float32(-np.inf)))
    best = g.reduce("ReduceMax", masked, [axis], keepdims=0)
    return g.op("Where", g.op("Greater", count, g.const(np.float32(0))), best,
                g.const(np.float32(0)), hint="embedding_bag")


def _bag_mean(g, total, count):
    return g.op("Div", total, g.op("Max", count, g.const(np.float32(1))), hint="embedding_bag")


def embedding_bag(g, m, inputs, shapes, kwargs):
    """``EmbeddingBag(input, offsets=None, per_sample_weights=None)`` -> ``(B, dim)``."""
    index, offsets, weights = _bag_arguments(g, m, inputs, kwargs)
    rows = embedding_rows(g, m, index, "bag_rows")
    keep = _kept(g, m, index)
    if len(shapes[0]) == 2:  # (B, N): one bag per row
        keep = keep or g.op("Equal", index, index)
        keep_f = g.op("Cast", keep, to=int(g.onnx.TensorProto.FLOAT))
        count = g.reduce("ReduceSum", keep_f, [1], keepdims=1)
        if m.mode == "max":
            return _bag_max(g, g.op("Unsqueeze", keep, g.ints([2])), rows, count, 1)
        scale = keep_f if weights is None else g.op("Mul", keep_f, weights)
        total = g.reduce("ReduceSum", g.op("Mul", rows, g.op("Unsqueeze", scale, g.ints([2]))),
                         [1], keepdims=0)
        return total if m.mode == "sum" else _bag_mean(g, total, count)
    # 1-D entries cut into bags at offsets: the membership matrix (B, n)
    n = g.op("Squeeze", g.op("Shape", index), g.ints([0]))
    positions = g.op("Unsqueeze", g.op("Range", g.const(np.int64(0)), n, g.const(np.int64(1))),
                     g.ints([0]))
    rest = g.op("Slice", offsets, g.ints([1]), g.ints([_INT64_MAX]), g.ints([0]))
    if m.include_last_offset:
        starts = g.op("Slice", offsets, g.ints([0]), g.ints([-1]), g.ints([0]))
        ends = rest
    else:
        starts, ends = offsets, g.op("Concat", rest, g.op("Unsqueeze", n, g.ints([0])), axis=0)
    members = g.op("And", g.op("GreaterOrEqual", positions, g.op("Unsqueeze", starts, g.ints([1]))),
                   g.op("Less", positions, g.op("Unsqueeze", ends, g.ints([1]))))
    if keep is not None:
        members = g.op("And", members, g.op("Unsqueeze", keep, g.ints([0])))
    members_f = g.op("Cast", members, to=int(g.onnx.TensorProto.FLOAT))
    count = g.reduce("ReduceSum", members_f, [1], keepdims=1)
    if m.mode == "max":
        return _bag_max(g, g.op("Unsqueeze", members, g.ints([2])),
                        g.op("Unsqueeze", rows, g.ints([0])), count, 1)
    scale = members_f if weights is None else \
        g.op("Mul", members_f, g.op("Unsqueeze", weights, g.ints([0])))
    total = g.op("MatMul", scale, rows)
    return total if m.mode == "sum" else _bag_mean(g, total, count)


embedding_bag.takes_kwargs = embedding_bag.keeps_none = True


# ---------------------------------------------------------------------------------- adaptive softmax
def _full_log_prob(g, m, x, head):
    """ember's ``AdaptiveLogSoftmaxWithLoss._full_log_prob``: (N, n_classes)."""
    head_logp = g.op("LogSoftmax", head, axis=1)
    short = m.shortlist_size

    def columns(start, stop):
        return g.op("Slice", head_logp, g.ints([start]), g.ints([stop]), g.ints([1]))

    parts = [columns(0, short)]
    for i, projection in enumerate(m.tail):
        y = x
        for layer in projection:
            y = linear(g, layer, [y], None)
        cluster = g.op("LogSoftmax", y, axis=1)
        parts.append(g.op("Add", cluster, columns(short + i, short + i + 1)))
    return g.op("Concat", *parts, axis=1, hint="log_prob")


def _batched(g, inputs, shapes):
    unbatched = len(shapes[0]) == 1
    x = g.op("Unsqueeze", inputs[0], g.ints([0])) if unbatched else inputs[0]
    return x, unbatched


def adaptive_log_prob(g, m, inputs, shapes):
    """``AdaptiveLogSoftmaxWithLoss.log_prob(input)`` -> every class's log-probability."""
    x, unbatched = _batched(g, inputs, shapes)
    out = _full_log_prob(g, m, x, linear(g, m.head, [x], None))
    return g.op("Squeeze", out, g.ints([0])) if unbatched else out


def adaptive_predict(g, m, inputs, shapes):
    """``AdaptiveLogSoftmaxWithLoss.predict(input)`` -> the int64 class of each row: the head's
    argmax when it is a shortlist class, else the argmax of the full log-probabilities."""
    x, unbatched = _batched(g, inputs, shapes)
    head = linear(g, m.head, [x], None)
    best = g.op("ArgMax", head, axis=1, keepdims=0)
    full = g.op("ArgMax", _full_log_prob(g, m, x, head), axis=1, keepdims=0)
    rare = g.op("GreaterOrEqual", best, g.const(np.int64(m.shortlist_size)))
    out = g.op("Where", rare, full, best, hint="predict")
    return g.op("Squeeze", out, g.ints([0])) if unbatched else out


ADAPTIVE_FORWARD = (
    "AdaptiveLogSoftmaxWithLoss.forward(input, target) computes the training loss and has no "
    "ONNX export (nor in torch.onnx); export its inference methods instead: call "
    "log_prob(input) or predict(input) from the forward of a wrapper module")
