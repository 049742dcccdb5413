"""``ember train [DATA] [options]`` and ``ember train --resume RUN_DIR [--epochs N]``."""
from __future__ import annotations

import json
import os
import sys
import time

import numpy as np

from . import config as config_mod
from . import plots, rundir
from .data import (classes, fit_standardisation, fit_target_scaling, load_training_data, split_indices,
                   standardise, task, unscale_target)
from .errors import CLIError
from .metrics import classification_metrics, headline, regression_metrics
from .progress import Progress
from .summary import format_table, model_rows
from .trainer import Trainer, TrainingDiverged, predict_outputs

RESUME_OPTIONS = {"epochs", "quiet", "json", "resume"}


def add_arguments(parser) -> None:
    a = parser.add_argument
    a("data", nargs="?", default=None, metavar="DATA",
      help="CSV file, bundled data set (digits, iris, wine, breast_cancer, diabetes) or generator "
           "(moons, circles, spirals, xor); default: digits")
    a("--target", help="target column of a CSV (default: the last column)")
    a("--task", help="auto (default), classification or regression")
    a("--dropna", action="store_true", default=None, help="drop CSV rows with missing values")
    a("--hidden", help="hidden layer sizes, e.g. 128,64 (default); 'none' for a linear model")
    a("--activation", help=f"one of {', '.join(config_mod.ACTIVATIONS)} (default relu)")
    a("--dropout", help="dropout probability after each hidden layer (default 0)")
    a("--batch-norm", action="store_true", default=None, help="BatchNorm1d after each hidden Linear")
    a("--init", help=f"weight initialisation: {', '.join(config_mod.INITS)}")
    a("--optimizer", help=f"one of {', '.join(config_mod.OPTIMIZERS)} (default adam)")
    a("--lr", help="learning rate (default depends on the optimizer; 'auto' runs the LR finder)")
    a("--momentum", help="momentum for sgd/momentum/nesterov/rmsprop")
    a("--weight-decay", help="optimizer weight decay (default 0)")
    a("--l1", help="L1 penalty on the weights, added to the loss")
    a("--l2", help="L2 penalty on the weights, added to the loss")
    a("--epochs", help="epochs to train (with --resume: the new total)")
    a("--batch-size", help="batch size; 'full' for batch gradient descent, 1 for SGD (default 64)")
    a("--val-split", help="fraction of rows for validation (default 0.1)")
    a("--test-split", help="fraction of rows held out for the test metrics (default 0.2)")
    a("--early-stopping", metavar="PATIENCE", help="stop after PATIENCE epochs without improvement "
      "of the validation loss, keeping the best weights (default 8; 0 turns it off)")
    a("--lr-schedule", help=f"one of {', '.join(config_mod.SCHEDULES)}")
    a("--clip-norm", help="clip the gradients' global norm to this value")
    a("--clip-value", help="clip every gradient element to [-value, value]")
    a("--seed", help="random seed (default 0): same seed, same run, bit for bit")
    a("--out", help="run folder (default runs/<timestamp>-<data>/)")
    a("--config", help="TOML or JSON file with the same option names")
    a("--no-plots", dest="plots", action="store_false", default=None, help="skip the PNG plots")
    a("--diagnose", action="store_true", default=None,
      help="record gradient/activation health with ember.diagnostics.TrainingMonitor")
    a("--resume", metavar="RUN_DIR", help="continue the run saved in RUN_DIR")
    a("--quiet", action="store_true", help="no progress output")
    a("--json", action="store_true", help="print a machine-readable summary on stdout")


def _options(args) -> dict:
    names = set(config_mod.DEFAULTS)
    return {k: v for k, v in vars(args).items() if k in names}


# --------------------------------------------------------------------------------------------
# preparing the data

def _prepare(cfg: dict):
    data = load_training_data(cfg["data"], target=cfg["target"], task=cfg["task"],
                              dropna=cfg["dropna"], seed=cfg["seed"])
    spec, X, y = data.spec, data.X, data.y
    if len(X) < 3:
        raise CLIError(f"{cfg['data']} has only {len(X)} rows; at least 3 are needed")
    train, val, test = split_indices(len(X), cfg["val_split"], cfg["test_split"], cfg["seed"])
    fit_standardisation(spec, X[train])
    Xs = standardise(spec, X)
    if task(spec) == "classification":
        if len(np.unique(y[train])) < 2:
            raise CLIError(f"the training split of {cfg['data']} holds a single class; "
                           "more rows or a different --seed are needed")
        ys, n_out = y, len(classes(spec))
    else:
        fit_target_scaling(spec, y[train])
        ys, n_out = ((y - spec["y_mean"]) / spec["y_std"]).astype(np.float32)[:, None], 1
    splits = {"train": (Xs[train], ys[train]), "val": (Xs[val], ys[val]) if len(val) else None,
              "test": (Xs[test], ys[test]) if len(test) else None}
    info = {"data": cfg["data"], "name": data.name, "task": task(spec), "n_rows": int(len(X)),
            "n_train": int(len(train)), "n_val": int(len(val)), "n_test": int(len(test)),
            "n_features": int(X.shape[1]), "n_outputs": int(n_out),
            "data_path": os.path.abspath(cfg["data"]) if os.path.exists(cfg["data"]) else None}
    return data, splits, info, {"train": train, "val": val, "test": test}


def _check_hooks(cfg: dict) -> None:
    """``--lr auto`` and ``--diagnose`` need ember.diagnostics: one clear line when it is missing."""
    for flag, wanted, need in (("--lr auto", cfg["lr"] == "auto", "lr_find"),
                               ("--diagnose", cfg["diagnose"], "TrainingMonitor")):
        if not wanted:
            continue
        try:
            from .. import diagnostics
        except ImportError:
            diagnostics = None
        if diagnostics is None or not hasattr(diagnostics, need):
            raise CLIError(f"{flag} needs ember.diagnostics.{need}, which this installation lacks")


def _hooks(trainer: Trainer, cfg: dict, progress: Progress, folder: str) -> None:
    """Runs the learning-rate finder (``--lr auto``) and attaches a TrainingMonitor (``--diagnose``)."""
    if cfg["lr"] == "auto":
        from ..diagnostics import lr_find
        result = lr_find(trainer.model, trainer.loss_fn, trainer.loader, optimizer=trainer.optimizer)
        suggested = float(result.suggestion)
        if not np.isfinite(suggested) or suggested <= 0:
            raise CLIError("--lr auto: the learning-rate finder found no usable rate; give --lr")
        for group in trainer.optimizer.param_groups:
            group["lr"] = suggested
            if "initial_lr" in group:
                group["initial_lr"] = suggested
        cfg["lr"] = suggested
        progress.message(f"--lr auto: the learning-rate finder suggests {suggested:.3g}")
        if cfg["plots"] and plots.available():
            result.plot(os.path.join(folder, "lr_find.png"))
    if cfg["diagnose"]:
        from ..diagnostics import TrainingMonitor
        trainer.monitor = TrainingMonitor(trainer.model)


# --------------------------------------------------------------------------------------------
# finishing a run

def _test_metrics(trainer: Trainer, splits: dict, spec: dict) -> tuple:
    if splits["test"] is None:
        return None, None, None
    X, y = splits["test"]
    out = predict_outputs(trainer.model, X)
    if task(spec) == "classification":
        pred = out.argmax(axis=1)
        return classification_metrics(y, pred, classes(spec)), y, pred
    true, pred = unscale_target(spec, y), unscale_target(spec, out)
    return regression_metrics(true, pred), true, pred


def _make_plots(folder, trainer, spec, metrics, true, pred, data, index) -> list:
    made = [plots.learning_curves(trainer.history, trainer.metric, folder)]
    if metrics is not None and task(spec) == "classification":
        made.append(plots.confusion_matrix(metrics["confusion_matrix"], classes(spec), folder))
    elif metrics is not None:
        made.append(plots.predicted_vs_true(true, pred, folder))
    if task(spec) == "classification" and data.X.shape[1] == 2:
        def predict_class(grid):
            return predict_outputs(trainer.model, standardise(spec, grid)).argmax(axis=1)
        made.append(plots.decision_boundary(data.X, data.y, predict_class, folder))
    if trainer.monitor is not None and trainer.monitor.steps:
        trainer.monitor.plot(os.path.join(folder, "diagnostics.png"))
    return made


def _finish(folder, run, trainer, splits, data, index, cfg, out, started, note="") -> dict:
    from ..io import save
    spec, info = run["preprocessing"], run["info"]
    trainer.use_best_weights()
    save(trainer.model.state_dict(), os.path.join(folder, rundir.MODEL))
    rundir.write_history(folder, trainer.history)
    metrics, true, pred = _test_metrics(trainer, splits, spec)
    info.update({"epochs_run": trainer.epoch, "stopped_early": trainer.stopped_early,
                 "train_seconds": round(time.perf_counter() - started, 3)})
    rows = model_rows(trainer.model, info["n_features"])
    summary = {"run": os.path.abspath(folder), "data": cfg["data"], "task": task(spec),
               "epochs_run": trainer.epoch, "stopped_early": trainer.stopped_early,
               "train_seconds": info["train_seconds"], "test": metrics,
               "final": {k: v[-1] for k, v in trainer.history.items() if v and k != "time"},
               "parameters": sum(r["params"] for r in rows),
               "report": os.path.abspath(os.path.join(folder, "report.html"))}
    rundir.write_json(folder, rundir.METRICS, summary)
    rundir.write_json(folder, rundir.CONFIG, run)
    plot_note = ""
    if cfg["plots"]:
        if plots.available():
            _make_plots(folder, trainer, spec, metrics, true, pred, data, index)
        else:
            plot_note = plots.EXTRA_HINT
    from .report import write_report
    write_report(folder, config=cfg, summary_rows=rows, metrics=metrics, info=info,
                 history=trainer.history, note=note)
    if out.json:
        print(json.dumps(summary, indent=2))
    elif not out.quiet:
        print(format_table(rows))
        print(f"test: {headline(metrics)}" if metrics else "test: no test split")
        if trainer.monitor is not None:
            print("diagnostics:")
            print(trainer.monitor.summary())
            print(str(trainer.monitor.report()))
        if plot_note:
            print(f"note: {plot_note}")
        print(f"report: {os.path.join(folder, 'report.html')}")
    return summary


# --------------------------------------------------------------------------------------------
# the command

def _train_loop(folder, run, trainer, splits, data, index, cfg, args, progress, started) -> int:
    checkpoint_path = os.path.join(folder, rundir.CHECKPOINT)
    extra = {"config": cfg, "preprocessing": run["preprocessing"]}

    def checkpoint():
        trainer.save(checkpoint_path, **extra)
        rundir.write_history(folder, trainer.history)

    try:
        trainer.fit(cfg["epochs"], checkpoint=checkpoint)
    except KeyboardInterrupt:
        print(f"\ninterrupted: checkpoint of epoch {trainer.epoch} kept in {checkpoint_path}; "
              f"continue with: ember train --resume {folder}", file=sys.stderr)
        return 130
    except TrainingDiverged as exc:
        print(f"ember: error: {exc}. The last good checkpoint (epoch {trainer.epoch}) is kept in "
              f"{checkpoint_path}", file=sys.stderr)
        return 1
    _finish(folder, run, trainer, splits, data, index, cfg, args, started)
    return 0


def run(args) -> int:
    if args.resume:
        return resume(args)
    started = time.perf_counter()
    cfg = config_mod.resolve(_options(args), args.config)
    progress = Progress(sys.stderr if args.json else sys.stdout, quiet=args.quiet)
    data, splits, info, index = _prepare(cfg)
    folder = rundir.new_run_folder(args.out, info["name"])
    info["created"] = time.strftime("%Y-%m-%d %H:%M:%S")
    run_record = {"config": cfg, "preprocessing": data.spec, "info": info}
    _check_hooks(cfg)
    trainer = Trainer({**cfg, "lr": 1e-3} if cfg["lr"] == "auto" else cfg, splits, info["task"],
                      info["n_outputs"], data.spec.get("y_std", 1.0), progress)
    _hooks(trainer, cfg, progress, folder)
    rundir.write_json(folder, rundir.CONFIG, run_record)
    trainer.save(os.path.join(folder, rundir.CHECKPOINT), config=cfg, preprocessing=data.spec)
    progress.message(f"training on {cfg['data']} ({info['task']}, {info['n_train']} train / "
                     f"{info['n_val']} validation / {info['n_test']} test rows) → {folder}")
    return _train_loop(folder, run_record, trainer, splits, data, index, cfg, args, progress, started)


def resume(args) -> int:
    started = time.perf_counter()
    given = [k for k, v in vars(args).items()
             if k not in RESUME_OPTIONS and k not in ("command", "func") and v not in (None, False)]
    if given:
        raise CLIError(f"--resume continues a run with its saved options; only --epochs, --quiet and "
                       f"--json can be given (got --{given[0].replace('_', '-')})")
    folder = args.resume
    run_record = rundir.read_run(folder, need=(rundir.CONFIG, rundir.CHECKPOINT))
    cfg = dict(run_record["config"])
    if args.epochs is not None:
        cfg["epochs"] = config_mod.validate({**cfg, "epochs": args.epochs})["epochs"]
    checkpoint = rundir.load_state(os.path.join(folder, rundir.CHECKPOINT))
    if not isinstance(checkpoint, dict) or checkpoint.get("kind") != "ember-checkpoint":
        raise CLIError(f"{folder}/{rundir.CHECKPOINT} is not an ember training checkpoint")
    data_arg = run_record["info"].get("data_path") or cfg["data"]
    progress = Progress(sys.stderr if args.json else sys.stdout, quiet=args.quiet)
    data, splits, info, index = _prepare({**cfg, "data": data_arg})
    if info["n_features"] != run_record["info"]["n_features"]:
        raise CLIError(f"the data of {folder} ({data_arg}) changed since training: "
                       f"{info['n_features']} features instead of {run_record['info']['n_features']}")
    data.spec = run_record["preprocessing"]
    trainer = Trainer(cfg, splits, info["task"], info["n_outputs"], data.spec.get("y_std", 1.0), progress)
    trainer.restore(checkpoint)
    if trainer.stopped_early:
        progress.message(f"{folder} stopped early at epoch {trainer.epoch}; nothing to resume")
    else:
        progress.message(f"resuming {folder} at epoch {trainer.epoch} of {cfg['epochs']}")
    run_record["config"] = cfg
    return _train_loop(folder, run_record, trainer, splits, data, index, cfg, args, progress, started)
