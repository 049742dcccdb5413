"""``Unfold`` (sliding blocks → columns, im2col) and ``Fold`` (columns → summed blocks,
col2im): ``F.unfold``/``F.fold`` as modules."""
from __future__ import annotations

from .. import functional as F
from ..module import Module

__all__ = ["Unfold", "Fold"]


class Unfold(Module):
    """Extracts every ``kernel_size`` block of ``(N, C, H, W)`` input as a column:
    ``(N, C·kH·kW, L)``.

    Example::

        >>> ember.nn.Unfold(kernel_size=2)(ember.ones(1, 3, 4, 4)).shape
        ember.Size([1, 12, 9])
    """

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1) -> None:
        super().__init__()
        self.kernel_size, self.dilation = kernel_size, dilation
        self.padding, self.stride = padding, stride

    def forward(self, input):
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")


class Fold(Module):
    """Sums columns of blocks back into ``(N, C, *output_size)`` images (the adjoint of
    :class:`Unfold`).

    Example::

        >>> ember.nn.Fold(output_size=(3, 3), kernel_size=2)(ember.ones(1, 4, 4)).sum().item()
        16.0
    """

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1) -> None:
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input):
        return F.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding,
                      self.stride)

    def extra_repr(self) -> str:
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, "
                f"dilation={self.dilation}, padding={self.padding}, stride={self.stride}")
