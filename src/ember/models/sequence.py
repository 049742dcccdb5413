"""Building blocks that put a recurrent layer into an ``nn.Sequential``, and the forecaster
that ``ember train --model lstm`` builds from them.

Example::

    >>> from ember.models import lstm_forecaster
    >>> model = lstm_forecaster(window=12, hidden=[16])
    >>> model(ember.randn(5, 12)).shape              # 5 windows of 12 values -> 5 forecasts
    ember.Size([5, 1])
"""
from __future__ import annotations

from .. import nn

__all__ = ["SequenceOutputs", "LastStep", "lstm_forecaster"]


class SequenceOutputs(nn.Module):
    """Runs a batch-first recurrent module and keeps its output sequence (drops the states).

    Shape: ``(N, T, in)`` → ``(N, T, hidden)``.
    """

    def __init__(self, rnn: nn.Module) -> None:
        super().__init__()
        if not getattr(rnn, "batch_first", False):
            raise ValueError(f"SequenceOutputs needs a batch_first recurrent module, got {rnn!r}")
        self.rnn = rnn

    def forward(self, x):
        return self.rnn(x)[0]


class LastStep(nn.Module):
    """The last time step of a batch-first sequence: ``(N, T, F)`` → ``(N, F)``."""

    def forward(self, x):
        return x[:, -1]


def lstm_forecaster(window: int, hidden=(32,), n_features: int = 1, n_out: int = 1,
                    dropout: float = 0.0) -> nn.Sequential:
    """A windows-to-next-value network: the flat window ``(N, window·n_features)`` is unflattened
    to ``(N, window, n_features)``, runs through one ``nn.LSTM`` per size in ``hidden`` (with
    ``Dropout`` after each when ``dropout > 0``), and a Linear reads the last step.
    """
    layers = [nn.Unflatten(1, (window, n_features))]
    width = n_features
    for size in hidden:
        layers.append(SequenceOutputs(nn.LSTM(width, size, batch_first=True)))
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        width = size
    layers += [LastStep(), nn.Linear(width, n_out)]
    return nn.Sequential(*layers)
