"""Hyper-parameter search with Optuna around Keras ``fit`` (only the imports name ember): the
objective compiles a model from the trial's parameters and passes a pruning callback to
``fit`` that reports ``val_loss`` after every epoch and raises ``optuna.TrialPruned`` when
Optuna's median pruner says so (what optuna-integration's ``KerasPruningCallback`` does).
``CSVLogger`` and ``TensorBoard`` record every trial.

Run: python examples/optuna_keras_fit.py --trials 20 --logdir runs/optuna_keras
"""
import argparse
import os

import numpy as np
import optuna

from ember import keras
from ember.datasets import load_digits


class PruningCallback(keras.callbacks.Callback):
    """Reports ``monitor`` to the trial after each epoch; stops the trial when it is pruned."""

    def __init__(self, trial, monitor="val_loss"):
        super().__init__()
        self.trial, self.monitor = trial, monitor

    def on_epoch_end(self, epoch, logs=None):
        value = (logs or {}).get(self.monitor)
        if value is None:
            return
        self.trial.report(float(value), step=epoch)
        if self.trial.should_prune():
            raise optuna.TrialPruned(f"Trial was pruned at epoch {epoch}.")


def load_splits(seed=0):
    digits = load_digits()
    x = (digits.X / 16.0).astype("float32")
    y = digits.y.astype("int64")
    order = np.random.default_rng(seed).permutation(len(x))
    test, val, train = order[:360], order[360:540], order[540:]
    return [(x[i], y[i]) for i in (train, val, test)]


def create_model(trial):
    model = keras.Sequential([keras.Input(shape=(64,))])
    for i in range(trial.suggest_int("n_layers", 1, 2)):
        model.add(keras.layers.Dense(trial.suggest_categorical(f"units_{i}", [64, 128, 256]),
                                     activation="relu"))
        model.add(keras.layers.Dropout(trial.suggest_float("dropout", 0.0, 0.5)))
    model.add(keras.layers.Dense(10, activation="softmax"))
    lr = trial.suggest_float("learning_rate", 1e-4, 3e-2, log=True)
    optimizer = {"adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop}[
        trial.suggest_categorical("optimizer", ["adam", "rmsprop"])](learning_rate=lr)
    model.compile(optimizer=optimizer,
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def objective(trial, splits, epochs, logdir, models):
    keras.utils.set_random_seed(0)
    (x_train, y_train), (x_val, y_val), _ = splits
    model = create_model(trial)
    callbacks = [PruningCallback(trial)]
    if logdir:
        run = os.path.join(logdir, f"trial{trial.number}")
        os.makedirs(run, exist_ok=True)
        callbacks += [keras.callbacks.CSVLogger(os.path.join(run, "history.csv")),
                      keras.callbacks.TensorBoard(log_dir=run)]
    history = model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=epochs,
                        batch_size=trial.suggest_categorical("batch_size", [32, 64]),
                        callbacks=callbacks, verbose=0)
    best = int(np.argmin(history.history["val_loss"]))
    trial.set_user_attr("val_accuracy", history.history["val_accuracy"][best])
    models[trial.number] = model
    return history.history["val_loss"][best]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--logdir", default=None)
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    splits, models = load_splits(), {}
    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=0),
                                pruner=optuna.pruners.MedianPruner(n_warmup_steps=3))
    study.optimize(lambda t: objective(t, splits, args.epochs, args.logdir, models),
                   n_trials=args.trials)
    pruned = sum(t.state == optuna.trial.TrialState.PRUNED for t in study.trials)
    best = study.best_trial
    x_test, y_test = splits[2]
    _, test_acc = models[best.number].evaluate(x_test, y_test, verbose=0)
    print(f"{len(study.trials)} trials, {pruned} pruned; best {best.params}")
    print(f"best val_loss {best.value:.4f} val_accuracy {best.user_attrs['val_accuracy']:.4f} "
          f"test_accuracy {test_acc:.4f}")


if __name__ == "__main__":
    main()
