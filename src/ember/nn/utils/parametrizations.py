"""``ember.nn.utils.parametrizations`` (torch's): ``weight_norm``, ``spectral_norm`` and
``orthogonal`` as :mod:`~ember.nn.utils.parametrize` parametrizations, with torch's state_dict keys
(``parametrizations.weight.original0``/``original1`` for weight norm,
``parametrizations.weight.original`` and ``parametrizations.weight.0._u``/``_v`` for spectral
norm) and numbers.

Example::

    >>> m = ember.nn.utils.parametrizations.weight_norm(ember.nn.Linear(4, 3))
    >>> list(m.state_dict())
    ['bias', 'parametrizations.weight.original0', 'parametrizations.weight.original1']
    >>> tuple(m.parametrizations.weight.original0.shape)
    (3, 1)
"""
from __future__ import annotations

from enum import Enum, auto

import numpy as np

from ... import _creation, linalg
from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ...ops.linalg_factor import geqrf
from ...ops.shape import cat
from ..functional import normalize
from ..module import Module
from . import parametrize
from .spectral_norm import _default_dim, power_iteration_, random_unit_vector, weight_to_matrix
from .weight_norm import norm_except_dim, weight_norm_value

__all__ = ["orthogonal", "spectral_norm", "weight_norm"]


class _WeightNorm(Module):
    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g, weight_v):
        return weight_norm_value(weight_v, weight_g, self.dim)

    def right_inverse(self, weight):
        return norm_except_dim(weight, 2, self.dim), weight


def weight_norm(module: Module, name: str = "weight", dim: int = 0) -> Module:
    """Parametrizes ``module.<name>`` as ``g * v / ‖v‖`` (norm over every dim but ``dim``; the
    whole tensor when ``dim=None``), ``g`` stored as ``original0`` and ``v`` as ``original1``.

    Args:
        module: the module holding the parameter.
        name: the parameter's name.
        dim: the dimension kept by the norm.

    Returns:
        ``module`` (a ``Parametrized<Class>``).
    """
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)

    def _weight_norm_compat_hook(state_dict, prefix, local_metadata, strict, missing_keys,
                                 unexpected_keys, error_msgs) -> None:
        """A state dict of the hook form (``weight_g``/``weight_v``) loads as torch's does."""
        g_key, v_key = f"{prefix}{name}_g", f"{prefix}{name}_v"
        if g_key in state_dict and v_key in state_dict:
            state_dict[f"{prefix}parametrizations.{name}.original0"] = state_dict.pop(g_key)
            state_dict[f"{prefix}parametrizations.{name}.original1"] = state_dict.pop(v_key)

    module._register_load_state_dict_pre_hook(_weight_norm_compat_hook)
    return module


class _SpectralNorm(Module):
    def __init__(self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0,
                 eps: float = 1e-12) -> None:
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of [-{ndim}, "
                             f"{ndim - 1}] but got {dim})")
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            weight_mat = weight_to_matrix(weight.detach(), self.dim)
            h, w = weight_mat.shape
            self.register_buffer("_u", random_unit_vector(h, weight, eps))
            self.register_buffer("_v", random_unit_vector(w, weight, eps))
            power_iteration_(weight_mat, self._u, self._v, 15, eps, u_first=True)

    def forward(self, weight):
        if weight.ndim == 1:
            return normalize(weight, dim=0, eps=self.eps)
        weight_mat = weight_to_matrix(weight, self.dim)
        if self.training:
            power_iteration_(weight_mat, self._u, self._v, self.n_power_iterations, self.eps,
                             u_first=True)
        sigma = self._u.clone().vdot(weight_mat.mv(self._v.clone()))
        return weight / sigma

    def right_inverse(self, value):
        return value


def spectral_norm(module: Module, name: str = "weight", n_power_iterations: int = 1,
                  eps: float = 1e-12, dim: int | None = None) -> Module:
    """Parametrizes ``module.<name>`` as ``W / σ(W)``, σ estimated by power iteration (15 steps
    at registration, ``n_power_iterations`` per read in training mode); the vectors are the
    parametrization's buffers ``_u`` and ``_v``.

    Args:
        module: the module holding the parameter.
        name: the parameter's name.
        n_power_iterations: power-iteration steps per training-mode read.
        eps: floor of the norms when normalizing.
        dim: the dimension seen as the matrix's rows (1 for ConvTranspose modules, else 0).

    Returns:
        ``module`` (a ``Parametrized<Class>``).
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = _default_dim(module)
    parametrize.register_parametrization(module, name,
                                         _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module


class _OrthMaps(Enum):
    matrix_exp = auto()
    cayley = auto()
    householder = auto()


def _eye(n: int, like: Tensor) -> Tensor:
    return _creation.eye(n, dtype=like.dtype)


def _is_orthogonal(Q: Tensor) -> bool:
    n, k = Q.shape[-2], Q.shape[-1]
    eps = 10.0 * n * float(np.finfo(Q._data.dtype).eps)
    return bool(np.allclose((Q.mH @ Q)._data, np.eye(k), atol=eps))


def _set_diagonal(arr: np.ndarray, values) -> None:
    """Writes ``values`` on the main diagonal of each matrix of ``arr`` (rectangular too)."""
    idx = np.arange(min(arr.shape[-2:]))
    arr[..., idx, idx] = values


def _make_orthogonal(A: Tensor) -> Tensor:
    """The Q of ``A = QR`` with ``diag(R) ≥ 0``."""
    X, tau = geqrf(A)
    Q = linalg.householder_product(X, tau)
    return Q * X.diagonal(dim1=-2, dim2=-1).sgn().unsqueeze(-2)


class _Orthogonal(Module):
    def __init__(self, weight, orthogonal_map: _OrthMaps, *, use_trivialization: bool = True) -> None:
        super().__init__()
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, X):
        n, k = X.shape[-2], X.shape[-1]
        transposed = n < k
        if transposed:
            X = X.mT
            n, k = k, n
        if self.orthogonal_map in (_OrthMaps.matrix_exp, _OrthMaps.cayley):
            X = X.tril()
            if n != k:
                X = cat([X, X.new_zeros(n, n - k).expand(*X.shape[:-2], -1, -1)], dim=-1)
            A = X - X.mH
            if self.orthogonal_map == _OrthMaps.matrix_exp:
                Q = linalg.matrix_exp(A)
            else:
                Id = _eye(n, A)
                Q = linalg.solve(Id - 0.5 * A, Id + 0.5 * A)
            if n != k:
                Q = Q[..., :k]
        else:
            A = X.tril(diagonal=-1)
            tau = 2.0 / (1.0 + (A * A).sum(dim=-2))
            Q = linalg.householder_product(A, tau)
            Q = Q * X.diagonal(dim1=-2, dim2=-1).int().unsqueeze(-2)
        if "base" in self._buffers:
            Q = self.base @ Q
        if transposed:
            Q = Q.mT
        return Q

    def right_inverse(self, Q):
        with no_grad():
            if Q.shape != self.shape:
                raise ValueError(f"Expected a matrix or batch of matrices of shape {self.shape}. "
                                 f"Got a tensor of shape {Q.shape}.")
            Q_init = Q
            n, k = Q.shape[-2], Q.shape[-1]
            transpose = n < k
            if transpose:
                Q = Q.mT
                n, k = k, n
            if "base" not in self._buffers:
                if self.orthogonal_map in (_OrthMaps.cayley, _OrthMaps.matrix_exp):
                    raise NotImplementedError("It is not possible to assign to the matrix "
                                              "exponential or the Cayley parametrizations when "
                                              "use_trivialization=False.")
                A, tau = geqrf(Q)
                diag = A.diagonal(dim1=-2, dim2=-1)._data
                sign = np.sign(diag)
                sign[tau._data == 0.0] *= -1
                A = A.clone()
                _set_diagonal(A._data, sign)
                return A.mT if transpose else A
            if n == k:
                Q = Q.clone() if _is_orthogonal(Q) else _make_orthogonal(Q)
            else:
                N = _creation.randn(*(tuple(Q.shape[:-2]) + (n, n - k)), dtype=Q.dtype)
                Q = _make_orthogonal(cat([Q, N], dim=-1))
            self.base = Q
            neg_Id = _creation.zeros_like(Q_init)
            _set_diagonal(neg_Id._data, -1.0)
            return neg_Id


def orthogonal(module: Module, name: str = "weight", orthogonal_map: str | None = None, *,
               use_trivialization: bool = True) -> Module:
    """Parametrizes the matrix (or batch of matrices) ``module.<name>`` to stay orthogonal:
    orthonormal columns when it is tall, rows when it is wide.

    Args:
        module: the module holding the parameter.
        name: the parameter's name.
        orthogonal_map: ``"matrix_exp"`` (default for square), ``"cayley"`` or
            ``"householder"`` (default otherwise).
        use_trivialization: keep a base matrix ``parametrizations.<name>[0].base`` (torch's
            dynamic trivialization).

    Returns:
        ``module`` (a ``Parametrized<Class>``).
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError(f"Expected a matrix or batch of matrices. Got a tensor of {weight.ndim} "
                         "dimensions.")
    if orthogonal_map is None:
        orthogonal_map = "matrix_exp" if weight.shape[-2] == weight.shape[-1] else "householder"
    orth_enum = getattr(_OrthMaps, orthogonal_map, None)
    if orth_enum is None:
        raise ValueError('orthogonal_map has to be one of "matrix_exp", "cayley", "householder". '
                         f"Got: {orthogonal_map}")
    parametrize.register_parametrization(
        module, name, _Orthogonal(weight, orth_enum, use_trivialization=use_trivialization),
        unsafe=True)
    return module
