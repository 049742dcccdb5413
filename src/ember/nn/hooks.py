"""``RemovableHandle``: what ``register_forward_hook`` returns; ``handle.remove()`` unhooks."""
from __future__ import annotations

import itertools

__all__ = ["RemovableHandle"]

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

    def __init__(self, hooks: dict) -> None:
        self.id = next(_ids)
        self._hooks = hooks

    def remove(self) -> None:
        self._hooks.pop(self.id, None)

    def __enter__(self) -> "RemovableHandle":
        return self

    def __exit__(self, *exc) -> None:
        self.remove()
