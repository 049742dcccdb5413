"""Derivatives of whole functions, like ``torch.autograd.functional``: :func:`jacobian` and
:func:`vjp`, both in reverse mode.

ember's backward pass records no graph (no ``create_graph``), so the second-order helpers
``hessian``, ``hvp``, ``vhp`` and ``jvp`` (which torch builds from double backward) are not
provided.

Example::

    >>> from ember.autograd.functional import jacobian
    >>> jacobian(lambda x: x ** 2, ember.tensor([1.0, 3.0]))
    tensor([[2., 0.],
            [0., 6.]])
"""
from __future__ import annotations

import numpy as np

from .differentiate import grad
from .grad_mode import enable_grad

__all__ = ["jacobian", "vjp"]


def _as_tuple(value, what: str, fn_name: str):
    """``(tuple, was_tuple)``; every element must be a Tensor (torch's check)."""
    from .._tensor import Tensor
    was_tuple = isinstance(value, (tuple, list))
    items = tuple(value) if was_tuple else (value,)
    for i, v in enumerate(items):
        if not isinstance(v, Tensor):
            where = f"The {what}" if not was_tuple else f"Entry {i} in the {what}"
            raise TypeError(f"{where} given to {fn_name} must be either a Tensor or a tuple of Tensors "
                            f"but the value{'' if not was_tuple else ' at index ' + str(i)} has type "
                            f"{type(v).__name__}.")
    return items, was_tuple


def _fresh(inputs: tuple) -> tuple:
    """Inputs detached from any graph and requiring grad (torch's preprocessing)."""
    return tuple(t.detach().requires_grad_(True) if t.is_floating_point() else t.detach() for t in inputs)


def _check_create_graph(create_graph: bool, fn_name: str) -> None:
    if create_graph:
        raise RuntimeError(f"{fn_name}(create_graph=True) needs higher-order gradients, which ember does "
                           f"not record")


def jacobian(func, inputs, create_graph: bool = False, strict: bool = False, vectorize: bool = False,
             strategy: str = "reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``: for output ``i`` and input ``j`` a tensor of shape
    ``output_i.shape + input_j.shape``, nested like torch (a Tensor for one output and one
    input, tuples where ``func`` returns or ``inputs`` is a tuple). Rows come from one
    vector-Jacobian product each (``vectorize`` changes nothing here).

    Example::

        >>> from ember.autograd.functional import jacobian
        >>> jacobian(lambda a, b: a * b, (ember.tensor([1.0, 2.0]), ember.tensor([3.0, 4.0])))[1]
        tensor([[1., 0.],
                [0., 2.]])
    """
    from .._tensor import Tensor
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
                         'function has more outputs than inputs, "forward-mode" tends to be more performant. '
                         'Otherwise, prefer to use "reverse-mode".')
    if strategy == "forward-mode":
        raise NotImplementedError("jacobian(strategy='forward-mode') needs forward-mode AD, which ember "
                                  "does not have; use the default 'reverse-mode'")
    _check_create_graph(create_graph, "jacobian")
    ins, in_tuple = _as_tuple(inputs, "inputs", "jacobian")
    ins = _fresh(ins)
    with enable_grad():
        outs, out_tuple = _as_tuple(func(*ins), "outputs of the user-provided function", "jacobian")
    table = []
    for i, out in enumerate(outs):
        rows = [np.zeros((out.numel(),) + t.shape, t._data.dtype) for t in ins]
        if out.requires_grad:
            for j in range(out.numel()):
                seed = np.zeros(out.numel(), out._data.dtype)
                seed[j] = 1
                got = grad(out, ins, Tensor._make(seed.reshape(out.shape)), retain_graph=True,
                           allow_unused=True)
                for k, g in enumerate(got):
                    if g is not None:
                        rows[k][j] = g._data
                    elif strict:
                        raise RuntimeError(f"Output {i} of the user-provided function is independent of "
                                           f"input {k}. This is not allowed in strict mode.")
        elif strict:
            raise RuntimeError(f"Output {i} of the user-provided function does not require gradients. "
                               f"The outputs must be computed in a differentiable manner from the input "
                               f"when running in strict mode.")
        table.append(tuple(Tensor._make(r.reshape(out.shape + t.shape)) for r, t in zip(rows, ins)))
    per_out = [row if in_tuple else row[0] for row in table]
    return tuple(per_out) if out_tuple else per_out[0]


def vjp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), vᵀ J)``: the outputs, detached, and the vector-Jacobian product with ``v``
    (may be omitted for a single-element output), shaped like ``inputs``.

    Example::

        >>> from ember.autograd.functional import vjp
        >>> out, g = vjp(lambda x: x ** 2, ember.tensor([1.0, 3.0]), ember.tensor([1.0, 1.0]))
        >>> g
        tensor([2., 6.])
    """
    from .._tensor import Tensor
    _check_create_graph(create_graph, "vjp")
    ins, in_tuple = _as_tuple(inputs, "inputs", "vjp")
    ins = _fresh(ins)
    with enable_grad():
        outs, out_tuple = _as_tuple(func(*ins), "outputs of the user-provided function", "vjp")
    seeds = None
    if v is not None:
        seeds, _ = _as_tuple(v, "v", "vjp")
        if len(seeds) != len(outs):
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(outs)} but got {len(seeds)}.")
    elif any(o.numel() != 1 for o in outs):
        raise RuntimeError("The vector v can only be None if the user-provided function returns a single "
                           "Tensor with a single element.")
    wanted = [k for k, o in enumerate(outs) if o.requires_grad]
    if strict and len(wanted) != len(outs):
        raise RuntimeError("The output of the user-provided function does not require gradients. This is "
                           "not allowed in strict mode.")
    found = (None,) * len(ins)
    if wanted:
        found = grad([outs[k] for k in wanted], ins,
                     None if seeds is None else [seeds[k] for k in wanted], allow_unused=True)
    result = tuple(g if g is not None else Tensor._make(np.zeros_like(t._data)) for g, t in zip(found, ins))
    detached = tuple(o.detach() for o in outs)
    return (detached if out_tuple else detached[0]), (result if in_tuple else result[0])
