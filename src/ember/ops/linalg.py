"""Matrix products: matmul (1-D, 2-D, batched with broadcasting), mm, bmm, dot, mv, outer, and
the fused linear layer ``x @ w.T + b`` (:class:`Addmm`)."""
from __future__ import annotations

import numpy as np

from .._dtype import torch_dtype_name
from ..autograd.function import Function
from ._util import as_tensor, unbroadcast

# torch's node for a product of operands with these ranks (any other: UnsafeViewBackward0)
_MATMUL_NAMES = {(2, 2): "MmBackward0", (2, 1): "MvBackward0", (1, 1): "DotBackward0",
                 (1, 2): "SqueezeBackward4"}


class MatMul(Function):
    NAME = "UnsafeViewBackward0"

    def forward(self, a, b):
        self.a, self.b = a, b
        if (a.ndim, b.ndim) in _MATMUL_NAMES:
            self.label = _MATMUL_NAMES[(a.ndim, b.ndim)]
        return np.matmul(a, b)

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




def _shape_str(shape) -> str:
    return "x".join(str(n) for n in shape)


def _check(a, b, name: str = "matmul") -> None:
    da, db = a._data.dtype, b._data.dtype
    if da != db:
        if da.kind != "f" or db.kind != "f":
            hint = " Convert the integer tensor with .float() (e.g. `features.float()`)."
        else:
            hint = " Convert one of them with .float() or .double()."
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {torch_dtype_name(da)} "
                           f"and {torch_dtype_name(db)} (ember.{da.name} and ember.{db.name})."
                           f"{hint}")
    sa, sb = tuple(a.shape), tuple(b.shape)
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


class Addmm(Function):
    """``x @ w.T + b`` over the last axis of ``x`` (any rank); ``b`` may be None.

    Forward makes one matmul result and adds the bias into it in place; backward makes
    only the gradients that are needed (dX = g @ W, dW = gᵀ @ X, db = Σ g). torch names
    the node after what it runs: Addmm, Mm without a bias, View/UnsafeView for other ranks.

    Example::

        >>> from ember.ops.linalg import Addmm
        >>> x, w, b = ember.ones(2, 3), ember.ones(4, 3, requires_grad=True), ember.zeros(4)
        >>> Addmm.apply(x, w, b)              # one node in the graph
        tensor([[3., 3., 3., 3.],
                [3., 3., 3., 3.]], grad_fn=<AddmmBackward0>)
    """

    def forward(self, x, w, b=None):
        wanted = self.next_functions  # save only what the gradients needed will read
        x2 = x if x.ndim == 2 else x.reshape(-1, x.shape[-1])
        if wanted[0] is not None:
            self.w = w
        if wanted[1] is not None:  # as torch: a view of x, or the copy a strided x needed
            self.x = x2
        if x.ndim != 2 or b is None:
            self.label = (_MATMUL_NAMES.get((x.ndim, 2), "UnsafeViewBackward0") if b is None
                          else "ViewBackward0")
        out = np.matmul(x2, w.T)
        if b is not None:
            out += b
        return out if x.ndim == 2 else out.reshape(x.shape[:-1] + (w.shape[0],))

    def backward(self, g):
        w_rows = g.shape[-1]
        g2 = g if g.ndim == 2 else g.reshape(-1, w_rows)
        dx = dw = db = None
        if self.needs_grad(0):
            dx = np.matmul(g2, self.w)
            if g.ndim != 2:
                dx = dx.reshape(g.shape[:-1] + (self.w.shape[1],))
        if self.needs_grad(1):
            dw = np.matmul(g2.T, self.x)
        if self.needs_grad(2):
            db = g2.sum(axis=0)
        return dx, dw, db


def matmul(input, other):
    """Matrix product with torch's rules for 1-D, 2-D and batched (broadcast) operands.

    Example::

        >>> (ember.ones(5, 2, 3) @ ember.ones(3, 4)).shape
        ember.Size([5, 2, 4])
        >>> ember.ones(1, 8) @ ember.ones(4, 2)
        Traceback (most recent call last):
        RuntimeError: mat1 and mat2 shapes cannot be multiplied (1x8 and 4x2)
    """
    a, b = as_tensor(input), as_tensor(other)
    _check(a, b)
    try:
        return MatMul.apply(a, b)
    except ValueError:
        raise RuntimeError(f"matmul: batch dimensions of {tuple(a.shape)} and {tuple(b.shape)} cannot be "
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
    _check(a, b, "bmm")
    try:
        return MatMul.apply(a, b, label="BmmBackward0")
    except ValueError:
        raise RuntimeError(f"bmm: batch sizes of {a.shape} and {b.shape} differ") from None


def dot(input, tensor):
    """Inner product of two 1-D tensors."""
    a, b = as_tensor(input), as_tensor(tensor)
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
    from .elementwise import mul
    a, b = as_tensor(input), as_tensor(vec2)
    return mul(a.reshape(-1, 1), b.reshape(1, -1))
