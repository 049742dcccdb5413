"""``functional_call`` (torch's ``nn.utils.stateless``, deprecated there for
``torch.func.functional_call``): call a module with some of its parameters and buffers replaced
by given tensors, for that call only; gradients flow to the given tensors.

Example::

    >>> import warnings
    >>> m = ember.nn.Linear(2, 1)
    >>> w = ember.ones(1, 2, requires_grad=True)
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", FutureWarning)
    ...     y = ember.nn.utils.stateless.functional_call(m, {"weight": w, "bias": ember.zeros(1)},
    ...                                                  (ember.tensor([[1.0, 2.0]]),))
    >>> y
    tensor([[3.]], grad_fn=<AddmmBackward0>)
    >>> isinstance(m.weight, ember.nn.Parameter)  # restored
    True
"""
from __future__ import annotations

import warnings
from contextlib import contextmanager

from ..module import Module

__all__ = ["functional_call", "call_with"]

_MISSING = object()


def _untie(module: Module, values: dict) -> dict:
    """Gives every name of a tied tensor the value given for one of its names (torch's rule:
    different values for names of one tensor are an error)."""
    names_of: dict = {}
    for name, t in list(module.named_parameters(remove_duplicate=False)) + \
            list(module.named_buffers(remove_duplicate=False)):
        names_of.setdefault(id(t), set()).add(name)
    out = dict(values)
    for tied in (names for names in names_of.values() if len(names) > 1):
        given = [n for n in tied if n in values]
        if len(given) > 1 and len({id(values[n]) for n in given}) != 1:
            raise ValueError(f"functional_call got multiple values for keys {sorted(tied)}, "
                             "which are tied. Consider using tie_weights=False")
        for name in tied if given else ():
            out[name] = values[given[0]]
    return out


def _check_keys(module: Module, values: dict) -> None:
    valid = {n for n, _ in module.named_parameters(remove_duplicate=False)} | \
            {n for n, _ in module.named_buffers(remove_duplicate=False)}
    msgs = []
    unexpected, missing = sorted(set(values) - valid), sorted(valid - set(values))
    if unexpected:
        msgs.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
    if missing:
        msgs.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
    if msgs:
        raise RuntimeError(f"Error(s) in reparametrizing for {module._get_name()}:\n\t"
                           + "\n\t".join(msgs))


def _swap(module: Module, name: str, value):
    """Puts ``value`` under dotted ``name`` (into the parameter/buffer slot when there is one);
    returns what was there (``_MISSING`` when nothing was)."""
    *path, leaf = name.split(".")
    owner = module.get_submodule(".".join(path))
    for store in (owner._parameters, owner._buffers):
        if leaf in store:
            old, store[leaf] = store[leaf], value
            return old
    old = owner.__dict__.get(leaf, _MISSING)
    if value is _MISSING:
        owner.__dict__.pop(leaf, None)
    else:
        owner.__dict__[leaf] = value
    return old


@contextmanager
def _reparametrize_module(module: Module, values: dict, tie_weights: bool = False,
                          strict: bool = False):
    values = _untie(module, values) if tie_weights else values
    if strict:
        _check_keys(module, values)
    originals = {}
    try:
        for name, value in values.items():
            originals[name] = _swap(module, name, value)
        yield
    finally:
        for name, old in reversed(list(originals.items())):
            _swap(module, name, old)


def functional_call(module: Module, parameters_and_buffers: dict, args=None, kwargs=None, *,
                    tie_weights: bool = True, strict: bool = False):
    """``module(*args, **kwargs)`` with ``parameters_and_buffers`` (dotted names, as in
    ``state_dict``) in place of its own; warns ``FutureWarning`` as torch.

    Args:
        module: the module to call.
        parameters_and_buffers: ``{name: tensor}`` used for this call.
        args: one positional argument or a tuple of them.
        kwargs: keyword arguments of the call.
        tie_weights: a value given for one name of a shared tensor is used for all its names.
        strict: the names must be exactly the module's parameters and buffers.
    """
    warnings.warn("`torch.nn.utils.stateless.functional_call` is deprecated as of PyTorch 2.0 and "
                  "will be removed in a future version of PyTorch. Please use "
                  "`torch.func.functional_call` instead which is a drop-in replacement.",
                  FutureWarning, stacklevel=2)
    return call_with(module, parameters_and_buffers, args, kwargs, tie_weights=tie_weights,
                     strict=strict)


def call_with(module: Module, parameters_and_buffers: dict, args=None, kwargs=None, *,
              tie_weights: bool = True, strict: bool = False):
    """:func:`functional_call` without the deprecation warning (``ember.func`` uses it)."""
    args = () if args is None else args if isinstance(args, tuple) else (args,)
    with _reparametrize_module(module, parameters_and_buffers, tie_weights=tie_weights,
                               strict=strict):
        return module(*args, **(kwargs or {}))
