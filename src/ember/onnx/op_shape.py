"""ONNX converters of the shape ops a traced ``forward`` runs (``ember.onnx.op_trace``):
view/reshape/flatten/squeeze/unsqueeze, permute/transpose, expand, cat/stack, indexing and the
split/chunk/unbind pieces (slices), ``converter(call) -> ONNX name``.

Sizes read from the input (``x.view(x.size(0), -1)``, ``flatten(1)``) stay dynamic: a target
size equal to the input's size on the same axis is written as 0 (ONNX Reshape's "copy this
axis"), an expanded size equal to the input's as 1 (Expand broadcasts it), and any other size of
a dynamic axis (``reshape(n * t, d)``, ``token.expand(x.size(0), -1, -1)``, ``pe[:, :x.size(1)]``)
is read from the graph input's shape at run time (``Tracer.sizes``: the dynamic axes are traced
at distinctive sizes, so these are recognised).

Example::

    >>> import io, ember.onnx
    >>> class Head(ember.nn.Module):
    ...     def forward(self, x):
    ...         return x.view(x.size(0), -1)
    >>> proto = ember.onnx.export(Head(), ember.randn(2, 3, 4), io.BytesIO())
    >>> [node.op_type for node in proto.graph.node]
    ['Reshape', 'Identity']
    >>> import onnx   # 0: the batch is read from x at run time
    >>> [onnx.numpy_helper.to_array(t).tolist() for t in proto.graph.initializer]
    [[0, -1]]
"""
from __future__ import annotations

import numpy as np

from ..ops import shape

_BIG = int(np.iinfo(np.int64).max)
_SMALL = int(np.iinfo(np.int64).min)


def _inserted(longer, shorter) -> list:
    """The size-1 axes of ``longer`` that are not in ``shorter`` (those a squeeze removed or an
    unsqueeze added), matching sizes left to right."""
    axes, j = [], 0
    for i, size in enumerate(longer):
        if j < len(shorter) and shorter[j] == size:
            j += 1
        else:
            axes.append(i)
    return axes


def _view(c):
    src, dst, g = c.shape(0), tuple(c.out.shape), c.graph
    label = c.label or ""
    if label.startswith("Unsqueeze") and len(dst) == len(src) + 1:
        return g.op("Unsqueeze", c.name(0), g.ints(_inserted(dst, src)))
    if label.startswith("Squeeze"):
        return g.op("Squeeze", c.name(0), g.ints(_inserted(src, dst)))
    target = [int(s) for s in c.params["shape"]]
    for i, size in enumerate(target[:len(src)]):
        if size == src[i] and size > 0:  # read at run time: a dynamic batch stays dynamic
            target[i] = 0
    return g.op("Reshape", c.name(0), c.sizes(target), hint="reshape")


def _permute(c):
    return c.graph.op("Transpose", c.name(0), perm=[int(d) for d in c.params["dims"]])


def _expand(c):
    src, dst = c.shape(0), [int(s) for s in c.params["shape"]]
    lead = len(dst) - len(src)
    target = [1 if i >= lead and s == src[i - lead] else s for i, s in enumerate(dst)]
    return c.graph.op("Expand", c.name(0), c.sizes(target))


def _cat(c):
    dtype = c.out.numpy().dtype
    return c.graph.op("Concat", *[c.name(i, dtype) for i in range(len(c.inputs))],
                      axis=int(c.params["axis"]))


def _stack(c):
    dtype, g, axis = c.out.numpy().dtype, c.graph, int(c.params["axis"])
    parts = [g.op("Unsqueeze", c.name(i, dtype), g.ints([axis])) for i in range(len(c.inputs))]
    return g.op("Concat", *parts, axis=axis)


def _index(c):
    """``x[key]``: ints, slices, None, Ellipsis (a Slice, then Squeeze and Unsqueeze), or one
    integer index tensor along one axis (a Gather)."""
    g, rank = c.graph, len(c.shape(0))
    key = c.params["key"]
    items = list(key) if isinstance(key, tuple) else [key]
    consuming = sum(1 for k in items if k is not None and k is not Ellipsis)
    if Ellipsis in [k for k in items if not isinstance(k, np.ndarray)]:
        at = next(i for i, k in enumerate(items) if k is Ellipsis and not isinstance(k, np.ndarray))
        items[at:at + 1] = [slice(None)] * (rank - consuming)
    items += [slice(None)] * (rank - sum(1 for k in items if k is not None))
    if c.params.get("advanced") or any(isinstance(k, np.ndarray) for k in items):
        return _gather(c, items)
    starts, ends, axes, steps, squeeze, unsqueeze = [], [], [], [], [], []
    axis = out = 0
    for k in items:
        if k is None:
            unsqueeze.append(out)
            out += 1
            continue
        if isinstance(k, slice):
            step = 1 if k.step is None else int(k.step)
            start = (0 if step > 0 else -1) if k.start is None else int(k.start)
            stop = (_BIG if step > 0 else _SMALL) if k.stop is None else int(k.stop)
            if (start, stop, step) != (0, _BIG, 1):
                starts, ends = starts + [start], ends + [stop]
                axes, steps = axes + [axis], steps + [step]
            out += 1
        else:  # an int: a slice of one, then squeezed
            i = int(k)
            starts, ends = starts + [i], ends + [i + 1 or _BIG]
            axes, steps = axes + [axis], steps + [1]
            squeeze.append(axis)
        axis += 1
    y = c.name(0)
    if axes:
        y = g.op("Slice", y, c.sizes(starts), c.sizes(ends), g.ints(axes), g.ints(steps),
                 hint="slice")
    if squeeze:
        y = g.op("Squeeze", y, g.ints(squeeze))
    if unsqueeze:
        y = g.op("Unsqueeze", y, g.ints(unsqueeze))
    return y if y != c.name(0) else g.op("Identity", y)


def _gather(c, items):
    arrays = [i for i, k in enumerate(items) if isinstance(k, np.ndarray)]
    plain = all(k == slice(None) for i, k in enumerate(items) if i not in arrays)
    if len(arrays) != 1 or items[arrays[0]].dtype.kind not in "iu" or not plain:
        c.refuse("indexes with boolean masks or several index tensors (one integer index tensor "
                 "along one axis can be exported)")
    index = items[arrays[0]]
    name = c.recorder.traced_name(index)
    if name is None:
        name = c.graph.ints(index.reshape(-1))
        name = c.graph.op("Reshape", name, c.graph.ints(list(index.shape) or [-1])) \
            if index.ndim != 1 else name
    return c.graph.op("Gather", c.name(0), name, axis=arrays[0])


OPS = {
    shape.View: _view, shape.Permute: _permute, shape.Expand: _expand,
    shape.Clone: lambda c: c.graph.op("Identity", c.name(0)), shape.Cat: _cat,
    shape.Stack: _stack, shape.Index: _index,
}
