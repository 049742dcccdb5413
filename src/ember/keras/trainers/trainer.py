"""compile / fit / evaluate / predict: the training loop of ``keras.Model``, as Keras 3's torch
backend writes it.

``fit`` calls ``train_step(data)`` once per batch and ``evaluate`` calls ``test_step(data)``:
override them (with ``compute_loss``, ``self.metrics`` and ``self.optimizer.apply(grads,
variables)``) to customize training, as in Keras's guide "Customizing what happens in fit()".
One default step is ember's: forward (training mode) → loss (+ regularization penalties) →
``backward()`` → optimizer update. The reported ``loss`` is the batch-size-weighted running mean.

Example::

    >>> class Custom(keras.Model):
    ...     def train_step(self, data):
    ...         x, y = data
    ...         y_pred = self(x, training=True)
    ...         loss = self.compute_loss(y=y, y_pred=y_pred)
    ...         self.zero_grad()
    ...         loss.backward()
    ...         self.optimizer.apply([v.grad for v in self.trainable_weights],
    ...                              self.trainable_weights)
    ...         return self.compute_metrics(x, y, y_pred)
"""
from __future__ import annotations

import inspect

import numpy as np

from ...autograd.grad_mode import no_grad
from .. import _tree
from .. import callbacks as _cb
from .. import distribution as _distribution
from ..callbacks.base import pythonify_logs
from .. import losses as _losses
from .. import metrics as _metrics
from .. import optimizers as _optimizers
from . import data as _data
from .compile_utils import CompileLoss, CompileMetrics

__all__ = ["Trainer"]


def _batch_size(x) -> int:
    return next(a for a in _tree.flatten(x) if a is not None).shape[0]


class Trainer:
    """Mixed into ``keras.Model``: needs ``__call__(x, training)``, ``trainable_weights``,
    ``losses``, ``zero_grad``/``train``/``eval`` (from ``ember.nn.Module``)."""

    def _init_trainer(self):
        self.optimizer = None
        self.loss = None
        self.compiled = False
        self.stop_training = False
        self.history = None
        self._compile_loss = None
        self._compile_metrics = None
        self._compile_config = None
        self._loss_tracker = _metrics.Mean(name="loss")
        self.__dict__["_metrics"] = []  # metrics set as attributes of the model

    # ---- compile --------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1, jit_compile="auto",
                auto_scale_loss=True):
        """Sets the optimizer (name or object), the loss(es) and the metrics to report; with
        several outputs, ``loss``, ``loss_weights`` and ``metrics`` may be lists (by position)
        or dicts (by output name).

        Example::

            >>> model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
        """
        names = getattr(self, "output_names", None)
        self.optimizer = _optimizers.get(optimizer)
        if loss is not None:  # as Keras: compiling again without a loss keeps the last one
            self.loss = loss
            resolved = _tree.map_structure(
                lambda l: None if l is None else _losses.to_loss_object(l), loss)
            self._compile_loss = CompileLoss(resolved, loss_weights, names)
        if metrics or weighted_metrics:
            self._compile_metrics = CompileMetrics(metrics, weighted_metrics, names)
        elif metrics is not None or weighted_metrics is not None:
            self._compile_metrics = None
        self._compile_config = {"loss": loss, "loss_weights": loss_weights, "metrics": metrics,
                                "weighted_metrics": weighted_metrics}
        self._loss_tracker = _metrics.Mean(name="loss")
        self.compiled = True

    def _assert_compile_called(self, method_name: str) -> None:
        if not self.compiled:
            raise ValueError(f"You must call `compile()` before using the model (`{method_name}`).")

    # ---- metrics ----------------------------------------------------------------------------
    @property
    def metrics(self) -> list:
        """The loss tracker, the compiled metrics (one ``compile_metrics`` entry), the
        per-output loss trackers and the metrics set as attributes of the model."""
        out = []
        if self.compiled:
            out.append(self._loss_tracker)
            if self._compile_metrics is not None:
                out.append(self._compile_metrics)
            if self._compile_loss is not None:
                out.extend(self._compile_loss.metrics)
        out.extend(self._metrics)
        return out

    @property
    def metrics_names(self) -> list[str]:
        return [m.name for m in self.metrics]

    def reset_metrics(self) -> None:
        for m in self.metrics:
            m.reset_state()

    def get_metrics_result(self) -> dict:
        """Every metric's result by name (the compiled metrics' dict is merged in)."""
        out = {}
        for metric in self.metrics:
            result = metric.result()
            if isinstance(result, dict):
                out.update(result)
            else:
                out[metric.name] = result
        return out

    def _get_metrics_result_or_logs(self, logs):
        metric_logs = self.get_metrics_result()
        if isinstance(logs, dict) and set(logs) == set(metric_logs):
            return metric_logs
        return logs

    def _flatten_metrics_in_order(self, logs):
        names = []
        for metric in self.metrics:
            if isinstance(metric, CompileMetrics):
                names += [m.name for m in metric.metrics]
            else:
                names.append(metric.name)
        results = [logs[n] for n in names if n in logs]
        results += [logs[k] for k in sorted(logs) if k not in names]
        return results[0] if len(results) == 1 else results

    # ---- the steps --------------------------------------------------------------------------
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The compiled loss(es) plus every ``add_loss``/regularization penalty."""
        losses = []
        if self._compile_loss is not None:
            loss = self._compile_loss(y, y_pred, sample_weight)
            if loss is not None:
                losses.append(loss)
        losses.extend(self.losses)
        if not losses:
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
        total = losses[0]
        for loss in losses[1:]:
            total = total + loss
        return total

    def _compute_loss(self, **kwargs):
        if "training" not in inspect.signature(self.compute_loss).parameters:
            kwargs.pop("training")
        return self.compute_loss(**kwargs)

    def compute_metrics(self, x, y, y_pred, sample_weight=None) -> dict:
        """Updates the compiled metrics and returns every metric's result."""
        if self._compile_metrics is not None:
            self._compile_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def train_step(self, data):
        """One optimizer step on one batch ``data`` = ``(x, y[, sample_weight])``."""
        x, y, sample_weight = _data.unpack_x_y_sample_weight(data)
        y_pred = self(x, training=True)
        self.zero_grad()
        loss = self._compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                  training=True)
        self._loss_tracker.update_state(float(loss._data), sample_weight=_batch_size(x))
        variables = self.trainable_weights
        if variables:
            if self.optimizer is not None:
                loss = self.optimizer.scale_loss(loss)
            loss.backward()
            grads = [v.grad._data if v.grad is not None else np.zeros_like(v._data)
                     for v in variables]
            with no_grad():
                self.optimizer.apply(grads, variables)
        return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def test_step(self, data):
        """Loss and metrics on one batch, in inference mode."""
        x, y, sample_weight = _data.unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        loss = self._compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                  training=False)
        self._loss_tracker.update_state(float(loss._data), sample_weight=_batch_size(x))
        return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def predict_step(self, data):
        x, _, _ = _data.unpack_x_y_sample_weight(data)
        return self(x, training=False)

    # ---- data -------------------------------------------------------------------------------
    def _prepare(self, x, y=None, sample_weight=None, class_weight=None):
        if x is None:
            raise ValueError("Expected `x` to be data (an array), received None")
        x, y, sw = _data.to_arrays(x), _data.to_arrays(y), _data.to_arrays(sample_weight)
        sw = _tree.map_structure(lambda a: None if a is None else a.astype(np.float32), sw)
        n = _data.check_lengths(x, y, sw)
        if class_weight is not None:
            if y is None:
                raise ValueError("`class_weight` needs targets `y`")
            cw = _data.class_weights_to_sample(class_weight, y)
            sw = cw if sw is None else sw * cw
        self._build_from(x)
        return x, y, sw, n

    def _build_from(self, x) -> None:
        if not self.built:
            self._build_for_data(_tree.map_structure(lambda a: (None,) + tuple(a.shape[1:]), x))

    @staticmethod
    def _step_data(bx, by, bsw):
        return _data.pack_x_y_sample_weight(_data.to_tensors(bx), _data.to_tensors(by),
                                            _data.to_tensors(bsw))

    # ---- fit ----------------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):
        """Trains for ``epochs`` epochs on mini-batches of ``batch_size`` (default 32); returns a
        ``History`` whose ``history`` dict holds each epoch's ``loss``, metrics and ``val_*``.

        ``x``/``y`` are arrays, or lists/dicts of arrays for models with several inputs/outputs.
        ``validation_split`` holds out the *last* fraction of the samples (before shuffling).
        ``x`` may also be an ``ember.utils.data.DataLoader`` (or any iterable) of
        ``(x, y[, sample_weight])`` batches; then ``y`` and ``validation_split`` are not used.
        """
        self._assert_compile_called("fit")
        if not isinstance(epochs, int) or epochs < 0:
            raise ValueError(f"`epochs` must be a non-negative integer. Received: epochs={epochs}")
        batch_size = 32 if batch_size is None else batch_size
        if not isinstance(batch_size, (int, np.integer)) or batch_size <= 0:
            raise ValueError(f"`batch_size` must be a positive integer. Received: "
                             f"batch_size={batch_size}")
        if not 0.0 <= validation_split < 1.0:
            raise ValueError(f"`validation_split` must be in [0, 1). Received: "
                             f"validation_split={validation_split}")
        val = None
        if validation_data is not None:
            val = validation_data if _data.is_batch_iterable(validation_data) else \
                self._validation_tuple(validation_data)
        if _data.is_batch_iterable(x):
            if shuffle and hasattr(x, "shuffled_batches"):  # a PyDataset: Keras shuffles them
                x = x.shuffled_batches()
            for name, value in (("y", y), ("sample_weight", sample_weight)):
                if value is not None:
                    raise ValueError(f"`{name}` is not supported when `x` is a data loader; its "
                                     f"batches carry the targets and weights")
            if validation_split:
                raise ValueError("`validation_split` is only supported for array inputs; pass "
                                 "`validation_data` (arrays or a loader) instead")
            steps = _data.steps_of(x, steps_per_epoch)

            def batches():
                for batch in x:
                    bx, by, bsw = _data.loader_batch(batch, need_y=False)
                    if class_weight is not None:
                        cw = _data.class_weights_to_sample(class_weight, by)
                        bsw = cw if bsw is None else bsw * cw
                    yield bx, by, bsw
        else:
            x, y, sw, n = self._prepare(x, y, sample_weight, class_weight)
            if validation_data is None and validation_split:
                (x, y, sw, n), val = _data.split_validation(x, y, sw, n, validation_split)
            steps = -(-n // batch_size)
            if steps_per_epoch is not None:
                steps = min(steps, int(steps_per_epoch))
            batches = _data.array_batches(x, y, sw, n, batch_size, shuffle)
        return self._fit_loop(batches, steps, epochs, verbose, callbacks, val, initial_epoch,
                              validation_batch_size or batch_size, validation_freq)

    @staticmethod
    def _validation_tuple(validation_data):
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
            raise ValueError("`validation_data` should be a tuple `(x_val, y_val)` or "
                             "`(x_val, y_val, val_sample_weights)`")
        return tuple(validation_data) + (None,) * (3 - len(validation_data))

    def _fit_loop(self, batches, steps, epochs, verbose, callbacks, val, initial_epoch,
                  val_batch_size, validation_freq):
        plan = _distribution.fit_plan()  # set_distribution(DataParallel()) under mpiexec
        if plan is None:
            return self._fit_epochs(batches, steps, epochs, verbose, callbacks, val,
                                    initial_epoch, val_batch_size, validation_freq)
        plan.start(self)
        if not plan.main:  # only rank 0 shows progress and writes files
            verbose = 0
            callbacks = [c for c in callbacks or [] if not _distribution.writes_files(c)]
        _distribution._STATE["step"] = plan
        try:
            return self._fit_epochs(plan.shard(batches), steps, epochs, verbose, callbacks, val,
                                    initial_epoch, val_batch_size, validation_freq, plan)
        finally:
            _distribution._STATE["step"] = None

    def _fit_epochs(self, batches, steps, epochs, verbose, callbacks, val, initial_epoch,
                    val_batch_size, validation_freq, plan=None):
        verbose = 1 if verbose == "auto" else int(verbose)
        cbs = _cb.CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=self,
                               verbose=verbose, epochs=epochs, steps=steps, mode="fit")
        self.stop_training = False
        self._initial_epoch = None  # BackupAndRestore sets it in on_train_begin, as in Keras
        cbs.on_train_begin()
        initial_epoch = self._initial_epoch or initial_epoch
        epoch_logs = {}
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            cbs.on_epoch_begin(epoch)
            self.train()  # like Keras on torch: torch-style sublayers follow fit's mode
            logs = {}
            for step, (bx, by, bsw) in enumerate(batches()):
                if step >= steps:
                    break
                cbs.on_train_batch_begin(step)
                logs = self.train_step(self._step_data(bx, by, bsw))
                cbs.on_train_batch_end(step, pythonify_logs(logs))
                if self.stop_training:
                    break
            if plan is not None:
                plan.reduce_metrics(self.metrics)
            epoch_logs = pythonify_logs(self._get_metrics_result_or_logs(logs))
            self.eval()
            if val is not None and (epoch + 1) % validation_freq == 0:
                if _data.is_batch_iterable(val):
                    val_logs = self.evaluate(val, verbose=0, return_dict=True, _callback_list=cbs)
                else:
                    val_logs = self.evaluate(val[0], val[1], sample_weight=val[2],
                                             batch_size=val_batch_size, verbose=0,
                                             return_dict=True, _callback_list=cbs)
                epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
            cbs.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        if epochs > 0 and self.optimizer is not None and self.optimizer.built:
            self.optimizer.finalize_variable_values(self.trainable_weights)  # use_ema: the averages
        cbs.on_train_end(epoch_logs)
        return cbs.history()

    # ---- evaluate / predict ---------------------------------------------------------------
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False, _callback_list=None, **kwargs):
        """The loss (plus regularization) and metrics over ``x, y`` in inference mode: a scalar
        when there is only the loss, else ``[loss, *metrics]`` (or a dict)."""
        self._assert_compile_called("evaluate")
        batch_size = 32 if batch_size is None else batch_size
        if _data.is_batch_iterable(x):
            if y is not None or sample_weight is not None:
                raise ValueError("`y`/`sample_weight` are not supported when `x` is a data loader")
            n_steps = _data.steps_of(x, steps)
            batches = (_data.loader_batch(b, need_y=False) for b in x)
        else:
            x, y, sw, n = self._prepare(x, y, sample_weight)
            n_steps = -(-n // batch_size) if steps is None else min(int(steps), -(-n // batch_size))
            batches = _data.array_batches(x, y, sw, n, batch_size, shuffle=False)()
        verbose = 1 if verbose == "auto" else int(verbose)
        cbs = _callback_list or _cb.CallbackList(callbacks, add_progbar=verbose != 0, model=self,
                                                 verbose=verbose, steps=n_steps, mode="evaluate")
        self.reset_metrics()
        self.eval()
        cbs.on_test_begin()
        logs = {}
        for step, (bx, by, bsw) in enumerate(batches):
            if step >= n_steps:
                break
            cbs.on_test_batch_begin(step)
            with no_grad():
                logs = self.test_step(self._step_data(bx, by, bsw))
            cbs.on_test_batch_end(step, pythonify_logs(logs))
        logs = pythonify_logs(self._get_metrics_result_or_logs(logs))
        cbs.on_test_end(logs)
        if return_dict:
            return logs
        return self._flatten_metrics_in_order(logs)

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """Outputs for ``x`` in inference mode (Dropout off, BatchNorm on moving statistics), as
        a NumPy array (or a list/dict of them for several outputs)."""
        batch_size = 32 if batch_size is None else batch_size
        if _data.is_batch_iterable(x):
            n_steps = _data.steps_of(x, steps)
            batches = (_data.loader_batch(b, need_y=False)[0] for b in x)
        else:
            x = _data.to_arrays(x)
            n = _data.check_lengths(x)
            self._build_from(x)
            n_steps = -(-n // batch_size) if steps is None else min(int(steps), -(-n // batch_size))
            batches = (bx for bx, _, _ in
                       _data.array_batches(x, None, None, n, batch_size, shuffle=False)())
        verbose = 1 if verbose == "auto" else int(verbose)
        cbs = _cb.CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose,
                               steps=n_steps, mode="predict")
        cbs.on_predict_begin()
        self.eval()
        outs = []
        with no_grad():
            for step, bx in enumerate(batches):
                if step >= n_steps:
                    break
                cbs.on_predict_batch_begin(step)
                out = self.predict_step((_data.to_tensors(bx),))
                out = _tree.map_structure(lambda t: np.asarray(getattr(t, "_data", t)), out)
                outs.append(out)
                cbs.on_predict_batch_end(step, {"outputs": out})
        cbs.on_predict_end()
        if not outs:
            return np.zeros((0,), np.float32)
        return _tree.map_structure(lambda *parts: np.concatenate(parts), *outs)

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """One optimizer step on one batch; returns the accumulated loss (and metrics)."""
        self._assert_compile_called("train_on_batch")
        x, y, sw, _ = self._prepare(x, y, sample_weight, class_weight)
        self.train()
        logs = pythonify_logs(self.train_step(self._step_data(x, y, sw)))
        return logs if return_dict else self._flatten_metrics_in_order(logs)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        self._assert_compile_called("test_on_batch")
        x, y, sw, _ = self._prepare(x, y, sample_weight)
        self.reset_metrics()
        self.eval()
        with no_grad():
            logs = pythonify_logs(self.test_step(self._step_data(x, y, sw)))
        return logs if return_dict else self._flatten_metrics_in_order(logs)

    def predict_on_batch(self, x):
        n = _data.check_lengths(_data.to_arrays(x))
        return self.predict(x, batch_size=max(n, 1), verbose=0)
