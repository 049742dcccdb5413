"""Activation checkpointing (torch's ``torch.utils.checkpoint``): run part of a model without
keeping its intermediate tensors, and recompute them in backward.

``checkpoint(fn, *args, use_reentrant=...)`` returns ``fn(*args)``; backward reruns ``fn`` on the
saved inputs (with the random state of the forward when ``preserve_rng_state``, so dropout draws
the same mask) and backpropagates through the recomputed graph. The gradients are those of
``fn(*args)`` without checkpointing.

* ``use_reentrant=True`` (torch's default, with a warning when not passed): ``fn`` runs without
  recording; backward calls ``ember.autograd.backward`` on the recomputed outputs, which
  accumulates into the parameters' ``.grad``. As in torch, when no input requires grad the
  output does not either (a warning says so) and parameters get no gradient; ``.grad()`` and
  ``backward(inputs=...)`` through it raise torch's error.
* ``use_reentrant=False``: the parameters ``fn`` uses become inputs of the recorded node, so they
  get gradients whatever the inputs, ``autograd.grad`` works through it and keyword arguments are
  passed to ``fn``. ember finds those parameters by running ``fn`` once with recording on and
  dropping that graph at once: only the inputs are kept until backward.

Example::

    >>> from ember.utils.checkpoint import checkpoint
    >>> block = ember.nn.Sequential(ember.nn.Linear(4, 4), ember.nn.Tanh())
    >>> x = ember.ones(2, 4, requires_grad=True)
    >>> y = checkpoint(block, x, use_reentrant=False)
    >>> y.sum().backward()
    >>> block[0].weight.grad.shape, x.grad.shape
    (ember.Size([4, 4]), ember.Size([2, 4]))
"""
from __future__ import annotations

import contextlib
import warnings

from .._tensor import Tensor
from ..autograd import function as _function
from ..autograd.grad_mode import is_grad_enabled
from ..nn.modules.container import Sequential
from ..ops.recompute import (CheckpointError, CheckpointFunction, _NonReentrant, _as_tuple,
                             _meta, check_backward_validity, detach_variable)
from ..random import get_rng_state

__all__ = ["checkpoint", "checkpoint_sequential", "CheckpointError", "DefaultDeviceType", "CheckpointFunction",
           "check_backward_validity", "detach_variable", "get_device_states",
           "set_device_states", "noop_context_fn", "set_checkpoint_early_stop",
           "set_checkpoint_debug_enabled"]

_DEFAULT_DETERMINISM_MODE = "default"
_NO_REENTRANT_WARNING = ("torch.utils.checkpoint: the use_reentrant parameter should be passed "
                         "explicitly. Starting in PyTorch 2.9, calling checkpoint without "
                         "use_reentrant will raise an exception. use_reentrant=False is "
                         "recommended, but if you need to preserve the current default behavior, "
                         "you can pass use_reentrant=True. Refer to docs for more details on the "
                         "differences between the two variants.")
_debug_enabled = None


class DefaultDeviceType:
    """The device type whose random state checkpointing saves when no tensor says otherwise
    (``"cpu"`` on ember, which has no accelerator)."""

    __module__ = "ember.utils.checkpoint"
    _default_device_type: str | None = None

    @staticmethod
    def set_device_type(device: str = "cuda") -> None:
        DefaultDeviceType._default_device_type = device

    @staticmethod
    def get_device_type() -> str:
        if not DefaultDeviceType._default_device_type:
            DefaultDeviceType._default_device_type = "cpu"
        return DefaultDeviceType._default_device_type


def noop_context_fn():
    """The default ``context_fn``: two null contexts (forward, recomputation)."""
    return contextlib.nullcontext(), contextlib.nullcontext()


def get_device_states(*args) -> tuple:
    """The random states of the accelerators ``args`` live on: none, ember runs on the CPU."""
    return [], []


def set_device_states(devices, states, *, device_type=None) -> None:
    """Restores accelerator random states (there are none on ember's CPU)."""


@contextlib.contextmanager
def set_checkpoint_early_stop(enable: bool):
    """torch stops a non-reentrant recomputation once it has every tensor it needs; ember
    always reruns the whole function, so this context only records the choice."""
    yield


@contextlib.contextmanager
def set_checkpoint_debug_enabled(enabled: bool | None):
    """Sets the ``debug`` default of :func:`checkpoint` inside the context (ember's recomputation
    has no operator trace to print; the flag is accepted for torch code)."""
    global _debug_enabled
    previous, _debug_enabled = _debug_enabled, enabled
    try:
        yield
    finally:
        _debug_enabled = previous


def _leaves_of(outputs: tuple, stop: set, start: int) -> list:
    """The leaf tensors requiring grad that ``outputs``' graph reaches, not walking into the
    nodes in ``stop`` (the arguments' own histories). A node older than ``start`` (the
    engine's counter when the function began) is the history of a tensor the function read
    from outside: its gradient could not flow back through the checkpoint, so it is refused."""
    leaves, seen, todo = [], set(), [o.grad_fn for o in outputs
                                     if isinstance(o, Tensor) and o.grad_fn is not None]
    while todo:
        node = todo.pop()
        if node is None or id(node) in seen or id(node) in stop:
            continue
        seen.add(id(node))
        if isinstance(node, Tensor):
            leaves.append(node)
            continue
        if getattr(node, "_epoch", start) < start:
            raise RuntimeError("ember.utils.checkpoint(use_reentrant=False): the checkpointed "
                               "function reads a tensor with gradient history that it did not "
                               "receive as an argument; pass that tensor to checkpoint() as an "
                               "argument")
        todo.extend(node.next_functions)
    return leaves


class _Holder:
    """What a non-reentrant checkpoint keeps until backward (besides the saved tensors)."""


def _checkpoint_without_reentrant(function, preserve, context_fn, determinism_check, args, kwargs):
    forward_ctx, recompute_ctx = context_fn()
    fwd_state = get_rng_state() if preserve else None
    _function.EPOCH += 1  # the engine's counter as a clock: nodes from here on are the function's
    start = _function.EPOCH
    with forward_ctx:
        outputs = function(*args, **kwargs)
    several = isinstance(outputs, tuple)
    flat = _as_tuple(outputs)
    if not is_grad_enabled() or not any(isinstance(o, Tensor) and o.requires_grad for o in flat):
        return outputs
    tensor_args = [a for a in args if isinstance(a, Tensor)]
    stop = {id(a.grad_fn) for a in tensor_args if a.grad_fn is not None} | {id(a) for a in tensor_args}
    h = _Holder()
    h.function, h.kwargs, h.fwd_state, h.recompute_ctx = function, kwargs, fwd_state, recompute_ctx
    h.determinism_check, h.meta, h.several = determinism_check, _meta(flat), several
    h.args = [None if isinstance(a, Tensor) else a for a in args]
    h.tensor_indices = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
    h.outputs = flat
    leaves = [t for t in _leaves_of(flat, stop, start) if not any(t is a for a in tensor_args)]
    result = _NonReentrant.apply(h, *tensor_args, *leaves)
    for new, old in zip(_as_tuple(result), flat):  # torch's outputs keep their op's grad_fn name
        if isinstance(new, Tensor) and new.grad_fn is not None and old.grad_fn is not None:
            new.grad_fn.label = old.grad_fn.name()
    h.outputs = None  # the forward's graph goes with it
    return result


def checkpoint(function, *args, use_reentrant: bool | None = None, context_fn=noop_context_fn,
               determinism_check: str = _DEFAULT_DETERMINISM_MODE, debug: bool = False,
               early_stop: bool = True, **kwargs):
    """``function(*args)``, its intermediate tensors recomputed in backward instead of kept.

    Args:
        function: the checkpointed part (a module or any callable on tensors).
        args: its arguments.
        use_reentrant: the implementation (see the module's text); pass it explicitly (torch warns
            and takes True when it is None).
        context_fn: returns two context managers, for the forward and for the recomputation
            (non-reentrant only).
        determinism_check: ``"default"`` checks that the recomputation gives the forward's
            shapes and dtypes (``CheckpointError``); ``"none"`` skips it.
        debug, early_stop: accepted as torch's (no effect in ember).
        preserve_rng_state (keyword): replay the forward's random draws (default True).
        kwargs: keyword arguments of ``function`` (non-reentrant only).
    """
    if use_reentrant is None:
        warnings.warn(_NO_REENTRANT_WARNING, stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs and use_reentrant:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
    if use_reentrant:
        if context_fn is not noop_context_fn or debug is not False:
            raise ValueError("Passing `context_fn` or `debug` is only supported when "
                             "use_reentrant=False.")
        return CheckpointFunction.apply(function, preserve, *args)
    return _checkpoint_without_reentrant(function, preserve, context_fn, determinism_check,
                                         args, kwargs)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Runs ``functions`` (a Sequential or a list of modules) in ``segments`` chunks, each but the
    last checkpointed.

    Args:
        functions: the modules, run in order.
        segments: how many chunks.
        input: the first module's input.
        use_reentrant: as :func:`checkpoint` (torch warns and takes True when None).
        preserve_rng_state (keyword): as :func:`checkpoint`.
    """
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter "
                      "should be passed explicitly. In version 2.9 we will raise an exception if "
                      "use_reentrant is not passed. use_reentrant=False is recommended, but if you "
                      "need to preserve the current default behavior, you can pass "
                      "use_reentrant=True. Refer to docs for more details on the differences "
                      "between the two variants.", stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))

    def run(start, end):
        def forward(x):
            for j in range(start, end + 1):
                x = functions[j](x)
            return x
        return forward

    if isinstance(functions, Sequential):
        functions = list(functions.children())
    size = len(functions) // segments
    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(run(start, end), input, use_reentrant=use_reentrant,
                           preserve_rng_state=preserve)
    return run(end + 1, len(functions) - 1)(input)
