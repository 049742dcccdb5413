"""Building blocks that put a recurrent layer into an ``nn.Sequential`` (``ember train --model
lstm`` builds its forecaster from them).

Example::

    >>> from ember.models import LastStep, SequenceOutputs
    >>> model = ember.nn.Sequential(ember.nn.Unflatten(1, (12, 1)), SequenceOutputs.lstm(1, 16),
    ...                             LastStep(), ember.nn.Linear(16, 1))
    >>> model(ember.randn(5, 12)).shape              # 5 windows of 12 values -> 5 forecasts
    ember.Size([5, 1])
"""
from __future__ import annotations

from .. import nn

__all__ = ["SequenceOutputs", "LastStep"]


class SequenceOutputs(nn.Module):
    """Runs a batch-first recurrent module and keeps its output sequence (drops the states).

    Shape: ``(N, T, in)`` → ``(N, T, hidden)``.
    """

    def __init__(self, rnn: nn.Module) -> None:
        super().__init__()
        if not getattr(rnn, "batch_first", False):
            raise ValueError(f"SequenceOutputs needs a batch_first recurrent module, got {rnn!r}")
        self.rnn = rnn

    @classmethod
    def lstm(cls, input_size: int, hidden_size: int) -> "SequenceOutputs":
        """``SequenceOutputs(nn.LSTM(input_size, hidden_size, batch_first=True))``."""
        return cls(nn.LSTM(input_size, hidden_size, batch_first=True))

    def forward(self, x):
        return self.rnn(x)[0]


class LastStep(nn.Module):
    """The last time step of a batch-first sequence: ``(N, T, F)`` → ``(N, F)``."""

    def forward(self, x):
        return x[:, -1]
