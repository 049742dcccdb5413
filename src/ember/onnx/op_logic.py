"""ONNX converters of the calls without a gradient a traced ``forward`` makes: comparisons
(``x > 0``, ``ids == pad``), logic (``~mask``, ``a & b``), ``isnan``/``isinf`` and
``argmax``/``argmin``. They are functions rather than ops (no ``Function`` node):
``ember.onnx.op_trace`` recognises their frame when they make their result, and reads their
arguments there. ``FUNCTIONS`` maps each function to its ``converter(call) -> ONNX name``.

Example::

    >>> import io, ember.onnx
    >>> class Masked(ember.nn.Module):
    ...     def forward(self, x):
    ...         return x.masked_fill(x < 0, 0.0), x.argmax(dim=1)
    >>> proto = ember.onnx.export(Masked(), ember.randn(2, 3), io.BytesIO())
    >>> [node.op_type for node in proto.graph.node]
    ['Less', 'Where', 'ArgMax', 'Identity', 'Identity']
"""
from __future__ import annotations

import numpy as np

from ..ops import comparison as C
from ..ops import reduction


def _common(c) -> np.dtype:
    """The dtype both sides are compared in (a Python float against integers: float32)."""
    arrays = [np.asarray(x._data if hasattr(x, "_data") else x) for x in c.inputs[:2]]
    dtype = np.result_type(*(a if a.ndim else a.dtype.type(a) for a in arrays))
    if dtype == np.float64 and not any(a.dtype == np.float64 and a.ndim for a in arrays):
        dtype = np.dtype(np.float32)
    return dtype


def _compare(op_type: str, negate: bool = False):
    def convert(c):
        dtype = _common(c)
        y = c.graph.op(op_type, c.name(0, dtype), c.name(1, dtype))
        return c.graph.op("Not", y) if negate else y
    return convert


def _logic(op_type: str):
    def convert(c):
        if c.out.numpy().dtype != np.bool_:
            c.unconverted(f"{c.op.__name__} (bitwise on integers)")
        return c.graph.op(op_type, c.name(0, np.bool_), c.name(1, np.bool_))
    return convert


def _not(c):
    if c.out.numpy().dtype != np.bool_:
        c.unconverted("bitwise_not (bitwise on integers)")
    return c.graph.op("Not", c.name(0, np.bool_))


def _arg(c):
    """``reduction._arg(fn, input, dim, keepdim)``: NumPy's argmax or argmin along ``dim``."""
    op_type = "ArgMin" if c.params["fn"].__name__ == "argmin" else "ArgMax"
    g, x, rank = c.graph, c.name(1), len(c.shape(1))
    dim, keep = c.params.get("dim"), int(bool(c.params.get("keepdim")))
    if dim is None:
        flat = g.op(op_type, g.op("Reshape", x, g.ints([-1])), axis=0, keepdims=0)
        return g.op("Reshape", flat, g.ints([1] * rank)) if keep else flat
    return g.op(op_type, x, axis=int(dim) % max(rank, 1), keepdims=keep)


FUNCTIONS = {
    C.eq: _compare("Equal"), C.ne: _compare("Equal", negate=True), C.lt: _compare("Less"),
    C.le: _compare("LessOrEqual"), C.gt: _compare("Greater"), C.ge: _compare("GreaterOrEqual"),
    C.logical_and: _logic("And"), C.logical_or: _logic("Or"), C.logical_xor: _logic("Xor"),
    C.bitwise_and: _logic("And"), C.bitwise_or: _logic("Or"), C.bitwise_xor: _logic("Xor"),
    C.logical_not: lambda c: c.graph.op("Not", c.name(0, np.bool_)), C.bitwise_not: _not,
    C.isnan: lambda c: c.graph.op("IsNaN", c.name(0)),
    C.isinf: lambda c: c.graph.op("IsInf", c.name(0)),
    reduction._arg: _arg,
}
