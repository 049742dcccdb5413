"""Solvers and matrix functions: triangular and Cholesky solves, the Cholesky inverse and the
pseudo-inverse (composites of ``inverse`` and matmul, so their gradients are those ops'), the
matrix exponential (its gradient from the exponential of a block matrix), the nuclear norm and
the QR decomposition (one node each).

Example::

    >>> a = ember.tensor([[2.0, 1.0], [0.0, 4.0]])
    >>> ember.triangular_solve(ember.tensor([[3.0], [4.0]]), a).solution
    tensor([[1.],
            [1.]])
"""
from __future__ import annotations

import math
import warnings
from collections import namedtuple

import numpy as np

from .._tensor import Tensor
from ..autograd.function import Function
from ._util import as_tensor, float_input
from .indexing import tril, triu
from .linalg import matmul
from .linalg_factor import svd_pinv
from .linalg_more import _mT, _square, inverse
from .shape import getitem

__all__ = ["triangular_solve", "cholesky_solve", "cholesky_inverse", "pinverse", "matrix_exp",
           "nuclear_norm", "qr"]

_TriangularSolve = namedtuple("triangular_solve", ["solution", "cloned_coefficient"])
_QR = namedtuple("qr", ["Q", "R"])


def _mT_t(t):
    return t.transpose(-2, -1)


def _triangle(a, upper: bool, unitriangular: bool):
    t = triu(a) if upper else tril(a)
    if unitriangular:
        n = a.shape[-1]
        eye = Tensor._make(np.eye(n, dtype=a._data.dtype))
        t = t * (1 - eye) + eye
    return t


def triangular_solve(input, A, upper: bool = True, transpose: bool = False,
                     unitriangular: bool = False):
    """Solves ``A x = b`` for triangular ``A`` (its upper or lower triangle is read; ``transpose``
    solves ``Aᵀ x = b``; ``unitriangular`` takes the diagonal as ones). Returns ``(solution,
    cloned_coefficient)``, as torch (which deprecates it for ``linalg.solve_triangular``)."""
    warnings.warn("torch.triangular_solve is deprecated in favor of torch.linalg.solve_triangular"
                  " and will be removed in a future PyTorch release.", UserWarning, stacklevel=2)
    return solve_triangle(input, A, upper, transpose, unitriangular)


def solve_triangle(input, A, upper: bool = True, transpose: bool = False,
                   unitriangular: bool = False):
    """:func:`triangular_solve` without torch's deprecation warning (``linalg.solve_triangular``
    is built on it)."""
    a = _square(A, "solve_triangular")
    t = _triangle(a, upper, unitriangular)
    if transpose:
        t = _mT_t(t)
    return _TriangularSolve(matmul(inverse(t), float_input(as_tensor(input)).to(a.dtype)),
                            a.clone())


def cholesky_inverse(input, upper: bool = False):
    """The inverse of ``A = L Lᵀ`` (``Uᵀ U`` with ``upper=True``) from its Cholesky factor."""
    f = _square(input, "cholesky_inverse")
    a = matmul(_mT_t(f), f) if upper else matmul(f, _mT_t(f))
    return inverse(a)


def cholesky_solve(input, input2, upper: bool = False):
    """Solves ``A X = input`` given ``input2``, the Cholesky factor of ``A``."""
    b = float_input(as_tensor(input))
    return matmul(cholesky_inverse(input2, upper), b.to(as_tensor(input2).dtype))


def pinverse(input, rcond: float = 1e-15):
    """The Moore-Penrose pseudo-inverse. For a matrix of full rank it is ``(AᵀA)⁻¹Aᵀ`` (tall) or
    ``Aᵀ(AAᵀ)⁻¹`` (wide), written so, with their gradients; a rank-deficient matrix gets NumPy's
    SVD-based pseudo-inverse without a gradient."""
    a = float_input(as_tensor(input))
    m, n = a.shape[-2], a.shape[-1]
    s = np.linalg.svd(a._data.astype(np.float64), compute_uv=False)
    full = np.all(s[..., -1] > rcond * s[..., 0]) if s.size else True
    if not full:
        return svd_pinv(a, rtol=rcond)
    at = _mT_t(a)
    return matmul(inverse(matmul(at, a)), at) if m >= n else matmul(at, inverse(matmul(a, at)))


def _expm(a: np.ndarray) -> np.ndarray:
    """``exp(a)`` for square matrices (batched): scaling and squaring around a Taylor series."""
    norm = np.max(np.sum(np.abs(a), axis=-2), axis=-1) if a.size else np.zeros(a.shape[:-2])
    s = int(max(0, math.ceil(math.log2(max(float(np.max(norm, initial=0.0)), 1e-300)) + 1)))
    x = a / (2.0 ** s)
    eye = np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape)
    out, term = eye.copy(), eye.copy()
    for k in range(1, 25):
        term = term @ x / k
        out = out + term
    for _ in range(s):
        out = out @ out
    return out


class MatrixExp(Function):
    NAME = "LinalgMatrixExpBackward0"

    def forward(self, a):
        self.a = a
        return _expm(a)

    def backward(self, g):
        # the Fréchet derivative of exp at A in direction G is the top-right block of
        # exp([[A, G], [0, A]]); the gradient is that with A transposed
        a, n = _mT(self.a), self.a.shape[-1]
        block = np.zeros(a.shape[:-2] + (2 * n, 2 * n), dtype=a.dtype)
        block[..., :n, :n] = a
        block[..., n:, n:] = a
        block[..., :n, n:] = g
        return (_expm(block)[..., :n, n:],)


def matrix_exp(input):
    """The matrix exponential ``Σ Aᵏ / k!`` of square matrices."""
    return MatrixExp.apply(_square(input, "matrix_exp"))


class NuclearNorm(Function):
    NAME = "LinalgMatrixNormBackward0"

    def forward(self, a, keepdims=False):
        u, s, vt = np.linalg.svd(a, full_matrices=False)
        self.uv = u @ vt
        out = s.sum(axis=-1)
        return out[..., None, None] if keepdims else out

    def backward(self, g):
        g = g.reshape(g.shape[:-2] if g.ndim >= 2 and g.shape[-2:] == (1, 1) else g.shape)
        return (g[..., None, None] * self.uv,)


def nuclear_norm(input, dim=None, keepdim: bool = False):
    """The sum of the singular values of a matrix (over ``dim``, two dims, when given); its
    gradient is ``U Vᵀ`` (singular values assumed distinct and non-zero)."""
    a = float_input(as_tensor(input))
    if dim is not None:
        d0, d1 = (d % a.ndim for d in dim)
        rest = [d for d in range(a.ndim) if d not in (d0, d1)]
        a = a.permute(*rest, d0, d1)
    out = NuclearNorm.apply(a, keepdims=keepdim)
    if keepdim and dim is not None:
        order = np.argsort(rest + [d0, d1]).tolist()
        out = out.permute(*order)
    return out


class QR(Function):
    """Q and R of the reduced decomposition, packed as rows ``[Q; R]`` (``(m + n, n)``) so one
    node carries both; the gradient is torch's formula, tall, square or wide."""

    NAME = "LinalgQrBackward0"

    def forward(self, a):
        q, r = np.linalg.qr(a, mode="reduced")
        self.q, self.r = q, r
        n, k = a.shape[-1], q.shape[-1]
        if k < n:                                  # wide input: pad Q's columns to R's width
            q = np.concatenate([q, np.zeros(q.shape[:-1] + (n - k,), q.dtype)], axis=-1)
        return np.concatenate([q, r], axis=-2)

    def backward(self, g):
        q, r = self.q, self.r
        m, n = q.shape[-2], r.shape[-1]
        gq, gr = g[..., :m, :q.shape[-1]], g[..., m:, :]
        if m >= n:
            return (_qr_backward_tall(q, r, gq, gr),)
        # wide: A = [X | Y] with X = Q R1 (square) and Y = Q R2, so R2 = Qᵀ Y: Y's gradient is
        # Q gR2 and X's is the square case's with gQ + Y gR2ᵀ (torch's linalg_qr_backward)
        r1, r2, gr1, gr2 = r[..., :m], r[..., m:], gr[..., :m], gr[..., m:]
        gx = _qr_backward_tall(q, r1, gq + (q @ r2) @ _mT(gr2), gr1)
        return (np.concatenate([gx, q @ gr2], axis=-1),)


def _qr_backward_tall(q, r, gq, gr):
    """The gradient of ``A = Q R`` for ``m >= n`` (reduced Q)."""
    n = r.shape[-1]
    mm = r @ _mT(gr) - _mT(gq) @ q
    low = np.tril(mm, -1)
    diag = np.eye(n, dtype=mm.dtype) * np.diagonal(mm, axis1=-2, axis2=-1)[..., None, :]
    copyltu = low + _mT(low) + diag
    rhs = gq + q @ copyltu
    return _mT(np.linalg.solve(r, _mT(rhs)))


def qr(input, some: bool = True):
    """``(Q, R)`` with ``Q`` orthonormal columns and ``R`` upper triangular (``some=False``: the
    complete decomposition, without a gradient for tall inputs)."""
    warnings.warn("torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a "
                  "future PyTorch release.", UserWarning, stacklevel=2)
    return qr_factors(input, some)


def qr_factors(input, some: bool = True):
    """:func:`qr` without torch.qr's deprecation warning (``ember.linalg.qr`` reads it)."""
    a = float_input(as_tensor(input))
    m, n = a.shape[-2], a.shape[-1]
    if not some and m > n:
        qf, rf = np.linalg.qr(a._data, mode="complete")
        return _QR(Tensor._make(qf), Tensor._make(rf))
    packed = QR.apply(a)
    k = min(m, n)
    q = getitem(packed, (Ellipsis, slice(0, m), slice(0, k)))
    r = getitem(packed, (Ellipsis, slice(m, m + k), slice(None)))
    return _QR(q, r)
