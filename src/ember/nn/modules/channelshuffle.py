"""``ChannelShuffle``: ``F.channel_shuffle`` as a module (ShuffleNet's channel interleaving)."""
from __future__ import annotations

from .. import functional as F
from ..module import Module

__all__ = ["ChannelShuffle"]


class ChannelShuffle(Module):
    """Interleaves the channels of ``(N, C, *)`` input across ``groups`` (``C`` divisible by
    ``groups``; see :func:`ember.nn.functional.channel_shuffle`).

    Example::

        >>> ember.nn.ChannelShuffle(2)(ember.arange(4.0).reshape(1, 4, 1)).flatten()
        tensor([0., 2., 1., 3.])
    """

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def forward(self, input):
        return F.channel_shuffle(input, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"
