"""LOBPCG: the k largest (or smallest) eigenpairs of the symmetric generalized problem
``A x = λ B x`` (``B`` positive definite, the identity when None) by the locally optimal block
preconditioned conjugate gradient method [Knyazev 2001], as torch.lobpcg: each step is a
Rayleigh–Ritz projection on the span of the current vectors ``X``, the (preconditioned)
residuals ``W`` and the previous directions ``P``, B-orthonormalised first (the robust basis
of torch's ``method="ortho"``). It stops when the first ``k`` residuals satisfy torch's test
``‖r_j‖ < tol ‖x_j‖ (‖A‖ + |λ_j| ‖B‖)`` or after ``niter`` steps.

The gradient (``A`` only, with ``B`` None, as torch) is the derivative of the converged
eigenpairs: ``Σ_j g_λj x_j x_jᵀ - (A - λ_j)⁺ g_xj x_jᵀ``; like torch, a grad-requiring ``A`` is
symmetrised first (``(A + Aᵀ) / 2``) so the gradient is symmetric.

Example::

    >>> A = ember.diag(ember.arange(1.0, 10.0))
    >>> E, X = ember.lobpcg(A, k=2, X=ember.ones(9, 2))
    >>> [round(e, 4) for e in E.tolist()]
    [9.0, 8.0]
"""
from __future__ import annotations

import numpy as np

from .._creation import randn
from .._tensor import Tensor
from ..autograd.function import Function
from ._util import as_tensor, float_input
from .shape import getitem

__all__ = ["lobpcg"]


def _mul(m, x):
    return x if m is None else m @ x


def _b_orthonormal(z: np.ndarray, b) -> np.ndarray:
    """A B-orthonormal basis of the columns of ``z`` (directions with a negligible Gram
    eigenvalue dropped)."""
    z = z / np.maximum(np.linalg.norm(z, axis=0), np.finfo(z.dtype).tiny)
    w, v = np.linalg.eigh(z.T @ _mul(b, z))
    keep = w > w[-1] * 1e-13
    return z @ (v[:, keep] / np.sqrt(w[keep]))


def _ritz(q: np.ndarray, a: np.ndarray, n: int, largest: bool):
    """The ``n`` extreme Ritz pairs of ``a`` on the B-orthonormal basis ``q`` (largest first
    when ``largest``, else smallest first)."""
    h = q.T @ a @ q
    theta, y = np.linalg.eigh((h + h.T) / 2)
    pick = np.arange(len(theta))[::-1][:n] if largest else np.arange(n)
    return theta[pick], q @ y[:, pick]


def _lobpcg_one(a, b, x, ik, k: int, niter: int, tol: float, largest: bool):
    """One matrix, float64: the ``k`` eigenvalues and eigenvectors."""
    n = x.shape[1]
    x_norm = np.linalg.norm(x)
    a_norm, b_norm = np.linalg.norm(a @ x) / x_norm, np.linalg.norm(_mul(b, x)) / x_norm
    e, x = _ritz(_b_orthonormal(x, b), a, n, largest)
    p = None
    step = 0
    while niter < 0 or step < niter:
        r = a @ x - _mul(b, x) * e
        rerr = np.linalg.norm(r, axis=0) / (np.linalg.norm(x, axis=0) * (a_norm + np.abs(e) * b_norm))
        if np.all(rerr[:k] < tol):
            break
        w = _mul(ik, r)
        basis = [x, w] if p is None else [x, w, p]
        e, x_new = _ritz(_b_orthonormal(np.concatenate(basis, axis=1), b), a, n, largest)
        p = x_new - x @ (x.T @ _mul(b, x_new))
        x = x_new
        step += 1
    return e[:k], x[:, :k]


class LOBPCG(Function):
    """The ``k`` eigenpairs packed as rows ``[X; E]`` (``(m + 1, k)``) so one node carries
    both; the gradient needs ``B`` None."""

    NAME = "LOBPCGAutogradFunctionBackward"

    def forward(self, a, b, x, ik, k=1, niter=1000, tol=1e-4, largest=True):
        m = a.shape[-1]
        flat_a = a.reshape((-1, m, m)).astype(np.float64)
        flat_x = x.reshape((-1,) + x.shape[-2:]).astype(np.float64)
        flat_b = None if b is None else b.reshape((-1, m, m)).astype(np.float64)
        ik = None if ik is None else np.asarray(ik, np.float64)
        es, xs = [], []
        for i, ai in enumerate(flat_a):
            e, v = _lobpcg_one(ai, None if flat_b is None else flat_b[i], flat_x[i], ik, k,
                               niter, tol, largest)
            es.append(e)
            xs.append(v)
        self.a, self.has_b = flat_a, b is not None
        self.e, self.x = np.stack(es), np.stack(xs)
        packed = np.concatenate([self.x, self.e[:, None, :]], axis=-2)
        return packed.reshape(a.shape[:-2] + (m + 1, k)).astype(a.dtype)

    def backward(self, g):
        if self.has_b:
            raise ValueError("lobpcg.backward does not support backward with B != I yet.")
        m = self.a.shape[-1]
        dtype, batch = g.dtype, g.shape[:-2]
        g = g.reshape((-1, m + 1, g.shape[-1])).astype(np.float64)
        out = np.empty_like(self.a)
        for i, (a, e, x, gi) in enumerate(zip(self.a, self.e, self.x, g)):
            w, v = np.linalg.eigh(a)
            ga = (x * gi[m]) @ x.T
            for j, lam in enumerate(e):       # -(A - λ_j)⁺ g_xj x_jᵀ on x_j's complement
                gap = w - lam
                inv = np.where(np.arange(m) == np.argmin(np.abs(gap)), 0.0, 1.0 / np.where(
                    gap == 0, 1.0, gap))
                ga -= np.outer(v @ (inv * (v.T @ gi[:m, j])), x[:, j])
            out[i] = ga
        return (out.reshape(batch + (m, m)).astype(dtype),)


def lobpcg(A, k=None, B=None, X=None, n=None, iK=None, niter=None, tol=None, largest=None,
           method=None, tracker=None, ortho_iparams=None, ortho_fparams=None,
           ortho_bparams=None):
    """The ``k`` largest (``largest=True``, the default) or smallest eigenpairs of the
    symmetric generalized problem ``A x = λ B x``: torch.lobpcg.

    Args:
        A: ``(*, m, m)`` symmetric float matrices.
        k: eigenpairs wanted (default: ``X``'s columns, or 1).
        B: ``(*, m, m)`` symmetric positive-definite, the identity when None.
        X: ``(*, m, n)`` starting vectors (default: ``n`` columns from ``ember.randn``).
        n: block size when ``X`` is None (default ``k``); ``m >= 3 n`` is required.
        iK: ``(m, m)`` preconditioner applied to the residuals.
        niter: most steps (default 1000; -1: until converged).
        tol: residual tolerance (default ``sqrt(eps)`` of ``A``'s dtype, as torch's).
        method: ``"ortho"`` (default) or ``"basic"``: both run the B-orthonormalised step.
        tracker, ortho_iparams, ortho_fparams, ortho_bparams: accepted for torch's signature;
            ember's step has no tracker hook nor orthogonalisation tuning.

    Shape:
        E ``(*, k)``, X ``(*, m, k)``.

    Example::

        >>> E, _ = ember.lobpcg(ember.diag(ember.tensor([1.0, 2, 3, 4, 5, 6])), k=1,
        ...                     X=ember.ones(6, 1), largest=False)
        >>> round(E.item(), 4)
        1.0
    """
    a = float_input(as_tensor(A))
    if a.shape[-2] != a.shape[-1]:
        raise AssertionError(f"A must be square, got shape {tuple(a.shape)}")
    b = None if B is None else float_input(as_tensor(B))
    if b is not None and tuple(a.shape) != tuple(b.shape):
        raise AssertionError(f"A and B must have same shape, got {tuple(a.shape)} vs "
                             f"{tuple(b.shape)}")
    if method not in (None, "ortho", "basic"):
        raise ValueError(f"lobpcg: method must be 'ortho' or 'basic', got {method!r}")
    m = a.shape[-1]
    k = (1 if X is None else as_tensor(X).shape[-1]) if k is None else k
    n = (k if n is None else n) if X is None else as_tensor(X).shape[-1]
    if m < 3 * n:
        raise ValueError(f"LOBPCG algorithm is not applicable when the number of A rows (={m})"
                         f" is smaller than 3 x the number of requested eigenpairs (={n})")
    if tol is None:
        tol = {"float32": 1.2e-07, "float64": 2.23e-16}.get(a.dtype.name, 1.2e-07) ** 0.5
    x = (randn(*a.shape[:-2], m, n, dtype=a.dtype) if X is None
         else as_tensor(X).expand(*a.shape[:-2], m, n))
    if a.requires_grad or (b is not None and b.requires_grad):
        a = (a + a.transpose(-2, -1)) / 2
        b = None if b is None else (b + b.transpose(-2, -1)) / 2
    packed = LOBPCG.apply(a, b, x._data, None if iK is None else as_tensor(iK)._data, k=k,
                          niter=1000 if niter is None else niter, tol=tol,
                          largest=True if largest is None else largest)
    return (getitem(packed, (Ellipsis, m, slice(None))),
            getitem(packed, (Ellipsis, slice(0, m), slice(None))))
