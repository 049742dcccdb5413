"""Binds the ops as Tensor methods and operators (``x.exp()``, ``x @ w``, ``x[0]``).

Kept apart from ``_tensor.py`` so the Tensor object and the op table each stay small.
"""
from __future__ import annotations

from . import _dtype, _legacy, _runtime
from ._device import check_device
from ._device import device as device_type
from ._tensor import Tensor
from .ops import activation as act
from .ops import elementwise as ew
from .ops import linalg, reduction, shape, sorting


def _to(self, *args, device=None, dtype=None, non_blocking: bool = False, copy: bool = False,
        memory_format=None, other=None):
    """``x.to(dtype)``, ``x.to('cpu')``, ``x.to(other)``, ``x.to('cpu', dtype)``; a device other
    than the CPU raises torch's CPU-only error."""
    flags = []
    if other is not None:
        dtype = other.dtype
    for a in args:
        if isinstance(a, Tensor):
            dtype = a.dtype
        elif isinstance(a, (str, device_type)):
            device = a
        elif isinstance(a, bool):
            flags.append(a)
        elif isinstance(a, int):
            device = f"cuda:{a}"
        elif a is not None:
            dtype = a
    if len(flags) > 1:
        copy = flags[1]
    if device is not None:
        check_device(device, factory=False)
    out = self if dtype is None else ew.to_dtype(self, dtype)
    return shape.clone(out) if copy and out is self else out


def _cuda(self, device=None, non_blocking: bool = False, memory_format=None):
    """Raises torch's CPU-only error (``Torch not compiled with CUDA enabled``)."""
    check_device(f"cuda:{device}" if isinstance(device, int) else device or "cuda", factory=False)


def _type(self, dtype=None, non_blocking: bool = False, **kwargs):
    """``x.type()`` names the legacy type (``'ember.FloatTensor'``); ``x.type(dtype)`` or
    ``x.type(ember.LongTensor)`` / ``x.type('torch.LongTensor')`` converts."""
    if dtype is None:
        return _runtime.typename(self)
    if isinstance(dtype, str):
        dtype = _legacy.BY_NAME[dtype.split(".")[-1]].dtype
    dtype = getattr(dtype, "dtype", dtype) if isinstance(dtype, _legacy.tensortype) else dtype
    return ew.to_dtype(self, dtype)


def _reflect(fn):
    return lambda self, other: fn(ew.as_tensor(other), self) if isinstance(other, Tensor) else \
        _scalar_left(fn, self, other)


def _scalar_left(fn, self, other):
    if fn is ew.sub:
        return ew.rsub(self, other)
    if fn is ew.pow:
        return ew.pow(other, self)
    if fn is ew.div:
        return ew.rdiv(self, other)
    if fn is linalg.matmul:
        return linalg.matmul(ew.as_tensor(other), self)
    return fn(self, other)


_METHODS = {
    # conversions
    "to": _to, "type": _type, "cuda": _cuda,
    "is_cpu": property(lambda self: True), "is_cuda": property(lambda self: False),
    "is_mps": property(lambda self: False), "is_meta": property(lambda self: False),
    "get_device": lambda self: -1,
    "float": lambda self: ew.to_dtype(self, _dtype.float32),
    "double": lambda self: ew.to_dtype(self, _dtype.float64),
    "half": lambda self: ew.to_dtype(self, _dtype.float16),
    "long": lambda self: ew.to_dtype(self, _dtype.int64),
    "int": lambda self: ew.to_dtype(self, _dtype.int32),
    "bool": lambda self: ew.to_dtype(self, _dtype.bool),
    "type_as": lambda self, other: ew.to_dtype(self, other.dtype),
    "clone": shape.clone,
    # arithmetic
    "add": ew.add, "sub": ew.sub, "mul": ew.mul, "div": ew.div, "pow": ew.pow,
    "subtract": ew.sub, "multiply": ew.mul, "divide": ew.div, "true_divide": ew.div,
    "neg": ew.neg, "negative": ew.neg, "abs": ew.abs, "exp": ew.exp, "expm1": ew.expm1,
    "log": ew.log, "log1p": ew.log1p, "log2": ew.log2, "log10": ew.log10, "sqrt": ew.sqrt,
    "rsqrt": ew.rsqrt, "reciprocal": ew.reciprocal, "square": ew.square, "sin": ew.sin,
    "cos": ew.cos, "tan": ew.tan, "clamp": ew.clamp, "clip": ew.clamp, "maximum": ew.maximum,
    "minimum": ew.minimum, "floor": ew.floor, "ceil": ew.ceil, "trunc": ew.trunc,
    "round": ew.round, "sign": ew.sign, "remainder": ew.remainder,
    "floor_divide": ew.floor_divide,
    "where": lambda self, condition, other: ew.where(condition, self, other),
    # comparisons and logic
    "eq": ew.eq, "ne": ew.ne, "lt": ew.lt, "le": ew.le, "gt": ew.gt, "ge": ew.ge,
    "logical_and": ew.logical_and, "logical_or": ew.logical_or, "logical_not": ew.logical_not,
    "isnan": ew.isnan, "isinf": ew.isinf, "isfinite": ew.isfinite, "allclose": ew.allclose,
    "equal": ew.equal,
    # activations
    "relu": act.relu, "sigmoid": act.sigmoid, "tanh": act.tanh, "softmax": act.softmax,
    "log_softmax": act.log_softmax,
    # reductions
    "sum": reduction.sum, "mean": reduction.mean, "var": reduction.var, "std": reduction.std,
    "max": reduction.max, "min": reduction.min, "amax": reduction.amax, "amin": reduction.amin,
    "argmax": reduction.argmax, "argmin": reduction.argmin, "prod": reduction.prod,
    "logsumexp": reduction.logsumexp, "cumsum": reduction.cumsum, "all": reduction.all,
    "any": reduction.any, "count_nonzero": reduction.count_nonzero,
    "norm": lambda self, p="fro", dim=None, keepdim=False, dtype=None: _norm(self, p, dim, keepdim,
                                                                               dtype),
    # shape
    "reshape": shape.reshape, "view": shape.view, "flatten": shape.flatten,
    "unflatten": shape.unflatten, "squeeze": shape.squeeze, "unsqueeze": shape.unsqueeze,
    "permute": shape.permute, "transpose": shape.transpose, "swapaxes": shape.swapaxes,
    "t": shape.t, "expand": shape.expand, "expand_as": shape.expand_as,
    "contiguous": shape.contiguous, "split": shape.split, "chunk": shape.chunk,
    "unbind": shape.unbind, "select": shape.select, "gather": shape.gather,
    "index_put": shape.index_put, "flip": shape.flip, "repeat": shape.repeat,
    "tile": lambda self, *dims: _tile(self, dims[0] if len(dims) == 1 and not isinstance(
        dims[0], int) else dims),  # x.tile(2) and x.tile(2, 1) as torch's method takes them
    "view_as": lambda self, other: shape.reshape(self, other.shape),
    "reshape_as": lambda self, other: shape.reshape(self, other.shape),
    # sorting and selection
    "sort": sorting.sort, "argsort": sorting.argsort, "topk": sorting.topk, "masked_fill": sorting.masked_fill,
    # linear algebra
    "matmul": linalg.matmul, "mm": linalg.mm, "bmm": linalg.bmm, "dot": linalg.dot, "mv": linalg.mv,
    "outer": linalg.outer,
    # operators
    "__add__": ew.add, "__radd__": ew.add, "__sub__": ew.sub, "__rsub__": _reflect(ew.sub),
    "__mul__": ew.mul, "__rmul__": ew.mul, "__truediv__": ew.div, "__rtruediv__": _reflect(ew.div),
    "__pow__": ew.pow, "__rpow__": _reflect(ew.pow), "__matmul__": linalg.matmul,
    "__rmatmul__": _reflect(linalg.matmul), "__neg__": ew.neg, "__pos__": lambda self: self,
    "__abs__": ew.abs, "__floordiv__": ew.floor_divide, "__mod__": ew.remainder,
    "__eq__": ew.eq, "__ne__": ew.ne, "__lt__": ew.lt, "__le__": ew.le, "__gt__": ew.gt,
    "__ge__": ew.ge, "__and__": ew.bitwise_and, "__or__": ew.bitwise_or, "__xor__": ew.bitwise_xor,
    "__invert__": ew.bitwise_not, "__getitem__": shape.getitem, "__setitem__": shape.setitem,
    "__rfloordiv__": lambda self, other: ew.floor_divide(ew.as_tensor(other), self),
    "__rmod__": lambda self, other: ew.remainder(ew.as_tensor(other), self),
    "__contains__": lambda self, element: bool((self == element).any().item()),
}


def _norm(x, p="fro", dim=None, keepdim=False, dtype=None):
    """``torch.norm``'s vector norms (see :func:`ember.norm`)."""
    from ._namespace import norm
    return norm(x, p, dim, keepdim, dtype=dtype)


for _name, _fn in _METHODS.items():
    setattr(Tensor, _name, _fn)


def _tile(x, dims):
    """``Tensor.tile``: the dims as one sequence or as separate ints (see :func:`ember.tile`)."""
    from .ops.layout import tile
    return tile(x, dims)
