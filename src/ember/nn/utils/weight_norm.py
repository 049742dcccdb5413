"""Weight normalization (Salimans & Kingma 2016, arXiv:1602.07868), the old hook form:
``weight_norm(module)`` replaces ``weight`` by ``weight_g`` (magnitude) and ``weight_v``
(direction) parameters and recomputes ``weight = g * v / ‖v‖`` before every forward.

torch deprecates it for :func:`ember.nn.utils.parametrizations.weight_norm`; both use
:func:`weight_norm_value` here.

Example::

    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     m = ember.nn.utils.weight_norm(ember.nn.Linear(4, 3))
    >>> list(m.state_dict()), tuple(m.weight_g.shape)
    (['bias', 'weight_g', 'weight_v'], (3, 1))
"""
from __future__ import annotations

import warnings

from ..._tensor import Tensor
from ..module import Module
from ..parameter import Parameter

__all__ = ["WeightNorm", "weight_norm", "remove_weight_norm", "norm_except_dim",
           "weight_norm_value", "remove_named_hook"]


def norm_except_dim(v: Tensor, pow: float = 2, dim: int = 0) -> Tensor:
    """torch's ``norm_except_dim``: the ``pow``-norm of ``v`` over every dimension but ``dim``
    (kept, others of size 1); ``dim=-1`` gives the norm of the whole tensor (0-d)."""
    if dim == -1:
        return v.norm(pow)
    keep = dim % v.ndim
    return v.norm(pow, tuple(d for d in range(v.ndim) if d != keep), True)


def weight_norm_value(v: Tensor, g: Tensor, dim: int) -> Tensor:
    """``v * (g / norm_except_dim(v, 2, dim))`` (torch's ``_weight_norm``)."""
    return v * (g / norm_except_dim(v, 2, dim))


class WeightNorm:
    """The forward pre-hook of :func:`weight_norm`: sets ``module.<name>`` from
    ``<name>_g`` and ``<name>_v`` before each call."""

    __module__ = "ember.nn.utils.weight_norm"

    def __init__(self, name: str, dim: int) -> None:
        self.name = name
        self.dim = -1 if dim is None else dim

    def compute_weight(self, module: Module) -> Tensor:
        return weight_norm_value(getattr(module, self.name + "_v"),
                                 getattr(module, self.name + "_g"), self.dim)

    @staticmethod
    def apply(module: Module, name: str, dim: int) -> "WeightNorm":
        warnings.warn("`torch.nn.utils.weight_norm` is deprecated in favor of "
                      "`torch.nn.utils.parametrizations.weight_norm`.", FutureWarning, stacklevel=3)
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two weight_norm hooks on the same parameter "
                                   f"{name}")
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        del module._parameters[name]
        module.register_parameter(name + "_g", Parameter(norm_except_dim(weight, 2, fn.dim).detach()))
        module.register_parameter(name + "_v", Parameter(weight.detach()))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module: Module) -> None:
        weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        setattr(module, self.name, Parameter(weight.detach()))

    def __call__(self, module: Module, inputs) -> None:
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module: Module, name: str = "weight", dim: int = 0) -> Module:
    """Splits ``module.<name>`` into ``<name>_g`` (its norm over every dim but ``dim``; the whole
    tensor when ``dim=None``) and ``<name>_v`` (direction); warns ``FutureWarning`` as torch.

    Args:
        module: the module holding the parameter.
        name: the parameter's name.
        dim: the dimension kept by the norm (output channels for 0).

    Returns:
        ``module``, with the forward pre-hook registered.
    """
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module: Module, name: str = "weight") -> Module:
    """Removes :func:`weight_norm`'s hook and parameters; ``<name>`` is one Parameter again
    holding the current value.

    Raises:
        ValueError: ``module`` has no weight norm on ``name``.
    """
    return remove_named_hook(module, WeightNorm, name, "weight_norm")


def remove_named_hook(module: Module, hook_class: type, name: str, what: str) -> Module:
    """Removes the forward pre-hook of class ``hook_class`` on parameter ``name`` (calling its
    ``remove(module)``), or raises torch's ``ValueError`` naming ``what``."""
    for key, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, hook_class) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"{what} of '{name}' not found in {module}")
