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
from ..ops import attention, layout, linalg, linalg_more, normalization, padding, pointwise
from ..ops import reduction
from ..ops import elementwise as E
from . import image_layers, torch_layers as T


def _binary(op_type: str):
    """Both sides in the output's dtype (Python numbers as constants of it)."""
    def convert(c):
        return c.graph.op(op_type, c.name(0, c.out.numpy().dtype), c.name(1, c.out.numpy().dtype))
    return convert


def _pow(c):
    return c.graph.op("Pow", c.name(0, c.out.numpy().dtype), c.name(1, c.out.numpy().dtype))


def _remainder(c):
    """Python's ``%`` (the sign of the divisor): ``x - floor(x / y) * y`` for floats, ONNX Mod
    (fmod=0, the same rule) for integers."""
    dtype = c.out.numpy().dtype
    x, y, g = c.name(0, dtype), c.name(1, dtype), c.graph
    if dtype.kind in "iu":
        return g.op("Mod", x, y, fmod=0)
    return g.op("Sub", x, g.op("Mul", g.op("Floor", g.op("Div", x, y)), y), hint="remainder")


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


def _log1p(c):
    one = c.graph.const(np.asarray(1, c.out.numpy().dtype))
    return c.graph.op("Log", c.graph.op("Add", c.name(0), one))


def _expm1(c):
    one = c.graph.const(np.asarray(1, c.out.numpy().dtype))
    return c.graph.op("Sub", c.graph.op("Exp", c.name(0)), one)


#: ops without a gradient (``ZeroGrad``) by their node label
_ROUNDING = {"FloorBackward0": "Floor", "CeilBackward0": "Ceil", "SignBackward0": "Sign",
             "RoundBackward0": "Round"}


def _zero_grad(c):
    op_type = _ROUNDING.get(c.label or "")
    if op_type is None:
        c.unconverted(_label_name(c.label))
    return c.graph.op(op_type, c.name(0))


def _label_name(label) -> str:
    """``'LgammaBackward0'`` -> ``'Lgamma'``."""
    return (label or "?").rsplit("Backward", 1)[0]


#: Pointwise rules (``ember.ops.pointwise``, ``ember.ops.unary_math``) by their node label
_RULES = {
    **{f"{name}Backward0": _unary(name) for name in
       ("Acos", "Asin", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "Erf")},
    "HardsigmoidBackward0": lambda c: T.hardsigmoid(c.graph, None, [c.name(0)], [c.shape(0)]),
    "HardswishBackward0": _unary("HardSwish"),
    "CeluBackward0": lambda c: c.graph.op("Celu", c.name(0), alpha=float(c.params["alpha"])),
    "MishBackward0": lambda c: T.mish(c.graph, None, [c.name(0)], [c.shape(0)]),
}


def _pointwise(c):
    convert = _RULES.get(c.params["rule"].label)
    if convert is None:
        c.unconverted(_label_name(c.params["rule"].label))
    return convert(c)


# ---------------------------------------------------------------------------------- reductions
def _axes(c):
    axis, rank = c.params.get("axis"), len(c.shape(0))
    if axis is None:
        return list(range(rank))
    return [int(a) % rank for a in (axis if isinstance(axis, (tuple, list)) else (axis,))]


def _reduce(op_type: str):
    def convert(c):
        keep = int(bool(c.params.get("keepdims")))
        return c.graph.reduce(op_type, c.name(0), _axes(c), keepdims=keep)
    return convert


def _extreme(c):
    """max/min/amax/amin (``fn`` is NumPy's max or min, or argmax/argmin along one dim)."""
    op_type = "ReduceMin" if c.params["fn"].__name__ in ("min", "amin", "argmin") else "ReduceMax"
    return _reduce(op_type)(c)


def _var(c):
    """``sum((x - mean)^2) / (n - correction)`` over the axes."""
    g, x, axes = c.graph, c.name(0), _axes(c)
    n = int(np.prod([c.shape(0)[a] for a in axes]))
    centered = g.op("Sub", x, g.reduce("ReduceMean", x, axes, keepdims=1))
    total = g.reduce("ReduceSum", g.op("Mul", centered, centered), axes,
                     keepdims=int(bool(c.params.get("keepdims"))))
    divisor = max(n - int(c.params.get("correction", 1)), 0)
    return g.op("Div", total, g.const(np.asarray(divisor, c.out.numpy().dtype)), hint="var")


def _vector_norm(c):
    """The ``p``-norm over ``axes`` (the ``nn.PairwiseDistance`` converter's for one axis)."""
    p, axes = float(c.params.get("p", 2.0)), c.params.get("axes")
    axes = list(range(len(c.shape(0)))) if axes is None else [int(a) for a in axes]
    keep = int(bool(c.params.get("keepdims")))
    if len(axes) == 1 and p > 0:
        return T._norm(c.graph, None, c.name(0), p, axes[0], keep)
    if p != 2.0:
        c.unconverted(f"VectorNorm (ord={p} over several axes)")
    return c.graph.reduce("ReduceL2", c.name(0), axes, keepdims=keep)


def _cumsum(c):
    axis = c.graph.const(np.asarray(int(c.params.get("axis", 0)), np.int64), "axis")
    return c.graph.op("CumSum", c.name(0), axis)


def _sum(c):
    x = c.name(0, c.out.numpy().dtype)  # bools and integers are summed as int64, as in torch
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


def _einsum(c):
    dtype = c.out.numpy().dtype
    equation = ",".join(c.params["inputs"]) + "->" + c.params["output"]
    names = [c.name(i, dtype) for i in range(len(c.inputs))]
    return c.graph.op("Einsum", *names, equation=equation)


def _attention(c):
    """``softmax(q kᵀ · scale + bias) v`` (``F.scaled_dot_product_attention`` in eval form)."""
    if c.params.get("keep") is not None or c.params.get("weights"):
        c.refuse("drops attention weights at random or returns them (export the eval form)")
    g, rank = c.graph, len(c.shape(1))
    perm = list(range(rank - 2)) + [rank - 1, rank - 2]
    s = g.op("MatMul", c.name(0), g.op("Transpose", c.name(1), perm=perm))
    s = g.op("Mul", s, g.const(np.asarray(c.params.get("scale", 1.0), c.out.numpy().dtype)))
    if c.inputs[3] is not None:
        s = g.op("Add", s, c.name(3, c.out.numpy().dtype))
    return g.op("MatMul", g.op("Softmax", s, axis=-1), c.name(2), hint="attention")


def _pad(c):
    if c.params.get("mode", "constant") != "constant":
        c.unconverted(f"Pad (mode={c.params['mode']!r})")
    widths = [[int(a), int(b)] for a, b in c.params["widths"]]
    pads = [a for a, _ in widths] + [b for _, b in widths]
    value = c.graph.const(np.asarray(c.params.get("value", 0.0), c.out.numpy().dtype))
    return c.graph.op("Pad", c.name(0), c.graph.ints(pads, "pads"), value, mode="constant")


def _group_norm(c):
    w = c.tensor(1)
    m = SimpleNamespace(num_groups=int(c.params["groups"]), eps=float(c.params.get("eps", 1e-5)),
                        affine=w is not None, weight=w, bias=c.tensor(2))
    if m.affine and m.bias is None:
        c.refuse("has a weight without a bias")
    return T.group_norm(c.graph, m, [c.name(0)], [c.shape(0)])


def _pixel_shuffle(c):
    """``F.pixel_shuffle``/``F.pixel_unshuffle``: the ``nn.PixelShuffle``/``PixelUnshuffle``
    converters'."""
    factor = int(c.params.get("factor", 1))
    if c.params.get("inverse"):
        m = SimpleNamespace(downscale_factor=factor)
        return image_layers.pixel_unshuffle(c.graph, m, [c.name(0)], [c.shape(0)])
    m = SimpleNamespace(upscale_factor=factor)
    return image_layers.pixel_shuffle(c.graph, m, [c.name(0)], [c.shape(0)])


OPS = {
    E.Add: _binary("Add"), E.Sub: _binary("Sub"), E.Mul: _binary("Mul"), E.Div: _binary("Div"),
    E.Pow: _pow, E.Remainder: _remainder, E.Maximum: _binary("Max"), E.Minimum: _binary("Min"),
    E.Where: _where,
    E.Neg: _unary("Neg"), E.Abs: _unary("Abs"), E.Exp: _unary("Exp"), E.Log: _unary("Log"),
    E.Sqrt: _unary("Sqrt"), E.Reciprocal: _unary("Reciprocal"), E.Rsqrt: _reciprocal_sqrt,
    E.Sin: _unary("Sin"), E.Cos: _unary("Cos"), E.Clamp: _clamp, E.Cast: _cast,
    A.Relu: _unary("Relu"), A.Sigmoid: _unary("Sigmoid"), A.Tanh: _unary("Tanh"),
    A.Softmax: _softmax(False), A.LogSoftmax: _softmax(True), A.LeakyRelu: _leaky, A.Elu: _elu,
    A.Gelu: _module_form(T.gelu), A.Softplus: _module_form(T.softplus),
    A.Softsign: _unary("Softsign"),
    A.Hardtanh: _hardtanh, A.Silu: lambda c: T.silu(c.graph, None, [c.name(0)], [c.shape(0)]),
    A.LogSigmoid: lambda c: T.log_sigmoid(c.graph, None, [c.name(0)], [c.shape(0)]),
    A.Prelu: _prelu, pointwise.Pointwise: _pointwise,
    reduction.Sum: _sum, reduction.Mean: _reduce("ReduceMean"), reduction.Extreme: _extreme,
    reduction.ExtremeAlongDim: _extreme, reduction.Prod: _reduce("ReduceProd"),
    reduction.LogSumExp: _reduce("ReduceLogSumExp"),
    linalg.MatMul: _matmul, linalg.Addmm: _addmm, E.Log1p: _log1p, E.Expm1: _expm1,
    E.ZeroGrad: _zero_grad, reduction.Var: _var, reduction.CumSum: _cumsum,
    linalg_more.VectorNorm: _vector_norm, linalg_more.Einsum: _einsum,
    attention.ScaledDotProductAttention: _attention, padding.Pad: _pad,
    normalization.GroupNorm: _group_norm,
    layout.PixelShuffle: _pixel_shuffle,
}
