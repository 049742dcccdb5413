"""``keras.callbacks.BackupAndRestore`` on ember: an interrupted ``fit`` continues, when run
again with the same callback, from the last finished epoch (or batch, with ``save_freq=N``).

The backup in ``backup_dir`` is two files, both written atomically (no pickle):
``latest.weights.safetensors`` (the model's weights and the optimizer's state, through
``ember.io``) and ``training_metadata.json`` (``{"epoch": …, "batch": …}``, as Keras writes it).
With ``double_checkpoint`` the previous pair is kept as ``*.bkp`` and used when the latest is
damaged. A ``fit`` that ends normally deletes the folder (``delete_checkpoint``).

Example::

    >>> backup = keras.callbacks.BackupAndRestore(backup_dir="/tmp/backup")
    >>> model.fit(x, y, epochs=10, callbacks=[backup])   # interrupted at epoch 4 …
    >>> model.fit(x, y, epochs=10, callbacks=[backup])   # … continues at epoch 5
"""
from __future__ import annotations

import json
import os
import shutil

from ... import io as _io
from .base import Callback

__all__ = ["BackupAndRestore"]

FORMAT = "ember.keras.backup/1"


class BackupAndRestore(Callback):
    """Backs up the training state after every epoch (or every ``save_freq`` batches) and
    restores it at the start of the next ``fit``.

    Args:
        backup_dir: folder for the backup (a fit that finishes deletes it).
        save_freq: ``"epoch"`` or a number of batches.
        double_checkpoint: keep the previous backup too, in case the latest is damaged.
        delete_checkpoint: delete ``backup_dir`` when ``fit`` finishes.
    """

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False,
                 delete_checkpoint=True):
        super().__init__()
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        if save_freq != "epoch" and not (isinstance(save_freq, int) and save_freq > 0):
            raise ValueError(f"Invalid value for argument `save_freq`. Received: "
                             f"save_freq={save_freq}. Expected either 'epoch' or an integer "
                             f"value.")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._weights_path = os.path.join(self.backup_dir, "latest.weights.safetensors")
        self._training_metadata_path = os.path.join(self.backup_dir, "training_metadata.json")
        self._prev_weights_path = self._weights_path + ".bkp"
        self._prev_training_metadata_path = self._training_metadata_path + ".bkp"
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = 0
        self._current_epoch = 0

    # ---- restore ---------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        if not self.model.built:
            raise ValueError(f"To use the BackupAndRestore callback, you model must be built "
                             f"before you call `fit()`. Model {self.model} is unbuilt. You can "
                             f"build it beforehand by calling it on a batch of data.")
        try:
            self._load(self._weights_path, self._training_metadata_path)
        except (OSError, ValueError, _io.CorruptFileError) as exc:
            if not os.path.exists(self._prev_weights_path):
                raise
            try:  # the latest backup is damaged: fall back on the previous one
                self._load(self._prev_weights_path, self._prev_training_metadata_path)
            except (OSError, ValueError, _io.CorruptFileError):
                raise exc from None

    def _load(self, weights_path: str, metadata_path: str) -> None:
        if os.path.exists(weights_path):
            state = _io.load(weights_path)
            if not isinstance(state, dict) or state.get("format") != FORMAT:
                raise ValueError(f"{weights_path} is not a BackupAndRestore backup")
            from ..saving.model_file import _set_weights
            _set_weights(self.model, state["weights"], weights_path)
            optimizer = self.model.optimizer
            if optimizer is not None and state.get("optimizer") is not None:
                optimizer.load_state_arrays(state["optimizer"], self.model.trainable_weights)
        if os.path.exists(metadata_path):
            with open(metadata_path, encoding="utf-8") as f:
                metadata = json.load(f)
            epoch = metadata.get("epoch") if isinstance(metadata, dict) else None
            if not isinstance(epoch, int) or epoch < 0:
                raise ValueError(f"{metadata_path} holds no epoch number: {metadata!r}")
            self.model._initial_epoch = epoch
            self._current_epoch = epoch

    # ---- back up ---------------------------------------------------------------------------
    def on_epoch_end(self, epoch, logs=None):
        self._current_epoch = epoch + 1
        self._last_batch_seen = 0
        if self.save_freq == "epoch":
            self._save()

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        added = batch + 1 if batch <= self._last_batch_seen else batch - self._last_batch_seen
        self._batches_seen_since_last_saving += added
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            self._save()

    def _save(self) -> None:
        os.makedirs(self.backup_dir, exist_ok=True)
        if self.double_checkpoint:
            for latest, previous in ((self._weights_path, self._prev_weights_path),
                                     (self._training_metadata_path,
                                      self._prev_training_metadata_path)):
                if os.path.exists(latest):
                    shutil.copyfile(latest, previous)
        optimizer = self.model.optimizer
        state = {"format": FORMAT, "weights": self.model.get_weights(),
                 "optimizer": dict(optimizer.state_arrays())
                 if optimizer is not None and optimizer.built else None}
        _io.save(state, self._weights_path)
        _io.atomic_write_text(self._training_metadata_path, json.dumps(
            {"epoch": self._current_epoch, "batch": self._last_batch_seen}))

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and os.path.exists(self.backup_dir):
            shutil.rmtree(self.backup_dir)
