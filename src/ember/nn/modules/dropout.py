"""``Dropout``, ``Dropout1d/2d/3d`` (whole channels) and SELU's ``AlphaDropout``/``FeatureAlphaDropout``,
active only in training mode."""
from __future__ import annotations

from .. import functional as F
from ..module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"]


class Dropout(Module):
    """Zeroes each element with probability ``p`` during training and scales the survivors by
    ``1 / (1 - p)``; the identity in eval mode.

    Example::

        >>> d = ember.nn.Dropout(p=0.5).eval()
        >>> d(ember.ones(3))
        tensor([1., 1., 1.])
    """

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input):
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout2d(Dropout):
    """Zeroes whole channels of ``(N, C, H, W)`` input with probability ``p`` during training
    (survivors scaled by ``1 / (1 - p)``), which suits convolutional features whose neighbours
    are correlated; the identity in eval mode.

    Example::

        >>> ember.nn.Dropout2d(0.25)
        Dropout2d(p=0.25, inplace=False)
    """

    def forward(self, input):
        return F.dropout2d(input, self.p, self.training, self.inplace)


class Dropout3d(Dropout):
    """Zeroes whole channels of ``(N, C, D, H, W)`` (or ``(C, D, H, W)``) input with
    probability ``p`` during training (survivors scaled by ``1 / (1 - p)``); the identity in
    eval mode.

    Example::

        >>> ember.nn.Dropout3d(0.3)
        Dropout3d(p=0.3, inplace=False)
    """

    def forward(self, input):
        return F.dropout3d(input, self.p, self.training, self.inplace)


class AlphaDropout(Dropout):
    """Dropout that keeps SELU's self-normalising statistics (see ``F.alpha_dropout``)."""

    def forward(self, input):
        return F.alpha_dropout(input, self.p, self.training, self.inplace)


class FeatureAlphaDropout(Dropout):
    """``AlphaDropout`` of whole channels of ``(N, C, …)`` input."""

    def forward(self, input):
        return F.feature_alpha_dropout(input, self.p, self.training, self.inplace)



class Dropout1d(Dropout):
    """Zeroes whole channels of ``(N, C, L)`` input with probability ``p`` during training
    (survivors scaled by ``1 / (1 - p)``); the identity in eval mode.

    Example::

        >>> ember.nn.Dropout1d(0.2)
        Dropout1d(p=0.2, inplace=False)
    """

    def forward(self, input):
        return F.dropout1d(input, self.p, self.training, self.inplace)
