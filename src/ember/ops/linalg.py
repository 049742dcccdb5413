"""Matrix products: matmul (1-D, 2-D, batched with broadcasting), mm, bmm, dot, mv, outer."""
from __future__ import annotations

import numpy as np

from ..autograd.function import Function
from ._util import as_tensor, unbroadcast


_NAMES = {(2, 2): "MmBackward0", (2, 1): "MvBackward0", (1, 1): "DotBackward0",
          (1, 2): "SqueezeBackward4"}


class MatMul(Function):
    __slots__ = ("dims",)  # outside __dict__, so the name survives release()

    def forward(self, a, b):
        self.a, self.b = a, b
        self.dims = (a.ndim, b.ndim)
        return np.matmul(a, b)

    def name(self) -> str:
        """torch's node names: MmBackward0, MvBackward0, DotBackward0, UnsafeViewBackward0."""
        return _NAMES.get(self.dims, "UnsafeViewBackward0")

    def backward(self, g):
        a, b = self.a, self.b
        if a.ndim == 2 and b.ndim == 2:
            ga = g @ b.T if self.needs_grad(0) else None
            gb = a.T @ g if self.needs_grad(1) else None
            return ga, gb
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g2 = np.expand_dims(g, -1) if b.ndim == 1 else g
        if a.ndim == 1:
            g2 = np.expand_dims(g2, -2)
        ga = gb = None
        if self.needs_grad(0):
            ga = unbroadcast(g2 @ np.swapaxes(b2, -1, -2), a2.shape).reshape(a.shape)
        if self.needs_grad(1):
            gb = unbroadcast(np.swapaxes(a2, -1, -2) @ g2, b2.shape).reshape(b.shape)
        return ga, gb


_TORCH_NAMES = {"int64": "Long", "int32": "Int", "float32": "Float", "float64": "Double",
                "bool": "Bool", "float16": "Half", "int16": "Short", "int8": "Char", "uint8": "Byte"}


def _shape_str(shape) -> str:
    return "x".join(str(n) for n in shape)


def _check(a, b, name: str = "matmul") -> None:
    da, db = a._data.dtype, b._data.dtype
    if da != db:
        if da.kind != "f" or db.kind != "f":
            hint = " Convert the integer tensor with .float() (e.g. `features.float()`)."
        else:
            hint = " Convert one of them with .float() or .double()."
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_TORCH_NAMES.get(da.name, da.name)} "
                           f"and {_TORCH_NAMES.get(db.name, db.name)} (ember.{da.name} and ember.{db.name})."
                           f"{hint}")
    sa, sb = a.shape, b.shape
    if not sa or not sb:
        raise RuntimeError(f"both arguments to {name} need to be at least 1D, but they are "
                           f"{len(sa)}D and {len(sb)}D")
    k_a = sa[-1]
    k_b = sb[0] if len(sb) == 1 else sb[-2]
    if k_a != k_b:
        if len(sa) == 1 and len(sb) == 1:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{sa[0]}] and src [{sb[0]}] "
                               f"to have the same number of elements, but got {sa[0]} and {sb[0]} "
                               f"elements respectively")
        left = sa if len(sa) > 1 else (1,) + sa
        right = sb if len(sb) > 1 else sb + (1,)
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_shape_str(left[-2:])} and "
                           f"{_shape_str(right[-2:])})" + ("" if len(sa) <= 2 and len(sb) <= 2 else
                                                           f" (full shapes {sa} and {sb})"))


def matmul(input, other):
    """Matrix product with torch's rules for 1-D, 2-D and batched (broadcast) operands.

    Example::

        >>> (ember.ones(5, 2, 3) @ ember.ones(3, 4)).shape
        (5, 2, 4)
        >>> ember.ones(1, 8) @ ember.ones(4, 2)
        Traceback (most recent call last):
        RuntimeError: mat1 and mat2 shapes cannot be multiplied (1x8 and 4x2)
    """
    a, b = as_tensor(input), as_tensor(other)
    _check(a, b)
    try:
        return MatMul.apply(a, b)
    except ValueError:
        raise RuntimeError(f"matmul: batch dimensions of {a.shape} and {b.shape} cannot be "
                           f"broadcast together") from None


def mm(input, mat2):
    """Matrix product of two 2-D tensors."""
    a, b = as_tensor(input), as_tensor(mat2)
    if a.ndim != 2 or b.ndim != 2:
        raise RuntimeError(f"mm: expected 2-D tensors, got {a.ndim}-D and {b.ndim}-D")
    return matmul(a, b)


def bmm(input, mat2):
    """Batched matrix product of two 3-D tensors ``(b, n, m) @ (b, m, p)``."""
    a, b = as_tensor(input), as_tensor(mat2)
    if a.ndim != 3 or b.ndim != 3:
        raise RuntimeError(f"batch1 must be a 3D tensor and batch2 a 3D tensor, got {a.ndim}D and {b.ndim}D")
    return matmul(a, b)


def dot(input, other):
    """Inner product of two 1-D tensors."""
    a, b = as_tensor(input), as_tensor(other)
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    return matmul(a, b)


def mv(input, vec):
    """Matrix-vector product ``(n, m) @ (m,)``."""
    a, b = as_tensor(input), as_tensor(vec)
    if a.ndim != 2 or b.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {a.ndim}D and {b.ndim}D")
    return matmul(a, b)


def outer(input, vec2):
    """Outer product of two vectors: ``(n,)`` and ``(m,)`` give ``(n, m)``."""
    a, b = as_tensor(input), as_tensor(vec2)
    return matmul(a.reshape(-1, 1), b.reshape(1, -1))
