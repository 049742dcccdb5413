"""``ember.autograd.backward`` and ``ember.autograd.grad``: the backward pass from one or more
outputs, into the leaves' ``.grad`` or returned for chosen inputs, with torch's arguments.

Example::

    >>> x = ember.tensor([1.0, 2.0], requires_grad=True)
    >>> h = x * 3
    >>> ember.autograd.grad((h * h).sum(), [x, h])
    (tensor([18., 36.]), tensor([ 6., 12.]))
    >>> x.grad is None                       # grad() leaves .grad alone
    True
"""
from __future__ import annotations

import numpy as np

from .engine import run_backward

__all__ = ["backward", "grad"]


def _tensors(value, what: str) -> tuple:
    """A tensor or a sequence of tensors as a tuple (torch accepts both)."""
    from .._tensor import Tensor
    items = (value,) if isinstance(value, Tensor) else tuple(value)
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            raise TypeError(f"{what} must be a Tensor or a sequence of Tensors, but element {i} is "
                            f"{type(t).__name__}")
    return items


def _root_grads(outputs: tuple, grad_outputs) -> list:
    """The gradient each output starts from: given, or ones for a single-element output."""
    from .._tensor import Tensor
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    elif isinstance(grad_outputs, Tensor):
        grad_outputs = (grad_outputs,)
    grad_outputs = tuple(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"grad requires one grad_output per output: got {len(grad_outputs)} "
                           f"grad_outputs for {len(outputs)} outputs")
    grads = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if not out.requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        if g is None:
            if out._data.size != 1:
                raise RuntimeError(f"grad can be implicitly created only for scalar outputs; output {i} "
                                   f"has shape {tuple(out.shape)}: pass a gradient for it")
            grads.append(np.ones_like(out._data))
            continue
        arr = g._data if isinstance(g, Tensor) else np.asarray(g)
        if arr.shape != out._data.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {tuple(arr.shape)} "
                               f"and output[{i}] has a shape of {tuple(out.shape)}.")
        grads.append(arr.astype(out._data.dtype, copy=False))
    return grads


def _check_create_graph(create_graph: bool) -> None:
    if create_graph:
        raise RuntimeError("create_graph=True (higher-order gradients) is not supported by ember: its "
                           "backward pass runs on NumPy arrays and records no graph")


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph: bool = False,
             grad_variables=None, inputs=None) -> None:
    """Accumulates into ``.grad`` the gradients of ``tensors`` (one or several outputs, each
    seeded with its ``grad_tensors`` entry, or 1 for a single-element output) w.r.t. the graph's
    leaves, or only w.r.t. ``inputs`` when given (leaves or not). ``grad_variables`` is torch's
    old name for ``grad_tensors``.

    Example::

        >>> x = ember.tensor([1.0, 2.0], requires_grad=True)
        >>> ember.autograd.backward([(x * x).sum(), x.sum()])
        >>> x.grad
        tensor([3., 5.])
    """
    _check_create_graph(create_graph)
    outputs = _tensors(tensors, "tensors")
    grads = _root_grads(outputs, grad_tensors if grad_tensors is not None else grad_variables)
    retain = bool(create_graph if retain_graph is None else retain_graph)
    if inputs is None:
        run_backward(outputs, grads, retain)
        return
    targets = _tensors(inputs, "inputs")
    if not targets:
        raise RuntimeError("backward() received an empty list of inputs")
    from .engine import _accumulate
    for t, g in zip(targets, run_backward(outputs, grads, retain, inputs=targets)):
        if g is not None:
            _accumulate(t, g, set(), type(t)._make)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph: bool = False,
         only_inputs: bool = True, allow_unused=None, is_grads_batched: bool = False,
         materialize_grads: bool = False) -> tuple:
    """The gradients of ``outputs`` w.r.t. ``inputs`` (leaves or not), returned as a tuple;
    no ``.grad`` is touched. ``grad_outputs`` seeds each output (default: 1 for a single-element
    output); ``is_grads_batched`` treats their first axis as a batch of seeds (one vector-Jacobian
    product each). Unused inputs raise unless ``allow_unused`` (then None, or zeros with
    ``materialize_grads``).

    Example::

        >>> x = ember.tensor([1.0, 2.0], requires_grad=True)
        >>> ember.autograd.grad((x * x).sum(), x)
        (tensor([2., 4.]),)
    """
    from .._tensor import Tensor
    _check_create_graph(create_graph)
    if allow_unused is None:
        allow_unused = materialize_grads
    elif materialize_grads and not allow_unused:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, "
                         "but got: allow_unused=False.")
    outs = _tensors(outputs, "outputs")
    ins = _tensors(inputs, "inputs")
    for t in ins:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    retain = bool(create_graph if retain_graph is None else retain_graph)
    if is_grads_batched:
        return _batched(outs, ins, grad_outputs, retain, allow_unused, materialize_grads)
    found = run_backward(outs, _root_grads(outs, grad_outputs), retain, inputs=ins)
    result = []
    for i, (t, g) in enumerate(zip(ins, found)):
        if g is None:
            if not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have been used "
                                   f"in the graph. Set allow_unused=True if this is the desired behavior.")
            result.append(Tensor._make(np.zeros_like(t._data)) if materialize_grads else None)
            continue
        if not g.flags.owndata or not g.flags.writeable:
            g = g.copy()  # never hand out a view of a buffer or a broadcast
        result.append(Tensor._make(g))
    return tuple(result)


def _batched(outs, ins, grad_outputs, retain, allow_unused, materialize_grads) -> tuple:
    """One ``grad`` call per row of the batched ``grad_outputs``, stacked along a new first axis."""
    from .._tensor import Tensor
    seeds = _tensors(grad_outputs, "grad_outputs") if grad_outputs is not None else ()
    if len(seeds) != len(outs):
        raise RuntimeError("is_grads_batched=True needs one batched grad_output per output")
    n = seeds[0].shape[0] if seeds[0].ndim else 0
    rows = [grad(outs, ins, [s[b] for s in seeds], retain_graph=retain or b < n - 1,
                 allow_unused=allow_unused, materialize_grads=materialize_grads) for b in range(n)]
    out = []
    for i, t in enumerate(ins):
        parts = [row[i] for row in rows]
        if any(p is None for p in parts):
            out.append(None)
        else:
            out.append(Tensor._make(np.stack([p._data for p in parts])) if parts else
                       Tensor._make(np.zeros((0,) + t.shape, t._data.dtype)))
    return tuple(out)
