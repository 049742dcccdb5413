"""``keras.callbacks.TensorBoard`` on ember: Keras 3's event files, through
``ember.utils.tensorboard`` (the ``tensorboard`` package's writer; no TensorFlow needed).

What is written, with Keras's tags (view with ``tensorboard --logdir LOG_DIR``):

* ``LOG_DIR/train``: ``epoch_<metric>`` for every training log at step ``epoch`` (``loss``,
  ``accuracy`` …) and ``epoch_learning_rate``; with ``update_freq="batch"`` or N, also
  ``batch_<metric>`` every N-th batch at the global batch count; with ``histogram_freq`` N, a
  histogram ``<weight.path>/histogram`` of every weight every N-th epoch; with ``write_graph``,
  the model's JSON under ``keras`` (the ``graph_keras_model`` plugin, as Keras writes it).
* ``LOG_DIR/validation``: ``epoch_<metric>`` for every ``val_<metric>`` (prefix removed) and
  ``evaluation_<metric>_vs_iterations`` at the optimizer's iteration count after each
  evaluation.

Scalars are stored as tensors with the ``scalars`` plugin's metadata, as ``tf.summary.scalar``
stores them. Profiling, embeddings and weight images are not provided (they need TensorFlow).

Example::

    >>> tb = keras.callbacks.TensorBoard(log_dir="logs/fit", histogram_freq=1)
    >>> model.fit(x, y, validation_split=0.2, epochs=10, callbacks=[tb])
"""
from __future__ import annotations

import os

import numpy as np

from .base import Callback

__all__ = ["TensorBoard"]


class TensorBoard(Callback):
    """Writes Keras's TensorBoard logs for ``fit``/``evaluate`` (see the module docstring).

    Args:
        log_dir: the folder for the ``train`` and ``validation`` event files.
        histogram_freq: every how many epochs to write weight histograms (0: never).
        write_graph: write the model's configuration for TensorBoard's graph tab.
        update_freq: ``"epoch"``, ``"batch"`` or N: also write ``batch_*`` scalars every N
            batches.
        write_images, write_steps_per_second, profile_batch, embeddings_freq,
        embeddings_metadata: Keras's; only their off values are accepted except
            ``write_steps_per_second`` (written as ``epoch_steps_per_second``).
    """

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0,
                 embeddings_freq=0, embeddings_metadata=None):
        super().__init__()
        for name, value in (("write_images", write_images), ("profile_batch", profile_batch),
                            ("embeddings_freq", embeddings_freq),
                            ("embeddings_metadata", embeddings_metadata)):
            if value:
                raise ValueError(f"TensorBoard({name}={value!r}) is not available on ember (it "
                                 f"needs TensorFlow's profiler or projector); leave it off")
        if update_freq not in ("epoch", "batch") and not (
                isinstance(update_freq, int) and update_freq > 0):
            raise ValueError(f"`update_freq` must be 'epoch', 'batch' or a positive integer. "
                             f"Received: update_freq={update_freq!r}")
        if not isinstance(histogram_freq, int) or histogram_freq < 0:
            raise ValueError(f"`histogram_freq` must be a non-negative integer. Received: "
                             f"histogram_freq={histogram_freq!r}")
        self.log_dir = str(os.fspath(log_dir))
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self._writers = {}
        self._global_train_batch = 0
        self._epoch_start = None
        self._epoch_start_iterations = 0

    def set_model(self, model):
        super().set_model(model)
        self._train_dir = os.path.join(self.log_dir, "train")
        self._val_dir = os.path.join(self.log_dir, "validation")
        self._close_writers()
        self._graph_pending = bool(self.write_graph)

    # ---- writers ---------------------------------------------------------------------------
    def _writer(self, which: str):
        if which not in self._writers:
            from ...utils.tensorboard import SummaryWriter
            self._writers[which] = SummaryWriter(self._train_dir if which == "train"
                                                 else self._val_dir)
        return self._writers[which]

    def _scalar(self, which: str, tag: str, value, step: int) -> None:
        try:
            number = float(value)
        except (TypeError, ValueError):
            return  # Keras logs only what is a scalar
        self._writer(which).add_scalar(tag, number, int(step), new_style=True)

    def _close_writers(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    # ---- hooks -----------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self._global_train_batch = 0
        from ...utils.tensorboard.writer import check_writable
        check_writable(self.log_dir)  # a bad log dir stops fit before the first epoch
        self._writer("train")

    def on_train_end(self, logs=None):
        self._close_writers()

    def on_test_end(self, logs=None):
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and hasattr(optimizer, "iterations"):
            for name, value in (logs or {}).items():
                self._scalar("val", f"evaluation_{name}_vs_iterations", value,
                             optimizer.iterations)
            self._writer("val").flush()

    def on_train_batch_begin(self, batch, logs=None):
        self._global_train_batch += 1

    def on_train_batch_end(self, batch, logs=None):
        if self._graph_pending:
            self._write_graph()
        if self.update_freq == "epoch" or self._global_train_batch % self.update_freq:
            return
        for name, value in (logs or {}).items():
            self._scalar("train", f"batch_{name}", value, self._global_train_batch)

    def on_epoch_begin(self, epoch, logs=None):
        import time
        self._epoch_start = time.time()
        self._epoch_start_iterations = getattr(getattr(self.model, "optimizer", None),
                                               "iterations", 0)

    def on_epoch_end(self, epoch, logs=None):
        self._log_epoch_metrics(epoch, logs or {})
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)
        for writer in self._writers.values():
            writer.flush()

    # ---- what is written -------------------------------------------------------------------
    def _log_epoch_metrics(self, epoch: int, logs: dict) -> None:
        if not logs:
            return
        train = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and hasattr(optimizer, "learning_rate"):
            train["learning_rate"] = float(optimizer.learning_rate)
        if self.write_steps_per_second and self._epoch_start is not None:
            import time
            steps = getattr(optimizer, "iterations", 0) - self._epoch_start_iterations
            train["steps_per_second"] = steps / max(time.time() - self._epoch_start, 1e-9)
        for name, value in train.items():
            self._scalar("train", f"epoch_{name}", value, epoch)
        for name, value in val.items():
            self._scalar("val", f"epoch_{name}", value, epoch)

    def _log_weights(self, epoch: int) -> None:
        writer = self._writer("train")
        for layer in self.model.layers:
            for weight in layer.weights:
                values = np.asarray(getattr(weight, "_data", weight))
                if values.size:
                    writer.add_histogram(f"{weight.path.replace(':', '_')}/histogram", values,
                                         epoch)

    def _write_graph(self) -> None:
        """The model's JSON configuration under the tag ``keras``, as Keras's
        ``keras_model_summary`` writes it (plugin ``graph_keras_model``, step 0)."""
        self._graph_pending = False
        import json

        from ..saving.serialization import serialize_keras_object
        try:
            config = json.dumps(serialize_keras_object(self.model))
        except (AttributeError, NotImplementedError, TypeError, ValueError):
            return  # Keras too writes nothing for a model without a config
        from tensorboard.compat.proto.summary_pb2 import Summary, SummaryMetadata
        from tensorboard.compat.proto.tensor_pb2 import TensorProto
        metadata = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(
            plugin_name="graph_keras_model", content=b"1"))
        proto = TensorProto(dtype="DT_STRING", string_val=[config.encode("utf_8")])
        writer = self._writer("train")
        writer.file_writer.add_summary(Summary(value=[Summary.Value(
            tag="keras", metadata=metadata, tensor=proto)]), 0)
