"""Reverse-mode automatic differentiation: graph nodes (:class:`Function`, also in torch's
``ctx`` form for user code), the backward pass (:func:`backward`, :func:`grad`), grad mode,
anomaly mode, :func:`gradcheck` and :mod:`ember.autograd.functional` (``jacobian``, ``vjp``).

Example::

    >>> x = ember.tensor([1.0, 2.0], requires_grad=True)
    >>> ember.autograd.grad((x * x).sum(), x)
    (tensor([2., 4.]),)
"""
from . import functional
from .anomaly_mode import detect_anomaly, set_detect_anomaly
from .differentiate import backward, grad
from .function import Function, once_differentiable
from .grad_mode import (enable_grad, enforce_grad_layout_policy, inference_mode, is_grad_enabled,
                        is_inference_mode_enabled, no_grad, set_grad_enabled,
                        set_multithreading_enabled)
from .gradcheck import GradcheckError, gradcheck
from .variable import Variable

__all__ = ["Function", "once_differentiable", "no_grad", "enable_grad", "set_grad_enabled",
           "is_grad_enabled", "inference_mode", "is_inference_mode_enabled", "gradcheck",
           "GradcheckError", "grad", "backward", "functional", "Variable", "detect_anomaly",
           "set_detect_anomaly", "set_multithreading_enabled", "enforce_grad_layout_policy"]
