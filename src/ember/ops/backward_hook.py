"""The autograd node of a module's full backward hooks (``ember.nn.backward_hooks``): the
identity on a call's tensors whose backward hands the arriving gradients to a callback and
returns what it gives back, as torch's ``BackwardHookFunctionBackward``.

Example::

    >>> from ember.ops.backward_hook import BackwardHookFunction
    >>> x = ember.ones(2, requires_grad=True)
    >>> seen = []
    >>> (y,) = BackwardHookFunction.apply(lambda grads: seen.append(grads) or grads, True, x)
    >>> (y * 3).sum().backward()
    >>> seen[0][0].tolist(), x.grad.tolist()
    ([3.0, 3.0], [3.0, 3.0])
"""
from __future__ import annotations

from ..autograd.function import Function


class BackwardHookFunction(Function):
    """Identity on its Tensors whose backward hands their gradients to ``callback`` (torch's
    ``BackwardHookFunctionBackward`` node); gradients that did not arrive are zeros when
    ``materialize`` (the inputs' side, as torch) and None otherwise (the outputs' side)."""

    @staticmethod
    def forward(ctx, callback, materialize, *args):
        ctx.mark_non_differentiable(*[a for a in args if not a.requires_grad])
        ctx.set_materialize_grads(materialize)
        ctx.callback = callback
        return args

    @staticmethod
    def backward(ctx, *grads):
        return (None, None) + tuple(ctx.callback(grads))
