"""``ember.linalg``: torch.linalg's functions (names, arguments, defaults, results) on ember's
ops. The differentiable pieces are nodes under ``ember/ops`` (SVD, LU, QR, eigh, solve, det,
inverse, Cholesky, norms); this module only composes them with torch.linalg's conventions
(``Vh`` rather than ``V``, ``full_matrices=True``, ``left=``, ``ord=``).

Example::

    >>> A = ember.tensor([[3.0, 1.0], [1.0, 2.0]])
    >>> ember.linalg.solve(A, ember.tensor([9.0, 8.0]))
    tensor([2., 3.])
    >>> ember.linalg.norm(A)
    tensor(3.8730)
"""
from __future__ import annotations

import math
from collections import namedtuple

import numpy as np

from ._tensor import Tensor
from .ops import linalg_factor as _factor
from .ops import linalg_more as _more
from .ops import linalg_solvers as _solvers
from .ops._util import as_tensor, float_input
from .ops.indexing import diagonal as _diagonal
from .ops.linalg import matmul
from .ops.linalg_factor import eigh, lu_unpack, solve
from .ops.linalg_ldl import ldl_factor_arrays, ldl_solve
from .ops.linalg_lstsq import lstsq
from .ops.linalg_more import cholesky as _cholesky
from .ops.linalg_more import cross as _cross
from .ops.linalg_more import LinAlgError, inverse, matrix_power, vander as _vander
from .ops.linalg_more import vector_norm as _vector_norm
from .ops.linalg_solvers import matrix_exp, solve_triangle
from .ops.shape import cat as _cat

__all__ = ["LinAlgError", "vector_norm", "matrix_norm", "norm", "det", "slogdet", "inv", "inv_ex",
           "cholesky", "cholesky_ex", "qr", "svd", "svdvals", "solve", "solve_ex",
           "solve_triangular", "lu_factor", "lu_factor_ex", "lu", "lu_solve", "matrix_exp",
           "matrix_power", "pinv", "cross", "matmul", "multi_dot", "vecdot", "diagonal",
           "householder_product", "vander", "matrix_rank", "cond", "eigh", "eigvalsh",
           "lstsq", "tensorinv", "tensorsolve", "ldl_factor", "ldl_factor_ex", "ldl_solve"]


_SVD = namedtuple("svd", ["U", "S", "Vh"])
_QR = namedtuple("qr", ["Q", "R"])
_LU = namedtuple("lu", ["P", "L", "U"])
_LUFactor = namedtuple("lu_factor", ["LU", "pivots"])
_LUFactorEx = namedtuple("lu_factor_ex", ["LU", "pivots", "info"])
_InvEx = namedtuple("inv_ex", ["inverse", "info"])
_CholEx = namedtuple("cholesky_ex", ["L", "info"])
_SolveEx = namedtuple("solve_ex", ["result", "info"])
_LDLFactor = namedtuple("linalg_ldl_factor", ["LD", "pivots"])
_LDLFactorEx = namedtuple("linalg_ldl_factor_ex", ["LD", "pivots", "info"])


def _info(a) -> Tensor:
    """torch's ``info`` output: zeros (ember raises instead of reporting a failure)."""
    return Tensor._make(np.zeros(tuple(a.shape[:-2]), np.int32))


def _cast(x, dtype):
    x = as_tensor(x)
    return x.to(dtype) if dtype is not None else x


def _two_dims(dim) -> tuple:
    return tuple(dim)


def vector_norm(input=None, ord=2, dim=None, keepdim: bool = False, *, dtype=None, x=None):
    """The ``ord``-norm of ``input`` (or ``x=``, torch's documented name) over ``dim`` (all
    elements when None), as a vector."""
    return _vector_norm(_cast(input if x is None else x, dtype), ord, dim, keepdim)


def matrix_norm(input, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None):
    """Frobenius (``'fro'``), nuclear (``'nuc'``), induced 1/∞ (±1, ±inf) or spectral (±2)
    norm of the matrices over the two dimensions ``dim``."""
    a = float_input(_cast(input, dtype))
    d0, d1 = (d % a.dim() for d in _two_dims(dim))
    if ord == "fro":
        return _vector_norm(a, 2, (d0, d1), keepdim)
    if ord == "nuc":
        return _solvers.nuclear_norm(a, (d0, d1), keepdim)
    if ord in (1, -1, math.inf, -math.inf):
        sum_dim, pick_dim = (d0, d1) if ord in (1, -1) else (d1, d0)
        sums = a.abs().sum(sum_dim, keepdim=True)
        out = sums.amax(pick_dim, keepdim=True) if ord > 0 else sums.amin(pick_dim, keepdim=True)
        return out if keepdim else out.squeeze((d0, d1) if d0 < d1 else (d1, d0))
    if ord in (2, -2):
        s = svdvals(a.movedim((d0, d1), (-2, -1)))
        out = s.amax(-1) if ord == 2 else s.amin(-1)
        if keepdim:
            for d in sorted((d0, d1)):
                out = out.unsqueeze(d)
        return out
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


def norm(input, ord=None, dim=None, keepdim: bool = False, *, dtype=None):
    """A vector norm (``dim`` an int, or a 1-D input) or a matrix norm (``dim`` a pair, or a
    2-D input with ``ord`` given); the 2-norm of all elements when ``ord`` and ``dim`` are None."""
    x = _cast(input, dtype)
    if isinstance(dim, int):
        return vector_norm(x, 2 if ord is None else ord, dim, keepdim)
    if dim is None:
        if ord is None:
            return vector_norm(x, 2, None, keepdim)
        if x.dim() not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must "
                               f"be 1D or 2D. Got {x.dim()}D.")
        dim = (0,) if x.dim() == 1 else (0, 1)
    dim = tuple(dim)
    if len(dim) == 1:
        return vector_norm(x, 2 if ord is None else ord, dim, keepdim)
    return matrix_norm(x, "fro" if ord is None else ord, dim, keepdim)


def inv(A):
    """The inverse of square matrices."""
    return inverse(A)


def inv_ex(A, *, check_errors: bool = False):
    """``(inverse, info)``; info is zero (a singular matrix raises)."""
    return _InvEx(inverse(A), _info(as_tensor(A)))


def cholesky(input, *, upper: bool = False):
    """The Cholesky factor ``L`` (``A = L Lᵀ``), or ``U = Lᵀ`` when ``upper``."""
    return _cholesky(input, upper)


def cholesky_ex(input, *, upper: bool = False, check_errors: bool = False):
    """``(L, info)``; info is zero (a matrix that is not positive-definite raises)."""
    return _CholEx(_cholesky(input, upper), _info(as_tensor(input)))


def qr(A, mode: str = "reduced"):
    """``(Q, R)`` with ``A = Q R``: ``'reduced'``, ``'complete'`` (square Q) or ``'r'`` (Q
    empty)."""
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' "
                           f"(default), 'r', or 'complete'")
    q, r = _solvers.qr_factors(A, some=mode != "complete")
    if mode == "r":
        return _QR(Tensor._make(np.zeros((0,), r._data.dtype)), r)
    return _QR(q, r)


def svd(A, full_matrices: bool = True, *, driver=None):
    """``(U, S, Vh)`` with ``A = U diag(S) Vh``, singular values descending (square ``U`` and
    ``Vh`` when ``full_matrices``)."""
    a = float_input(as_tensor(A))
    u, s, v = _factor.svd(a)
    vh = v.transpose(-2, -1)
    m, n = a.shape[-2], a.shape[-1]
    if full_matrices and m != n:  # the reduced factors keep their gradient; the completing
        full_u, _, full_vh = np.linalg.svd(a._data, full_matrices=True)  # columns are constants
        if m > n:
            u = _cat([u, Tensor._make(np.ascontiguousarray(full_u[..., :, n:]))], -1)
        else:
            vh = _cat([vh, Tensor._make(np.ascontiguousarray(full_vh[..., m:, :]))], -2)
    return _SVD(u, s, vh)


def svdvals(A, *, driver=None):
    """The singular values of ``A``, descending."""
    return _factor.svd(A).S


def solve_ex(A, B, *, left: bool = True, check_errors: bool = False):
    """``(solve(A, B), info)``; info is zero (a singular matrix raises)."""
    return _SolveEx(solve(A, B, left=left), _info(as_tensor(A)))


def solve_triangular(input, B, *, upper: bool, left: bool = True, unitriangular: bool = False):
    """``X`` with ``A X = B`` (``A`` is ``input``; ``X A = B`` when not ``left``) for
    triangular ``A``."""
    a, b = as_tensor(input), as_tensor(B)
    if not left:
        return solve_triangular(a.transpose(-2, -1), b.transpose(-2, -1), upper=not upper,
                                unitriangular=unitriangular).transpose(-2, -1)
    return solve_triangle(b, a, upper=upper, unitriangular=unitriangular).solution


def lu_factor(A, *, pivot: bool = True):
    """``(LU, pivots)``: the packed factors and 1-based pivot rows of ``A = P L U``."""
    return _LUFactor(*_factor.lu(A, pivot=pivot))


def lu_factor_ex(A, *, pivot: bool = True, check_errors: bool = False):
    """``(LU, pivots, info)``; info is zero."""
    packed, pivots = _factor.lu(A, pivot=pivot)
    return _LUFactorEx(packed, pivots, _info(as_tensor(A)))


def lu(A, *, pivot: bool = True):
    """``(P, L, U)`` with ``A = P L U``."""
    return _LU(*lu_unpack(*_factor.lu(A, pivot=pivot)))


def lu_solve(LU, pivots, B, *, left: bool = True, adjoint: bool = False):
    """``X`` with ``A X = B`` from :func:`lu_factor`'s output (``Aᵀ`` when ``adjoint``,
    ``X A = B`` when not ``left``)."""
    if not left:
        return lu_solve(LU, pivots, as_tensor(B).transpose(-2, -1),
                        adjoint=not adjoint).transpose(-2, -1)
    if not adjoint:
        return _factor.lu_solve(B, LU, pivots)
    p, low, up = lu_unpack(LU, pivots)
    y = solve_triangle(float_input(as_tensor(B)), up.transpose(-2, -1), upper=False).solution
    z = solve_triangle(y, low.transpose(-2, -1), upper=True, unitriangular=True).solution
    return matmul(p, z)


def pinv(input, rcond=None, hermitian: bool = False, *, atol=None, rtol=None):
    """The Moore–Penrose pseudo-inverse from the SVD: singular values at most
    ``max(atol, rtol * σ_max)`` count as zero (``rtol`` defaults to ``eps * max(m, n)`` when
    both are None; ``rcond`` is torch's older name for ``rtol``)."""
    if rcond is not None:
        rtol = rcond
    return _factor.svd_pinv(float_input(as_tensor(input)), atol, rtol)


def cross(input, other, *, dim: int = -1):
    """The cross product of 3-vectors along ``dim``."""
    return _cross(input, other, dim=dim)


def multi_dot(tensors):
    """``tensors[0] @ tensors[1] @ …`` (a 1-D first or last operand is a row or column
    vector, dropped from the result)."""
    ts = [as_tensor(t) for t in tensors]
    if len(ts) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(ts)}")
    first_vec, last_vec = ts[0].dim() == 1, ts[-1].dim() == 1
    if first_vec:
        ts[0] = ts[0].unsqueeze(0)
    if last_vec:
        ts[-1] = ts[-1].unsqueeze(-1)
    out = ts[0]
    for t in ts[1:]:
        out = matmul(out, t)
    if first_vec:
        out = out.squeeze(0)
    if last_vec:
        out = out.squeeze(-1)
    return out


def vecdot(x, y, *, dim: int = -1):
    """The dot product of ``x`` and ``y`` along ``dim`` (broadcasting)."""
    return (as_tensor(x) * as_tensor(y)).sum(dim)


def diagonal(A, *, offset: int = 0, dim1: int = -2, dim2: int = -1):
    """The diagonal of the matrices over ``dim1``, ``dim2`` (batched by default)."""
    return _diagonal(A, offset, dim1, dim2)


def householder_product(input, tau):
    """The first n columns of ``H_1 … H_k`` from Householder vectors (torch.orgqr)."""
    return _factor.orgqr(input, tau)


def vander(x, N=None):
    """The Vandermonde matrix with increasing powers ``x⁰, x¹, …, x^(N-1)``."""
    return _vander(x, N, increasing=True)


def matrix_rank(input, tol=None, hermitian: bool = False, *, atol=None, rtol=None):
    """The number of singular values above ``max(atol, rtol * σ_max)`` (int64); ``tol`` is
    torch's older name for ``atol`` (with ``rtol`` 0)."""
    if tol is not None:
        atol, rtol = tol, 0.0
    a = float_input(as_tensor(input))
    s = np.linalg.svd(a._data, compute_uv=False)
    return Tensor._make((s > _factor.singular_cutoff(s, a, atol, rtol)).sum(-1).astype(np.int64))


def cond(input, p=None):
    """The condition number ``‖A‖ ‖A⁻¹‖`` in the ``p`` norm (``σ_max / σ_min`` for None/2)."""
    if p is None or p in (2, -2):
        s = svdvals(input)
        ratio = s.amax(-1) / s.amin(-1)
        return ratio if p != -2 else 1.0 / ratio
    return matrix_norm(input, p) * matrix_norm(inverse(input), p)


def eigvalsh(input, UPLO: str = "L"):
    """The eigenvalues of symmetric ``input``, ascending."""
    return eigh(input, UPLO).eigenvalues


def det(A):
    """The determinant of square matrices."""
    return _more.det(A)


def slogdet(A):
    """``(sign, logabsdet)`` of the determinant of square matrices."""
    return _more.slogdet(A)


def ldl_factor(input, *, hermitian: bool = False):
    """``(LD, pivots)``: the compact LDLᵀ factors of symmetric ``A`` with Bunch–Kaufman
    pivoting, in LAPACK's ``sytrf`` format (see ``ember.ops.linalg_ldl``), for
    :func:`ldl_solve`; a singular ``A`` raises. No gradient, as in torch.

    Args:
        A: ``(*, n, n)`` symmetric float matrices (only the lower triangle is read).
        hermitian: for complex input in torch; the same factorisation for real input.

    Shape:
        LD ``(*, n, n)``, pivots ``(*, n)`` int32.

    Example::

        >>> ember.linalg.ldl_factor(ember.tensor([[0.0, 1.0], [1.0, 0.0]])).pivots
        tensor([-2, -2], dtype=ember.int32)
    """
    ld, piv, info = ldl_factor_arrays(input, hermitian)
    if np.any(info > 0):
        raise LinAlgError(f"torch.linalg.ldl_factor: The factorization could not be completed "
                          f"because the input is not invertible: block {int(info.max())} of D "
                          f"is zero.")
    return _LDLFactor(Tensor._make(ld), Tensor._make(piv))


def ldl_factor_ex(input, *, hermitian: bool = False, check_errors: bool = False):
    """``(LD, pivots, info)``; ``info`` (int32 per matrix) is the 1-based index of the first
    zero block of ``D``, 0 when ``A`` is invertible (``check_errors=True`` raises instead)."""
    if check_errors:
        return _LDLFactorEx(*ldl_factor(input, hermitian=hermitian), _info(as_tensor(input)))
    ld, piv, info = ldl_factor_arrays(input, hermitian)
    return _LDLFactorEx(Tensor._make(ld), Tensor._make(piv), Tensor._make(info))


def tensorinv(input, ind: int = 2):
    """The inverse of ``A`` for :func:`ember.tensordot` over ``ind`` dimensions: ``A`` read as
    a ``prod(shape[:ind]) × prod(shape[ind:])`` square matrix, inverted, and shaped
    ``shape[ind:] + shape[:ind]`` (its gradient is ``inverse``'s).

    Example::

        >>> ember.linalg.tensorinv(ember.eye(4).reshape(4, 2, 2), ind=1).shape
        ember.Size([2, 2, 4])
    """
    a = as_tensor(input)
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    rows, cols = math.prod(a.shape[:ind]), math.prod(a.shape[ind:])
    if rows != cols:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {cols} != {rows}")
    return inverse(a.reshape(rows, cols)).reshape(*a.shape[ind:], *a.shape[:ind])


def tensorsolve(input, other, dims=None):
    """``X`` with ``tensordot(A, X, dims=X.ndim) == B`` for ``A = input``, ``B = other``: ``A``
    (its ``dims`` moved last first) read as a ``B.numel() × prod(A.shape[B.ndim:])`` square
    matrix; ``X`` has shape ``A.shape[B.ndim:]`` (its gradient is ``linalg.solve``'s).

    Example::

        >>> ember.linalg.tensorsolve(2 * ember.eye(6).reshape(2, 3, 6), ember.ones(2, 3)).shape
        ember.Size([6])
    """
    a, b = as_tensor(input), float_input(as_tensor(other))
    if dims is not None:
        dims = (dims,) if isinstance(dims, int) else tuple(dims)
        a = a.movedim(dims, tuple(range(-len(dims), 0)))
    rest = tuple(a.shape[b.dim():])
    if math.prod(rest) != b.numel():
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[other.ndim:])"
                           f" == prod(self.shape[:other.ndim]), but got {math.prod(rest)} != "
                           f"{b.numel()}")
    x = solve(a.reshape(b.numel(), math.prod(rest)), b.reshape(b.numel()))
    return x.reshape(*rest)
