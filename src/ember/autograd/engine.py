"""The backward pass: an iterative walk over the recorded graph (no recursion).

Nodes are processed in a topological order computed with dependency counts, so a
chain of 100,000 ops needs no Python recursion. Gradients flowing into a node are
summed in a buffer; a leaf receives its gradient in ``.grad``.
"""
from __future__ import annotations

import weakref

import numpy as np

from .function import Function

__all__ = ["run_backward", "register_hook"]

# Hooks from Tensor.register_hook. Non-leaf tensors' hooks sit on the node that made them;
# leaves are keyed by id (a Tensor's == is elementwise, so it can't be a weak dict key).
_NODE_HOOKS: "weakref.WeakKeyDictionary[Function, list]" = weakref.WeakKeyDictionary()
_LEAF_HOOKS: dict = {}


class RemovableHandle:
    """Returned by ``register_hook``; ``handle.remove()`` unregisters the hook."""

    def __init__(self, hooks: list, hook) -> None:
        self._hooks, self._hook = hooks, hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def register_hook(tensor, hook) -> RemovableHandle:
    """Calls ``hook(grad)`` whenever a gradient for ``tensor`` is computed; a returned tensor replaces it."""
    if tensor.grad_fn is not None:
        hooks = _NODE_HOOKS.setdefault(tensor.grad_fn, [])
    else:
        key = id(tensor)
        if key not in _LEAF_HOOKS:
            _LEAF_HOOKS[key] = []
            weakref.finalize(tensor, _LEAF_HOOKS.pop, key, None)
        hooks = _LEAF_HOOKS[key]
    hooks.append(hook)
    return RemovableHandle(hooks, hook)


def _run_hooks(hooks, grad, make):
    for hook in list(hooks):
        out = hook(make(grad, None))
        if out is not None:
            grad = out._data if hasattr(out, "_data") else np.asarray(out)
    return grad

_FREED_MSG = ("Trying to backward through the graph a second time (or directly access saved "
              "tensors after they have already been freed). Saved intermediate values of the graph "
              "are freed when you call .backward(). Specify retain_graph=True if you need to "
              "backward through the graph a second time.")


def _count_dependencies(root: Function) -> dict:
    deps = {root: 0}
    stack = [root]
    while stack:
        node = stack.pop()
        for nxt in node.next_functions:
            if nxt is None or not isinstance(nxt, Function):
                continue
            if nxt in deps:
                deps[nxt] += 1
            else:
                deps[nxt] = 1
                stack.append(nxt)
    return deps


def _accumulate(tensor, grad: np.ndarray, given: set, make) -> None:
    """Adds ``grad`` into ``tensor.grad``; never lets two tensors share one grad array."""
    if type(grad) is not np.ndarray:  # a NumPy scalar from a 0-d computation
        grad = np.array(grad)
    if grad.shape != tensor._data.shape:
        grad = np.broadcast_to(grad, tensor._data.shape)
    if grad.dtype != tensor._data.dtype:
        grad = grad.astype(tensor._data.dtype)
    if _LEAF_HOOKS and id(tensor) in _LEAF_HOOKS:
        grad = _run_hooks(_LEAF_HOOKS[id(tensor)], grad, make)
    old = tensor.grad
    if old is None:
        if not grad.flags.owndata or not grad.flags.writeable or id(grad) in given:
            grad = grad.copy()
        given.add(id(grad))
        tensor.grad = make(grad, None)
    elif id(old._data) in given:
        # handed out during this pass: it may still sit in a buffer, so never write into it
        old._data = old._data + grad
    else:
        np.add(old._data, grad, out=old._data)


def run_backward(tensor, grad: np.ndarray, retain_graph: bool) -> None:
    """Back-propagates ``grad`` (the gradient of some scalar w.r.t. ``tensor``)."""
    make = type(tensor)._make
    given = {id(grad)}
    root = tensor.grad_fn
    if root is None:  # a leaf
        _accumulate(tensor, grad, given, make)
        return
    deps = _count_dependencies(root)
    node_hooks = _NODE_HOOKS if len(_NODE_HOOKS) else None  # len() of a weak dict is slow: once
    buffers = {root: grad}
    ready = [root]
    while ready:
        node = ready.pop()
        g = buffers.pop(node, None)
        if node._freed:
            raise RuntimeError(_FREED_MSG)
        nexts = node.next_functions
        if g is None:  # no gradient reached this node: only release its dependants
            grads = (None,) * len(nexts)
        else:
            if node_hooks is not None and node in node_hooks:
                g = _run_hooks(node_hooks[node], g, make)
            if node._retained is not None:
                kept = node._retained()
                if kept is not None:
                    _accumulate(kept, g, given, make)
            grads = node.backward(g)
        if not retain_graph:  # release(), inlined: this loop is the per-op overhead
            node.__dict__.clear()
            node._freed = True
        for nxt, gi in zip(nexts, grads):
            if nxt is None:
                continue
            if isinstance(nxt, Function):
                if gi is not None:
                    prev = buffers.get(nxt)
                    buffers[nxt] = gi if prev is None else prev + gi
                left = deps[nxt] - 1
                deps[nxt] = left
                if not left:
                    ready.append(nxt)
            elif gi is not None:
                _accumulate(nxt, gi, given, make)
