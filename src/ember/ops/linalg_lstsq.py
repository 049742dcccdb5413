"""Least squares, as torch.linalg.lstsq on the CPU: one node for the solution (its gradient is
torch's, the derivative of ``pinv(A) @ B``), and LAPACK's drivers' rules for the other outputs.

The drivers differ in how they treat a rank-deficient ``A``:

* ``'gelsy'`` (torch's default on the CPU): QR with column pivoting; the rank is the size of
  the leading block of ``R`` whose condition number stays below ``1 / rcond``; the solution is
  the minimum-norm solution of the problem truncated to those pivoted columns (LAPACK's complete
  orthogonal factorisation). ember estimates each leading block's condition number from its
  singular values; LAPACK uses an incremental estimate, so a block within a few per cent of the
  cut may be counted differently. When ``rcond`` truncates the rank, torch's own answer is not
  reproducible: it hands LAPACK's ``geqp3`` an uninitialised pivot array, so its columns may be
  pinned in memory's order (the same call gave three different solutions in 30 tries). ember
  pivots freely, as LAPACK documents; for full-rank or exactly rank-deficient ``A`` every
  choice gives the same, minimum-norm, solution.
* ``'gelsd'``/``'gelss'``: the SVD; singular values at most ``rcond * σ_max`` count as zero.
* ``'gels'``: plain QR (or LQ), for full-rank ``A`` only; no rank.

Example::

    >>> A = ember.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> ember.linalg.lstsq(A, ember.tensor([[1.0], [2.0], [3.0]])).solution
    tensor([[1.],
            [2.]])
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from .._tensor import Tensor
from .._dtype import torch_dtype_name
from ..autograd.function import Function
from ._util import as_tensor, float_input
from .linalg_more import _mT

__all__ = []  # ember.linalg.lstsq is torch.linalg's; torch's namespace has no lstsq

_Lstsq = namedtuple("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])
DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def _qr_pivoted(a: np.ndarray):
    """Householder QR with column pivoting (LAPACK's geqp3 rule: the remaining column of largest
    norm goes next, the first one on ties). Returns ``Q`` (m, k), ``R`` (k, n), the column order."""
    r = np.array(a, dtype=np.float64, copy=True)
    m, n = r.shape
    k = min(m, n)
    q = np.eye(m)
    order = np.arange(n)
    for j in range(k):
        p = j + int(np.argmax(np.sum(r[j:, j:] ** 2, axis=0)))
        r[:, [j, p]], order[[j, p]] = r[:, [p, j]], order[[p, j]]
        v = r[j:, j].copy()
        alpha = -np.copysign(np.linalg.norm(v), v[0] if v[0] != 0 else 1.0)
        v[0] -= alpha
        vn = np.dot(v, v)
        if vn > 0:
            r[j:, j:] -= np.outer(v, (2.0 / vn) * (v @ r[j:, j:]))
            q[:, j:] -= np.outer(q[:, j:] @ v, (2.0 / vn) * v)
        r[j + 1:, j] = 0.0
    return q[:, :k], r[:k], order


def _gelsy(a: np.ndarray, b: np.ndarray, rcond: float):
    """The rank and minimum-norm solution of the problem truncated by gelsy's rule."""
    n = a.shape[1]
    if not a.size or not np.any(a):
        return np.zeros((n, b.shape[1])), 0
    q, r, order = _qr_pivoted(a)
    rank = 1
    for size in range(2, r.shape[0] + 1):
        s = np.linalg.svd(r[:size, :size], compute_uv=False)
        if s[-1] <= rcond * s[0]:
            break
        rank = size
    t, c = r[:rank], q[:, :rank].T @ b                  # t: (rank, n), full row rank
    y = np.linalg.solve(t, c) if rank == n else t.T @ np.linalg.solve(t @ t.T, c)
    x = np.empty_like(y)
    x[order] = y
    return x, rank


def _solve_one(a: np.ndarray, b: np.ndarray, driver: str, rcond: float):
    """One matrix: ``(solution, rank, singular values)`` in float64."""
    if driver == "gelsy":
        x, rank = _gelsy(a, b, rcond)
        return x, rank, None
    if driver == "gels":
        return np.linalg.lstsq(a, b, rcond=-1)[0], None, None
    x, _, rank, s = np.linalg.lstsq(a, b, rcond=rcond)
    return x, rank, s


class Lstsq(Function):
    """The solution ``X`` of ``min ‖A X - B‖`` (batched matrices, float64 inside); the
    gradient is torch's linalg_lstsq backward: ``X = pinv(A) B`` differentiated, with
    ``pinv_backward`` for ``A``."""

    NAME = "LinalgLstsqBackward0"

    def forward(self, a, b, driver="gelsy", rcond=None, info=None):
        m, n = a.shape[-2], a.shape[-1]
        batch = a.shape[:-2]
        fa = a.reshape((-1, m, n)).astype(np.float64)
        fb = b.reshape((-1, m, b.shape[-1])).astype(np.float64)
        xs, ranks, svals = [], [], []
        for ai, bi in zip(fa, fb):
            x, rank, s = _solve_one(ai, bi, driver, rcond)
            xs.append(x)
            ranks.append(rank)
            svals.append(s)
        self.a, self.b = a, b
        x = np.stack(xs).reshape(batch + (n, b.shape[-1])) if xs else \
            np.zeros(batch + (n, b.shape[-1]))
        if info is not None:  # the outputs without a gradient, for lstsq's named tuple
            info["rank"] = np.array(ranks, np.int64).reshape(batch) if driver != "gels" else None
            info["S"] = (np.stack(svals).reshape(batch + (min(m, n),)).astype(a.dtype)
                         if driver in ("gelsd", "gelss") else None)
        return x.astype(a.dtype)

    def backward(self, g):
        a, b = self.a, self.b
        pinv = np.linalg.pinv(a)
        ga = _pinv_backward(g @ _mT(b), pinv, a)
        gb = _mT(pinv) @ g
        return ga.astype(g.dtype, copy=False), gb.astype(g.dtype, copy=False)


def _pinv_backward(g: np.ndarray, p: np.ndarray, a: np.ndarray) -> np.ndarray:
    """The gradient of ``A`` from the gradient ``g`` of ``P = pinv(A)`` (torch's
    pinv_backward, real case)."""
    ph, gh = _mT(p), _mT(g)
    if a.shape[-2] <= a.shape[-1]:
        k = gh @ p
        kph = k @ ph
        return -_mT(p @ k) + kph - (a @ p) @ kph + (ph @ p) @ (gh - k @ a)
    k = p @ gh
    phk = ph @ k
    return -_mT(k @ p) + (gh - a @ k) @ p @ ph + phk - phk @ p @ a


def lstsq(A, B, rcond=None, *, driver=None):
    """``(solution, residuals, rank, singular_values)`` of ``min ‖A X - B‖_F``, as
    torch.linalg.lstsq on the CPU.

    Args:
        A: ``(*, m, n)`` float matrices.
        B: ``(*, m, k)`` (or ``(*, m)``: one vector per matrix when ``B`` has one dimension
            fewer than ``A``); batch dimensions broadcast.
        rcond: singular values (or, for ``'gelsy'``, leading-block condition numbers) are cut at
            ``rcond`` relative to the largest; default ``eps(dtype) * max(m, n)``.
        driver: ``'gelsy'`` (default), ``'gelsd'``, ``'gelss'`` or ``'gels'``.

    Shape:
        solution ``(*, n, k)``; residuals ``(*, k)``, the squared residual norms, only when
        ``m > n``, the driver is not ``'gelsy'`` and every ``A`` has full rank (else empty);
        rank ``(*)`` int64 (empty for ``'gels'``); singular_values ``(*, min(m, n))`` for
        ``'gelsd'``/``'gelss'`` (else empty).

    Example::

        >>> ember.linalg.lstsq(ember.ones(3, 1), ember.tensor([1.0, 2.0, 3.0])).solution
        tensor([2.])
    """
    a, b = float_input(as_tensor(A)), float_input(as_tensor(B))
    if a.dim() < 2:
        raise RuntimeError("torch.linalg.lstsq: input must have at least 2 dimensions.")
    if a.dtype != b.dtype:
        raise RuntimeError(f"torch.linalg.lstsq: Expected input and other to have the same dtype, "
                           f"but got input's dtype {_cname(a)} and other's dtype {_cname(b)}")
    driver = "gelsy" if driver is None else driver
    if driver not in DRIVERS:
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of "
                           "(gels, gelsy, gelsd, gelss)")
    vector = b.dim() == a.dim() - 1
    rhs = b.unsqueeze(-1) if vector else b
    if rhs.dim() < 2 or rhs.shape[-2] != a.shape[-2]:
        raise RuntimeError("torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    m, n = a.shape[-2], a.shape[-1]
    if rcond is None:
        rcond = float(np.finfo(a._data.dtype).eps) * max(m, n)
    batch = np.broadcast_shapes(tuple(a.shape[:-2]), tuple(rhs.shape[:-2]))
    a = a.expand(*batch, m, n) if tuple(a.shape[:-2]) != batch else a
    rhs = rhs.expand(*batch, *rhs.shape[-2:]) if tuple(rhs.shape[:-2]) != batch else rhs
    info = {}
    x = Lstsq.apply(a, rhs, driver=driver, rcond=rcond, info=info)
    dtype = a._data.dtype
    empty = np.zeros((0,), dtype)
    residuals = empty
    if m > n and driver != "gelsy" and (info["rank"] is None or np.all(info["rank"] == n)):
        residuals = np.sum((a._data @ x._data - rhs._data) ** 2, axis=-2)  # (*, k): k = 1 for
                                                                     # a vector, as torch
    rank = info["rank"] if info["rank"] is not None else np.zeros((0,), np.int64)
    svals = info["S"] if info["S"] is not None else empty
    return _Lstsq(x.squeeze(-1) if vector else x, Tensor._make(residuals.astype(dtype)),
                  Tensor._make(np.asarray(rank, np.int64)), Tensor._make(svals))


def _cname(t) -> str:
    """torch's C++ name of a dtype in messages (Float, Double)."""
    return torch_dtype_name(t)
