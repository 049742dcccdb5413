"""Matrix factorisations with their gradients: SVD and LU (one node each, the gradient formulas
torch uses for real matrices), the LU's unpacking and solve, and the Householder form of QR
(``geqrf``; ``orgqr``/``ormqr`` are products of Householder reflections written with ember's
ops, so their gradients come for free).

Example::

    >>> U, S, V = ember.svd(ember.tensor([[3.0, 0.0], [0.0, 2.0]]))
    >>> S
    tensor([3., 2.])
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from .._tensor import Tensor
from ..autograd.function import Function
from ._util import as_tensor, float_input
from .indexing import tril, triu
from .linalg import matmul
from .linalg_more import LinAlgError, _mT, inverse
from .shape import cat, getitem

__all__ = ["svd", "lu", "lu_unpack", "lu_solve", "geqrf", "orgqr", "ormqr"]
# not in torch's namespace (torch.linalg's): ember.linalg reads them from here
LINALG_ONLY = ["eigh", "solve"]

_SVD = namedtuple("svd", ["U", "S", "V"])
_LuUnpack = namedtuple("lu_unpack", ["P", "L", "U"])
_Geqrf = namedtuple("geqrf", ["a", "tau"])
_Eigh = namedtuple("eigh", ["eigenvalues", "eigenvectors"])


class SVD(Function):
    """The reduced SVD, packed as rows ``[U; V; S]`` (``(m + n + 1, k)``) so one node carries
    all three; the gradient is the real case of torch's svd_backward (distinct non-zero
    singular values)."""

    NAME = "LinalgSvdBackward0"

    def forward(self, a):
        u, s, vt = np.linalg.svd(a, full_matrices=False)
        self.u, self.s, self.v = u, s, _mT(vt)
        return np.concatenate([u, self.v, s[..., None, :]], axis=-2)

    def backward(self, g):
        u, s, v = self.u, self.s, self.v
        m, n = u.shape[-2], v.shape[-2]
        gu, gv, gs = g[..., :m, :], g[..., m:m + n, :], g[..., -1, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            s2 = s * s
            f = s2[..., None, :] - s2[..., :, None]           # F_ij = 1 / (s_j² - s_i²)
            f = np.where(np.eye(s.shape[-1], dtype=bool), np.inf, f)
            f = 1.0 / f
            ut_gu, vt_gv = _mT(u) @ gu, _mT(v) @ gv
            j = f * (ut_gu - _mT(ut_gu))
            k = f * (vt_gv - _mT(vt_gv))
            inner = j * s[..., None, :] + s[..., :, None] * k + np.eye(s.shape[-1]) * gs[..., None, :]
            ga = u @ inner @ _mT(v)
            inv_s = 1.0 / s
            if m > s.shape[-1]:
                ga = ga + (gu - u @ ut_gu) * inv_s[..., None, :] @ _mT(v)
            if n > s.shape[-1]:
                ga = ga + u @ (_mT(gv - v @ vt_gv) * inv_s[..., :, None])
        return (ga.astype(g.dtype, copy=False),)


def svd(input, some: bool = True, compute_uv: bool = True):
    """``(U, S, V)`` with ``input = U diag(S) Vᵀ``, singular values descending. ``some=False``
    gives the complete (square) ``U`` and ``V``, without a gradient for non-square input (``S``
    keeps its gradient); ``compute_uv=False`` returns zero ``U``/``V`` (only ``S`` is computed), as torch."""
    a = float_input(as_tensor(input))
    m, n = a.shape[-2], a.shape[-1]
    k = min(m, n)
    packed = SVD.apply(a)
    out = _SVD(getitem(packed, (Ellipsis, slice(0, m), slice(None))),
               getitem(packed, (Ellipsis, -1, slice(None))),
               getitem(packed, (Ellipsis, slice(m, m + n), slice(None))))
    if not some and m != n:  # the complete U and V (no gradient); S keeps its gradient
        u, _, vt = np.linalg.svd(a._data, full_matrices=True)
        out = _SVD(Tensor._make(u), out.S, Tensor._make(_mT(vt).copy()))
    if not compute_uv:
        zeros = np.zeros(a.shape[:-2] + ((m, m) if not some else (m, k)), a._data.dtype)
        zeros_v = np.zeros(a.shape[:-2] + ((n, n) if not some else (n, k)), a._data.dtype)
        return _SVD(Tensor._make(zeros), out.S, Tensor._make(zeros_v))
    return out


class Eigh(Function):
    """Eigenvalues (ascending) and eigenvectors of symmetric matrices, packed as rows
    ``[V; L]`` (``(n + 1, n)``); the gradient is the real case of torch's
    linalg_eig_backward for Hermitian input (distinct eigenvalues)."""

    NAME = "LinalgEighBackward0"

    def forward(self, a, uplo="L"):
        self.w, self.v = np.linalg.eigh(a, UPLO=uplo)
        return np.concatenate([self.v, self.w[..., None, :]], axis=-2)

    def backward(self, g):
        w, v = self.w, self.v
        n = w.shape[-1]
        gv, gw = g[..., :n, :], g[..., n, :]
        vt_gv = _mT(v) @ gv
        with np.errstate(divide="ignore", invalid="ignore"):
            e = w[..., None, :] - w[..., :, None]             # E_ij = λ_j - λ_i
            e = np.where(np.eye(n, dtype=bool), 1.0, e)
            inner = 0.5 * (vt_gv - _mT(vt_gv)) / e
        idx = np.arange(n)
        inner[..., idx, idx] = gw
        ga = v @ inner @ _mT(v)
        return (ga.astype(g.dtype, copy=False),)


def eigh(input, UPLO: str = "L"):
    """``(eigenvalues, eigenvectors)`` of symmetric ``input`` (only the ``UPLO`` triangle is
    read), eigenvalues ascending: torch.linalg.eigh."""
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    a = float_input(as_tensor(input))
    if a.dim() < 2 or a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"linalg.eigh: A must be batches of square matrices, but they are "
                           f"{a.shape[-2] if a.dim() >= 2 else 1} by {a.shape[-1]} matrices")
    n = a.shape[-1]
    packed = Eigh.apply(a, uplo=UPLO)
    return _Eigh(getitem(packed, (Ellipsis, n, slice(None))),
                 getitem(packed, (Ellipsis, slice(0, n), slice(None))))


class Solve(Function):
    """``X`` with ``A X = B`` for square ``A`` (batched, ``B`` matrices); the gradient is
    ``gB = A⁻ᵀ g`` and ``gA = -gB Xᵀ``, as torch's linalg_solve backward."""

    NAME = "LinalgSolveExBackward0"

    def forward(self, a, b):
        self.a = a
        try:
            self.x = np.linalg.solve(a, b)
        except np.linalg.LinAlgError:
            raise LinAlgError("torch.linalg.solve: The solver failed because the input matrix is "
                              "singular.") from None
        return self.x

    def backward(self, g):
        gb = np.linalg.solve(_mT(self.a), g)
        return (-(gb @ _mT(self.x))).astype(g.dtype, copy=False), gb.astype(g.dtype, copy=False)


def solve(A, B, *, left: bool = True):
    """``X`` with ``A X = B`` (``X A = B`` when not ``left``): torch.linalg.solve. ``B`` is a
    vector (or batch of vectors) when its shape is ``A``'s without the last dimension."""
    a, b = float_input(as_tensor(A)), float_input(as_tensor(B))
    if a.dim() < 2 or a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"linalg.solve: A must be batches of square matrices, but they are "
                           f"{a.shape[-2] if a.dim() >= 2 else 1} by {a.shape[-1]} matrices")
    if not left:
        return solve(a.transpose(-2, -1), b.transpose(-2, -1)).transpose(-2, -1)
    vector = b.dim() == 1 or (b.dim() == a.dim() - 1 and tuple(b.shape) == tuple(a.shape[:-1]))
    rhs = b.unsqueeze(-1) if vector else b
    if rhs.shape[-2] != a.shape[-1]:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
                           f"({a.shape[-2]}x{a.shape[-1]} and {rhs.shape[-2]}x{rhs.shape[-1]})")
    batch = np.broadcast_shapes(tuple(a.shape[:-2]), tuple(rhs.shape[:-2]))
    a = a.expand(*batch, *a.shape[-2:]) if tuple(a.shape[:-2]) != batch else a
    rhs = rhs.expand(*batch, *rhs.shape[-2:]) if tuple(rhs.shape[:-2]) != batch else rhs
    x = Solve.apply(a, rhs)
    return x.squeeze(-1) if vector else x


def singular_cutoff(s: np.ndarray, a, atol=None, rtol=None) -> np.ndarray:
    """``max(atol, rtol * σ_max)`` for singular values ``s`` of ``a`` (``rtol`` defaults to
    ``eps * max(m, n)`` when both are None), shaped to compare with ``s``."""
    if atol is None and rtol is None:
        rtol = np.finfo(a._data.dtype).eps * max(a.shape[-2], a.shape[-1])
    smax = s.max(-1, keepdims=True) if s.shape[-1] else np.zeros(s.shape[:-1] + (1,), s.dtype)
    return np.maximum(0.0 if atol is None else np.asarray(as_tensor(atol)._data),
                      (0.0 if rtol is None else np.asarray(as_tensor(rtol)._data)) * smax)


def svd_pinv(a, atol=None, rtol=None):
    """The Moore–Penrose pseudo-inverse of ``a`` from its SVD, with the gradient of every
    singular value kept: those at most ``max(atol, rtol * σ_max)`` count as zero (``rtol``
    defaults to ``eps * max(m, n)`` when both are None). torch.linalg.pinv and
    torch.pinverse on a rank-deficient matrix."""
    u, s, v = svd(a)
    keep = Tensor._make(s._data > singular_cutoff(s._data, a, atol, rtol))
    s_inv = (1.0 / s.where(keep, s.new_ones(()))).where(keep, s.new_zeros(()))
    return matmul(v * s_inv.unsqueeze(-2), u.transpose(-2, -1))


def _lu_factor(a: np.ndarray):
    """Partial-pivoting LU of each matrix in ``a``: the packed factors and LAPACK's 1-based
    pivot rows (row k was swapped with row pivots[k] - 1)."""
    lu_ = np.array(a, dtype=a.dtype, copy=True)
    m, n = lu_.shape[-2], lu_.shape[-1]
    k = min(m, n)
    batch = lu_.reshape((-1, m, n))
    pivots = np.zeros((batch.shape[0], k), np.int32)
    for b, mat in enumerate(batch):
        for j in range(k):
            p = j + int(np.argmax(np.abs(mat[j:, j])))
            pivots[b, j] = p + 1
            if p != j:
                mat[[j, p]] = mat[[p, j]]
            if mat[j, j] != 0:
                mat[j + 1:, j] /= mat[j, j]
                mat[j + 1:, j + 1:] -= np.outer(mat[j + 1:, j], mat[j, j + 1:])
    return lu_, pivots.reshape(a.shape[:-2] + (k,))


def _permutation(pivots: np.ndarray, m: int, dtype) -> np.ndarray:
    """The matrix ``P`` with ``A = P L U`` from LAPACK's pivots."""
    flat = pivots.reshape((-1, pivots.shape[-1]))
    out = np.empty((flat.shape[0], m, m), dtype)
    for b, piv in enumerate(flat):
        order = np.arange(m)
        for j, p in enumerate(piv):
            order[[j, p - 1]] = order[[p - 1, j]]
        out[b] = np.eye(m, dtype=dtype)[:, order]
    return out.reshape(pivots.shape[:-1] + (m, m))


class LU(Function):
    """The packed LU factors of ``A = P L U`` (``m × n``, ``k = min(m, n)``).

    Square: ``gA = P L⁻ᵀ (tril(Lᵀ gL, -1) + triu(gU Uᵀ)) U⁻ᵀ``. A wide ``A = P L [U₁ U₂]`` is
    that rule for ``P L U₁`` with ``gL`` less ``L⁻ᵀ gU₂ U₂ᵀ`` (``U₂ = L⁻¹ Pᵀ A₂`` moves with
    ``L``), and ``gA₂ = P L⁻ᵀ gU₂``; a tall ``Pᵀ A = [L₁; L₂] U`` is the rule for ``L₁ U`` with
    ``gU`` less ``L₂ᵀ gL₂ U⁻ᵀ`` (``L₂ = A₂ U⁻¹``), and ``gA₂ = gL₂ U⁻ᵀ`` (rows under ``P``)."""

    NAME = "LinalgLuFactorExBackward0"

    def forward(self, a):
        packed, self.pivots = _lu_factor(a)
        self.packed = packed
        return packed

    def backward(self, g):
        packed = self.packed
        m, n = packed.shape[-2:]
        k = min(m, n)
        low = np.tril(packed[..., :, :k], -1) + np.eye(m, k, dtype=packed.dtype)
        up = np.triu(packed[..., :k, :])
        g_low, g_up = np.tril(g[..., :, :k], -1), np.triu(g[..., :k, :])
        if m < n:
            rest = np.linalg.solve(_mT(low), g_up[..., m:])          # L⁻ᵀ gU₂
            g_low = np.tril(g_low - rest @ _mT(up[..., m:]), -1)
            ga = np.concatenate([_square_lu_grad(low, up[..., :m], g_low, g_up[..., :m]), rest], -1)
        elif m > n:
            rest = _mT(np.linalg.solve(up, _mT(g_low[..., n:, :])))  # gL₂ U⁻ᵀ
            g_up = np.triu(g_up - _mT(low[..., n:, :]) @ rest)
            ga = np.concatenate([_square_lu_grad(low[..., :n, :], up, g_low[..., :n, :], g_up), rest],
                                -2)
        else:
            ga = _square_lu_grad(low, up, g_low, g_up)
        ga = _permutation(self.pivots, m, packed.dtype) @ ga
        return (ga.astype(g.dtype, copy=False),)


def _square_lu_grad(low, up, g_low, g_up):
    """``L⁻ᵀ (tril(Lᵀ gL, -1) + triu(gU Uᵀ)) U⁻ᵀ`` for square factors (before ``P``)."""
    inner = np.tril(_mT(low) @ g_low, -1) + np.triu(g_up @ _mT(up))
    return _mT(np.linalg.solve(up, _mT(np.linalg.solve(_mT(low), inner))))


def lu(A, pivot: bool = True, get_infos: bool = False):
    """``(LU, pivots)``: ``L`` (unit lower, below the diagonal) and ``U`` packed in one matrix,
    and the 1-based pivot rows (int32); ``get_infos`` adds zeros (every factorisation succeeds
    or raises). Deprecated in torch for ``linalg.lu_factor``."""
    if not pivot:
        raise RuntimeError("lu without pivoting is not implemented on the CPU")
    a = float_input(as_tensor(A))
    packed = LU.apply(a)
    pivots = Tensor._make(packed.grad_fn.pivots if packed.grad_fn else _lu_factor(a._data)[1])
    if get_infos:
        return packed, pivots, Tensor._make(np.zeros(a.shape[:-2], np.int32))
    return packed, pivots


def lu_unpack(LU_data, LU_pivots, unpack_data: bool = True, unpack_pivots: bool = True):
    """``(P, L, U)`` from :func:`lu`'s packed factors (``A = P L U``)."""
    data = as_tensor(LU_data)
    m, n = data.shape[-2], data.shape[-1]
    k = min(m, n)
    empty = Tensor._make(np.zeros((0,), data._data.dtype))
    if unpack_data:
        eye = Tensor._make(np.eye(m, k, dtype=data._data.dtype))
        low = tril(getitem(data, (Ellipsis, slice(None), slice(0, k))), -1) + eye
        up = triu(getitem(data, (Ellipsis, slice(0, k), slice(None))))
    else:
        low = up = empty
    perm = (Tensor._make(_permutation(as_tensor(LU_pivots)._data, m, data._data.dtype))
            if unpack_pivots else empty)
    return _LuUnpack(perm, low, up)


def lu_solve(input, LU_data, LU_pivots):
    """Solves ``A x = input`` from :func:`lu`'s factors: ``U⁻¹ L⁻¹ Pᵀ input``."""
    p, low, up = lu_unpack(LU_data, LU_pivots)
    rhs = matmul(p.transpose(-2, -1), float_input(as_tensor(input)))
    return matmul(inverse(up), matmul(inverse(low), rhs))


def geqrf(input):
    """LAPACK's QR in Householder form: ``a`` holds R on and above the diagonal and the
    reflectors below it; ``tau`` their scales (no gradient, as in torch)."""
    a = float_input(as_tensor(input))
    flat = a._data.reshape((-1,) + a.shape[-2:])
    hs, taus = [], []
    for mat in flat:
        h, tau = np.linalg.qr(mat, mode="raw")
        hs.append(h.T)
        taus.append(tau)
    return _Geqrf(Tensor._make(np.stack(hs).reshape(a.shape).astype(a._data.dtype)),
                  Tensor._make(np.stack(taus).reshape(a.shape[:-2] + (-1,)).astype(a._data.dtype)))


def _householder(input, tau, full: bool):
    """``H_1 H_2 … H_k`` with ``H_i = I - tau_i v_i v_iᵀ`` (``v_i``: 1 at i, then column i below
    the diagonal); the first n columns unless ``full``."""
    a, t = as_tensor(input), as_tensor(tau)
    m, n = a.shape[-2], a.shape[-1]
    dtype = a._data.dtype
    q = Tensor._make(np.broadcast_to(np.eye(m, dtype=dtype), a.shape[:-2] + (m, m)).copy())
    for i in range(t.shape[-1]):
        below = getitem(a, (Ellipsis, slice(i + 1, None), slice(i, i + 1)))
        head = Tensor._make(np.broadcast_to(np.array([[1.0]], dtype), below.shape[:-2] + (1, 1)))
        zeros = Tensor._make(np.zeros(below.shape[:-2] + (i, 1), dtype))
        v = cat([zeros, head, below], -2)                       # (…, m, 1)
        tau_i = getitem(t, (Ellipsis, slice(i, i + 1))).unsqueeze(-1)
        q = q - matmul(matmul(q, v), v.transpose(-2, -1)) * tau_i
    return q if full else getitem(q, (Ellipsis, slice(None), slice(0, n)))


def orgqr(input, input2):
    """The first n columns of Q from :func:`geqrf`'s Householder form (``input``) and scales
    (``input2``): torch's ``householder_product``."""
    return _householder(input, input2, full=False)


def ormqr(input, input2, input3, left: bool = True, transpose: bool = False):
    """``input3`` multiplied by the full Q of :func:`geqrf`'s Householder form (``input``,
    scales ``input2``): ``Q input3`` (``left``), ``input3 Q``, or with ``Qᵀ`` (``transpose``)."""
    q = _householder(input, input2, full=True)
    if transpose:
        q = q.transpose(-2, -1)
    o = as_tensor(input3)
    return matmul(q, o) if left else matmul(o, q)


