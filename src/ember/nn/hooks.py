"""``RemovableHandle``: what ``register_forward_hook`` returns; ``handle.remove()`` unhooks.
:func:`add_hook` and :func:`hook_dict` fill the hook tables of modules and optimizers."""
from __future__ import annotations

import itertools
from collections import OrderedDict

__all__ = ["RemovableHandle", "add_hook", "hook_dict"]

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

