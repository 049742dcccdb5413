"""The callback protocol: ``Callback`` (hooks that receive a ``logs`` dict, never None),
``CallbackList`` (calls every callback's hook in order, adding History and the progress bar as
Keras does), ``History``, ``ProgbarLogger`` and ``LambdaCallback``.

Example::

    >>> print_batch = LambdaCallback(on_train_batch_end=lambda batch, logs: print(batch, logs))
    >>> close_log = LambdaCallback(on_train_end=lambda logs: log_file.close())
"""
from __future__ import annotations

import numpy as np

from ..progbar import Progbar


def pythonify_logs(logs) -> dict:
    """A new dict of ``logs`` (None gives ``{}``) with scalar values as Python floats and nested
    dicts flattened, sorted by key, as Keras hands logs to callbacks."""
    out = {}
    for key, value in sorted((logs or {}).items()):
        if isinstance(value, dict):
            out.update(pythonify_logs(value))
            continue
        try:  # Keras: float(value) where that works (a 0-d array or Tensor), else as it is
            value = float(getattr(value, "_data", value)) if np.ndim(
                getattr(value, "_data", value)) == 0 else value
        except (TypeError, ValueError):
            pass
        out[key] = value
    return out


class Callback:
    """Base class: override any ``on_*`` hook. ``self.model`` is the model being trained and
    ``self.params`` holds ``epochs``, ``steps`` and ``verbose``; training stops when a hook sets
    ``self.model.stop_training = True``."""

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_batch_begin(self, batch, logs=None):
        """A training batch starts (the alias Keras calls from ``on_train_batch_begin``)."""

    def on_batch_end(self, batch, logs=None):
        """A training batch ended (the alias Keras calls from ``on_train_batch_end``)."""

    def on_epoch_begin(self, epoch, logs=None):
        """An epoch of ``fit`` starts."""

    def on_epoch_end(self, epoch, logs=None):
        """An epoch of ``fit`` ended; ``logs`` holds its metrics (and ``val_*``)."""

    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        """A batch of ``evaluate`` (or of validation) starts."""

    def on_test_batch_end(self, batch, logs=None):
        """A batch of ``evaluate`` (or of validation) ended."""

    def on_predict_batch_begin(self, batch, logs=None):
        """A batch of ``predict`` starts."""

    def on_predict_batch_end(self, batch, logs=None):
        """A batch of ``predict`` ended; ``logs['outputs']`` holds its predictions."""

    def on_train_begin(self, logs=None):
        """``fit`` starts."""

    def on_train_end(self, logs=None):
        """``fit`` ended; ``logs`` holds the last epoch's metrics."""

    def on_test_begin(self, logs=None):
        """``evaluate`` (or a validation pass) starts."""

    def on_test_end(self, logs=None):
        """``evaluate`` (or a validation pass) ended."""

    def on_predict_begin(self, logs=None):
        """``predict`` starts."""

    def on_predict_end(self, logs=None):
        """``predict`` ended."""


class CallbackList(Callback):
    """Runs each hook on every callback in order, with the logs made Python floats (``{}`` when
    there are none); adds a History and a ProgbarLogger when asked and none is given."""

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None, **params):
        super().__init__()
        self.callbacks = list(callbacks or [])
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(f"Expected a keras Callback in `callbacks`, received {cb!r} of type "
                                f"{type(cb).__name__}")
        self._history = next((c for c in self.callbacks if isinstance(c, History)), None)
        self._progbar = next((c for c in self.callbacks if isinstance(c, ProgbarLogger)), None)
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger()
            self.callbacks.append(self._progbar)
        self.set_model(model)
        self.set_params(params)

    def append(self, callback):
        self.callbacks.append(callback)

    def history(self):
        """The History callback (what ``fit`` returns)."""
        return self._history

    def set_params(self, params):
        self.params = params
        if params:
            for cb in self.callbacks:
                cb.set_params(params)

    def set_model(self, model):
        if model is None:
            return
        self.model = model
        if self._history is not None:
            model.history = self._history
        for cb in self.callbacks:
            cb.set_model(model)

    def _each(self, hook: str, *args, keyword_logs=False, logs=None):
        logs = pythonify_logs(logs)
        for cb in self.callbacks:
            fn = getattr(cb, hook)
            fn(*args, logs=logs) if keyword_logs else fn(*args, logs)

    # hooks with a batch or epoch index; Keras passes the batch hooks' logs by keyword
    def on_batch_begin(self, batch, logs=None):
        self._each("on_batch_begin", batch, keyword_logs=True, logs=logs)

    def on_batch_end(self, batch, logs=None):
        self._each("on_batch_end", batch, keyword_logs=True, logs=logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._each("on_epoch_begin", epoch, logs=logs)

    def on_epoch_end(self, epoch, logs=None):
        self._each("on_epoch_end", epoch, logs=logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._each("on_train_batch_begin", batch, keyword_logs=True, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        self._each("on_train_batch_end", batch, keyword_logs=True, logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._each("on_test_batch_begin", batch, keyword_logs=True, logs=logs)

    def on_test_batch_end(self, batch, logs=None):
        self._each("on_test_batch_end", batch, keyword_logs=True, logs=logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._each("on_predict_batch_begin", batch, keyword_logs=True, logs=logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._each("on_predict_batch_end", batch, keyword_logs=True, logs=logs)

    # begin/end hooks: logs passed positionally, so one-argument functions work
    def on_train_begin(self, logs=None):
        self._each("on_train_begin", logs=logs)

    def on_train_end(self, logs=None):
        self._each("on_train_end", logs=logs)

    def on_test_begin(self, logs=None):
        self._each("on_test_begin", logs=logs)

    def on_test_end(self, logs=None):
        self._each("on_test_end", logs=logs)

    def on_predict_begin(self, logs=None):
        self._each("on_predict_begin", logs=logs)

    def on_predict_end(self, logs=None):
        self._each("on_predict_end", logs=logs)


class History(Callback):
    """Records every epoch's logs: ``history.history['loss']`` is the list of epoch losses."""

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)
        if self.model is not None:
            self.model.history = self


class ProgbarLogger(Callback):
    """Prints ``Epoch i/n`` and the Keras-style bar (``verbose`` 1) or one line (2) per epoch."""

    def __init__(self):
        super().__init__()
        self.bar = None

    def _verbose(self):
        return self.params.get("verbose", 1)

    def on_epoch_begin(self, epoch, logs=None):
        if self._verbose():
            print(f"Epoch {epoch + 1}/{self.params.get('epochs', 1)}", flush=True)
            self.bar = Progbar(self.params.get("steps", 1), self._verbose())

    def on_train_batch_end(self, batch, logs=None):
        if self.bar is not None:
            self.bar.update(batch + 1, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.bar is not None:
            self.bar.finish(logs)
            self.bar = None

    def on_test_begin(self, logs=None):
        if self.params.get("mode") == "evaluate" and self._verbose():
            self.bar = Progbar(self.params.get("steps", 1), self._verbose())

    def on_test_batch_end(self, batch, logs=None):
        if self.params.get("mode") == "evaluate" and self.bar is not None:
            self.bar.update(batch + 1, logs)

    def on_test_end(self, logs=None):
        if self.params.get("mode") == "evaluate" and self.bar is not None:
            self.bar.finish(logs)
            self.bar = None

    def on_predict_begin(self, logs=None):
        if self._verbose():
            self.bar = Progbar(self.params.get("steps", 1), self._verbose())

    def on_predict_batch_end(self, batch, logs=None):
        if self.bar is not None:
            self.bar.update(batch + 1)

    def on_predict_end(self, logs=None):
        if self.bar is not None:
            self.bar.finish()
            self.bar = None


class LambdaCallback(Callback):
    """A callback from plain functions, as Keras's: ``on_epoch_begin``/``on_epoch_end`` take
    ``(epoch, logs)``, ``on_train_begin``/``on_train_end`` take ``(logs)``, the batch hooks
    ``(batch, logs)``; any other ``on_*`` hook may be given by keyword too.

    Example::

        >>> LambdaCallback(on_epoch_end=lambda epoch, logs: print(epoch, logs["loss"]),
        ...                on_train_end=lambda logs: print("done"))
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None,
                 **kwargs):
        super().__init__()
        typos = sorted(k for k in kwargs if k.startswith("on_") and not hasattr(Callback, k))
        if typos:  # Keras would store these silently and never call them
            raise TypeError(f"LambdaCallback got unknown hook(s) {', '.join(typos)}; the hooks are "
                            f"{', '.join(h for h in dir(Callback) if h.startswith('on_'))}")
        self.__dict__.update(kwargs)
        hooks = {"on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end,
                 "on_train_begin": on_train_begin, "on_train_end": on_train_end,
                 "on_train_batch_begin": on_train_batch_begin,
                 "on_train_batch_end": on_train_batch_end}
        for name, fn in hooks.items():
            if fn is not None:
                setattr(self, name, fn)
