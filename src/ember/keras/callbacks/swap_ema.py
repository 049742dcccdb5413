"""``SwapEMAWeights``: evaluate (and predict) with the optimizer's moving averages of the weights
(an optimizer made with ``use_ema=True``); the class docstring has an example."""
from __future__ import annotations

from .base import Callback

__all__ = ["SwapEMAWeights"]


class SwapEMAWeights(Callback):
    """Puts the optimizer's exponential moving averages of the weights (``use_ema=True``) into
    the model for evaluation and prediction, and the trained weights back afterwards; the two
    are exchanged in place.

    Args:
        swap_on_epoch: also swap at the end of each epoch (so that callbacks after this one, such
            as ``ModelCheckpoint``, see the averages) and back at the start of the next; after the
            last epoch the averages are reset to the weights (which are then the averages).

    Unlike Keras 3.15, whose ``on_predict_end`` tests the wrong flag and leaves the averages in
    the model after ``predict``, the trained weights come back after ``predict`` too.

    Example::

        >>> import numpy as np
        >>> from ember import keras
        >>> model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])
        >>> model.compile(optimizer=keras.optimizers.SGD(0.1, use_ema=True), loss="mse")
        >>> x, y = np.ones((8, 3), np.float32), np.zeros((8, 1), np.float32)
        >>> history = model.fit(x, y, validation_data=(x, y), epochs=2, verbose=0,
        ...                     callbacks=[keras.callbacks.SwapEMAWeights()])
        >>> sorted(history.history)
        ['loss', 'val_loss']
    """

    def __init__(self, swap_on_epoch=False):
        super().__init__()
        self.swap_on_epoch = swap_on_epoch
        self._ema_weights_in_model = False

    def _optimizers(self) -> list:
        optimizer = self.model.optimizer
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)
        inner = getattr(optimizer, "optimizers", None)
        if inner is not None:
            chosen = [opt for opt in inner if getattr(opt, "use_ema", False)]
            if not chosen:
                raise ValueError("SwapEMAWeights must be used when at least one inner optimizer has "
                                 "`use_ema=True` set. Received a MultiOptimizer with all inner "
                                 "optimizers having `use_ema=False`.")
            return chosen
        if not getattr(optimizer, "use_ema", False):
            raise ValueError("SwapEMAWeights must be used when `use_ema=True` is set on the "
                             f"optimizer. Received: use_ema={getattr(optimizer, 'use_ema', None)}")
        return [optimizer]

    def _swap(self, into_model: bool) -> None:
        if self._ema_weights_in_model != into_model:
            for opt in self._optimizers():
                opt._swap_averages()
            self._ema_weights_in_model = into_model

    def on_epoch_begin(self, epoch, logs=None):
        if self.swap_on_epoch:
            self._swap(False)

    def on_epoch_end(self, epoch, logs=None):
        if self.swap_on_epoch and not self._ema_weights_in_model:
            self._swap(True)
            if epoch == self.params["epochs"] - 1:
                for opt in self._optimizers():
                    opt._reset_averages_to_weights()

    def on_test_begin(self, logs=None):
        self._swap(True)

    def on_test_end(self, logs=None):
        self._swap(False)

    def on_predict_begin(self, logs=None):
        self._swap(True)

    def on_predict_end(self, logs=None):
        self._swap(False)
