"""Spectral normalization (Miyato et al. 2018, arXiv:1802.05957), the old hook form:
``spectral_norm(module)`` keeps the raw weight as ``weight_orig`` and the power-iteration
vectors as buffers ``weight_u``/``weight_v``; before every forward it sets
``weight = weight_orig / σ``, σ estimated by ``n_power_iterations`` steps in training mode.

:func:`ember.nn.utils.parametrizations.spectral_norm` shares :func:`weight_to_matrix` and
:func:`power_iteration_` with this file.

Example::

    >>> m = ember.nn.utils.spectral_norm(ember.nn.Linear(4, 3))
    >>> list(m.state_dict())
    ['bias', 'weight_orig', 'weight_u', 'weight_v']
    >>> for _ in range(20):  # each training-mode call refines the estimate of σ
    ...     _ = m(ember.ones(1, 4))
    >>> round(float(ember.linalg.matrix_norm(m.weight, 2)), 4)
    1.0
"""
from __future__ import annotations

from ... import _creation
from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ..functional import normalize
from ..module import Module
from ..modules.conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from ..parameter import Parameter
from .weight_norm import remove_named_hook

__all__ = ["SpectralNorm", "spectral_norm", "remove_spectral_norm", "weight_to_matrix",
           "power_iteration_", "random_unit_vector"]


def weight_to_matrix(weight: Tensor, dim: int) -> Tensor:
    """``weight`` with ``dim`` moved first and the rest flattened: ``(size(dim), -1)``."""
    if dim != 0:
        weight = weight.permute(dim, *[d for d in range(weight.ndim) if d != dim])
    return weight.reshape(weight.shape[0], -1)


def power_iteration_(weight_mat: Tensor, u: Tensor, v: Tensor, steps: int, eps: float,
                     u_first: bool) -> None:
    """``steps`` power-iteration steps, writing the unit vectors into ``u`` and ``v`` in place
    (torch's ``out=``): ``u ← W v/‖W v‖`` then ``v ← Wᵀu/‖Wᵀu‖`` (``u_first``, the
    parametrization) or ``v`` first (the hook form)."""
    with no_grad():
        for _ in range(steps):
            if u_first:
                u._data[...] = normalize(weight_mat.mv(v), dim=0, eps=eps)._data
            v._data[...] = normalize(weight_mat.mH.mv(u), dim=0, eps=eps)._data
            if not u_first:
                u._data[...] = normalize(weight_mat.mv(v), dim=0, eps=eps)._data


def random_unit_vector(n: int, like: Tensor, eps: float) -> Tensor:
    """A standard-normal vector of length ``n`` (``like``'s dtype, global generator), normalized."""
    with no_grad():
        return normalize(_creation.randn(n, dtype=like.dtype), dim=0, eps=eps)


class SpectralNorm:
    """The forward pre-hook of :func:`spectral_norm`."""

    __module__ = "ember.nn.utils.spectral_norm"
    _version: int = 1

    def __init__(self, name: str = "weight", n_power_iterations: int = 1, dim: int = 0,
                 eps: float = 1e-12) -> None:
        self.name = name
        self.dim = dim
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.n_power_iterations = n_power_iterations
        self.eps = eps

    def reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        return weight_to_matrix(weight, self.dim)

    def compute_weight(self, module: Module, do_power_iteration: bool) -> Tensor:
        weight = getattr(module, self.name + "_orig")
        u = getattr(module, self.name + "_u")
        v = getattr(module, self.name + "_v")
        weight_mat = self.reshape_weight_to_matrix(weight)
        if do_power_iteration:
            power_iteration_(weight_mat, u, v, self.n_power_iterations, self.eps, u_first=False)
            u, v = u.clone(), v.clone()
        sigma = u.dot(weight_mat.mv(v))
        return weight / sigma

    def remove(self, module: Module) -> None:
        with no_grad():
            weight = self.compute_weight(module, do_power_iteration=False)
        for suffix in ("", "_u", "_v", "_orig"):
            delattr(module, self.name + suffix)
        module.register_parameter(self.name, Parameter(weight.detach()))

    def __call__(self, module: Module, inputs) -> None:
        setattr(module, self.name, self.compute_weight(module, do_power_iteration=module.training))

    @staticmethod
    def apply(module: Module, name: str, n_power_iterations: int, dim: int,
              eps: float) -> "SpectralNorm":
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, SpectralNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two spectral_norm hooks on the same parameter "
                                   f"{name}")
        fn = SpectralNorm(name, n_power_iterations, dim, eps)
        weight = module._parameters[name]
        if weight is None:
            raise ValueError(f"`SpectralNorm` cannot be applied as parameter `{name}` is None")
        h, w = fn.reshape_weight_to_matrix(weight).shape
        u = random_unit_vector(h, weight, fn.eps)
        v = random_unit_vector(w, weight, fn.eps)
        delattr(module, fn.name)
        module.register_parameter(fn.name + "_orig", weight)
        setattr(module, fn.name, weight.data)
        module.register_buffer(fn.name + "_u", u)
        module.register_buffer(fn.name + "_v", v)
        module.register_forward_pre_hook(fn)
        return fn


def _default_dim(module: Module) -> int:
    return 1 if isinstance(module, (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)) else 0


def spectral_norm(module: Module, name: str = "weight", n_power_iterations: int = 1,
                  eps: float = 1e-12, dim: int | None = None) -> Module:
    """Divides ``module.<name>`` by its spectral norm, estimated by power iteration.

    Args:
        module: the module holding the parameter.
        name: the parameter's name.
        n_power_iterations: power-iteration steps per training-mode forward.
        eps: floor of the norms when normalizing ``u`` and ``v``.
        dim: the dimension seen as the matrix's rows (1 for ConvTranspose modules, else 0).

    Returns:
        ``module``, with the forward pre-hook registered.
    """
    SpectralNorm.apply(module, name, n_power_iterations,
                       _default_dim(module) if dim is None else dim, eps)
    return module


def remove_spectral_norm(module: Module, name: str = "weight") -> Module:
    """Removes :func:`spectral_norm`'s hook and buffers; ``<name>`` is one Parameter holding
    ``weight_orig / σ`` (σ from the stored ``u``, ``v``).

    Raises:
        ValueError: ``module`` has no spectral norm on ``name``.
    """
    return remove_named_hook(module, SpectralNorm, name, "spectral_norm")
