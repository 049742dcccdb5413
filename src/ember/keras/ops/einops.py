"""``keras.ops.rearrange``: einops-style axis patterns (``"b h w c -> b c h w"``,
``"b (h1 h) w c -> (b h1) h w c"``) as one reshape, one transpose and one reshape of ember's
differentiable ops, as Keras 3 does. Patterns hold axis names and parenthesised groups of names
(a group on the left is split, its unknown member inferred from the dimension and the lengths
given as keywords; a group on the right is merged).

Example::

    >>> from ember.keras import ops
    >>> ops.rearrange(ops.ones((2, 3, 4)), "b h w -> b (w h)").shape
    ember.Size([2, 12])
"""
from __future__ import annotations

import math
import re

from ._base import t

__all__ = ["rearrange"]

_TOKEN = re.compile(r"\(\s*([\w\s]*?)\s*\)|(\w+)|(\S)")


def _groups(side: str, pattern: str) -> list:
    """``"b (h w) c"`` -> ``[["b"], ["h", "w"], ["c"]]``."""
    out = []
    for group, name, other in _TOKEN.findall(side):
        if other:
            raise ValueError(f"rearrange: unexpected {other!r} in pattern {pattern!r} (axis "
                             f"names and parenthesised groups of names are supported)")
        out.append(group.split() if not name else [name])
    return out


def rearrange(tensor, pattern, **axes_lengths):
    """Rearranges the axes of ``tensor`` as the einops-style ``pattern`` says.

    Args:
        tensor: the input (any array-like).
        pattern: ``"<input axes> -> <output axes>"``; ``(a b)`` splits (left) or merges
            (right) axes.
        **axes_lengths: lengths of the split axes that cannot be inferred.

    Shape:
        the output's dimensions are the products of the right side's groups.

    Example::

        >>> from ember.keras import ops
        >>> ops.rearrange(ops.ones((4, 6)), "(a b) c -> b (a c)", a=2).shape
        ember.Size([2, 12])
    """
    x = t(tensor)
    if pattern.count("->") != 1:
        raise ValueError(f"rearrange: the pattern needs one '->'. Received: pattern={pattern!r}")
    left, right = (_groups(side, pattern) for side in pattern.split("->"))
    if len(left) != x.ndim:
        raise ValueError(f"rearrange: the pattern's input side has {len(left)} axes but the "
                         f"tensor has {x.ndim} (shape {tuple(x.shape)}). Received: "
                         f"pattern={pattern!r}")
    lengths = {}
    for group, dim in zip(left, x.shape):
        unknown = [a for a in group if a not in axes_lengths]
        known = math.prod(axes_lengths[a] for a in group if a in axes_lengths)
        if len(unknown) > 1:
            raise ValueError(f"rearrange: cannot infer the lengths of {unknown} in "
                             f"({' '.join(group)}); give all but one as keywords")
        if unknown:
            lengths[unknown[0]] = dim // known if known else 0
        lengths.update({a: axes_lengths[a] for a in group if a in axes_lengths})
        if math.prod(lengths[a] for a in group) != dim:
            raise ValueError(f"rearrange: axis ({' '.join(group)}) of length {dim} cannot be "
                             f"split into {[axes_lengths.get(a, '?') for a in group]}")
    names = [a for group in left for a in group]
    flat_right = [a for group in right for a in group]
    if sorted(names) != sorted(flat_right) or len(set(names)) != len(names):
        raise ValueError(f"rearrange: both sides must name the same axes once each. Received: "
                         f"pattern={pattern!r}")
    x = x.reshape(*(lengths[a] for a in names))
    x = x.permute(*(names.index(a) for a in flat_right))
    return x.reshape(*(math.prod(lengths[a] for a in group) for group in right))
