"""Module backward hooks as torch runs them: gradients with respect to a module's inputs and outputs.

``register_full_backward_hook(hook)``: ``hook(module, grad_input, grad_output)`` runs once the
gradients with respect to the module's positional Tensor inputs are known (or, when no input
requires grad, when those of its outputs are, with ``grad_input`` all None); a non-None return
replaces ``grad_input``. ``register_full_backward_pre_hook(hook)``: ``hook(module, grad_output)``
runs when the gradients of the outputs arrive; a non-None return replaces ``grad_output``.
As in torch, the module's forward then receives (and its caller gets back) views of the Tensors
made by a ``BackwardHookFunction`` node; changing them in place is torch's error.
``register_backward_hook`` (deprecated in torch) hooks the node that made the first output.

Example::

    >>> layer = ember.nn.Linear(2, 1)
    >>> h = layer.register_full_backward_hook(
    ...     lambda m, gin, gout: print([g.shape for g in gin], [g.shape for g in gout]))
    >>> layer(ember.ones(3, 2, requires_grad=True)).sum().backward()
    [ember.Size([3, 2])] [ember.Size([3, 1])]
    >>> h.remove()
"""
from __future__ import annotations

import warnings

from .._tensor import Tensor
from ..autograd.function import Function
from ..autograd.grad_mode import STATE
from ..autograd.views import mark_custom_view
from ..ops.backward_hook import BackwardHookFunction
from . import global_hooks as G
from .hooks import RemovableHandle, add_hook, hook_dict

__all__ = ["BackwardHookFunction", "BackwardHook", "BackwardHooksMixin", "call_with_hooks"]

_BOTH = ("Cannot use both regular backward hooks and full backward hooks on a single Module. "
         "Please use only one of them.")


def _pack(indices, values, size: int) -> tuple:
    res = [None] * size
    for i, v in zip(indices, values):
        res[i] = v
    return tuple(res)


class BackwardHook:
    """One call's link between the gradients of a module's outputs and those of its inputs."""

    def __init__(self, module, user_hooks, user_pre_hooks) -> None:
        self.module, self.user_hooks, self.user_pre_hooks = module, user_hooks, user_pre_hooks
        self.grad_outputs = None
        self.n_inputs = self.n_outputs = -1
        self.input_index = self.output_index = None

    def _wrap(self, callback, args, materialize: bool):
        index = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        tensors = [args[i] for i in index]
        if not (STATE.enabled and any(t.requires_grad for t in tensors)):
            return args, None
        new = BackwardHookFunction.apply(callback, materialize, *tensors)
        for k, (old, t) in enumerate(zip(tensors, new)):
            if t is not old:
                mark_custom_view(t, old, k)
        out = list(args)
        for i, t in zip(index, new):
            out[i] = t
        return tuple(out), index

    def setup_input_hook(self, args: tuple) -> tuple:
        res, self.input_index = self._wrap(self._input_grads, args, True)
        self.n_inputs = len(args)
        return res

    def setup_output_hook(self, result):
        several = isinstance(result, tuple)
        args = result if several else (result,)
        res, self.output_index = self._wrap(self._output_grads, args, False)
        self.n_outputs = len(args)
        return res if several else res[0]

    def _output_grads(self, grads) -> tuple:
        self.grad_outputs = _pack(self.output_index, grads, self.n_outputs)
        for hook in self.user_pre_hooks:
            new = hook(self.module, self.grad_outputs)
            if new is None:
                continue
            if len(new) != len(self.grad_outputs):
                raise RuntimeError(f"Backward pre hook returned an invalid number of grad_output, got "
                                   f"{len(new)}, but expected {len(self.grad_outputs)}")
            self.grad_outputs = new
        local = self.grad_outputs
        if self.input_index is None:
            warnings.warn("Full backward hook is firing when gradients are computed with respect to "
                          "module outputs since no inputs require gradients. See https://docs.pytorch"
                          ".org/docs/main/generated/torch.nn.Module.html#torch.nn.Module.register_full_"
                          "backward_hook for more details.", stacklevel=2)
            none = _pack([], [], self.n_inputs)
            for hook in self.user_hooks:
                res = hook(self.module, none, self.grad_outputs)
                if res is not None and not (isinstance(res, tuple) and all(r is None for r in res)):
                    raise RuntimeError("Backward hook for Modules where no input requires gradient "
                                       "should always return None or None for all gradients.")
            self.grad_outputs = None
        return tuple(local[i] for i in self.output_index)

    def _input_grads(self, grads) -> tuple:
        if self.grad_outputs is None:  # the gradient reached the inputs without the outputs
            return grads
        res = _pack(self.input_index, grads, self.n_inputs)
        for hook in self.user_hooks:
            out = hook(self.module, res, self.grad_outputs)
            if out is None:
                continue
            if len(out) != len(res):
                raise RuntimeError(f"Backward hook returned an invalid number of grad_input, got "
                                   f"{len(out)}, but expected {len(res)}")
            res = out
        self.grad_outputs = None
        return tuple(res[i] for i in self.input_index)


def _hook_node(module, args, result, hooks) -> None:
    """The deprecated (non-full) hooks: on the node that made the first Tensor of ``result``,
    ``hook(module, grad_input, grad_output)`` sees that node's input and output gradients."""
    var = result
    while not isinstance(var, Tensor):
        var = next(v for v in var.values() if isinstance(v, Tensor)) if isinstance(var, dict) \
            else var[0]
    node = var.grad_fn
    if node is None:
        return
    _warn_non_full(args, result, node)
    run = node.backward

    def backward(grad):
        grads_in = run(grad)
        make = Tensor._make
        as_t = tuple(None if g is None else make(g) for g in grads_in)
        g_out = tuple(None if g is None else make(g) for g in (getattr(grad, "parts", None) or (grad,)))
        for hook in hooks:
            new = hook(module, as_t, g_out)
            if new is not None:
                new = new if isinstance(new, tuple) else (new,)
                as_t = tuple(None if g is None else g for g in new)
        return tuple(None if g is None else g._data for g in as_t)

    node.backward = backward


def _warn_non_full(inputs, result, node) -> None:
    """torch's FutureWarnings where the deprecated hook misses some of the gradients."""
    def bad(what, missing):
        warnings.warn(f"Using non-full backward hooks on a Module that does not {what} a single Tensor or a "
                      "tuple of Tensors is deprecated and will be removed in future versions. This "
                      f"hook will be missing some of the {missing}. Please use register_full_"
                      "backward_hook to get the documented behavior.", FutureWarning, stacklevel=4)
    result = (result,) if isinstance(result, Tensor) else result
    if not (isinstance(result, tuple) and all(isinstance(r, Tensor) for r in result)):
        return bad("return", "grad_output")
    if not all(isinstance(i, Tensor) for i in inputs):
        return bad("take as input", "grad_input")
    out_nodes = {id(r.grad_fn) for r in result if r.grad_fn is not None}
    if not out_nodes or (len(out_nodes) == 1 and id(node) not in out_nodes):
        msg = ("Using a non-full backward hook when outputs are nested in python data structure is "
               "deprecated and will be removed in future versions. This hook will be missing some "
               "grad_output.")
    elif len(out_nodes) > 1:
        msg = ("Using a non-full backward hook when outputs are generated by different autograd Nodes "
               "is deprecated and will be removed in future versions. This hook will be missing some "
               "grad_output. Please use register_full_backward_hook to get the documented behavior.")
    elif {id(i.grad_fn) for i in inputs if i.grad_fn is not None} != {
            id(n) if isinstance(n, Function) else None for n in node.next_functions}:
        msg = ("Using a non-full backward hook when the forward contains multiple autograd Nodes is "
               "deprecated and will be removed in future versions. This hook will be missing some "
               "grad_input. Please use register_full_backward_hook to get the documented behavior.")
    else:
        return None
    warnings.warn(msg, FutureWarning, stacklevel=4)
    return None


def call_with_hooks(module, args: tuple, kwargs: dict):
    """``Module.__call__`` with hooks: forward pre-hooks, backward-hook wiring, forward, forward
    hooks, then the output side of the backward hooks. When forward (or a hook) raises, the
    forward hooks registered with ``always_call=True`` that did not run yet run on None."""
    d = module.__dict__
    with_kwargs = {**G.FORWARD_WITH_KWARGS, **d.get("_forward_hooks_with_kwargs", {})}
    always = {**G.FORWARD_ALWAYS, **d.get("_forward_hooks_always_called", {})}
    forward_hooks = (*G.FORWARD.items(), *d["_forward_hooks"].items())
    called, out = set(), None
    try:
        args, kwargs = _run_pre_hooks(module, args, kwargs)
        own = tuple(d.get("_backward_hooks", {}).values())
        glob = tuple(G.BACKWARD.values())
        full = (glob if G.is_full() else ()) + (own if d.get("_is_full_backward_hook") else ())
        hooks = (glob if G.is_full() is False else ()) + (own if d.get("_is_full_backward_hook") is False
                                                          else ())
        pre = (*G.BACKWARD_PRE.values(), *d.get("_backward_pre_hooks", {}).values())
        bw = None
        if full or pre:
            bw = BackwardHook(module, full, pre)
            args = bw.setup_input_hook(args)
        out = module.forward(*args, **kwargs)
        for hook_id, hook in forward_hooks:
            if hook_id in always:
                called.add(hook_id)
            result = hook(module, args, kwargs, out) if hook_id in with_kwargs else hook(module, args, out)
            if result is not None:
                out = result
        if bw is not None:
            if not isinstance(out, (Tensor, tuple)):
                warnings.warn("For backward hooks to be called, module output should be a Tensor or a "
                              f"tuple of Tensors but received {type(out)}", stacklevel=3)
            else:
                out = bw.setup_output_hook(out)
        if hooks:
            _hook_node(module, args, out, hooks)
        return out
    except Exception:
        for hook_id, hook in forward_hooks:
            if hook_id not in always or hook_id in called:
                continue
            try:
                result = hook(module, args, kwargs, out) if hook_id in with_kwargs else hook(module, args, out)
                out = out if result is None else result
            except Exception as e:  # noqa: BLE001 - torch silences it with a warning
                warnings.warn("module forward hook with ``always_call=True`` raised an exception that "
                              f"was silenced as another error was raised in forward: {e}", stacklevel=3)
        raise


def _run_pre_hooks(module, args: tuple, kwargs: dict):
    d = module.__dict__
    with_kwargs = d.get("_forward_pre_hooks_with_kwargs", ())
    for hook_id, hook in (*G.FORWARD_PRE.items(), *d["_forward_pre_hooks"].items()):
        if hook_id in with_kwargs:
            result = hook(module, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError("forward pre-hook must return None or a tuple of (new_args, "
                                       f"new_kwargs), but got {result}.")
                args, kwargs = result
        else:
            result = hook(module, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
    return args, kwargs


class BackwardHooksMixin:
    """The backward-hook registration methods of :class:`ember.nn.Module`."""

    def _backward_table(self, name: str) -> dict:
        G.IN_USE[0] = True
        return hook_dict(self, name)

    def register_full_backward_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """``hook(module, grad_input, grad_output)`` runs when the gradients with respect to the
        module's inputs are computed; a non-None return (a tuple as long as ``grad_input``)
        replaces ``grad_input``. Returns a handle whose ``remove()`` unhooks.

        Example::

            >>> m = ember.nn.Linear(2, 2)
            >>> h = m.register_full_backward_hook(lambda m, gi, go: (ember.zeros_like(gi[0]),))
            >>> x = ember.ones(1, 2, requires_grad=True)
            >>> m(x).sum().backward()
            >>> x.grad
            tensor([[0., 0.]])
        """
        if self.__dict__.get("_is_full_backward_hook") is False:
            raise RuntimeError(_BOTH)
        self.__dict__["_is_full_backward_hook"] = True
        return add_hook(self._backward_table("_backward_hooks"), hook, prepend)

    def register_full_backward_pre_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """``hook(module, grad_output)`` runs when the gradients of the module's outputs arrive; a
        non-None return (a tuple as long as ``grad_output``) replaces ``grad_output``.

        Example::

            >>> m = ember.nn.Linear(2, 1)
            >>> h = m.register_full_backward_pre_hook(lambda m, go: (go[0] * 2,))
            >>> m(ember.ones(1, 2)).sum().backward()
            >>> m.bias.grad
            tensor([2.])
        """
        return add_hook(self._backward_table("_backward_pre_hooks"), hook, prepend)

    def register_backward_hook(self, hook) -> RemovableHandle:
        """Deprecated in torch for :meth:`register_full_backward_hook`: ``hook(module,
        grad_input, grad_output)`` on the node that made the module's (first) output, whose
        ``grad_input`` are that node's input gradients, not the module's, in the order of
        ember's node (``Linear``: input, weight, bias; torch's ``addmm``: bias, input,
        weight.T), with torch's FutureWarnings where gradients are missed."""
        if self.__dict__.get("_is_full_backward_hook") is True:
            raise RuntimeError(_BOTH)
        self.__dict__["_is_full_backward_hook"] = False
        return add_hook(self._backward_table("_backward_hooks"), hook, False)

