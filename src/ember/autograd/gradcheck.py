"""Finite-difference gradient check with ``torch.autograd.gradcheck``'s signature."""
from __future__ import annotations

import warnings

import numpy as np

__all__ = ["gradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Raised by :func:`gradcheck` when a check fails (``raise_exception=True``)."""


def gradcheck(func, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, nondet_tol: float = 0.0, check_undefined_grad: bool = True,
              check_grad_dtypes: bool = False, check_batched_grad: bool = False,
              check_batched_forward_grad: bool = False, check_forward_ad: bool = False,
              check_backward_ad: bool = True, fast_mode: bool = False, masked=None) -> bool:
    """Compares the gradients autograd computes for ``func(*inputs)`` with central differences
    ``(f(x + eps) - f(x - eps)) / 2 eps``, element by element (the full Jacobian, so keep the
    tensors small; ``fast_mode`` runs the same full check). Inputs that require grad should be
    float64. As torch does, it also checks that a zero ``grad_output`` gives zero gradients and
    that running backward twice agrees within ``nondet_tol``. Forward-mode and batched checks
    need features ember does not have.

    Example::

        >>> x = ember.randn(3, dtype=ember.float64, requires_grad=True)
        >>> ember.autograd.gradcheck(lambda t: (t * t).sum(), (x,))
        True
    """
    from .._tensor import Tensor
    for flag, value in (("check_forward_ad", check_forward_ad), ("check_batched_grad", check_batched_grad),
                        ("check_batched_forward_grad", check_batched_forward_grad)):
        if value:
            raise NotImplementedError(f"gradcheck({flag}=True) needs forward-mode or batched autograd, "
                                      f"which ember does not have")
    if not check_backward_ad:
        return True
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    diff = [(i, t) for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if not diff:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none "
                         "of the them have requires_grad=True.")
    for i, t in diff:
        if t._data.dtype != np.float64:
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating point or "
                          f"complex. This check will likely fail if all the inputs are not of double "
                          f"precision floating point or complex.", UserWarning, stacklevel=2)
    try:
        _check(func, inputs, [t for _, t in diff], eps, atol, rtol, nondet_tol, check_grad_dtypes)
    except GradcheckError:
        if raise_exception:
            raise
        return False
    return True


def _outputs(out) -> tuple:
    return tuple(out) if isinstance(out, (tuple, list)) else (out,)


def _check(func, inputs, diff, eps, atol, rtol, nondet_tol, check_grad_dtypes) -> None:
    from .._tensor import Tensor
    from .differentiate import grad
    from .grad_mode import no_grad

    outs = _outputs(func(*inputs))
    for k, o in enumerate(outs):
        if not isinstance(o, Tensor) or not o.requires_grad:
            continue
        zero = grad(o, diff, Tensor._make(np.zeros(o.shape, o._data.dtype)), retain_graph=True,
                    allow_unused=True)
        if any(g is not None and np.any(g._data) for g in zero):
            raise GradcheckError("backward not multiplied by grad_output")
        analytic = [np.zeros((o.numel(), t.numel())) for t in diff]
        for j in range(o.numel()):
            seed = np.zeros(o.shape, o._data.dtype)
            seed.reshape(-1)[j] = 1
            runs = [grad(o, diff, Tensor._make(seed), retain_graph=True, allow_unused=True) for _ in range(2)]
            for i, (g, again) in enumerate(zip(*runs)):
                if g is None:
                    continue
                if check_grad_dtypes and g.dtype != diff[i].dtype:
                    raise GradcheckError(f"Gradient has dtype mismatch: got {g.dtype} for input {i} of "
                                         f"dtype {diff[i].dtype}")
                if np.max(np.abs(g._data - again._data), initial=0.0) > nondet_tol:
                    raise GradcheckError(f"Backward is not reentrant, i.e., running backward with same "
                                         f"input and grad_output multiple times gives different values, "
                                         f"although analytical gradient matches numerical gradient. The "
                                         f"tolerance for nondeterminism was {nondet_tol}.")
                analytic[i][j] = g._data.reshape(-1)
        for i, t in enumerate(diff):
            numeric = np.zeros_like(analytic[i])
            flat = t._data.reshape(-1)
            for m in range(flat.size):
                orig = flat[m]
                with no_grad():
                    flat[m] = orig + eps
                    plus = _outputs(func(*inputs))[k]._data.astype(np.float64)
                    flat[m] = orig - eps
                    minus = _outputs(func(*inputs))[k]._data.astype(np.float64)
                flat[m] = orig
                numeric[:, m] = (plus - minus).reshape(-1) / (2 * eps)
            if not np.allclose(analytic[i], numeric, rtol=rtol, atol=atol):
                raise GradcheckError(f"Jacobian mismatch for output {k} with respect to input {i},\n"
                                     f"numerical:{numeric}\nanalytical:{analytic[i]}\n")
