"""The LDLᵀ factorisation of symmetric matrices with Bunch–Kaufman pivoting and its solve, as
torch.linalg.ldl_factor / ldl_solve on the CPU (LAPACK's ``sytrf``/``sytrs`` on the lower
triangle, written here in NumPy step for step, so the packed ``LD`` and the pivots are LAPACK's).

``LD`` holds the unit lower-triangular ``L`` below the diagonal (its ones implied) and the
block-diagonal ``D`` (1×1 and 2×2 blocks) on and just below the diagonal; its upper triangle is
zero. ``pivots`` (int32, 1-based) follow LAPACK: ``pivots[k] = p > 0`` means rows/columns ``k``
and ``p`` were swapped and ``D[k, k]`` is a 1×1 block; ``pivots[k] = pivots[k + 1] = -p < 0``
means ``k, k + 1`` is a 2×2 block and row/column ``k + 1`` was swapped with ``p``.

Neither has a gradient, as in torch.

Example::

    >>> LD, pivots = ember.linalg.ldl_factor(ember.tensor([[4.0, 2.0], [2.0, 3.0]]))
    >>> LD
    tensor([[4.0000, 0.0000],
            [0.5000, 2.0000]])
"""
from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor
from ._util import as_tensor, float_input

__all__ = []  # torch.linalg's names: ember.linalg exports them

_ALPHA = (1.0 + math.sqrt(17.0)) / 8.0   # Bunch–Kaufman's growth bound


def _swap_symmetric(a: np.ndarray, kk: int, kp: int) -> None:
    """Swaps rows/columns ``kk < kp`` of the trailing lower triangle (LAPACK's three swaps)."""
    a[kp + 1:, [kk, kp]] = a[kp + 1:, [kp, kk]]
    col, row = a[kk + 1:kp, kk].copy(), a[kp, kk + 1:kp].copy()
    a[kk + 1:kp, kk], a[kp, kk + 1:kp] = row, col
    a[kk, kk], a[kp, kp] = a[kp, kp], a[kk, kk]


def _sytf2(a: np.ndarray):
    """LAPACK's unblocked ``sytf2`` (lower) on one matrix, in place: the pivots and ``info``
    (1-based index of the first zero pivot block, 0 when none)."""
    n = a.shape[0]
    piv = np.zeros(n, np.int32)
    info = 0
    k = 0
    while k < n:
        kstep = 1
        absakk = abs(a[k, k])
        if k < n - 1:
            imax = k + 1 + int(np.argmax(np.abs(a[k + 1:, k])))
            colmax = abs(a[imax, k])
        else:
            imax, colmax = k, 0.0
        if max(absakk, colmax) == 0.0 or math.isnan(absakk):
            info = info or k + 1
            kp = k
        else:
            if absakk >= _ALPHA * colmax:
                kp = k
            else:
                rowmax = np.max(np.abs(a[imax, k:imax]))
                if imax < n - 1:
                    rowmax = max(rowmax, np.max(np.abs(a[imax + 1:, imax])))
                if absakk >= _ALPHA * colmax * (colmax / rowmax):
                    kp = k
                elif abs(a[imax, imax]) >= _ALPHA * rowmax:
                    kp = imax
                else:
                    kp, kstep = imax, 2
            kk = k + kstep - 1
            if kp != kk:
                _swap_symmetric(a, kk, kp)
                if kstep == 2:
                    a[k + 1, k], a[kp, k] = a[kp, k], a[k + 1, k]
            if kstep == 1:
                if k < n - 1:
                    d11 = 1.0 / a[k, k]
                    x = a[k + 1:, k].copy()
                    a[k + 1:, k + 1:] -= np.tril(d11 * np.outer(x, x))
                    a[k + 1:, k] = x * d11
            elif k < n - 2:
                d21 = a[k + 1, k]
                d11, d22 = a[k + 1, k + 1] / d21, a[k, k] / d21
                d21 = (1.0 / (d11 * d22 - 1.0)) / d21
                c0, c1 = a[k + 2:, k].copy(), a[k + 2:, k + 1].copy()
                wk, wkp1 = d21 * (d11 * c0 - c1), d21 * (d22 * c1 - c0)
                a[k + 2:, k + 2:] -= np.tril(np.outer(c0, wk) + np.outer(c1, wkp1))
                a[k + 2:, k], a[k + 2:, k + 1] = wk, wkp1
        if kstep == 1:
            piv[k] = kp + 1
        else:
            piv[k] = piv[k + 1] = -(kp + 1)
        k += kstep
    return piv, info


def _sytrs(ld: np.ndarray, piv: np.ndarray, b: np.ndarray) -> np.ndarray:
    """LAPACK's ``sytrs`` (lower): ``X`` with ``A X = B`` from one matrix's factors."""
    n = ld.shape[0]
    b = np.array(b, copy=True)
    k = 0
    while k < n:                                   # L D X = B
        if piv[k] > 0:
            kp = piv[k] - 1
            b[[k, kp]] = b[[kp, k]]
            b[k + 1:] -= np.outer(ld[k + 1:, k], b[k])
            b[k] /= ld[k, k]
            k += 1
        else:
            kp = -piv[k] - 1
            b[[k + 1, kp]] = b[[kp, k + 1]]
            b[k + 2:] -= np.outer(ld[k + 2:, k], b[k]) + np.outer(ld[k + 2:, k + 1], b[k + 1])
            akm1k = ld[k + 1, k]
            akm1, ak = ld[k, k] / akm1k, ld[k + 1, k + 1] / akm1k
            denom = akm1 * ak - 1.0
            bkm1, bk = b[k] / akm1k, b[k + 1] / akm1k
            b[k], b[k + 1] = (ak * bkm1 - bk) / denom, (akm1 * bk - bkm1) / denom
            k += 2
    k = n - 1
    while k >= 0:                                  # Lᵀ X = B
        if piv[k] > 0:
            b[k] -= ld[k + 1:, k] @ b[k + 1:]
            kp = piv[k] - 1
            b[[k, kp]] = b[[kp, k]]
            k -= 1
        else:
            b[k] -= ld[k + 1:, k] @ b[k + 1:]
            b[k - 1] -= ld[k + 1:, k - 1] @ b[k + 1:]
            kp = -piv[k] - 1
            b[[k, kp]] = b[[kp, k]]
            k -= 2
    return b


def _square(a, name: str):
    if a.dim() < 2 or a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"torch.linalg.{name}: A must be batches of square matrices, but they "
                           f"are {a.shape[-2] if a.dim() >= 2 else 1} by {a.shape[-1]} matrices")


def ldl_factor_arrays(A, hermitian: bool = False):
    """``(LD, pivots, info)`` as arrays for symmetric ``A`` (its lower triangle is read;
    ``hermitian`` is the same for real input)."""
    a = float_input(as_tensor(A))
    _square(a, "ldl_factor_ex")
    n = a.shape[-1]
    flat = np.tril(a._data).reshape((-1, n, n)).copy()
    pivs = np.zeros((flat.shape[0], n), np.int32)
    infos = np.zeros(flat.shape[0], np.int32)
    for i, mat in enumerate(flat):
        pivs[i], infos[i] = _sytf2(mat)
    batch = tuple(a.shape[:-2])
    return (np.tril(flat).reshape(a.shape), pivs.reshape(batch + (n,)), infos.reshape(batch))


def ldl_solve(LD, pivots, B, *, hermitian: bool = False):
    """``X`` with ``A X = B`` from :func:`ldl_factor`'s ``LD`` and ``pivots`` (batch
    dimensions broadcast). No gradient.

    Shape:
        LD ``(*, n, n)``, pivots ``(*, n)``, B ``(*, n, k)`` -> ``(*, n, k)``.

    Example::

        >>> A = ember.tensor([[4.0, 2.0], [2.0, 3.0]])
        >>> ember.linalg.ldl_solve(*ember.linalg.ldl_factor(A), ember.tensor([[6.0], [5.0]]))
        tensor([[1.],
                [1.]])
    """
    ld, piv, b = float_input(as_tensor(LD)), as_tensor(pivots), float_input(as_tensor(B))
    _square(ld, "ldl_solve")
    if b.dim() < 2:
        raise RuntimeError(f"torch.linalg.ldl_solve: Expected B to have at least 2 dimensions, "
                           f"but it has {b.dim()} dimensions instead")
    if b.shape[-2] != ld.shape[-1]:
        raise RuntimeError(f"torch.linalg.ldl_solve: Incompatible shapes of A and B for the "
                           f"equation AX = B ({ld.shape[-2]}x{ld.shape[-1]} and "
                           f"{b.shape[-2]}x{b.shape[-1]})")
    n, k = ld.shape[-1], b.shape[-1]
    batch = np.broadcast_shapes(tuple(ld.shape[:-2]), tuple(piv.shape[:-1]), tuple(b.shape[:-2]))
    lds = np.broadcast_to(ld._data, batch + (n, n)).reshape((-1, n, n))
    pivs = np.broadcast_to(piv._data, batch + (n,)).reshape((-1, n))
    bs = np.broadcast_to(b._data.astype(ld._data.dtype), batch + (n, k)).reshape((-1, n, k))
    out = np.stack([_sytrs(*args) for args in zip(lds, pivs, bs)]) if bs.shape[0] else bs.copy()
    return Tensor._make(out.reshape(batch + (n, k)))
