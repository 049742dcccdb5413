"""``Variable``: torch's pre-0.4 wrapper, now the Tensor itself.

Example::

    >>> v = ember.autograd.Variable(ember.ones(2), requires_grad=True)
    >>> isinstance(v, ember.Tensor), v.requires_grad
    (True, True)
"""
from __future__ import annotations

__all__ = ["Variable"]


class _VariableMeta(type):
    def __instancecheck__(cls, other) -> bool:
        from .._tensor import Tensor
        return isinstance(other, Tensor)


class Variable(metaclass=_VariableMeta):
    """``Variable(t, requires_grad=False)`` returns ``t`` itself (with ``requires_grad`` set),
    as torch has since 0.4."""

    def __new__(cls, data, requires_grad: bool = False, volatile: bool = False):
        from .._creation import as_tensor
        t = as_tensor(data)
        if requires_grad:
            t.requires_grad_(True)
        return t

