"""Padding modules: ``ZeroPad1d/2d/3d``, ``ConstantPad1d/2d/3d``, ``ReflectionPad1d/2d/3d``,
``ReplicationPad1d/2d/3d`` and ``CircularPad1d/2d/3d`` (each is ``F.pad`` with a fixed mode)."""
from __future__ import annotations

from .. import functional as F
from ..module import Module

__all__ = ["ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d", "ConstantPad2d",
           "ConstantPad3d", "ReflectionPad1d",
           "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d",
           "ReplicationPad3d", "CircularPad1d", "CircularPad2d", "CircularPad3d"]


class _PadNd(Module):
    """Pads the last ``_dims`` axes by ``padding`` (an int, or ``(left, right[, top, bottom])``)."""

    _dims = 2
    _mode = "constant"

    def __init__(self, padding) -> None:
        super().__init__()
        if isinstance(padding, int):
            padding = (padding,) * (2 * self._dims)
        self.padding = tuple(int(p) for p in padding)

    def forward(self, input):
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ConstantPad1d(_PadNd):
    """Pads the last axis with ``value``.

    Example::

        >>> ember.nn.ConstantPad1d((1, 2), 3.5)(ember.zeros(1, 2)).tolist()
        [[3.5, 0.0, 0.0, 3.5, 3.5]]
    """

    _dims = 1

    def __init__(self, padding, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad2d(ConstantPad1d):
    """Pads the last two axes with ``value``: ``padding = (left, right, top, bottom)``.

    Example::

        >>> ember.nn.ConstantPad2d(1, 0.5)(ember.zeros(1, 2, 2)).shape
        ember.Size([1, 4, 4])
    """

    _dims = 2


class ZeroPad1d(ConstantPad1d):
    """Pads the last axis with zeros.

    Example::

        >>> ember.nn.ZeroPad1d(2)
        ZeroPad1d((2, 2))
    """

    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(ZeroPad1d):
    """Pads the last two axes with zeros: ``padding`` is an int or ``(left, right, top, bottom)``.

    Example::

        >>> ember.nn.ZeroPad2d((1, 1, 2, 0))(ember.ones(1, 1, 3, 3)).shape
        ember.Size([1, 1, 5, 5])
    """

    _dims = 2


class ConstantPad3d(ConstantPad1d):
    """Pads the last three axes with ``value``: ``(left, right, top, bottom, front, back)``."""

    _dims = 3


class ZeroPad3d(ZeroPad1d):
    """Pads the last three axes with zeros."""

    _dims = 3


class ReflectionPad1d(_PadNd):
    """Mirrors the last axis about its edge elements.

    Example::

        >>> ember.nn.ReflectionPad1d(2)(ember.tensor([[1.0, 2.0, 3.0]])).tolist()
        [[3.0, 2.0, 1.0, 2.0, 3.0, 2.0, 1.0]]
    """

    _dims = 1
    _mode = "reflect"


class ReflectionPad2d(ReflectionPad1d):
    """Mirrors the last two axes about their edges.

    Example::

        >>> ember.nn.ReflectionPad2d(1)(ember.ones(1, 1, 3, 3)).shape
        ember.Size([1, 1, 5, 5])
    """

    _dims = 2


class ReplicationPad1d(_PadNd):
    """Repeats the edge values of the last axis.

    Example::

        >>> ember.nn.ReplicationPad1d((2, 0))(ember.tensor([[1.0, 2.0]])).tolist()
        [[1.0, 1.0, 1.0, 2.0]]
    """

    _dims = 1
    _mode = "replicate"


class ReplicationPad2d(ReplicationPad1d):
    """Repeats the edge values of the last two axes.

    Example::

        >>> ember.nn.ReplicationPad2d(1)(ember.ones(1, 1, 3, 3)).shape
        ember.Size([1, 1, 5, 5])
    """

    _dims = 2


class CircularPad1d(_PadNd):
    """Wraps the last axis around (the padding comes from the opposite end).

    Example::

        >>> ember.nn.CircularPad1d(1)(ember.tensor([[1.0, 2.0, 3.0]])).tolist()
        [[3.0, 1.0, 2.0, 3.0, 1.0]]
    """

    _dims = 1
    _mode = "circular"


class CircularPad2d(CircularPad1d):
    """Wraps the last two axes around.

    Example::

        >>> ember.nn.CircularPad2d(1)(ember.ones(1, 1, 3, 3)).shape
        ember.Size([1, 1, 5, 5])
    """

    _dims = 2


class ReflectionPad3d(ReflectionPad1d):
    """Mirrors the last three axes about their edges: ``padding = (left, right, top, bottom,
    front, back)`` or one int.

    Example::

        >>> ember.nn.ReflectionPad3d(1)(ember.ones(1, 1, 2, 3, 3)).shape
        ember.Size([1, 1, 4, 5, 5])
    """

    _dims = 3


class ReplicationPad3d(ReplicationPad1d):
    """Repeats the edge values of the last three axes.

    Example::

        >>> ember.nn.ReplicationPad3d((1, 0, 0, 1, 2, 0))(ember.ones(1, 2, 2, 2)).shape
        ember.Size([1, 4, 3, 3])
    """

    _dims = 3


class CircularPad3d(CircularPad1d):
    """Wraps the last three axes around (periodic padding).

    Example::

        >>> ember.nn.CircularPad3d(1)(ember.ones(1, 1, 2, 2, 2)).shape
        ember.Size([1, 1, 4, 4, 4])
    """

    _dims = 3
