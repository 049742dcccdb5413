"""``ember.Size``: the type of ``tensor.shape``, a tuple of ints printed like torch's."""
from __future__ import annotations

import operator

__all__ = ["Size"]


class Size(tuple):
    """A tensor's shape: a tuple of ints (``x.shape == (2, 3)`` holds) that prints as
    ``ember.Size([2, 3])`` and knows its :meth:`numel`.

    Example::

        >>> s = ember.zeros(2, 3).shape
        >>> s, s.numel(), s[1:]
        (ember.Size([2, 3]), 6, ember.Size([3]))
    """

    __module__ = "ember"   # torch's classes say "torch"

    __slots__ = ()

    def __new__(cls, sizes=()):
        items = tuple(sizes)
        for i, n in enumerate(items):
            if not isinstance(n, int):
                try:
                    items = items[:i] + (operator.index(n),) + items[i + 1:]
                except TypeError:
                    raise TypeError(f"ember.Size() takes an iterable of 'int' (item {i} is "
                                    f"'{type(n).__name__}')") from None
        return tuple.__new__(cls, items)

    def __repr__(self) -> str:
        return f"ember.Size({list(self)})"

    __str__ = __repr__

    def __getitem__(self, key):
        out = tuple.__getitem__(self, key)
        return Size(out) if isinstance(key, slice) else out

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))

    def __radd__(self, other):
        return Size(tuple(other) + tuple(self))

    def __mul__(self, n):
        return Size(tuple.__mul__(self, n))

    __rmul__ = __mul__

    def numel(self) -> int:
        """The number of elements a tensor of this shape holds."""
        out = 1
        for n in self:
            out *= n
        return out

    def __reduce__(self):
        return (Size, (tuple(self),))
