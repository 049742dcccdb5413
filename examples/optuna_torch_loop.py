"""Hyper-parameter search with Optuna around a PyTorch-style training loop (only the imports
name ember): the objective builds an MLP from the trial's learning rate, width, dropout and
optimizer, reports the validation loss after every epoch so Optuna's median pruner can stop
hopeless trials, and logs each trial to TensorBoard with ``SummaryWriter`` (``add_scalar`` per
epoch, ``add_hparams`` at the end).

Run: python examples/optuna_torch_loop.py --trials 20 --logdir runs/optuna
     tensorboard --logdir runs/optuna
"""
import argparse
import os

import numpy as np
import optuna

import ember as torch
import ember.nn as nn
from ember.datasets import load_digits
from ember.utils.data import DataLoader, TensorDataset
from ember.utils.tensorboard import SummaryWriter


def load_splits(seed=0):
    digits = load_digits()
    x = (digits.X / 16.0).astype(np.float32)
    y = digits.y.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(x))
    test, val, train = order[:360], order[360:540], order[540:]
    return [(torch.from_numpy(x[i]), torch.from_numpy(y[i])) for i in (train, val, test)]


def build_model(trial, n_in, n_out):
    layers, width = [], n_in
    for i in range(trial.suggest_int("n_layers", 1, 2)):
        units = trial.suggest_categorical(f"units_{i}", [64, 128, 256])
        layers += [nn.Linear(width, units), nn.ReLU(),
                   nn.Dropout(trial.suggest_float("dropout", 0.0, 0.5))]
        width = units
    return nn.Sequential(*layers, nn.Linear(width, n_out))


def evaluate(model, x, y, loss_fn):
    model.eval()
    with torch.no_grad():
        out = model(x)
        return loss_fn(out, y).item(), (out.argmax(1) == y).float().mean().item()


def train(trial, splits, epochs, logdir=None, models=None):
    (x_train, y_train), (x_val, y_val), _ = splits
    torch.manual_seed(0)
    model = build_model(trial, x_train.shape[1], 10)
    lr = trial.suggest_float("lr", 1e-4, 3e-2, log=True)
    name = trial.suggest_categorical("optimizer", ["Adam", "AdamW", "RMSprop"])
    optimizer = getattr(torch.optim, name)(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=64, shuffle=True)
    writer = SummaryWriter(os.path.join(logdir, f"trial{trial.number}")) if logdir else None
    best = (float("inf"), 0.0)
    try:
        for epoch in range(epochs):
            model.train()
            for xb, yb in loader:
                optimizer.zero_grad()
                loss = loss_fn(model(xb), yb)
                loss.backward()
                optimizer.step()
            val_loss, val_acc = evaluate(model, x_val, y_val, loss_fn)
            best = min(best, (val_loss, val_acc))
            if writer:
                writer.add_scalar("Loss/val", val_loss, epoch)
                writer.add_scalar("Accuracy/val", val_acc, epoch)
            trial.report(val_loss, epoch)
            if trial.should_prune():
                raise optuna.TrialPruned()
    finally:
        if writer:
            writer.add_hparams(dict(trial.params), {"hparam/val_loss": best[0],
                                                    "hparam/val_accuracy": best[1]})
            writer.close()
    trial.set_user_attr("val_accuracy", best[1])
    if models is not None:
        models[trial.number] = model
    return best[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--logdir", default=None)
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    splits = load_splits()
    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=0),
                                pruner=optuna.pruners.MedianPruner(n_warmup_steps=3))
    models = {}
    study.optimize(lambda trial: train(trial, splits, args.epochs, args.logdir, models),
                   n_trials=args.trials)
    pruned = sum(t.state == optuna.trial.TrialState.PRUNED for t in study.trials)
    best = study.best_trial
    x_test, y_test = splits[2]
    _, test_acc = evaluate(models[best.number], x_test, y_test, nn.CrossEntropyLoss())
    print(f"{len(study.trials)} trials, {pruned} pruned; best {best.params}")
    print(f"best val_loss {best.value:.4f} val_accuracy {best.user_attrs['val_accuracy']:.4f} "
          f"test_accuracy {test_acc:.4f}")


if __name__ == "__main__":
    main()
