"""``keras.callbacks`` on ember: code run at fixed points of ``fit``/``evaluate``/``predict``.

Hooks receive ``logs`` as a dict (``{}`` when there is nothing to report, never None), with the
values as Python floats. A callback steers training only through ``model.stop_training`` and the
optimizer's ``learning_rate``.

Example::

    >>> stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=3)
    >>> log = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: print(logs["loss"]))
    >>> model.fit(x, y, validation_split=0.2, epochs=20, callbacks=[stop, log])
"""
from .backup import BackupAndRestore
from .base import Callback, CallbackList, History, LambdaCallback, ProgbarLogger
from .misc import CSVLogger, LearningRateScheduler, RemoteMonitor, TerminateOnNaN
from .monitor import EarlyStopping, ModelCheckpoint, ReduceLROnPlateau
from .swap_ema import SwapEMAWeights
from .tensorboard import TensorBoard

__all__ = ["BackupAndRestore", "CSVLogger", "Callback", "CallbackList", "EarlyStopping",
           "History", "LambdaCallback", "LearningRateScheduler", "ModelCheckpoint",
           "ProgbarLogger", "ReduceLROnPlateau", "RemoteMonitor", "SwapEMAWeights", "TensorBoard",
           "TerminateOnNaN"]
