"""Matrix functions with their gradients (det, inverse, slogdet, cholesky, einsum: one node
each) and composites of matmul and elementwise ops: the addmm family, kron, tensordot, cross,
cdist, cov/corrcoef, trapezoid, vander, renorm and the vector norms.

Example::

    >>> a = ember.tensor([[2.0, 0.0], [0.0, 3.0]])
    >>> ember.det(a), ember.inverse(a)
    (tensor(6.), tensor([[0.5000, 0.0000],
            [0.0000, 0.3333]]))
"""
from __future__ import annotations

import re
import string
import warnings
from collections import namedtuple

import numpy as np

from .._tensor import Tensor, _check_dim
from ..autograd.function import Function
from . import elementwise as ew
from . import reduction
from ._util import as_tensor, float_input
from .linalg import matmul, outer
from .shape import expand, getitem, reshape, stack, transpose, unsqueeze

__all__ = ["det", "inverse", "logdet", "slogdet", "cholesky", "matrix_power", "chain_matmul",
           "addmm", "addmv", "addr", "addbmm", "baddbmm", "ger", "inner", "vdot", "kron",
           "tensordot", "einsum", "cross", "cdist", "dist", "renorm", "cov", "corrcoef",
           "trapezoid", "trapz", "cumulative_trapezoid", "vander", "vector_norm"]

_SlogDet = namedtuple("slogdet", ["sign", "logabsdet"])


def _mT(a: np.ndarray) -> np.ndarray:
    return np.swapaxes(a, -1, -2)


class Det(Function):
    NAME = "LinalgDetBackward0"

    def forward(self, a):
        self.a = a
        self.out = np.asarray(np.linalg.det(a)).astype(a.dtype, copy=False)
        return self.out

    def backward(self, g):
        inv_t = _mT(np.linalg.inv(self.a))
        return ((g * self.out)[..., None, None] * inv_t,)


class SlogDet(Function):
    """``log|det(a)|``; the sign is returned beside it without a gradient."""

    NAME = "LinalgSlogdetBackward0"

    def forward(self, a):
        self.a = a
        self.sign, logabs = np.linalg.slogdet(a)
        return np.asarray(logabs).astype(a.dtype, copy=False)

    def backward(self, g):
        return (g[..., None, None] * _mT(np.linalg.inv(self.a)),)


class LinAlgError(RuntimeError):
    """torch.linalg.LinAlgError (``ember.linalg.LinAlgError``): a matrix the algorithm cannot
    handle (singular, not positive-definite); a RuntimeError, as torch's."""


class Inverse(Function):
    NAME = "LinalgInvExBackward0"

    def forward(self, a):
        try:
            self.out = np.linalg.inv(a)
        except np.linalg.LinAlgError:
            raise LinAlgError("linalg.inv: The diagonal element 1 is zero, the inversion could "
                               "not be completed because the input matrix is singular.") from None
        return self.out

    def backward(self, g):
        inv_t = _mT(self.out)
        return (-(inv_t @ g @ inv_t),)


class Cholesky(Function):
    NAME = "LinalgCholeskyExBackward0"

    def forward(self, a, upper=False):
        self.upper = upper
        try:
            lower = np.linalg.cholesky(a)
        except np.linalg.LinAlgError:
            raise LinAlgError("linalg.cholesky: The factorization could not be completed because "
                               "the input is not positive-definite.") from None
        self.L = lower
        return _mT(lower).copy() if upper else lower

    def backward(self, g):
        L = self.L
        gL = _mT(g) if self.upper else g
        phi = _mT(L) @ gL
        phi = np.tril(phi)
        diag = np.einsum("...ii->...i", phi)
        diag *= 0.5
        inv = np.linalg.inv(L)
        ga = _mT(inv) @ phi @ inv
        return (0.5 * (ga + _mT(ga)),)


def _square(a, name):
    x = float_input(as_tensor(a))
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise RuntimeError(f"linalg.{name}: A must be batches of square matrices, but they are "
                           f"{x.shape[-2] if x.ndim > 1 else x.shape[-1]} by {x.shape[-1]} "
                           f"matrices")
    return x


def det(input):
    """The determinant of square matrices (batched over leading dims)."""
    return Det.apply(_square(input, "det"))


def slogdet(input):
    """``(sign, log|det|)`` of square matrices, stable where ``det`` would overflow."""
    x = _square(input, "slogdet")
    logabs = SlogDet.apply(x)
    return _SlogDet(Tensor._make(np.asarray(logabs.grad_fn.sign if logabs.grad_fn else
                                            np.linalg.slogdet(x._data)[0]).astype(x._data.dtype)),
                    logabs)


def logdet(input):
    """``log(det(input))`` (NaN where the determinant is negative)."""
    sign, logabs = slogdet(input)
    return ew.where(Tensor._make(sign._data < 0), float("nan"),
                    ew.where(Tensor._make(sign._data == 0), float("-inf"), logabs))


def inverse(input):
    """The inverse of square matrices."""
    return Inverse.apply(_square(input, "inv"))


def cholesky(input, upper: bool = False):
    """The Cholesky factor ``L`` (``L Lᵀ = input``; ``Lᵀ`` with ``upper=True``)."""
    return Cholesky.apply(_square(input, "cholesky"), upper=upper)


def matrix_power(input, n: int):
    """``input`` multiplied by itself ``n`` times (the inverse's power for negative ``n``)."""
    x = as_tensor(input)
    if n == 0:
        eye = np.broadcast_to(np.eye(x.shape[-1], dtype=x._data.dtype), x.shape)
        return Tensor._make(eye.copy())
    if n < 0:
        x, n = inverse(x), -n
    out = x
    for _ in range(n - 1):
        out = matmul(out, x)
    return out


def chain_matmul(*matrices):
    """Deprecated in torch: the product of the given matrices, left to right."""
    warnings.warn("torch.chain_matmul is deprecated and will be removed in a future PyTorch "
                  "release. Use torch.linalg.multi_dot instead", UserWarning, stacklevel=2)
    out = matrices[0]
    for m in matrices[1:]:
        out = matmul(out, m)
    return out


def _scaled(beta, input, alpha, product):
    """``beta * input + alpha * product``; with ``beta=0`` the input is ignored (NaN included)."""
    base = product if alpha == 1 else product * alpha
    if beta == 0:
        return base
    return (input if beta == 1 else input * beta) + base


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """``beta * input + alpha * (mat1 @ mat2)``."""
    return _scaled(beta, input, alpha, matmul(mat1, mat2))


def addmv(input, mat, vec, *, beta=1, alpha=1):
    """``beta * input + alpha * (mat @ vec)``."""
    return _scaled(beta, input, alpha, matmul(mat, vec))


def addr(input, vec1, vec2, *, beta=1, alpha=1):
    """``beta * input + alpha * outer(vec1, vec2)``."""
    return _scaled(beta, input, alpha, outer(vec1, vec2))


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """``beta * input + alpha * (batch1 @ batch2)`` per batch."""
    return _scaled(beta, input, alpha, matmul(batch1, batch2))


def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """``beta * input + alpha * Σ_b batch1[b] @ batch2[b]``."""
    return _scaled(beta, input, alpha, reduction.sum(matmul(batch1, batch2), 0))


ger = outer


def inner(input, other):
    """The sum over the last dims of ``input`` and ``other`` of their products."""
    a, b = as_tensor(input), as_tensor(other)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    return tensordot(a, b, ([a.ndim - 1], [b.ndim - 1]))


def vdot(input, other):
    """The dot product of two 1-D tensors (no conjugation is needed for real ones)."""
    from .linalg import dot
    return dot(input, other)


def kron(input, other):
    """The Kronecker product."""
    a, b = as_tensor(input), as_tensor(other)
    nd = max(a.ndim, b.ndim)
    a = reshape(a, (1,) * (nd - a.ndim) + tuple(a.shape))
    b = reshape(b, (1,) * (nd - b.ndim) + tuple(b.shape))
    ai = reshape(a, tuple(s for n in a.shape for s in (n, 1)))
    bi = reshape(b, tuple(s for n in b.shape for s in (1, n)))
    return reshape(ai * bi, tuple(m * n for m, n in zip(a.shape, b.shape)))


# ------------------------------------------------------------------------------ einsum
class Einsum(Function):
    def forward(self, *operands, inputs=(), output=""):
        self.ops, self.inputs, self.output = operands, inputs, output
        spec = ",".join(inputs) + "->" + output
        return np.asarray(np.einsum(spec, *operands, optimize=len(operands) > 2))

    def backward(self, g):
        grads = []
        for i, subs in enumerate(self.inputs):
            if not self.needs_grad(i):
                grads.append(None)
                continue
            others = [(s, o) for j, (s, o) in enumerate(zip(self.inputs, self.ops)) if j != i]
            known = set(self.output).union(*[set(s) for s, _ in others])
            kept = "".join(c for c in subs if c in known)
            spec = ",".join([self.output] + [s for s, _ in others]) + "->" + kept
            part = np.einsum(spec, g, *[o for _, o in others], optimize=len(others) > 1)
            shape = [self.ops[i].shape[k] if c in kept else 1 for k, c in enumerate(subs)]
            part = part.reshape([n if c in kept else 1 for n, c in zip(self.ops[i].shape, subs)])
            grads.append(np.broadcast_to(part, self.ops[i].shape).copy() if shape != list(
                self.ops[i].shape) else part)
        return tuple(grads)


def _parse_einsum(equation: str, shapes) -> tuple:
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    inputs = lhs.split(",")
    if len(inputs) != len(shapes):
        raise RuntimeError(f"einsum(): more operands were provided than specified in the equation"
                           if len(shapes) > len(inputs) else
                           f"einsum(): fewer operands were provided than specified in the equation")
    free = [c for c in string.ascii_letters if c not in eq]
    ell_dims = max((len(s) - (len(sub) - 3) for sub, s in zip(inputs, shapes) if "..." in sub),
                   default=0)
    ell = "".join(free[:ell_dims])
    inputs = [sub.replace("...", ell[len(ell) - (len(s) - (len(sub) - 3)):] if "..." in sub else "")
              for sub, s in zip(inputs, shapes)]
    if not arrow:
        counts = {}
        for c in "".join(inputs):
            counts[c] = counts.get(c, 0) + 1
        rhs = ell + "".join(sorted(c for c, k in counts.items() if k == 1 and c not in ell))
    else:
        rhs = rhs.replace("...", ell)
    for sub, s in zip(inputs, shapes):
        if len(sub) != len(s):
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(sub)}) "
                               f"does not match the number of dimensions ({len(s)}) for operand")
    return inputs, rhs


def _diagonals(subs: str, t):
    """An operand whose subscripts repeat a letter (``'ii'``) replaced by its diagonal, taken by
    indexing (so the gradient flows), with the letter once: ``('i', diagonal)``."""
    while len(set(subs)) < len(subs):
        c = next(c for c in subs if subs.count(c) > 1)
        i = subs.index(c)
        j = subs.index(c, i + 1)
        rest = [k for k in range(t.ndim) if k not in (i, j)]
        ar = Tensor._make(np.arange(t.shape[i]))
        from .shape import permute
        t = getitem(permute(t, i, j, *rest), (ar, ar))
        subs = c + "".join(subs[k] for k in rest)
    return subs, t


def einsum(equation, *operands):
    """Einstein summation: ``einsum('ij,jk->ik', a, b)`` is ``a @ b``; ``'ii->i'`` takes a
    diagonal, ``'...'`` stands for leading dims (operands as arguments or one list). One node
    runs NumPy's einsum; its gradient is an einsum per operand."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    ts = [as_tensor(o) for o in operands]
    dt = np.result_type(*[t._data.dtype for t in ts])
    ts = [t.to(dt) if t._data.dtype != dt else t for t in ts]
    inputs, output = _parse_einsum(equation, [t.shape for t in ts])
    if not re.fullmatch(r"[A-Za-z]*", "".join(inputs) + output):
        raise RuntimeError(f"einsum(): invalid subscript given in equation {equation!r}")
    pairs = [_diagonals(s, t) for s, t in zip(inputs, ts)]
    return Einsum.apply(*[t for _, t in pairs], inputs=tuple(s for s, _ in pairs), output=output)


def tensordot(a, b, dims=2, out=None):
    """Sums the products over the last ``dims`` dims of ``a`` and the first of ``b`` (or the
    paired lists of dims ``dims = (dims_a, dims_b)``)."""
    a, b = as_tensor(a), as_tensor(b)
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        da, db = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        da, db = ([d] if isinstance(d, int) else list(d) for d in dims)
    da = [_check_dim(d, a.ndim) for d in da]
    db = [_check_dim(d, b.ndim) for d in db]
    letters = iter(string.ascii_letters)
    sa = [next(letters) for _ in range(a.ndim)]
    sb = [next(letters) for _ in range(b.ndim)]
    for i, j in zip(da, db):
        sb[j] = sa[i]
    out_subs = [c for k, c in enumerate(sa) if k not in da] + [c for k, c in enumerate(sb)
                                                             if k not in db]
    return Einsum.apply(a, b.to(a.dtype), inputs=("".join(sa), "".join(sb)), output="".join(out_subs))


def cross(input, other, dim=None):
    """The 3-D cross product along ``dim`` (the first dim of size 3 when None, as torch)."""
    a, b = as_tensor(input), as_tensor(other)
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease "
                      "either pass the dim explicitly or simply use torch.linalg.cross.\nThe "
                      "default value of dim will change to agree with that of linalg.cross in a "
                      "future release.", UserWarning, stacklevel=2)
        dim = next((i for i, n in enumerate(np.broadcast_shapes(a.shape, b.shape)) if n == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    shape = np.broadcast_shapes(tuple(a.shape), tuple(b.shape))
    a, b = expand(a, *shape), expand(b, *shape)
    d = _check_dim(dim, len(shape))
    if shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{shape[d]} and {shape[d]}")
    head = (slice(None),) * d
    ax = [getitem(a, head + (k,)) for k in range(3)]
    bx = [getitem(b, head + (k,)) for k in range(3)]
    return stack([ax[1] * bx[2] - ax[2] * bx[1], ax[2] * bx[0] - ax[0] * bx[2],
                  ax[0] * bx[1] - ax[1] * bx[0]], d)


class VectorNorm(Function):
    """The ``p``-norm over ``axes`` (None: all); at a zero vector the gradient is 0, and ties of
    the ±inf norms share it evenly, as in torch."""

    NAME = "LinalgVectorNormBackward0"

    def forward(self, x, p=2.0, axes=None, keepdims=False):
        self.x, self.p, self.axes, self.keepdims = x, p, axes, keepdims
        a = np.abs(x)
        if p == np.inf:
            out = np.max(a, axis=axes, keepdims=True)
        elif p == -np.inf:
            out = np.min(a, axis=axes, keepdims=True)
        elif p == 0:
            out = np.sum(a != 0, axis=axes, keepdims=True).astype(x.dtype)
        elif p == 1:
            out = np.sum(a, axis=axes, keepdims=True)
        elif p == 2:
            out = np.sqrt(np.sum(x * x, axis=axes, keepdims=True))
        else:
            out = np.sum(a ** p, axis=axes, keepdims=True) ** (1.0 / p)
        self.out = out
        return out if keepdims else np.squeeze(out, axis=axes) if axes is not None else out.reshape(())

    def backward(self, g):
        x, p, out = self.x, self.p, self.out
        g = g.reshape(out.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            if p in (np.inf, -np.inf):
                hit = np.abs(x) == out
                share = g / np.sum(hit, axis=self.axes, keepdims=True)
                grad = np.where(hit, np.sign(x) * share, 0)
            elif p == 0:
                return (None,)                       # torch leaves it undefined
            elif p == 1:
                grad = np.sign(x) * g
            elif p == 2:
                grad = np.where(out == 0, 0, x * (g / out))
            else:
                grad = np.where((out == 0) | (x == 0), 0,
                                np.sign(x) * np.abs(x) ** (p - 1) * (g / out ** (p - 1)))
        return (grad.astype(x.dtype, copy=False),)


def vector_norm(x, p=2.0, dim=None, keepdim: bool = False):
    """The ``p``-norm over all elements or ``dim`` (gradient 0 at a zero vector, as torch's)."""
    from ._util import normalize_dims
    x = float_input(as_tensor(x))
    axes = normalize_dims(dim, x.ndim) if x.ndim else None
    return VectorNorm.apply(x, p=float(p), axes=axes, keepdims=keepdim)


def cdist(x1, x2, p: float = 2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """Pairwise ``p``-norm distances between the rows of ``x1`` (…, P, M) and ``x2`` (…, R, M)."""
    a, b = as_tensor(x1), as_tensor(x2)
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {a.shape[-1]} "
                           f"X2: {b.shape[-1]}")
    diff = unsqueeze(a, -2) - unsqueeze(b, -3)
    return vector_norm(diff, p, -1)


def dist(input, other, p: float = 2):
    """The ``p``-norm of ``input - other``."""
    return vector_norm(as_tensor(input) - other, p)


def renorm(input, p: float, dim: int, maxnorm: float):
    """Each slice along ``dim`` whose ``p``-norm exceeds ``maxnorm`` scaled down to it."""
    x = as_tensor(input)
    d = _check_dim(dim, x.ndim)
    others = tuple(i for i in range(x.ndim) if i != d)
    norms = vector_norm(x, p, others, keepdim=True)
    scale = ew.where(Tensor._make(norms._data > maxnorm), maxnorm / (norms + 1e-7), 1.0)
    return x * scale


def cov(input, *, correction: int = 1, fweights=None, aweights=None):
    """The covariance matrix of the variables (rows) over the observations (columns)."""
    x = as_tensor(input)
    if x.ndim > 2:
        raise ValueError(f"cov(): expected input to have two or fewer dimensions but got an "
                         f"input with {x.ndim} dimensions")
    x = float_input(x if x.ndim == 2 else reshape(x, (1, -1)))
    n = x.shape[1]
    w = None
    if fweights is not None:
        w = as_tensor(fweights).to(x.dtype)
    if aweights is not None:
        aw = as_tensor(aweights).to(x.dtype)
        w = aw if w is None else w * aw
    if w is None:
        c = x - reduction.mean(x, 1, keepdim=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = matmul(c, transpose(c, 0, 1)) / float(max(n - correction, 0))
    else:
        wsum = reduction.sum(w)
        mean = reduction.sum(x * w, 1, keepdim=True) / wsum
        c = x - mean
        if correction == 0:
            norm = wsum
        elif aweights is None:
            norm = wsum - correction
        else:
            norm = wsum - correction * reduction.sum(w * as_tensor(aweights).to(x.dtype)) / wsum
        out = matmul(c * w, transpose(c, 0, 1)) / norm
    return out.reshape(()) if as_tensor(input).ndim < 2 else out


def corrcoef(input):
    """Pearson correlation coefficients between the rows (clipped to [-1, 1])."""
    c = cov(input)
    if c.ndim == 0:
        return c / c
    d = ew.sqrt(getitem(c, (Tensor._make(np.arange(c.shape[0])),) * 2))
    return ew.clamp(c / unsqueeze(d, 1) / unsqueeze(d, 0), -1, 1)


def _trapezoids(y, x, dx, dim):
    """The area of each trapezoid along ``dim`` and the dim's index."""
    y = as_tensor(y)
    d = _check_dim(dim, y.ndim)
    head = (slice(None),) * d
    left, right = getitem(y, head + (slice(None, -1),)), getitem(y, head + (slice(1, None),))
    if x is None:
        return (left + right) * (dx / 2), d
    xt = as_tensor(x)
    if xt.ndim == 1:
        spacing = reshape(xt[1:] - xt[:-1], tuple(-1 if i == d else 1 for i in range(y.ndim)))
    else:
        hx = (slice(None),) * _check_dim(dim, xt.ndim)
        spacing = getitem(xt, hx + (slice(1, None),)) - getitem(xt, hx + (slice(None, -1),))
    return (left + right) * spacing / 2, d


def trapezoid(y, x=None, *, dx=1, dim: int = -1):
    """The trapezoidal rule along ``dim``, with sample points ``x`` or spacing ``dx`` (default 1)."""
    parts, d = _trapezoids(y, x, dx, dim)
    return reduction.sum(parts, d)


def trapz(y, x=None, *, dx=1.0, dim: int = -1):
    """:func:`trapezoid` (its older name)."""
    if isinstance(x, (int, float)):
        return trapezoid(y, dx=x, dim=dim)
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=1, dim: int = -1):
    """The running trapezoidal integral along ``dim`` (one element shorter)."""
    from .reduction import cumsum
    parts, d = _trapezoids(y, x, dx, dim)
    return cumsum(parts, d)


def vander(x, N=None, increasing: bool = False):
    """The Vandermonde matrix of a 1-D ``x``: columns ``x ** (N-1), …, x ** 0`` (reversed with
    ``increasing=True``)."""
    t = as_tensor(x)
    n = t.shape[0] if N is None else N
    powers = range(n) if increasing else range(n - 1, -1, -1)
    cols = [ew.pow(t, p) if p else t * 0 + 1 for p in powers]
    dtype = np.int64 if t._data.dtype.kind in "biu" else t._data.dtype
    return stack(cols, 1).to(dtype) if cols else Tensor._make(np.zeros((t.shape[0], 0), dtype))
