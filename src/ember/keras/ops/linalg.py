"""``keras.ops.linalg``: norms, determinants, inverses, Cholesky factors and linear solves on
ember's differentiable linear-algebra nodes (``solve`` and ``solve_triangular`` go through the
inverse), and the real decompositions (``eigh``, ``qr``, ``svd``, ``lu_factor``, ``lstsq``,
``pinv``, ``matrix_rank``) on ``ember.linalg``'s nodes with Keras's torch-backend conventions
(0-based LU pivots, int32 ranks, ``rcond`` as a relative cut). ``eig`` (complex) is out of
scope.

Example::

    >>> ops.norm(ops.convert_to_tensor([3.0, 4.0]))
    tensor(5.)
"""
from __future__ import annotations

import numpy as np

import ember

from ._base import axes_tuple, cast, dtype_of, result_type, t


def norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002 - Keras's names
    """Vector norms (``ord`` a number, ``inf``, ``-inf``, 0) over one axis; the Frobenius norm
    (``ord`` None or ``'fro'``) over two; the nuclear and spectral norms are not available."""
    x = t(x)
    x = cast(x, result_type(dtype_of(x), float))
    dims = axes_tuple(axis, x.ndim)
    if dims is None and x.ndim in (1, 2) and ord is not None:
        dims = tuple(range(x.ndim))
    if dims is None:
        if ord not in (None, "fro", 2) and x.ndim > 1:
            raise ValueError(f"Invalid `ord` for a matrix norm over all axes: ord={ord}")
        flat = x.reshape(-1)
        out = ember.sqrt(ember.sum(ember.mul(flat, flat)))
        return out.reshape((1,) * x.ndim) if keepdims else out
    if len(dims) == 2:
        if ord not in (None, "fro", 1, -1, np.inf, -np.inf):
            raise ValueError(f"ember.keras supports the 'fro', 1, -1, inf and -inf matrix norms. "
                             f"Received: ord={ord}")
        if ord in (None, "fro"):
            return ember.sqrt(ember.sum(ember.mul(x, x), dim=dims, keepdim=keepdims))
        row, col = dims
        sum_axis, ext_axis = (row, col) if ord in (1, -1) else (col, row)
        s = ember.sum(ember.abs(x), dim=sum_axis, keepdim=True)
        ext = ember.amax if ord in (1, np.inf) else ember.amin
        out = ext(s, dim=ext_axis, keepdim=True)
        return out if keepdims else ember.squeeze(ember.squeeze(out, max(dims)), min(dims))
    a = ember.abs(x)
    if ord is None or ord == 2:
        return ember.sqrt(ember.sum(ember.mul(x, x), dim=dims, keepdim=keepdims))
    if ord == np.inf:
        return ember.amax(a, dim=dims, keepdim=keepdims)
    if ord == -np.inf:
        return ember.amin(a, dim=dims, keepdim=keepdims)
    if ord == 0:
        return cast(ember.sum(cast(ember.ne(x, 0), dtype_of(x)), dim=dims, keepdim=keepdims),
                    dtype_of(x))
    if isinstance(ord, str):
        raise ValueError(f"Invalid `ord` argument for vector norm. Received: ord={ord}")
    return ember.pow(ember.sum(ember.pow(a, float(ord)), dim=dims, keepdim=keepdims), 1.0 / ord)


def det(x):
    return ember.det(t(x))


def inv(x):
    return ember.inverse(t(x))


def logdet(x):
    """``log(det(x))`` (NaN for a negative determinant)."""
    return ember.logdet(t(x))


def slogdet(x):
    """``(sign, log|det|)`` of square matrices."""
    sign, logabs = ember.slogdet(t(x))
    return sign, logabs


def cholesky(x, upper=False):
    """The Cholesky factor of a symmetric positive-definite matrix (lower, or upper)."""
    return ember.cholesky(t(x), upper=upper)


def cholesky_inverse(x, upper=False):
    """The inverse of ``A`` from its Cholesky factor ``x`` (``A = x x^T``, or ``x^T x``)."""
    x = t(x)
    xt = ember.transpose(x, -1, -2)
    return ember.inverse(ember.matmul(xt, x) if upper else ember.matmul(x, xt))


def solve(a, b):
    """``x`` with ``a @ x = b`` (computed as ``inv(a) @ b``)."""
    return ember.matmul(ember.inverse(t(a)), t(b))


def solve_triangular(a, b, lower=False):
    """``x`` with ``a @ x = b`` for a triangular ``a`` (only its ``lower`` or upper triangle
    is read); a ``b`` with one axis fewer than ``a`` is a vector."""
    a, b = t(a), t(b)
    tri = ember.tril(a) if lower else ember.triu(a)
    vector = b.ndim == a.ndim - 1
    out = ember.matmul(ember.inverse(tri), ember.unsqueeze(b, -1) if vector else b)
    return ember.squeeze(out, -1) if vector else out


def _matrices(x, square: bool = False):
    """``x`` as float matrices, with Keras's rank and squareness checks."""
    x = t(x)
    x = cast(x, result_type(dtype_of(x), float))
    if x.ndim < 2:
        raise ValueError(f"Expected input to have rank >= 2. Received input with shape "
                         f"{tuple(x.shape)}.")
    if square and x.shape[-1] != x.shape[-2]:
        raise ValueError(f"Expected a square matrix. Received non-square input with shape "
                         f"{tuple(x.shape)}")
    return x


def eigh(x):
    """``(eigenvalues, eigenvectors)`` of symmetric matrices, eigenvalues ascending."""
    return tuple(ember.linalg.eigh(_matrices(x, square=True)))


def qr(x, mode="reduced"):
    """``(q, r)``: ``'reduced'`` or ``'complete'`` (square ``q``)."""
    if mode not in ("reduced", "complete"):
        raise ValueError(f"`mode` argument value not supported. Expected one of {{'reduced', "
                         f"'complete'}}. Received: mode={mode}")
    return tuple(ember.linalg.qr(_matrices(x), mode=mode))


def svd(x, full_matrices=True, compute_uv=True):
    """``(u, s, vh)`` with ``x = u diag(s) vh`` (only ``s`` when not ``compute_uv``)."""
    x = _matrices(x)
    if not compute_uv:
        return ember.linalg.svdvals(x)
    return tuple(ember.linalg.svd(x, full_matrices=full_matrices))


def lu_factor(x):
    """``(lu, pivots)``: the packed LU factors and 0-based pivot rows (int32)."""
    lu, pivots = ember.linalg.lu_factor(_matrices(x))
    return lu, pivots - 1


def lstsq(a, b, rcond=None):
    """The least-squares solution of ``a @ x = b``; with ``rcond`` the SVD driver cuts singular
    values below ``rcond * σ_max`` (NumPy's meaning), as Keras on torch."""
    a, b = _matrices(a), t(b)
    if rcond is not None:
        return ember.linalg.lstsq(a, b, rcond=rcond, driver="gelsd").solution
    return ember.linalg.lstsq(a, b).solution


def matrix_rank(x, tol=None):
    """The number of singular values above ``tol`` (default: ``eps * max(m, n) * σ_max``), int32."""
    return ember.linalg.matrix_rank(_matrices(x), atol=tol).to(ember.int32)


def pinv(x, rcond=None):
    """The Moore–Penrose pseudo-inverse; singular values below ``rcond * σ_max`` count as zero."""
    return ember.linalg.pinv(_matrices(x), rtol=rcond)


__all__ = ["cholesky", "cholesky_inverse", "det", "eigh", "inv", "logdet", "lstsq", "lu_factor",
           "matrix_rank", "norm", "pinv", "qr", "slogdet", "solve", "solve_triangular", "svd"]
