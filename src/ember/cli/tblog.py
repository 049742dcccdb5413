"""``ember train --tensorboard DIR``: every epoch's history row as TensorBoard scalars, in the
layout of Keras's TensorBoard callback (``DIR/train``: ``epoch_loss``, ``epoch_accuracy`` or
``epoch_mae``, ``epoch_learning_rate``; ``DIR/validation``: ``epoch_loss`` … of the validation
split), at step = epoch (1-based, as ``history.csv``). A resumed run hides the events of epochs
it trains again (``purge_step``).

Example::

    $ ember train digits --tensorboard runs/tb && tensorboard --logdir runs/tb
"""
from __future__ import annotations

import os

from .errors import CLIError, os_error_message


def check_log_dir(path: str) -> None:
    """Raises ``CLIError`` when ``path`` cannot become a writable folder; creates nothing."""
    path = os.path.abspath(path)
    if os.path.exists(path) and not os.path.isdir(path):
        raise CLIError(f"--tensorboard {path} exists and is not a folder; give a folder path")
    parent = path
    while not os.path.exists(parent):
        parent = os.path.dirname(parent)
    if not os.path.isdir(parent):
        raise CLIError(f"--tensorboard {path}: {parent} is a file, not a folder; choose "
                       f"another path")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise CLIError(f"--tensorboard {path}: {parent} is not writable; choose another path")
    try:
        import tensorboard  # noqa: F401
    except ImportError:
        raise CLIError("--tensorboard needs the tensorboard package: "
                       "pip install 'ember[tensorboard]'") from None


class EpochLogger:
    """Writes the last row of a training history to ``log_dir`` on each :meth:`log`."""

    def __init__(self, log_dir: str, first_epoch: int = 1) -> None:
        self.log_dir = log_dir
        self.purge = first_epoch if first_epoch > 1 else None
        self.writers = {}

    def _writer(self, which: str):
        if which not in self.writers:
            from ..utils.tensorboard import SummaryWriter
            try:
                self.writers[which] = SummaryWriter(os.path.join(self.log_dir, which),
                                                    purge_step=self.purge)
            except OSError as exc:
                raise CLIError(os_error_message(exc, "cannot write the TensorBoard logs")) \
                    from None
        return self.writers[which]

    def log(self, history: dict) -> None:
        epoch = history["epoch"][-1]
        for key, values in history.items():
            if key in ("epoch", "time"):
                continue
            if key == "lr":
                self._writer("train").add_scalar("epoch_learning_rate", values[-1], epoch)
            elif key.startswith("val_"):
                self._writer("validation").add_scalar(f"epoch_{key[4:]}", values[-1], epoch)
            else:
                self._writer("train").add_scalar(f"epoch_{key}", values[-1], epoch)
        for writer in self.writers.values():
            writer.flush()

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()
