"""``SummaryWriter``: torch's ``torch.utils.tensorboard.SummaryWriter`` on ember. Event files are
written by the ``tensorboard`` package's own ``EventFileWriter`` (its record format and CRCs,
asynchronous with ``max_queue``/``flush_secs``) from the protocol buffers of
:mod:`ember.utils.tensorboard.summary`.

Not provided (they need torch's graph tracer, video/audio encoders or the projector):
``add_graph``, ``add_onnx_graph``, ``add_embedding``, ``add_video``, ``add_audio``,
``add_mesh``, ``add_pr_curve``, ``add_custom_scalars``; they raise ``NotImplementedError``.

Example::

    >>> with SummaryWriter("runs/exp1") as writer:
    ...     for step in range(100):
    ...         writer.add_scalar("Loss/train", 1.0 / (step + 1), step)
    ...     writer.add_histogram("fc1.weight", model.fc1.weight, 99)
"""
from __future__ import annotations

import os
import socket
import time
from datetime import datetime

from tensorboard.compat.proto.event_pb2 import Event, SessionLog
from tensorboard.summary.writer.event_file_writer import EventFileWriter

from . import summary as _summary

__all__ = ["SummaryWriter", "FileWriter", "check_writable"]


def check_writable(log_dir: str) -> str:
    """Creates ``log_dir`` (and its parents) and checks that files can be made in it; raises an
    ``OSError`` naming the folder otherwise, before any event file is started."""
    log_dir = os.fspath(log_dir)
    try:
        os.makedirs(log_dir, exist_ok=True)
    except OSError as exc:
        raise type(exc)(exc.errno, f"cannot create the log dir: {exc.strerror}", log_dir) from None
    if not os.access(log_dir, os.W_OK | os.X_OK):
        raise PermissionError(13, "the log dir is not writable", log_dir)
    return log_dir


class FileWriter:
    """One event file in ``log_dir``: Events with a wall time and step, through tensorboard's
    ``EventFileWriter``."""

    def __init__(self, log_dir, max_queue: int = 10, flush_secs: int = 120,
                 filename_suffix: str = "") -> None:
        self.event_writer = EventFileWriter(check_writable(str(log_dir)), max_queue, flush_secs,
                                            filename_suffix)

    def get_logdir(self) -> str:
        return self.event_writer.get_logdir()

    def add_event(self, event, step=None, walltime=None) -> None:
        event.wall_time = time.time() if walltime is None else walltime
        if step is not None:
            event.step = int(step)
        self.event_writer.add_event(event)

    def add_summary(self, summary, global_step=None, walltime=None) -> None:
        self.add_event(Event(summary=summary), global_step, walltime)

    def flush(self) -> None:
        self.event_writer.flush()

    def close(self) -> None:
        self.event_writer.close()


class SummaryWriter:
    """Writes TensorBoard event files to ``log_dir``.

    Args:
        log_dir: the folder; default ``runs/<Mon><DD>_<HH>-<MM>-<SS>_<hostname><comment>``.
        comment: suffix of the default ``log_dir`` (ignored when ``log_dir`` is given).
        purge_step: events at or after this step in earlier files of ``log_dir`` are hidden
            (a restart after a crash).
        max_queue: events held before a write is forced.
        flush_secs: seconds between automatic flushes.
        filename_suffix: suffix of the event file names.

    Example::

        >>> writer = SummaryWriter(comment="LR_0.1_BATCH_16")
        >>> writer.add_scalars("run", {"sin": 0.0, "cos": 1.0}, 0)
        >>> writer.close()
    """

    def __init__(self, log_dir=None, comment: str = "", purge_step=None, max_queue: int = 10,
                 flush_secs: int = 120, filename_suffix: str = "") -> None:
        if not log_dir:
            stamp = datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", stamp + "_" + socket.gethostname() + comment)
        self.log_dir = log_dir
        self.purge_step = purge_step
        self.max_queue, self.flush_secs = max_queue, flush_secs
        self.filename_suffix = filename_suffix
        self.file_writer = self.all_writers = None
        self.default_bins = _summary.default_bins()
        self._get_file_writer()

    def _get_file_writer(self) -> FileWriter:
        if self.all_writers is None or self.file_writer is None:
            self.file_writer = FileWriter(self.log_dir, self.max_queue, self.flush_secs,
                                          self.filename_suffix)
            self.all_writers = {self.file_writer.get_logdir(): self.file_writer}
            if self.purge_step is not None:
                self.file_writer.add_event(Event(step=self.purge_step,
                                                 file_version="brain.Event:2"))
                self.file_writer.add_event(Event(step=self.purge_step, session_log=SessionLog(
                    status=SessionLog.START)))
                self.purge_step = None
        return self.file_writer

    def get_logdir(self) -> str:
        return self.log_dir

    def add_scalar(self, tag: str, scalar_value, global_step=None, walltime=None,
                   new_style: bool = False, double_precision: bool = False) -> None:
        """One value of the series ``tag`` at ``global_step``."""
        self._get_file_writer().add_summary(
            _summary.scalar(tag, scalar_value, new_style, double_precision), global_step, walltime)

    def add_scalars(self, main_tag: str, tag_scalar_dict: dict, global_step=None,
                    walltime=None) -> None:
        """Several series in one chart: each key gets its own sub-folder
        ``<log_dir>/<main_tag>_<key>`` and the values share the tag ``main_tag``."""
        walltime = time.time() if walltime is None else walltime
        root = self._get_file_writer().get_logdir()
        for tag, value in tag_scalar_dict.items():
            folder = root + "/" + main_tag.replace("/", "_") + "_" + tag
            if folder not in self.all_writers:
                self.all_writers[folder] = FileWriter(folder, self.max_queue, self.flush_secs,
                                                      self.filename_suffix)
            self.all_writers[folder].add_summary(_summary.scalar(main_tag, value), global_step,
                                                 walltime)

    def add_histogram(self, tag: str, values, global_step=None, bins="tensorflow",
                      walltime=None, max_bins=None) -> None:
        """A histogram of ``values`` (``bins`` as ``np.histogram``'s, or ``"tensorflow"``)."""
        if isinstance(bins, str) and bins == "tensorflow":
            bins = self.default_bins
        self._get_file_writer().add_summary(_summary.histogram(tag, values, bins, max_bins),
                                            global_step, walltime)

    def add_image(self, tag: str, img_tensor, global_step=None, walltime=None,
                  dataformats: str = "CHW") -> None:
        """One image: floats in [0, 1] or uint8 in [0, 255], laid out as ``dataformats``."""
        self._get_file_writer().add_summary(_summary.image(tag, img_tensor, dataformats),
                                            global_step, walltime)

    def add_images(self, tag: str, img_tensor, global_step=None, walltime=None,
                   dataformats: str = "NCHW") -> None:
        """A batch of images tiled into one picture (8 to a row)."""
        self.add_image(tag, img_tensor, global_step, walltime, dataformats)

    def add_figure(self, tag: str, figure, global_step=None, close: bool = True,
                   walltime=None) -> None:
        """A matplotlib figure (or a list of them) rendered to an image."""
        fmt = "NCHW" if isinstance(figure, list) else "CHW"
        self.add_image(tag, _summary.figure_to_image(figure, close), global_step, walltime, fmt)

    def add_text(self, tag: str, text_string: str, global_step=None, walltime=None) -> None:
        """A (Markdown) string for the text plugin."""
        self._get_file_writer().add_summary(_summary.text(tag, text_string), global_step,
                                            walltime)

    def add_hparams(self, hparam_dict: dict, metric_dict: dict, hparam_domain_discrete=None,
                    run_name=None, global_step=None) -> None:
        """One session of the hparams plugin in the sub-folder ``run_name`` (default: the
        time): the hyper-parameters, and each metric as a scalar there."""
        experiment, start, end = _summary.hparams(hparam_dict, metric_dict, hparam_domain_discrete)
        run_name = run_name or str(time.time())
        with SummaryWriter(log_dir=os.path.join(self._get_file_writer().get_logdir(),
                                                run_name)) as hp_writer:
            for proto in (experiment, start, end):
                hp_writer.file_writer.add_summary(proto, global_step)
            for key, value in metric_dict.items():
                hp_writer.add_scalar(key, value, global_step)

    def _unsupported(self, name: str):
        raise NotImplementedError(f"SummaryWriter.{name} is not provided by ember (it needs "
                                  f"torch's tracer or extra encoders); log scalars, histograms, "
                                  f"images, figures, text and hparams instead")

    def add_graph(self, *args, **kwargs):
        self._unsupported("add_graph")

    def add_embedding(self, *args, **kwargs):
        self._unsupported("add_embedding")

    def add_video(self, *args, **kwargs):
        self._unsupported("add_video")

    def add_audio(self, *args, **kwargs):
        self._unsupported("add_audio")

    def add_pr_curve(self, *args, **kwargs):
        self._unsupported("add_pr_curve")

    def flush(self) -> None:
        """Writes every pending event to disk."""
        for writer in (self.all_writers or {}).values():
            writer.flush()

    def close(self) -> None:
        """Flushes and closes every event file (a second close does nothing)."""
        if self.all_writers is None:
            return
        for writer in self.all_writers.values():
            writer.flush()
            writer.close()
        self.file_writer = self.all_writers = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.close()
