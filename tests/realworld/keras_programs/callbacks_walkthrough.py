"""A callbacks walk-through in the style of Keras's "Writing your own callbacks" guide: a
callback that records what it sees, one that stops training at a loss level, and the built-in
scheduler, early stopping, plateau, checkpoint and lambda callbacks on one regression model."""
import os
import tempfile

import numpy as np

import keras
from keras import layers


class Recorder(keras.callbacks.Callback):
    """Notes every stage it is called at, with the keys of the logs it receives."""

    def on_train_begin(self, logs=None):
        self.events = [("train_begin", sorted(logs))]
        self.batch_losses = []

    def on_epoch_begin(self, epoch, logs=None):
        self.events.append(("epoch_begin", epoch))

    def on_train_batch_end(self, batch, logs=None):
        self.batch_losses.append(logs["loss"])

    def on_test_begin(self, logs=None):
        self.events.append(("test_begin", sorted(logs)))

    def on_epoch_end(self, epoch, logs=None):
        self.events.append(("epoch_end", epoch, sorted(logs.keys())))

    def on_train_end(self, logs=None):
        self.events.append(("train_end", sorted(logs)))


class StopBelow(keras.callbacks.Callback):
    def __init__(self, threshold):
        super().__init__()
        self.threshold = threshold
        self.stopped_at = None

    def on_epoch_end(self, epoch, logs=None):
        if logs["loss"] < self.threshold:
            self.model.stop_training = True
            self.stopped_at = epoch


def halve_after_two(epoch, lr):
    return lr if epoch < 2 else lr * 0.5


def make_model():
    model = keras.Sequential([keras.Input(shape=(8,)), layers.Dense(16, activation="relu"),
                              layers.Dense(1)])
    rng = np.random.default_rng(7)
    model.set_weights([rng.normal(scale=0.3, size=w.shape).astype("float32")
                       for w in model.get_weights()])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05), loss="mse",
                  metrics=["mae"])
    return model


def main():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(160, 8)).astype("float32")
    y = (x @ rng.normal(size=(8, 1)) + 0.1 * rng.normal(size=(160, 1))).astype("float32")
    recorder, stopper = Recorder(), StopBelow(0.05)
    finished = []
    with tempfile.TemporaryDirectory() as folder:
        best = os.path.join(folder, "best.keras")
        callbacks = [
            recorder,
            keras.callbacks.LearningRateScheduler(halve_after_two),
            keras.callbacks.EarlyStopping(monitor="val_loss", patience=3,
                                          restore_best_weights=True),
            keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=1,
                                              min_lr=1e-3),
            keras.callbacks.ModelCheckpoint(best, monitor="val_loss", save_best_only=True),
            keras.callbacks.LambdaCallback(on_train_end=lambda logs: finished.append(len(logs))),
            keras.callbacks.TerminateOnNaN(),
            stopper,
        ]
        model = make_model()
        history = model.fit(x, y, validation_split=0.25, epochs=12, batch_size=16, verbose=0,
                            shuffle=False, callbacks=callbacks)
        reloaded = keras.models.load_model(best)
        best_val = reloaded.evaluate(x[120:], y[120:], verbose=0)[0]
    return {"history": history.history, "batch_losses": recorder.batch_losses,
            "events": recorder.events, "stopped_at": stopper.stopped_at,
            "final_lr": float(np.asarray(model.optimizer.learning_rate)),
            "best_val_loss": best_val, "finished": finished,
            "predictions": model.predict(x[:4], verbose=0)}
