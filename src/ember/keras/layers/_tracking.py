"""Bookkeeping behind ``Layer``: sublayers kept in lists/dicts, and the state of one call.

* :class:`LayerCollection`: when a layer stores ``self.blocks = [Dense(4), Dense(4)]`` (or a
  dict), Keras tracks the sublayers; here a small ``Module`` registered under ``blocks`` exposes
  the container's current layers as its children (``blocks.0.kernel`` in ``state_dict``), so
  later ``append``s are seen too.
* :class:`CallContext`: Keras passes ``training`` from an outer ``__call__`` to the layers it
  calls, and clears the ``add_loss`` losses when an outermost call starts.
"""
from __future__ import annotations

from ...nn.module import Module

__all__ = ["LayerCollection", "holds_modules", "CallContext", "current_context"]


def holds_modules(value) -> bool:
    """True for a list/tuple/dict that (possibly nested) contains a Module."""
    items = value.values() if isinstance(value, dict) else value
    return any(isinstance(v, Module) or (isinstance(v, (list, tuple, dict)) and holds_modules(v))
               for v in items)


class _LiveChildren:
    """A read-only mapping of ``str(index or key) -> Module`` over a list/tuple/dict, computed
    afresh on each access (what ``Module`` reads from ``_modules``)."""

    def __init__(self, container) -> None:
        self.container = container
        self._nested: dict[int, LayerCollection] = {}

    def _pairs(self):
        c = self.container
        pairs = c.items() if isinstance(c, dict) else enumerate(c)
        out = []
        for key, value in pairs:
            if isinstance(value, (list, tuple, dict)) and holds_modules(value):
                if id(value) not in self._nested:
                    self._nested[id(value)] = LayerCollection(value)
                value = self._nested[id(value)]
            if isinstance(value, Module):
                out.append((str(key), value))
        return out

    def items(self):
        return self._pairs()

    def keys(self):
        return [k for k, _ in self._pairs()]

    def values(self):
        return [v for _, v in self._pairs()]

    def __iter__(self):
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self._pairs())

    def __contains__(self, key) -> bool:
        return key in self.keys()

    def __getitem__(self, key):
        return dict(self._pairs())[key]

    def __setitem__(self, key, value):
        raise TypeError("assign to the list or dict itself, not to its tracking module")


class LayerCollection(Module):
    """The module standing for a list/dict of layers held by a Keras layer."""

    def __init__(self, container) -> None:
        super().__init__()
        self.__dict__["_modules"] = _LiveChildren(container)

    def layers(self) -> list:
        """The layers in the container, nested containers flattened, in order."""
        out = []
        for module in self._modules.values():
            out.extend(module.layers() if isinstance(module, LayerCollection) else [module])
        return out

    def _get_name(self) -> str:
        return "ListWrapper" if not isinstance(self._modules.container, dict) else "DictWrapper"


class CallContext:
    """The state shared by the nested ``__call__``s under one outermost call."""

    __slots__ = ("entry", "training", "symbolic")

    def __init__(self, entry) -> None:
        self.entry = entry
        self.training = None
        self.symbolic = False


_STATE: list = [None]


def current_context():
    """The active :class:`CallContext`, or None outside any layer call."""
    return _STATE[0]


def enter_context(layer):
    """Returns ``(context, is_entry)``; an outermost call creates the context."""
    ctx = _STATE[0]
    if ctx is not None:
        return ctx, False
    ctx = _STATE[0] = CallContext(layer)
    return ctx, True


def exit_context(ctx) -> None:
    if _STATE[0] is ctx:
        _STATE[0] = None
