"""The backward pass: an iterative walk over the recorded graph (no recursion).

Nodes are processed in a topological order computed with dependency counts, so a
chain of 100,000 ops needs no Python recursion. Gradients flowing into a node are
summed in a buffer; a leaf receives its gradient in ``.grad``.
"""
from __future__ import annotations

import weakref

import numpy as np

from . import function as _function
from .function import Function
from .versions import check_saved

__all__ = ["run_backward", "register_hook", "register_post_accumulate_grad_hook", "queue_callback"]

# Hooks from Tensor.register_hook. Non-leaf tensors' hooks sit on the node that made them;
# leaves are keyed by id (a Tensor's == is elementwise, so it can't be a weak dict key).
_NODE_HOOKS: "weakref.WeakKeyDictionary[Function, list]" = weakref.WeakKeyDictionary()
_LEAF_HOOKS: dict = {}
_POST_ACCUMULATE_HOOKS: dict = {}  # leaves' hooks run after their .grad is updated, by id
_CALLBACKS: list = []  # queue_callback: run once when the current backward pass has finished


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
        hooks = _leaf_hooks(_LEAF_HOOKS, tensor)
    hooks.append(hook)
    return RemovableHandle(hooks, hook)


def register_post_accumulate_grad_hook(tensor, hook) -> RemovableHandle:
    """Calls ``hook(tensor)`` after a leaf's ``.grad`` has been updated in a backward pass."""
    if tensor.grad_fn is not None:
        raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
    hooks = _leaf_hooks(_POST_ACCUMULATE_HOOKS, tensor)
    hooks.append(hook)
    return RemovableHandle(hooks, hook)


def queue_callback(callback) -> None:
    """Runs ``callback()`` once when the backward pass now running (or the next one) has
    finished, as torch's ``Variable._execution_engine.queue_callback`` (DDP's gradient sync)."""
    _CALLBACKS.append(callback)


def _run_callbacks() -> None:
    callbacks = _CALLBACKS[:]
    _CALLBACKS.clear()
    for callback in callbacks:
        callback()


def _leaf_hooks(table: dict, tensor) -> list:
    """The list of hooks for a leaf in ``table``, dropped when the tensor is collected."""
    key = id(tensor)
    if key not in table:
        table[key] = []
        weakref.finalize(tensor, table.pop, key, None)
    return table[key]


def _has_hooks(leaf) -> bool:
    return id(leaf) in _LEAF_HOOKS or id(leaf) in _POST_ACCUMULATE_HOOKS


def _run_hooks(hooks, grad, make):
    for hook in list(hooks):
        out = hook(make(grad, None))
        if out is not None:
            grad = out._data if hasattr(out, "_data") else np.asarray(out)
    return grad

FREED_MSG = ("Trying to backward through the graph a second time (or directly access saved "
             "tensors after they have already been freed). Saved intermediate values of the graph "
             "are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if "
             "you need to backward through the graph a second time or if you need to access saved "
             "tensors after calling backward.")


def _count_dependencies(roots, keep, leaves=None) -> dict:
    """How many recorded edges lead into each node reachable from ``roots`` (only nodes in
    ``keep`` when it is given). With a ``leaves`` dict, also counts the edges into the leaves
    that have hooks, by id, into it."""
    deps = dict.fromkeys(roots, 0)
    stack = list(deps)
    while stack:
        node = stack.pop()
        for nxt in node.next_functions:
            if not isinstance(nxt, Function):
                if leaves is not None and nxt is not None and _has_hooks(nxt):
                    leaves[id(nxt)] = leaves.get(id(nxt), 0) + 1
                continue
            if keep is not None and nxt not in keep:
                continue
            if nxt in deps:
                deps[nxt] += 1
            else:
                deps[nxt] = 1
                stack.append(nxt)
    return deps


def _leading_to(roots, targets) -> tuple:
    """The nodes whose backward must run to reach ``targets`` (nodes, or ids of leaves), and those
    nodes plus the target nodes (everything else is pruned): ``(run, keep)``."""
    run, state = set(), {}
    stack = [(r, False) for r in roots]
    while stack:
        node, done = stack.pop()
        if done:
            if any(nxt in run or nxt in targets if isinstance(nxt, Function)
                   else nxt is not None and id(nxt) in targets for nxt in node.next_functions):
                run.add(node)
        elif node not in state:
            state[node] = True
            stack.append((node, True))
            stack.extend((nxt, False) for nxt in node.next_functions
                         if isinstance(nxt, Function) and nxt not in state)
    return run, run | {t for t in targets if isinstance(t, Function)}


def _accumulate(tensor, grad: np.ndarray, given: set, make) -> None:
    """Adds ``grad`` into ``tensor.grad``; never lets two tensors share one grad array."""
    arr = tensor._data
    if type(grad) is not np.ndarray or grad.shape != arr.shape or grad.dtype != arr.dtype:
        grad = _as_grad_of(tensor, grad)
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
        old._data = np.asarray(old._data + grad)  # 0-d sums are NumPy scalars: keep an array
    else:
        np.add(old._data, grad, out=old._data)
    if _POST_ACCUMULATE_HOOKS and id(tensor) in _POST_ACCUMULATE_HOOKS:
        for hook in list(_POST_ACCUMULATE_HOOKS[id(tensor)]):
            hook(tensor)


def _as_grad_of(tensor, grad) -> np.ndarray:
    """``grad`` as an ndarray of ``tensor``'s shape and dtype."""
    if type(grad) is not np.ndarray:  # a NumPy scalar from a 0-d computation
        grad = np.array(grad)
    if grad.shape != tensor._data.shape:
        grad = np.broadcast_to(grad, tensor._data.shape)
    if grad.dtype != tensor._data.dtype:
        grad = grad.astype(tensor._data.dtype)
    return grad


_PARTIAL = [False]  # True while a backward pass computes gradients for given inputs only


def is_checkpoint_valid() -> bool:
    """False inside ``autograd.grad`` or ``backward(inputs=...)``: a reentrant checkpoint's
    backward (which accumulates into every leaf's ``.grad``) must not run there (torch's
    ``_is_checkpoint_valid``)."""
    return not _PARTIAL[0]


def run_backward(tensors, grads, retain_graph: bool, inputs=None):
    """Back-propagates ``grads`` (see ``_backward``), then runs the queued callbacks."""
    previous, _PARTIAL[0] = _PARTIAL[0], inputs is not None
    try:
        out = _backward(tensors, grads, retain_graph, inputs)
    except BaseException:
        _CALLBACKS.clear()
        raise
    finally:
        _PARTIAL[0] = previous
    if _CALLBACKS:
        _run_callbacks()
    return out


def _backward(tensors, grads, retain_graph: bool, inputs=None):
    """Back-propagates ``grads[k]`` (the gradient of some scalar w.r.t. ``tensors[k]``).

    Without ``inputs`` the leaves' ``.grad`` accumulate. With ``inputs`` (tensors, leaves or
    not) only the part of the graph leading to them runs, no ``.grad`` is written, and their
    gradients are returned (None for an input no gradient reaches).
    """
    make = type(tensors[0])._make
    captured = targets = keep = run = None
    if inputs is not None:
        targets = {(t.grad_fn if t.grad_fn is not None else id(t)): None for t in inputs}
        captured = {}
    given, buffers = set(), {}
    for t, g in zip(tensors, grads):
        given.add(id(g))
        node = t.grad_fn
        if node is not None:
            prev = buffers.get(node)
            buffers[node] = g if prev is None else prev + g
    for t, g in zip(tensors, grads):
        if t.grad_fn is None:  # a root that is itself a leaf
            _reach_leaf(t, g, captured, targets, given, make)
    if targets is not None:
        run, keep = _leading_to(list(buffers), targets)
        for node in [n for n in buffers if n not in keep]:
            del buffers[node]
    # a leaf with hooks gets its contributions summed first and is accumulated once its last
    # edge has been walked (its hooks run once per pass, as torch's AccumulateGrad does, and as
    # early as they can: DDP starts a bucket's allreduce from them while backward goes on);
    # other leaves accumulate as their gradients arrive
    hooked, pending = targets is None and bool(_LEAF_HOOKS or _POST_ACCUMULATE_HOOKS), {}
    edges_left = {} if hooked else None
    deps = _count_dependencies(buffers, keep, edges_left)
    node_hooks = _NODE_HOOKS if len(_NODE_HOOKS) else None  # len() of a weak dict is slow: once
    epoch = _function.EPOCH  # a node recorded since the last in-place change needs no check
    ready = []
    for node in buffers:
        if not deps[node]:
            ready.append(node)
    while ready:
        node = ready.pop()
        g = buffers.pop(node, None)
        nexts = node.next_functions
        if g is not None and node_hooks is not None and node in node_hooks:
            g = _run_hooks(node_hooks[node], g, make)
        if targets is not None:
            if g is not None and node in targets:
                captured[node] = g
            if node not in run:
                continue  # a wanted input's node: nothing below it is needed
        if node._freed:
            raise RuntimeError(FREED_MSG)
        if g is None:  # no gradient reached this node: only release its dependants
            grads = (None,) * len(nexts)
        else:
            if node._epoch != epoch:
                check_saved(node)
            if node._retained is not None and targets is None:
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
                try:
                    left = deps[nxt]
                except KeyError:  # pruned: no wanted input lies below it
                    continue
                if gi is not None:
                    prev = buffers.get(nxt)
                    buffers[nxt] = gi if prev is None else prev + gi
                deps[nxt] = left - 1
                if left == 1:
                    ready.append(nxt)
            elif hooked and id(nxt) in edges_left:
                key = id(nxt)
                if gi is not None:
                    prev = pending.get(key)
                    pending[key] = (nxt, gi if prev is None else prev[1] + gi)
                edges_left[key] -= 1
                if not edges_left[key] and key in pending:
                    _accumulate(nxt, pending.pop(key)[1], given, make)
            elif gi is not None:
                if targets is None:
                    _accumulate(nxt, gi, given, make)
                else:
                    _reach_leaf(nxt, gi, captured, targets, given, make)
    for leaf, g in pending.values():  # a safety net: every counted edge has been walked
        _accumulate(leaf, g, given, make)
    if inputs is None:
        return None
    out = []
    for t in inputs:
        g = captured.get(t.grad_fn if t.grad_fn is not None else id(t))
        if g is not None:
            g = _as_grad_of(t, g)
            if t.grad_fn is None and _LEAF_HOOKS and id(t) in _LEAF_HOOKS:
                g = _run_hooks(_LEAF_HOOKS[id(t)], g, make)
        out.append(g)
    return out


def _reach_leaf(leaf, g, captured, targets, given, make) -> None:
    """A gradient arriving at a leaf: into ``.grad``, or into ``captured`` when it is wanted."""
    if targets is None:
        _accumulate(leaf, g, given, make)
    elif id(leaf) in targets:
        prev = captured.get(id(leaf))
        captured[id(leaf)] = g if prev is None else prev + g
