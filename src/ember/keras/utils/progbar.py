"""``keras.utils.Progbar``: the progress bar of custom training loops, with Keras's API
(``update(current, values)``, ``add(n, values)``; values averaged over the steps unless named
in ``stateful_metrics``), drawn by ember's Keras-style bar.

Example::

    >>> bar = keras.utils.Progbar(target=len(batches))
    >>> for step, batch in enumerate(batches):
    ...     loss = train_step(batch)
    ...     bar.update(step + 1, values=[("loss", loss)])
"""
from __future__ import annotations

from ..progbar import Progbar as _Bar


class Progbar:
    """Shows ``current/target``, the time per step and the running metric averages.

    Args:
        target: the number of steps (None: unknown).
        width: accepted for Keras (the bar is 20 characters).
        verbose: 0 silent, 1 a bar, 2 one line when finished.
        interval: the least time between redraws, in seconds.
        stateful_metrics: names shown as given rather than averaged.
        unit_name: accepted for Keras (``step``).
    """

    def __init__(self, target, width=20, verbose=1, interval=0.05, stateful_metrics=None,
                 stateless_metrics=None, unit_name="step"):
        self.target, self.width, self.verbose = target, width, verbose
        self.interval, self.unit_name = interval, unit_name
        self.stateful_metrics = set(stateful_metrics or ())
        self._values: dict[str, list] = {}
        self._seen_so_far = 0
        self._bar = _Bar(target or 0, verbose, interval=interval) if verbose else None
        self._finished = False

    def _logs(self) -> dict:
        out = {}
        for k, (total, count) in self._values.items():
            out[k] = total if k in self.stateful_metrics else total / max(count, 1)
        return out

    def update(self, current, values=None, finalize=None):
        """Records ``values`` (``(name, value)`` pairs) for the steps up to ``current``."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        steps = current - self._seen_so_far
        for k, v in values or []:
            v = float(v)
            if k in self.stateful_metrics:
                self._values[k] = [v, 1]
            else:
                total, count = self._values.get(k, [0.0, 0])
                self._values[k] = [total + v * max(steps, 1), count + max(steps, 1)]
        self._seen_so_far = current
        if self._bar is None or self._finished:
            return
        if finalize:
            self._bar.target = max(int(current), self._bar.target)
            self._bar.finish(self._logs())
            self._finished = True
        else:
            self._bar.update(int(current), self._logs())

    def add(self, n, values=None):
        """``update(seen + n, values)``."""
        self.update(self._seen_so_far + n, values)
