"""Reverse-mode automatic differentiation: graph nodes, the backward walk, grad mode, gradcheck."""
from .function import Function
from .grad_mode import (enable_grad, enforce_grad_layout_policy, inference_mode, is_grad_enabled,
                        is_inference_mode_enabled, no_grad, set_grad_enabled,
                        set_multithreading_enabled)
from .anomaly_mode import detect_anomaly, set_detect_anomaly
from .gradcheck import gradcheck
from .variable import Variable, backward

__all__ = ["Function", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "gradcheck",
           "grad", "inference_mode", "is_inference_mode_enabled", "Variable", "backward",
           "detect_anomaly", "set_detect_anomaly", "set_multithreading_enabled",
           "enforce_grad_layout_policy"]


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, allow_unused=False):
    """Gradients of ``outputs`` w.r.t. ``inputs`` (leaves or not), returned without touching ``.grad``.

    Example::

        >>> x = ember.tensor([1.0, 2.0], requires_grad=True)
        >>> ember.autograd.grad((x * x).sum(), x)
        (tensor([2., 4.]),)
    """
    from .._tensor import Tensor
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    saved = [t.grad for t in inputs]
    retained = [t.grad_fn._retained if t.grad_fn is not None else None for t in inputs]
    for t in inputs:
        t.grad = None
        if t.grad_fn is not None:  # a non-leaf input: catch its gradient on the way through
            t.retain_grad()
    try:
        outputs.backward(grad_outputs, retain_graph=retain_graph)
        result = tuple(t.grad for t in inputs)
    finally:
        for t, g, r in zip(inputs, saved, retained):
            t.grad = g
            if t.grad_fn is not None:
                t.grad_fn._retained = r
    if not allow_unused and any(g is None for g in result):
        raise RuntimeError("One of the differentiated Tensors appears to not have been used in the "
                           "graph. Set allow_unused=True if this is the desired behavior.")
    return result
