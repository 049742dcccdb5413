"""Nested structures (lists, tuples, dicts) of leaves, as Keras's ``keras.tree`` handles them:
dicts flatten in sorted key order, ``None`` is a leaf.

Example::

    >>> flatten({"b": [1, 2], "a": 3})
    [3, 1, 2]
    >>> map_structure(lambda v: v * 10, (1, [2]))
    (10, [20])
"""
from __future__ import annotations

__all__ = ["is_nested", "flatten", "map_structure", "pack_sequence_as"]


def is_nested(x) -> bool:
    return isinstance(x, (list, tuple, dict))


def _children(x):
    if isinstance(x, dict):
        return [x[k] for k in sorted(x)]
    return list(x)


def flatten(x) -> list:
    """The leaves of ``x`` in order (dict values by sorted key)."""
    if not is_nested(x):
        return [x]
    out = []
    for child in _children(x):
        out.extend(flatten(child))
    return out


def _rebuild(template, children):
    if isinstance(template, dict):  # keeps the template's own key order
        by_key = dict(zip(sorted(template), children))
        return type(template)((k, by_key[k]) for k in template)
    if isinstance(template, tuple) and hasattr(template, "_fields"):  # namedtuple
        return type(template)(*children)
    return type(template)(children)


def map_structure(fn, *structures):
    """``fn`` applied leaf by leaf to structures of the same shape."""
    first = structures[0]
    if not is_nested(first):
        return fn(*structures)
    groups = [_children(s) for s in structures]
    return _rebuild(first, [map_structure(fn, *parts) for parts in zip(*groups)])


def pack_sequence_as(structure, flat):
    """The leaves ``flat`` arranged like ``structure``."""
    flat = list(flat)
    if len(flat) != len(flatten(structure)):
        raise ValueError(f"The structure has {len(flatten(structure))} leaves but "
                         f"{len(flat)} values were given")
    it = iter(flat)
    return map_structure(lambda _: next(it), structure)
