"""``RemovableHandle``: what ``register_forward_hook`` returns; ``handle.remove()`` unhooks.
:func:`run_load_pre_hooks` runs the ``load_state_dict`` pre-hooks of a module tree."""
from __future__ import annotations

import itertools
from collections import OrderedDict

__all__ = ["RemovableHandle", "add_hook", "hook_dict", "run_load_pre_hooks"]

_ids = itertools.count()


class RemovableHandle:
    """Removes one hook from the dict it was registered in.

    Example::

        >>> layer = ember.nn.Linear(2, 3)
        >>> h = layer.register_forward_hook(lambda m, inp, out: print(out.shape))
        >>> _ = layer(ember.ones(1, 2))
        ember.Size([1, 3])
        >>> h.remove()
    """

    def __init__(self, hooks: dict, *flags: dict) -> None:
        self.id = next(_ids)
        self._hooks = hooks
        self._flags = flags  # tables marking this hook (torch's ``with_kwargs``, ``always_call``)

    def remove(self) -> None:
        for table in (self._hooks, *self._flags):
            table.pop(self.id, None)

    def __enter__(self) -> "RemovableHandle":
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


def hook_dict(module, name: str) -> OrderedDict:
    """The module's hook table ``name``, made on first use."""
    return module.__dict__.setdefault(name, OrderedDict())


def add_hook(hooks: dict, hook, prepend: bool = False, flags=()) -> RemovableHandle:
    """Registers ``hook`` in ``hooks`` (last, or first with ``prepend``) and marks it in each
    table of ``flags`` (``(table, bool)`` pairs) whose bool is true; returns its handle."""
    marked = [table for table, on in flags if on]
    handle = RemovableHandle(hooks, *marked)
    hooks[handle.id] = hook
    for table in marked:
        table[handle.id] = True
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle


def run_load_pre_hooks(module, state_dict, strict: bool):
    """Runs every ``load_state_dict`` pre-hook below ``module`` (parents first, each with its
    module's key prefix) on a copy of ``state_dict``, which they may rename or trim; returns the
    copy (``state_dict`` itself when no module has a hook)."""
    hooked = [(name, m) for name, m in module.named_modules()
              if m.__dict__.get("_load_state_dict_pre_hooks")]
    if not hooked:
        return state_dict
    state_dict = OrderedDict(state_dict)
    for name, m in hooked:
        for hook in tuple(m.__dict__["_load_state_dict_pre_hooks"].values()):
            hook(state_dict, name + "." if name else "", {}, strict, [], [], [])
    return state_dict
