"""``Variable`` (torch's pre-0.4 wrapper, now the Tensor itself) and the functional
``backward(tensors, grad_tensors)``.

Example::

    >>> v = ember.autograd.Variable(ember.ones(2), requires_grad=True)
    >>> isinstance(v, ember.Tensor), v.requires_grad
    (True, True)
"""
from __future__ import annotations

__all__ = ["Variable", "backward"]


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


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph: bool = False,
             grad_variables=None, inputs=None) -> None:
    """Accumulates into ``.grad`` the gradients of ``tensors`` (weighted by ``grad_tensors``)."""
    from .._tensor import Tensor
    ts = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    grads = grad_tensors if grad_tensors is not None else grad_variables
    if grads is None:
        grads = [None] * len(ts)
    elif isinstance(grads, Tensor):
        grads = [grads]
    if len(grads) != len(ts):
        raise RuntimeError(f"grad can be implicitly created only for scalar outputs; got "
                           f"{len(grads)} gradients for {len(ts)} tensors")
    for i, (t, g) in enumerate(zip(ts, grads)):
        keep = retain_graph if retain_graph is not None else i < len(ts) - 1
        t.backward(g, retain_graph=keep, create_graph=create_graph, inputs=inputs)
