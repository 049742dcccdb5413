"""ONNX converters of the arithmetic, activation, reduction and matrix ops a traced ``forward``
runs (``ember.onnx.op_trace``): ``converter(call) -> ONNX name``.

Python numbers become initializers of the output's dtype (float32 stays float32); the
activations reuse the converters of the matching modules (``torch_layers``), so each ONNX
form is written once.

Example::

    >>> import io, ember.onnx
    >>> class Scaled(ember.nn.Module):
    ...     def forward(self, x):
    ...         return (2 - x).sum(dim=1)
    >>> proto = ember.onnx.export(Scaled(), ember.randn(2, 3), io.BytesIO())
    >>> [(node.op_type, list(node.input)) for node in proto.graph.node][:2]
    [('Sub', ['constant', 'input0']), ('ReduceSum', ['sub', 'shape'])]
    >>> import onnx   # the Python 2 is a float32 constant, as x is
    >>> [onnx.numpy_helper.to_array(t).dtype.name for t in proto.graph.initializer]
    ['float32', 'int64']
"""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from ..ops import activation as A
from ..ops import elementwise as E
from ..ops import linalg, pointwise, reduction
from . import torch_layers as T


def _binary(op_type: str):
    """Both sides in the output's dtype (Python numbers as constants of it)."""
    def convert(c):
        return c.graph.op(op_type, c.name(0, c.out.numpy().dtype), c.name(1, c.out.numpy().dtype))
    return convert


def _pow(c):
    return c.graph.op("Pow", c.name(0, c.out.numpy().dtype), c.name(1, c.out.numpy().dtype))


def _where(c):
    dtype = c.out.numpy().dtype
    return c.graph.op("Where", c.name(0, np.bool_), c.name(1, dtype), c.name(2, dtype))


def _unary(op_type: str):
    return lambda c: c.graph.op(op_type, c.name(0))


def _reciprocal_sqrt(c):
    return c.graph.op("Reciprocal", c.graph.op("Sqrt", c.name(0)))


def _clamp(c):
    dtype = c.out.numpy().dtype
    bounds = [c.graph.const(np.asarray(c.params.get(k), dtype)) if c.params.get(k) is not None
              else "" for k in ("lo", "hi")]
    return c.graph.op("Clip", c.name(0), *bounds)


def _cast(c):
    to = c.graph.onnx.helper.np_dtype_to_tensor_dtype(np.dtype(c.params["dtype"]))
    return c.graph.op("Cast", c.name(0), to=int(to))


# ---------------------------------------------------------------------------------- activations
def _module_form(converter, **attrs):
    """An op converted by the converter of the module it is the functional form of."""
    return lambda c: converter(c.graph, SimpleNamespace(**attrs, **c.params), [c.name(0)],
                               [c.shape(0)])


def _softmax(log: bool):
    def convert(c):
        return c.graph.op("LogSoftmax" if log else "Softmax", c.name(0), axis=int(c.params["axis"]))
    return convert


def _elu(c):
    alpha, scale = float(c.params.get("alpha", 1.0)), float(c.params.get("scale", 1.0))
    if scale != 1.0:  # selu's constants
        return c.graph.op("Selu", c.name(0), alpha=alpha, gamma=scale)
    return c.graph.op("Elu", c.name(0), alpha=alpha)


def _leaky(c):
    return c.graph.op("LeakyRelu", c.name(0), alpha=float(c.params.get("negative_slope", 0.01)))


def _hardtanh(c):
    m = SimpleNamespace(min_val=c.params.get("min_val", -1.0), max_val=c.params.get("max_val", 1.0))
    return T.hardtanh(c.graph, m, [c.name(0)], [c.shape(0)])


def _prelu(c):
    return T.prelu(c.graph, SimpleNamespace(weight=c.tensor(1)), [c.name(0)], [c.shape(0)])


#: Pointwise rules (``ember.ops.pointwise``) by their node label
_RULES = {
    "HardsigmoidBackward0": lambda c: T.hardsigmoid(c.graph, None, [c.name(0)], [c.shape(0)]),
    "HardswishBackward0": _unary("HardSwish"),
    "CeluBackward0": lambda c: c.graph.op("Celu", c.name(0), alpha=float(c.params["alpha"])),
    "MishBackward0": lambda c: T.mish(c.graph, None, [c.name(0)], [c.shape(0)]),
}


def _pointwise(c):
    convert = _RULES.get(c.params["rule"].label)
    if convert is None:
        c.refuse(f"({c.params['rule'].label[:-len('Backward0')]}) has no ONNX converter")
    return convert(c)


# ---------------------------------------------------------------------------------- reductions
def _axes(c):
    axis, rank = c.params.get("axis"), len(c.shape(0))
    if axis is None:
        return list(range(rank))
    return [int(a) % rank for a in (axis if isinstance(axis, (tuple, list)) else (axis,))]


def _reduce(op_type: str):
    def convert(c):
        return c.graph.reduce(op_type, c.name(0), _axes(c), keepdims=int(bool(c.params.get("keepdims"))))
    return convert


def _extreme(c):
    """max/min/amax/amin (``fn`` is NumPy's max or min, or argmax/argmin along one dim)."""
    op_type = "ReduceMin" if c.params["fn"].__name__ in ("min", "amin", "argmin") else "ReduceMax"
    return _reduce(op_type)(c)


def _sum(c):
    x = c.name(0) if c.params.get("dtype") is None else c.name(0, c.out.numpy().dtype)
    return c.graph.reduce("ReduceSum", x, _axes(c), keepdims=int(bool(c.params.get("keepdims"))))


# ---------------------------------------------------------------------------------- matrices
def _matmul(c):
    dtype = c.out.numpy().dtype
    return c.graph.op("MatMul", c.name(0, dtype), c.name(1, dtype))


def _addmm(c):
    """``F.linear``: ``x @ w.T + b``; a constant weight is the ``nn.Linear`` converter's."""
    has_bias = len(c.inputs) > 2 and c.inputs[2] is not None
    if not any(c.traced(i) for i in range(1, len(c.inputs))):
        m = SimpleNamespace(weight=c.tensor(1), bias=c.tensor(2) if has_bias else None)
        return T.linear(c.graph, m, [c.name(0)], [c.shape(0)])
    y = c.graph.op("MatMul", c.name(0), c.graph.op("Transpose", c.name(1), perm=[1, 0]))
    return c.graph.op("Add", y, c.name(2)) if has_bias else y


OPS = {
    E.Add: _binary("Add"), E.Sub: _binary("Sub"), E.Mul: _binary("Mul"), E.Div: _binary("Div"),
    E.Pow: _pow, E.Maximum: _binary("Max"), E.Minimum: _binary("Min"), E.Where: _where,
    E.Neg: _unary("Neg"), E.Abs: _unary("Abs"), E.Exp: _unary("Exp"), E.Log: _unary("Log"),
    E.Sqrt: _unary("Sqrt"), E.Reciprocal: _unary("Reciprocal"), E.Rsqrt: _reciprocal_sqrt,
    E.Sin: _unary("Sin"), E.Cos: _unary("Cos"), E.Clamp: _clamp, E.Cast: _cast,
    A.Relu: _unary("Relu"), A.Sigmoid: _unary("Sigmoid"), A.Tanh: _unary("Tanh"),
    A.Softmax: _softmax(False), A.LogSoftmax: _softmax(True), A.LeakyRelu: _leaky, A.Elu: _elu,
    A.Gelu: _module_form(T.gelu), A.Softplus: _module_form(T.softplus), A.Softsign: _unary("Softsign"),
    A.Hardtanh: _hardtanh, A.Silu: lambda c: T.silu(c.graph, None, [c.name(0)], [c.shape(0)]),
    A.LogSigmoid: lambda c: T.log_sigmoid(c.graph, None, [c.name(0)], [c.shape(0)]),
    A.Prelu: _prelu, pointwise.Pointwise: _pointwise,
    reduction.Sum: _sum, reduction.Mean: _reduce("ReduceMean"), reduction.Extreme: _extreme,
    reduction.ExtremeAlongDim: _extreme, reduction.Prod: _reduce("ReduceProd"),
    reduction.LogSumExp: _reduce("ReduceLogSumExp"),
    linalg.MatMul: _matmul, linalg.Addmm: _addmm,
}
