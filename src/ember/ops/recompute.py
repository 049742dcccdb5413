"""The autograd nodes of activation checkpointing (``ember.utils.checkpoint``, torch's
``torch.utils.checkpoint``): a node whose forward runs a function without keeping its graph and
whose backward reruns it on the saved inputs, with the forward's random state, and
backpropagates through the recomputed graph. ``CheckpointFunction`` is the reentrant form
(backward calls ``autograd.backward``); ``_NonReentrant`` takes the parameters the function used
as inputs too and returns their gradients (``autograd.grad``).

Example::

    >>> from ember.ops.recompute import CheckpointFunction
    >>> layer = ember.nn.Linear(3, 2)
    >>> x = ember.ones(4, 3, requires_grad=True)
    >>> CheckpointFunction.apply(layer, True, x).sum().backward()
    >>> layer.weight.grad.shape, x.grad.shape
    (ember.Size([2, 3]), ember.Size([4, 3]))
"""
from __future__ import annotations

import contextlib
import warnings

from .._tensor import Tensor
from ..autograd.custom_function import enable_ctx_form
from ..autograd.differentiate import backward as _backward
from ..autograd.differentiate import grad as _grad
from ..autograd.engine import is_checkpoint_valid
from ..autograd.function import Function
from ..autograd.grad_mode import enable_grad
from ..random import get_rng_state, set_rng_state


class CheckpointError(RuntimeError):
    """The recomputation in backward did not reproduce the forward (other shapes or dtypes)."""

    __module__ = "ember.utils.checkpoint"


def detach_variable(inputs: tuple) -> tuple:
    """Each tensor of ``inputs`` detached, keeping its ``requires_grad``; other values as they are.

    Example::

        >>> from ember.utils.checkpoint import detach_variable
        >>> x = ember.ones(2, requires_grad=True) * 2
        >>> d, k = detach_variable((x, 3))
        >>> d.requires_grad, d.grad_fn is None, k
        (True, True, 3)
    """
    if not isinstance(inputs, tuple):
        raise RuntimeError("Only tuple of tensors is supported. Got Unsupported input type: "
                           f"{type(inputs).__name__}")
    out = []
    for inp in inputs:
        if isinstance(inp, Tensor):
            d = inp.detach()
            d.requires_grad = inp.requires_grad
            inp = d
        out.append(inp)
    return tuple(out)


def check_backward_validity(inputs) -> None:
    """Warns (as torch) when no tensor of ``inputs`` requires grad."""
    if not any(inp.requires_grad for inp in inputs if isinstance(inp, Tensor)):
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None",
                      stacklevel=2)


@contextlib.contextmanager
def _rng_of_forward(state: dict | None):
    """Runs the body with the global generator as it was at the forward (when ``state``), then
    puts the generator back as it was."""
    if state is None:
        yield
        return
    current = get_rng_state()
    set_rng_state(state)
    try:
        yield
    finally:
        set_rng_state(current)


def _as_tuple(outputs) -> tuple:
    return outputs if isinstance(outputs, tuple) else (outputs,)


def _with_grad(outputs, grads) -> tuple:
    pairs = [(o, g) for o, g in zip(_as_tuple(outputs), grads)
             if isinstance(o, Tensor) and o.requires_grad]
    if not pairs:
        raise RuntimeError("none of output has requires_grad=True, this checkpoint() is not "
                           "necessary")
    return tuple(o for o, _ in pairs), tuple(g for _, g in pairs)


class CheckpointFunction(Function):
    """The node of a reentrant checkpoint: forward without recording, backward recomputes and
    backpropagates (``ember.autograd.backward``) through the recomputed graph."""

    __module__ = "ember.utils.checkpoint"

    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, *args):
        check_backward_validity(args)
        ctx.run_function = run_function
        ctx.fwd_state = get_rng_state() if preserve_rng_state else None
        ctx.inputs = [None if isinstance(a, Tensor) else a for a in args]
        ctx.tensor_indices = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        ctx.save_for_backward(*(a for a in args if isinstance(a, Tensor)))
        return run_function(*args)

    @staticmethod
    def backward(ctx, *grads):
        if not is_checkpoint_valid():
            raise RuntimeError("When use_reentrant=True, torch.utils.checkpoint is incompatible with "
                               ".grad() or passing an `inputs` parameter to .backward(). To resolve "
                               "this error, you can either set use_reentrant=False, or call "
                               ".backward() without passing the `inputs` argument.")
        inputs = list(ctx.inputs)
        for i, t in zip(ctx.tensor_indices, ctx.saved_tensors):
            inputs[i] = t
        with _rng_of_forward(ctx.fwd_state):
            detached = detach_variable(tuple(inputs))
            with enable_grad():
                outputs = ctx.run_function(*detached)
        _backward(*_with_grad(outputs, grads))
        return (None, None) + tuple(d.grad if isinstance(d, Tensor) else None for d in detached)


enable_ctx_form(CheckpointFunction)


class _NonReentrant(Function):
    """The node of a non-reentrant checkpoint; its inputs are the tensor arguments and then the
    parameters the function used (``holder.leaves``)."""

    __module__ = "ember.utils.checkpoint"

    @staticmethod
    def forward(ctx, holder, *tensors):
        ctx.holder = holder
        ctx.save_for_backward(*tensors)
        return tuple(o.detach() if isinstance(o, Tensor) else o for o in holder.outputs) \
            if holder.several else holder.outputs[0].detach()

    @staticmethod
    def backward(ctx, *grads):
        h = ctx.holder
        saved = ctx.saved_tensors
        args = list(h.args)
        for i, t in zip(h.tensor_indices, saved):
            args[i] = t
        with _rng_of_forward(h.fwd_state), h.recompute_ctx:
            detached = detach_variable(tuple(args))
            with enable_grad():
                outputs = h.function(*detached, **h.kwargs)
        recomputed = _as_tuple(outputs)
        if h.determinism_check == "default":
            _check_same_metadata(h.meta, recomputed)
        outs, seeds = _with_grad(recomputed, grads)
        targets = [detached[i] for i in h.tensor_indices] + list(saved[len(h.tensor_indices):])
        wanted = [t for t, need in zip(targets, ctx.needs_input_grad[1:]) if need]
        found = iter(_grad(outs, wanted, seeds, allow_unused=True)) if wanted else iter(())
        return (None,) + tuple(next(found) if need else None for need in ctx.needs_input_grad[1:])


enable_ctx_form(_NonReentrant)


def _meta(outputs: tuple) -> list:
    return [(tuple(o.shape), o.dtype) if isinstance(o, Tensor) else None for o in outputs]


def _check_same_metadata(expected: list, outputs: tuple) -> None:
    got = _meta(outputs)
    if got != expected:
        raise CheckpointError("torch.utils.checkpoint: Recomputed values for the following tensors "
                              "have different metadata than during the forward pass.\n"
                              f"forward: {expected}\nrecomputation: {got}")
