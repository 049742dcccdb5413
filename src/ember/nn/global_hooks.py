"""Hooks on every module at once, as ``torch.nn.modules.module.register_module_*_hook``: they run
for each module call, global forward (pre-)hooks and full backward (pre-)hooks before the
module's own. Used by profilers, FLOP counters and activation loggers.

Example::

    >>> from ember.nn.modules.module import register_module_forward_hook
    >>> h = register_module_forward_hook(lambda m, inp, out: print(type(m).__name__))
    >>> _ = ember.nn.Sequential(ember.nn.Linear(2, 2), ember.nn.ReLU())(ember.ones(1, 2))
    Linear
    ReLU
    Sequential
    >>> h.remove()
"""
from __future__ import annotations

from collections import OrderedDict

from .hooks import RemovableHandle, add_hook

__all__ = ["register_module_forward_pre_hook", "register_module_forward_hook",
           "register_module_backward_hook", "register_module_full_backward_pre_hook",
           "register_module_full_backward_hook", "IN_USE", "FORWARD_PRE", "FORWARD",
           "FORWARD_WITH_KWARGS", "FORWARD_ALWAYS", "BACKWARD", "BACKWARD_PRE", "is_full",
           "register_module_buffer_registration_hook", "register_module_module_registration_hook",
           "register_module_parameter_registration_hook", "BUFFER_REG", "MODULE_REG",
           "PARAMETER_REG", "registered"]

#: True once any backward hook or global hook was registered in this process (never reset):
#: until then ``Module.__call__`` checks only the module's forward hooks
IN_USE = [False]
FORWARD_PRE: OrderedDict = OrderedDict()
FORWARD: OrderedDict = OrderedDict()
FORWARD_WITH_KWARGS: OrderedDict = OrderedDict()
FORWARD_ALWAYS: OrderedDict = OrderedDict()
BACKWARD: OrderedDict = OrderedDict()
BACKWARD_PRE: OrderedDict = OrderedDict()
BUFFER_REG: OrderedDict = OrderedDict()
MODULE_REG: OrderedDict = OrderedDict()
PARAMETER_REG: OrderedDict = OrderedDict()
_FULL = [None]  # None until a global backward hook is registered, then whether it is a full one
_BOTH = ("Cannot use both regular backward hooks and full backward hooks as a global Module hook. "
         "Please use only one of them.")


def is_full():
    """True/False once global full/non-full backward hooks were registered, else None."""
    return _FULL[0]


def _add(table: OrderedDict, hook, flags=()) -> RemovableHandle:
    IN_USE[0] = True
    return add_hook(table, hook, flags=flags)


def register_module_forward_pre_hook(hook) -> RemovableHandle:
    """``hook(module, inputs)`` runs before every module's forward; a non-None return replaces
    the inputs."""
    return _add(FORWARD_PRE, hook)


def register_module_forward_hook(hook, *, with_kwargs: bool = False,
                                 always_call: bool = False) -> RemovableHandle:
    """``hook(module, inputs, output)`` (``hook(module, inputs, kwargs, output)`` with
    ``with_kwargs``) runs after every module's forward; a non-None return replaces the output."""
    return _add(FORWARD, hook, ((FORWARD_WITH_KWARGS, with_kwargs), (FORWARD_ALWAYS, always_call)))


def register_module_full_backward_pre_hook(hook) -> RemovableHandle:
    """``hook(module, grad_output)`` for every module, as ``Module.register_full_backward_pre_hook``."""
    return _add(BACKWARD_PRE, hook)


def register_module_full_backward_hook(hook) -> RemovableHandle:
    """``hook(module, grad_input, grad_output)`` for every module, as
    ``Module.register_full_backward_hook``."""
    if _FULL[0] is False:
        raise RuntimeError(_BOTH)
    _FULL[0] = True
    return _add(BACKWARD, hook)


def register_module_backward_hook(hook) -> RemovableHandle:
    """The deprecated non-full form of :func:`register_module_full_backward_hook`."""
    if _FULL[0] is True:
        raise RuntimeError(_BOTH)
    _FULL[0] = False
    return _add(BACKWARD, hook)


def register_module_buffer_registration_hook(hook) -> RemovableHandle:
    """``hook(module, name, buffer)`` runs whenever any module registers a buffer; a non-None
    return is registered instead."""
    return add_hook(BUFFER_REG, hook)


def register_module_module_registration_hook(hook) -> RemovableHandle:
    """``hook(module, name, submodule)`` runs whenever any module registers a submodule; a
    non-None return is registered instead."""
    return add_hook(MODULE_REG, hook)


def register_module_parameter_registration_hook(hook) -> RemovableHandle:
    """``hook(module, name, param)`` runs whenever any module registers a parameter; a non-None
    return is registered instead."""
    return add_hook(PARAMETER_REG, hook)


def registered(table: OrderedDict, module, name: str, value):
    """``value`` after the registration hooks of ``table`` (each may replace it)."""
    for hook in tuple(table.values()):
        output = hook(module, name, value)
        if output is not None:
            value = output
    return value
