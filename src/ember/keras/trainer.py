"""compile / fit / evaluate / predict: the training loop of ember.keras models.

One training step is ember's: forward (training mode) → loss (+ regularization penalties) →
``backward()`` → optimizer update; metrics accumulate over the epoch and the reported ``loss`` is
the batch-size-weighted running mean of the total loss, as in Keras 3.
"""
from __future__ import annotations

import math

import numpy as np

import ember

from .. import random as _random
from .._tensor import Tensor
from . import callbacks as _cb
from . import losses as _losses
from . import metrics as _metrics
from . import optimizers as _optimizers
from ._utils import to_array

_UP = ("accuracy", "acc", "precision", "recall", "auc", "f1_score", "fbeta_score")


def _n_samples(name, arr) -> int:
    if arr.ndim == 0:
        raise ValueError(f"Expected `{name}` to have at least one dimension (samples), received a "
                         f"scalar")
    return arr.shape[0]


def _check_lengths(x, y, sw=None) -> int:
    n = _n_samples("x", x)
    sizes = {"x": n}
    if y is not None:
        sizes["y"] = _n_samples("y", y)
    if sw is not None:
        sizes["sample_weight"] = _n_samples("sample_weight", sw)
    if len(set(sizes.values())) > 1:
        detail = "\n".join(f"'{k}' sizes: {v}" for k, v in sizes.items())
        raise ValueError(f"Data cardinality is ambiguous. Make sure all arrays contain the same "
                         f"number of samples.\n{detail}")
    return n


def _class_weights_to_sample(class_weight: dict, y: np.ndarray) -> np.ndarray:
    if y.ndim == 2 and y.shape[1] > 1:
        labels = np.argmax(y, axis=1)
    else:
        labels = np.round(y.reshape(len(y), -1)[:, 0]).astype(np.int64)
    missing = set(np.unique(labels).tolist()) - set(int(k) for k in class_weight)
    if missing:
        raise ValueError(f"`class_weight` must contain all classes in the data. The classes "
                         f"{sorted(missing)} exist in the data but not in `class_weight`.")
    table = {int(k): float(v) for k, v in class_weight.items()}
    return np.array([table[int(c)] for c in labels], np.float32)


def _batches(n: int, batch_size: int, order=None):
    for start in range(0, n, batch_size):
        if order is None:
            yield slice(start, start + batch_size)
        else:
            yield order[start:start + batch_size]


def is_batch_iterable(x) -> bool:
    """True for a DataLoader or another iterable of ready-made batches (not for array data)."""
    return (x is not None and hasattr(x, "__iter__") and not hasattr(x, "to_numpy")
            and not isinstance(x, (np.ndarray, list, tuple, Tensor, str, dict)))


def _unpack(batch, need_y=True):
    """A batch ``(x, y)`` or ``(x, y, sample_weight)`` (Tensors or arrays) as arrays."""
    if isinstance(batch, (tuple, list)) and 1 <= len(batch) <= 3:
        parts = [None if b is None else to_array(b) for b in batch] + [None] * (3 - len(batch))
    elif not need_y:
        parts = [to_array(batch), None, None]
    else:
        raise ValueError(f"Each batch must be a tuple (x, y) or (x, y, sample_weight); received "
                         f"{type(batch).__name__}")
    if need_y and parts[1] is None:
        raise ValueError("The batches carry no targets: expected (x, y) or (x, y, sample_weight)")
    _check_lengths(*parts)
    return parts


def _steps_of(loader, steps) -> int:
    if steps is not None:
        return int(steps) if not hasattr(loader, "__len__") else min(int(steps), len(loader))
    if not hasattr(loader, "__len__"):
        raise ValueError(f"Cannot tell how many batches {type(loader).__name__} yields: pass "
                         f"`steps_per_epoch` (or `steps`), or give an object with len()")
    return len(loader)


def _metric_direction(metric) -> str:
    name = getattr(metric, "name", "")
    return "up" if any(name == u or name.endswith(u) for u in _UP) else "down"


class Trainer:
    """Mixed into ``keras.Model``: needs ``__call__(x, training)``, ``trainable_weights``,
    ``losses``, ``zero_grad``/``train``/``eval`` (from ``ember.nn.Module``)."""

    def _init_trainer(self):
        self.optimizer = None
        self.loss = None
        self.compiled = False
        self.stop_training = False
        self.history = None
        self._loss_fn = None
        self._metric_ids = []
        self._weighted_ids = []
        self._compiled_metrics = None
        self._loss_tracker = _metrics.Mean(name="loss")

    # ---- compile --------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1, jit_compile="auto",
                auto_scale_loss=True):
        """Sets the optimizer (name or object), the loss and the metrics to report.

        Example::

            >>> model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
        """
        if metrics is not None and not isinstance(metrics, (list, tuple)):
            raise TypeError(f"Expected `metrics` argument to be a list or tuple. Received: "
                            f"metrics={metrics!r} of type {type(metrics).__name__}")
        self.optimizer = _optimizers.get(optimizer)
        self.loss = loss
        self._loss_fn = _losses.to_loss_object(loss) if loss is not None else None
        self._metric_ids = list(metrics or [])
        self._weighted_ids = list(weighted_metrics or [])
        for m in self._metric_ids + self._weighted_ids:
            if isinstance(m, str) and m.lower() not in ("accuracy", "acc"):
                _metrics.get(m)  # fails early on unknown names
        self._compiled_metrics = None
        self._loss_tracker = _metrics.Mean(name="loss")
        self.compiled = True

    def _require_compiled(self):
        if not self.compiled:
            raise RuntimeError("You must call `compile()` before using the model (fit, evaluate, "
                               "train_on_batch…).")
        if self._loss_fn is None:
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")

    def _resolve_metrics(self, y: np.ndarray, y_pred: np.ndarray):
        if self._compiled_metrics is None:
            plain = [_metrics.resolve(m, y, y_pred) for m in self._metric_ids]
            weighted = [_metrics.resolve(m, y, y_pred) for m in self._weighted_ids]
            for m in plain + weighted:
                m._direction = _metric_direction(m)
            self._compiled_metrics = (plain, weighted)
        return self._compiled_metrics

    @property
    def metrics(self) -> list:
        """The loss tracker and the compiled metrics (after the first batch)."""
        plain, weighted = self._compiled_metrics or ([], [])
        return [self._loss_tracker] + plain + weighted

    @property
    def metrics_names(self) -> list[str]:
        return [m.name for m in self.metrics]

    def reset_metrics(self):
        for m in self.metrics:
            m.reset_state()

    def _logs(self) -> dict:
        logs = {m.name: m.result() for m in self.metrics}
        return {k: (float(v) if np.ndim(v) == 0 else v) for k, v in sorted(logs.items())}

    # ---- one step ---------------------------------------------------------------------------
    def _forward_loss(self, x: np.ndarray, y: np.ndarray, sw, training: bool):
        y_pred = self(Tensor._make(x), training=training)
        loss = self._loss_fn(y, y_pred, sample_weight=sw)
        for penalty in self.losses:
            loss = loss + penalty
        return y_pred, loss

    def _update_metrics(self, y, y_pred: np.ndarray, sw, loss_value: float, n: int):
        self._loss_tracker.update_state(loss_value, sample_weight=n)
        plain, weighted = self._resolve_metrics(y, y_pred)
        for m in plain:
            m.update_state(y, y_pred)
        for m in weighted:
            m.update_state(y, y_pred, sample_weight=sw)

    def _train_step(self, x, y, sw):
        params = self.trainable_weights
        self.zero_grad()
        y_pred, loss = self._forward_loss(x, y, sw, training=True)
        if params:
            loss.backward()
            grads = [p.grad._data if p.grad is not None else np.zeros_like(p._data) for p in params]
            self.optimizer.apply(grads, params)
        self._update_metrics(y, y_pred._data, sw, float(loss._data), len(x))

    def _test_step(self, x, y, sw):
        with ember.no_grad():
            y_pred, loss = self._forward_loss(x, y, sw, training=False)
        self._update_metrics(y, y_pred._data, sw, float(loss._data), len(x))

    # ---- data -------------------------------------------------------------------------------
    def _prepare(self, x, y, sample_weight=None, class_weight=None):
        if x is None:
            raise ValueError("Expected `x` to be data (an array), received None")
        x = to_array(x)
        y = None if y is None else to_array(y)
        sw = None if sample_weight is None else to_array(sample_weight).astype(np.float32)
        n = _check_lengths(x, y, sw)
        if class_weight is not None:
            if y is None:
                raise ValueError("`class_weight` needs targets `y`")
            cw = _class_weights_to_sample(class_weight, y)
            sw = cw if sw is None else sw * cw
        if not self.built:
            self.build((None,) + x.shape[1:])
        return x, y, sw, n

    # ---- fit ----------------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):
        """Trains for ``epochs`` epochs on mini-batches of ``batch_size`` (default 32); returns a
        ``History`` whose ``history`` dict holds each epoch's ``loss``, metrics and ``val_*``.

        ``validation_split`` holds out the *last* fraction of the samples (before shuffling).
        ``x`` may also be an ``ember.utils.data.DataLoader`` (or any sized iterable) of
        ``(x, y[, sample_weight])`` batches; then ``y`` and ``validation_split`` are not used.
        """
        self._require_compiled()
        if not isinstance(epochs, int) or epochs < 0:
            raise ValueError(f"`epochs` must be a non-negative integer. Received: epochs={epochs}")
        batch_size = 32 if batch_size is None else batch_size
        if not isinstance(batch_size, (int, np.integer)) or batch_size <= 0:
            raise ValueError(f"`batch_size` must be a positive integer. Received: "
                             f"batch_size={batch_size}")
        if not 0.0 <= validation_split < 1.0:
            raise ValueError(f"`validation_split` must be in [0, 1). Received: "
                             f"validation_split={validation_split}")
        if is_batch_iterable(x):
            if shuffle and hasattr(x, "shuffled_batches"):  # a PyDataset: Keras shuffles them
                x = x.shuffled_batches()
            return self._fit_batches(x, y, epochs, verbose, callbacks, validation_split,
                                     validation_data, class_weight, sample_weight, initial_epoch,
                                     steps_per_epoch, validation_batch_size, validation_freq)
        x, y, sw, n = self._prepare(x, y, sample_weight, class_weight)
        if y is None:
            raise ValueError("fit() needs targets `y` (received y=None)")
        val = None
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
                raise ValueError("`validation_data` should be a tuple `(x_val, y_val)` or "
                                 "`(x_val, y_val, val_sample_weights)`")
            val = tuple(validation_data) + (None,) * (3 - len(validation_data))
        elif validation_split:
            split = int(math.floor(n * (1.0 - validation_split)))
            if split == 0 or split == n:
                raise ValueError(f"validation_split={validation_split} leaves an empty training or "
                                 f"validation set for {n} samples")
            val = (x[split:], y[split:], None if sw is None else sw[split:])
            x, y, sw, n = x[:split], y[:split], None if sw is None else sw[:split], split
        steps = math.ceil(n / batch_size)
        if steps_per_epoch is not None:
            steps = min(steps, int(steps_per_epoch))

        def batches():
            order = _random._gen().permutation(n) if shuffle else None
            for idx in _batches(n, batch_size, order):
                yield x[idx], y[idx], None if sw is None else sw[idx]

        return self._fit_loop(batches, steps, epochs, verbose, callbacks, val, initial_epoch,
                              validation_batch_size or batch_size, validation_freq)

    def _fit_batches(self, loader, y, epochs, verbose, callbacks, validation_split,
                     validation_data, class_weight, sample_weight, initial_epoch,
                     steps_per_epoch, validation_batch_size, validation_freq):
        """``fit`` on a DataLoader (or any sized iterable) of ``(x, y[, sample_weight])`` batches."""
        for name, value in (("y", y), ("sample_weight", sample_weight)):
            if value is not None:
                raise ValueError(f"`{name}` is not supported when `x` is a data loader; its batches "
                                 f"carry the targets and weights")
        if validation_split:
            raise ValueError("`validation_split` is only supported for array inputs; pass "
                             "`validation_data` (arrays or a loader) instead")
        steps = _steps_of(loader, steps_per_epoch)

        def batches():
            for batch in loader:
                bx, by, bsw = _unpack(batch)
                if class_weight is not None:
                    cw = _class_weights_to_sample(class_weight, by)
                    bsw = cw if bsw is None else bsw * cw
                yield bx, by, bsw

        val = None
        if validation_data is not None:
            val = validation_data if is_batch_iterable(validation_data) else \
                tuple(validation_data) + (None,) * (3 - len(validation_data))
        return self._fit_loop(batches, steps, epochs, verbose, callbacks, val, initial_epoch,
                              validation_batch_size, validation_freq)

    def _fit_loop(self, batches, steps, epochs, verbose, callbacks, val, initial_epoch,
                  val_batch_size, validation_freq):
        verbose = 1 if verbose == "auto" else int(verbose)
        cbs = _cb.CallbackList(callbacks, add_history=True, add_progbar=verbose != 0, model=self,
                               verbose=verbose, epochs=epochs, steps=steps, mode="fit")
        self.stop_training = False
        cbs.on_train_begin()
        logs = {}
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            cbs.on_epoch_begin(epoch)
            self.train()  # like Keras on torch: torch-style sublayers follow fit's mode
            for step, (bx, by, bsw) in enumerate(batches()):
                if step >= steps:
                    break
                cbs.on_train_batch_begin(step)
                self._train_step(bx, by, bsw)
                cbs.on_train_batch_end(step, self._logs())
                if self.stop_training:
                    break
            logs = self._logs()
            self.eval()
            if val is not None and (epoch + 1) % validation_freq == 0:
                if is_batch_iterable(val):
                    val_logs = self.evaluate(val, verbose=0, return_dict=True, _callback_list=cbs)
                else:
                    val_logs = self.evaluate(val[0], val[1], sample_weight=val[2],
                                             batch_size=val_batch_size, verbose=0,
                                             return_dict=True, _callback_list=cbs)
                logs.update({f"val_{k}": v for k, v in val_logs.items()})
            cbs.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        cbs.on_train_end(logs)
        return cbs.history()

    # ---- evaluate / predict ---------------------------------------------------------------
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False, _callback_list=None):
        """The loss (plus regularization) and metrics over ``x, y`` in inference mode: a scalar
        when no metrics were compiled, else ``[loss, *metrics]`` (or a dict)."""
        self._require_compiled()
        batch_size = 32 if batch_size is None else batch_size
        if is_batch_iterable(x):
            if y is not None or sample_weight is not None:
                raise ValueError("`y`/`sample_weight` are not supported when `x` is a data loader")
            n_steps = _steps_of(x, steps)
            batches = (_unpack(b) for b in x)
        else:
            x, y, sw, n = self._prepare(x, y, sample_weight)
            if y is None:
                raise ValueError("evaluate() needs targets `y` (received y=None)")
            n_steps = math.ceil(n / batch_size) if steps is None else min(int(steps),
                                                                          math.ceil(n / batch_size))
            batches = ((x[i], y[i], None if sw is None else sw[i]) for i in _batches(n, batch_size))
        verbose = 1 if verbose == "auto" else int(verbose)
        cbs = _callback_list or _cb.CallbackList(callbacks, add_progbar=verbose != 0, model=self,
                                                 verbose=verbose, steps=n_steps, mode="evaluate")
        self.reset_metrics()
        self.eval()
        cbs.on_test_begin()
        for step, (bx, by, bsw) in enumerate(batches):
            if step >= n_steps:
                break
            cbs.on_test_batch_begin(step)
            self._test_step(bx, by, bsw)
            cbs.on_test_batch_end(step, self._logs())
        logs = self._logs()
        cbs.on_test_end(logs)
        if return_dict:
            return logs
        values = [self._loss_tracker.result()] + [m.result() for m in self.metrics[1:]]
        values = [float(v) if np.ndim(v) == 0 else v for v in values]
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """Outputs for ``x`` in inference mode (Dropout off, BatchNorm on moving statistics), as a
        NumPy array."""
        batch_size = 32 if batch_size is None else batch_size
        if is_batch_iterable(x):
            n_steps = _steps_of(x, steps)
            batches = (_unpack(b, need_y=False)[0] for b in x)
        else:
            x = to_array(x)
            if not self.built:
                self.build((None,) + x.shape[1:])
            n = _n_samples("x", x)
            n_steps = math.ceil(n / batch_size) if steps is None else min(int(steps),
                                                                          math.ceil(n / batch_size))
            batches = (x[i] for i in _batches(n, batch_size))
        verbose = 1 if verbose == "auto" else int(verbose)
        cbs = _cb.CallbackList(callbacks, add_progbar=verbose != 0, model=self, verbose=verbose,
                               steps=n_steps, mode="predict")
        cbs.on_predict_begin()
        self.eval()
        outs = []
        with ember.no_grad():
            for step, bx in enumerate(batches):
                if step >= n_steps:
                    break
                cbs.on_predict_batch_begin(step)
                outs.append(self(Tensor._make(bx), training=False)._data)
                cbs.on_predict_batch_end(step, {"outputs": outs[-1]})
        cbs.on_predict_end()
        return np.concatenate(outs) if outs else np.zeros((0,), np.float32)

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """One optimizer step on one batch; returns the accumulated loss (and metrics)."""
        self._require_compiled()
        x, y, sw, _ = self._prepare(x, y, sample_weight, class_weight)
        self._train_step(x, y, sw)
        return self._batch_result(return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        self._require_compiled()
        x, y, sw, _ = self._prepare(x, y, sample_weight)
        self.reset_metrics()
        self._test_step(x, y, sw)
        return self._batch_result(return_dict)

    def predict_on_batch(self, x):
        return self.predict(x, batch_size=max(len(to_array(x)), 1), verbose=0)

    def _batch_result(self, return_dict):
        logs = self._logs()
        if return_dict:
            return logs
        values = [float(m.result()) for m in self.metrics]
        return values[0] if len(values) == 1 else values
