"""Finite-difference gradient check, like ``torch.autograd.gradcheck``."""
from __future__ import annotations

import numpy as np

__all__ = ["gradcheck"]


def gradcheck(func, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, nondet_tol: float = 0.0,
              check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
              check_batched_grad: bool = False, check_batched_forward_grad: bool = False,
              check_forward_ad: bool = False, check_backward_ad: bool = True,
              fast_mode: bool = False, masked=None) -> bool:
    """Compares autograd's gradients of ``func(*inputs)`` with central differences.

    Inputs that require grad should be float64. Every output element is checked
    against every input element (a full Jacobian), so keep the tensors small. torch's other
    switches are accepted: ember checks reverse mode only, on the full Jacobian
    (``check_forward_ad``/``check_batched_grad`` would need forward-mode AD and vmap).

    Example::

        >>> x = ember.randn(3, dtype=ember.float64, requires_grad=True)
        >>> ember.autograd.gradcheck(lambda t: (t * t).sum(), (x,))
        True
    """
    from .._tensor import Tensor
    from .grad_mode import no_grad

    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    diff = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    for t in diff:
        if t.dtype.np != np.float64:
            import warnings
            warnings.warn(f"gradcheck input has dtype {t.dtype}; use float64 for a reliable check")
    fn = func
    out = fn(*inputs)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    for k, o in enumerate(outs):
        if not isinstance(o, Tensor) or not o.requires_grad:
            continue
        flat_out = o._data.reshape(-1)
        analytic = [np.zeros((flat_out.size, t._data.size)) for t in diff]
        for j in range(flat_out.size):
            for t in diff:
                t.grad = None
            seed = np.zeros(o._data.shape, o._data.dtype)
            seed.reshape(-1)[j] = 1
            o_again = fn(*inputs)
            o_again = o_again[k] if isinstance(o_again, (tuple, list)) else o_again
            o_again.backward(seed)
            for i, t in enumerate(diff):
                if t.grad is not None:
                    analytic[i][j] = t.grad._data.reshape(-1)
        for i, t in enumerate(diff):
            numeric = np.zeros_like(analytic[i])
            flat_in = t._data.reshape(-1)
            for m in range(flat_in.size):
                orig = flat_in[m]
                with no_grad():
                    flat_in[m] = orig + eps
                    plus = _output(fn(*inputs), k).copy()
                    flat_in[m] = orig - eps
                    minus = _output(fn(*inputs), k).copy()
                flat_in[m] = orig
                numeric[:, m] = (plus - minus).reshape(-1) / (2 * eps)
            if not np.allclose(analytic[i], numeric, rtol=rtol, atol=atol):
                if raise_exception:
                    raise RuntimeError(f"Jacobian mismatch for output {k} with respect to input {i},\n"
                                       f"numerical:{numeric}\nanalytical:{analytic[i]}")
                return False
    for t in diff:
        t.grad = None
    return True


def _output(out, k):
    o = out[k] if isinstance(out, (tuple, list)) else out
    return o._data.astype(np.float64)
