"""``KerasMonitor``: the TrainingMonitor as an ``ember.keras`` callback."""
from __future__ import annotations

from ..keras.callbacks import Callback
from .monitor import TrainingMonitor

__all__ = ["KerasMonitor"]


class KerasMonitor(Callback):
    """Watches an ``ember.keras`` model during ``fit`` and reports problems afterwards.

    The monitor is created at ``on_train_begin`` from ``self.model``, or given as
    ``KerasMonitor(monitor=TrainingMonitor(model))``. Each training batch is one step (its loss is
    the running mean Keras logs), each epoch closes the dead-unit window, and the hooks are
    removed at the end of training (a later ``fit`` attaches them again).

    Args:
        monitor: an existing :class:`TrainingMonitor` for this model (optional).
        **kwargs: passed to :class:`TrainingMonitor` when it is created here.

    Example::

        >>> diag = KerasMonitor()
        >>> model.fit(x, y, epochs=5, callbacks=[diag])
        >>> print(diag.report())
        No problems found.
    """

    def __init__(self, monitor: TrainingMonitor | None = None, **kwargs) -> None:
        super().__init__()
        if monitor is not None and kwargs:
            raise TypeError(f"KerasMonitor takes either a monitor or TrainingMonitor arguments, got "
                            f"both (arguments: {sorted(kwargs)})")
        self.monitor = monitor
        self._kwargs = kwargs

    def on_train_begin(self, logs=None):
        if self.monitor is None or self.monitor.model is not self.model:
            self.monitor = TrainingMonitor(self.model, **self._kwargs)
        self.monitor.attach()

    def on_train_batch_begin(self, batch, logs=None):
        self.monitor._target.recording = True

    def on_train_batch_end(self, batch, logs=None):
        self.monitor._target.recording = False
        loss = (logs or {}).get("loss")
        self.monitor.step(loss=loss)

    def on_epoch_end(self, epoch, logs=None):
        self.monitor.epoch_end()

    def on_train_end(self, logs=None):
        self.monitor.close()

    def _require(self) -> TrainingMonitor:
        if self.monitor is None:
            raise RuntimeError("KerasMonitor has recorded nothing yet: pass it to model.fit("
                               "callbacks=[...]) first")
        return self.monitor

    def report(self):
        """The findings (see :meth:`TrainingMonitor.report`)."""
        return self._require().report()

    def summary(self) -> str:
        return self._require().summary()

    def plot(self, path) -> None:
        """Per-layer gradient norms over the training steps, as a PNG (needs matplotlib)."""
        self._require().plot(path)
