"""``ember train [DATA] [options]`` and ``ember train --resume RUN_DIR [--epochs N]``."""
from __future__ import annotations

import contextlib
import json
import math
import os
import sys
import time

import numpy as np

from . import baseline
from . import config as config_mod
from . import defaults as auto
from . import parallel, plots, rundir, tblog
from .builders import check_fits
from .data import (classes, fit_standardisation, fit_target_scaling, load_training_data, split_indices,
                   standardise, task, unscale_target)
from .errors import CLIError, writing
from .metrics import classification_metrics, headline, regression_metrics
from .progress import Progress
from .report import write_report
from .signals import deferred_interrupts
from .summary import format_table, model_rows
from .trainer import CHECKPOINT_SECONDS, Trainer, TrainingDiverged, predict_outputs
from .windows import fit_series_scaling, split_in_order, windowed_data

RESUME_OPTIONS = {"epochs", "quiet", "json", "resume", "allow_data_change", "tensorboard", "nproc",
                  "argv"}


def add_arguments(parser) -> None:
    a = parser.add_argument
    a("data", nargs="?", default=None, metavar="DATA",
      help="CSV file, bundled data set (digits, iris, wine, breast_cancer, diabetes) or generator "
           "(moons, circles, spirals, xor); default: digits")
    a("--target", help="target column of a CSV (default: the last column)")
    a("--task", help="auto (default), classification or regression")
    a("--dropna", action="store_true", default=None,
      help="drop CSV rows with missing or non-finite values (inf, 1e999) instead of stopping")
    a("--model", help="mlp (default); cnn: two 3x3 convolutions and a max-pool in front of "
                      "the hidden layers, for square grey images such as digits; lstm: an LSTM "
                      "forecasting the next value of a series (sunspots, or a CSV column given "
                      "by --target) from the --window values before it")
    a("--window", help="with --model lstm: how many past values each forecast reads (default 12)")
    a("--hidden", help="hidden layer sizes, e.g. 128,64 (default; 128 with --model cnn); 'none' "
                       "for a linear model")
    a("--activation", help=f"one of {', '.join(config_mod.ACTIVATIONS)} (default relu)")
    a("--dropout", help="dropout probability after each hidden layer (default 0; 0.5 with "
                        "--model cnn)")
    a("--batch-norm", action="store_true", default=None,
      help="BatchNorm1d after each hidden Linear (and BatchNorm2d after each convolution)")
    a("--init", help=f"weight initialisation: {', '.join(config_mod.INITS)}")
    a("--optimizer", help=f"one of {', '.join(config_mod.OPTIMIZERS)} (default adam)")
    a("--lr", help="learning rate (default depends on the optimizer, 0.01 with --model lstm; "
                   "'auto' runs the LR finder)")
    a("--momentum", help="momentum for sgd/momentum/nesterov/rmsprop")
    a("--weight-decay", help="optimizer weight decay (default 0)")
    a("--l1", help="L1 penalty on the weights, added to the loss")
    a("--l2", help="L2 penalty on the weights, added to the loss (default: 5 / training rows)")
    a("--steps", help=f"training budget in optimizer steps, turned into epochs (default "
                      f"{auto.STEP_BUDGET}, within {auto.MIN_EPOCHS}-{auto.MAX_EPOCHS} epochs)")
    a("--epochs", help="epochs to train, instead of --steps (100 with --model lstm; with --resume: "
                       "the new total)")
    a("--batch-size", help="batch size; 'full' for batch gradient descent, 1 for SGD (default: the "
                           "power of two at or below sqrt(training rows), within 16-256)")
    a("--val-split", help="fraction of rows for validation (default 0.1)")
    a("--test-split", help="fraction of rows held out for the test metrics (default 0.2)")
    a("--early-stopping", metavar="PATIENCE", help="stop after PATIENCE epochs without improvement "
      "of the validation loss, keeping the best weights (default: about "
      f"{auto.PATIENCE_STEPS} steps, within {auto.MIN_PATIENCE}-{auto.MAX_PATIENCE} epochs; 0 turns it off)")
    a("--swa", metavar="EPOCHS", help="stochastic weight averaging: the saved model is the "
      "average of the weights after each of the last EPOCHS epochs (torch.optim.swa_utils."
      "AveragedModel; BatchNorm statistics recomputed on the training rows); early stopping is "
      "then off")
    a("--lr-schedule", help=f"one of {', '.join(config_mod.SCHEDULES)}")
    a("--clip-norm", help="clip the gradients' global norm to this value")
    a("--clip-value", help="clip every gradient element to [-value, value]")
    a("--seed", help="random seed (default 0): same seed, same run, bit for bit")
    a("--out", help="run folder (default runs/<timestamp>-<data>/); it must be new or empty")
    a("--overwrite", action="store_true", help="replace the run that --out already holds")
    a("--config", help="TOML or JSON file with the same option names")
    a("--no-plots", dest="plots", action="store_false", default=None, help="skip the PNG plots")
    a("--diagnose", action="store_true", default=None,
      help="record gradient/activation health with ember.diagnostics.TrainingMonitor")
    a("--resume", metavar="RUN_DIR", help="continue the run saved in RUN_DIR")
    a("--allow-data-change", action="store_true",
      help="with --resume: continue even though the data changed since the run started")
    a("--tensorboard", metavar="DIR", help="also write every epoch's metrics as TensorBoard "
      "logs to DIR (train/ and validation/, Keras's tags)")
    parallel.add_argument(parser)
    a("--quiet", action="store_true", help="no progress output")
    a("--json", action="store_true", help="print a machine-readable summary on stdout")


def _options(args) -> dict:
    names = set(config_mod.DEFAULTS)
    return {k: v for k, v in vars(args).items() if k in names}


# --------------------------------------------------------------------------------------------
# preparing the data

def _prepare(cfg: dict):
    """``(data, splits, info)``: DATA loaded, split, standardised, described and fingerprinted."""
    forecasting = cfg["model"] == "lstm"
    if forecasting:
        data = windowed_data(cfg["data"], target=cfg["target"], window=cfg["window"],
                             dropna=cfg["dropna"])
    else:
        data = load_training_data(cfg["data"], target=cfg["target"], task=cfg["task"],
                                  dropna=cfg["dropna"], seed=cfg["seed"])
    spec, X, y = data.spec, data.X, data.y
    if len(X) < 3:
        raise CLIError(f"{cfg['data']} has only {len(X)} rows; at least 3 are needed")
    if forecasting:
        train, val, test = split_in_order(len(X), cfg["val_split"], cfg["test_split"])
        auto.resolve(cfg, len(train))  # the defaults that depend on the number of training rows
        fit_series_scaling(spec, y[train])
    else:
        train, val, test = split_indices(len(X), cfg["val_split"], cfg["test_split"], cfg["seed"])
        auto.resolve(cfg, len(train))
        fit_standardisation(spec, X[train])
    Xs = standardise(spec, X)
    if task(spec) == "classification":
        if len(np.unique(y[train])) < 2:
            raise CLIError(f"the training split of {cfg['data']} holds a single class; "
                           "more rows or a different --seed are needed")
        ys, n_out = y, len(classes(spec))
    else:
        if not forecasting:
            fit_target_scaling(spec, y[train])
        ys, n_out = ((y - spec["y_mean"]) / spec["y_std"]).astype(np.float32)[:, None], 1
    splits = {"train": (Xs[train], ys[train]), "val": (Xs[val], ys[val]) if len(val) else None,
              "test": (Xs[test], ys[test]) if len(test) else None, "test_rows": test}
    info = {"data": cfg["data"], "name": data.name, "task": task(spec), "n_rows": int(len(X)),
            "n_train": int(len(train)), "n_val": int(len(val)), "n_test": int(len(test)),
            "n_features": int(X.shape[1]), "n_outputs": int(n_out),
            "data_path": os.path.abspath(cfg["data"]) if os.path.exists(cfg["data"]) else None,
            "data_fingerprint": rundir.fingerprint(X, y)}
    check_fits(cfg, info["n_features"], n_out,
               info["n_train"] if cfg["batch_size"] == "full" else min(cfg["batch_size"], info["n_train"]))
    return data, splits, info


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


def _make_plots(folder, trainer, spec, metrics, true, pred, data, test_rows) -> None:
    plots.learning_curves(trainer.history, trainer.metric, folder)
    if metrics is not None and task(spec) == "classification":
        plots.confusion_matrix(metrics["confusion_matrix"], classes(spec), folder)
        side = math.isqrt(data.X.shape[1])
        if side * side == data.X.shape[1] and side >= 4:  # square pictures: show the mistakes
            images = data.X[test_rows].reshape(-1, side, side)
            plots.misclassified(images, true, pred, classes(spec), folder)
    elif metrics is not None:
        plots.predicted_vs_true(true, pred, folder)
        if "window" in spec:
            plots.forecast(true, pred, folder)
    if task(spec) == "classification" and data.X.shape[1] == 2:
        def predict_class(grid):
            return predict_outputs(trainer.model, standardise(spec, grid)).argmax(axis=1)
        plots.decision_boundary(data.X, data.y, predict_class, folder)
    if trainer.monitor is not None and trainer.monitor.steps:
        trainer.monitor.plot(os.path.join(folder, "diagnostics.png"))


def _finish(folder, run, trainer, splits, data, cfg, args, started) -> None:
    from ..io import save
    spec, info = run["preprocessing"], run["info"]
    trainer.use_final_weights()
    with writing("the model", os.path.join(folder, rundir.MODEL)):
        save(trainer.model.state_dict(), os.path.join(folder, rundir.MODEL))
    rundir.write_history(folder, trainer.history)
    metrics, true, pred = _test_metrics(trainer, splits, spec)
    info.update({"epochs_run": trainer.epoch, "best_epoch": trainer.best_epoch,
                 "averaged_epochs": trainer.averaged_epochs,
                 "stopped_early": trainer.stopped_early,
                 "train_seconds": round(time.perf_counter() - started, 3)})
    baselines = baseline.fit_baselines(splits, spec)
    rows = model_rows(trainer.model, info["n_features"])
    summary = {"run": os.path.abspath(folder), "data": cfg["data"], "task": task(spec),
               "epochs_run": trainer.epoch, "best_epoch": trainer.best_epoch,
               "averaged_epochs": trainer.averaged_epochs,
               "stopped_early": trainer.stopped_early,
               "train_seconds": info["train_seconds"], "test": metrics,
               "baselines": baselines, "comparison": baseline.comparison(metrics, baselines),
               "final": {k: v[-1] for k, v in trainer.history.items() if v and k != "time"},
               "parameters": sum(r["params"] for r in rows),
               "report": os.path.abspath(os.path.join(folder, rundir.REPORT))}
    rundir.write_json(folder, rundir.METRICS, summary)
    rundir.write_json(folder, rundir.CONFIG, run)
    plot_note = ""
    if cfg["plots"]:
        if plots.available():
            with writing("the plots", folder):
                _make_plots(folder, trainer, spec, metrics, true, pred, data, splits["test_rows"])
        else:
            plot_note = plots.EXTRA_HINT
    with writing("the report", os.path.join(folder, rundir.REPORT)):
        write_report(folder, config=cfg, summary_rows=rows, metrics=metrics, info=info,
                     history=trainer.history, baselines=baselines)
    if args.json:
        print(json.dumps(summary, indent=2))
    elif not args.quiet:
        print(format_table(rows))
        print(f"test: {headline(metrics)}" if metrics else "test: no test split")
        if metrics:
            print("on the same test split:")
            print("\n".join(baseline.console_lines(metrics, baselines)))
        if trainer.monitor is not None:
            print("diagnostics:")
            print(trainer.monitor.summary())
            print(str(trainer.monitor.report()))
        if plot_note:
            print(f"note: {plot_note}")
        print(f"report: {os.path.join(folder, rundir.REPORT)}")


# --------------------------------------------------------------------------------------------
# the command

def _train_loop(folder, run, trainer, splits, data, cfg, args, started) -> int:
    """Trains with a checkpoint after an epoch at most every ``CHECKPOINT_SECONDS`` and
    after the last one. Ctrl-C finishes the running epoch and saves it; during a checkpoint write
    it is held back until the write is complete, so the epoch the messages name is the one the
    file holds."""
    path = os.path.join(folder, rundir.CHECKPOINT)
    extra = {"config": cfg, "preprocessing": run["preprocessing"]}
    saved = {"epoch": trainer.epoch}  # the epoch checkpoint.safetensors holds
    board = tblog.EpochLogger(args.tensorboard, trainer.epoch + 1) \
        if args.tensorboard and trainer.world.main else None

    def checkpoint():
        with deferred_interrupts():
            with writing("the checkpoint", path):
                trainer.save(path, **extra)
            rundir.write_history(folder, trainer.history)
            saved["epoch"] = trainer.epoch
        if board is not None:
            board.log(trainer.history)

    main = trainer.world.main  # on several ranks only rank 0 writes and reports
    try:
        # the TensorBoard log takes every epoch from the checkpoint callback
        trainer.fit(cfg["epochs"], checkpoint=checkpoint if main else None,
                    min_seconds=0.0 if board is not None else CHECKPOINT_SECONDS)
    except KeyboardInterrupt:
        print(f"\ninterrupted: checkpoint of epoch {saved['epoch']} kept in {path}; "
              f"continue with: ember train --resume {folder}", file=sys.stderr)
        return 130
    except TrainingDiverged as exc:
        if main:
            print(f"ember: error: {exc}. The last good checkpoint (epoch {saved['epoch']}) is kept "
                  f"in {path}", file=sys.stderr)
        return 1
    finally:
        if board is not None:
            board.close()
    if main:
        _finish(folder, run, trainer, splits, data, cfg, args, started)
    return 0


def run(args) -> int:
    if parallel.should_launch(args):
        return _launch(args)
    world = parallel.join(args)
    try:
        return resume(args, world) if args.resume else _train(args, world)
    finally:
        world.close()


def _launch(args) -> int:
    """``--nproc N`` outside mpiexec: the options, the data and the run folder are checked here
    (each problem one line, once), then mpiexec starts N ranks on the same command line."""
    argv = list(args.argv)
    if args.resume:
        rundir.read_run(args.resume, need=(rundir.CONFIG, rundir.CHECKPOINT))
    else:
        if args.allow_data_change:
            raise CLIError("--allow-data-change applies to --resume only")
        cfg = config_mod.resolve(_options(args), args.config)
        if cfg["lr"] == "auto":
            raise CLIError("--lr auto runs on one process; give --lr with --nproc")
        _, _, info = _prepare(cfg)
        with rundir.claim(args.out, info["name"], overwrite=args.overwrite) as folder:
            argv += ["--out", folder]  # the ranks write into the folder claimed here
    return parallel.launch(parallel.requested(args), argv)


def _claim(world, args, name):
    """The run folder: claimed by rank 0, the same path on every rank."""
    if world.size == 1:
        return rundir.claim(args.out, name, overwrite=args.overwrite)
    return _shared_claim(world, args, name)


@contextlib.contextmanager
def _shared_claim(world, args, name):
    if not world.main:
        folder = world.share_folder(None)
        if folder is None:
            raise CLIError("rank 0 could not claim the run folder", status=2)
        yield folder
        return
    try:
        claim = rundir.claim(args.out, name, overwrite=args.overwrite)
        folder = claim.__enter__()
    except BaseException:
        world.share_folder(None)
        raise
    world.share_folder(folder)
    try:
        yield folder
    except BaseException:
        if not claim.__exit__(*sys.exc_info()):
            raise
    else:
        claim.__exit__(None, None, None)


def _train(args, world) -> int:
    started = time.perf_counter()
    if args.allow_data_change:
        raise CLIError("--allow-data-change applies to --resume only")
    cfg = config_mod.resolve(_options(args), args.config)
    if args.tensorboard:
        tblog.check_log_dir(args.tensorboard)
    progress = Progress(sys.stderr if args.json else sys.stdout, quiet=args.quiet or not world.main)
    data, splits, info = _prepare(cfg)
    with _claim(world, args, info["name"]) as folder:
        info["created"] = time.strftime("%Y-%m-%d %H:%M:%S")
        run_record = {"config": cfg, "preprocessing": data.spec, "info": info}
        trainer = Trainer(cfg, splits, info["task"], info["n_outputs"], data.spec.get("y_std", 1.0),
                          progress, world)
        if cfg["lr"] == "auto":
            result = trainer.find_lr()
            cfg["lr"] = float(result.suggestion)
            progress.message(f"--lr auto: the learning-rate finder suggests {cfg['lr']:.3g}")
            if cfg["plots"] and plots.available():
                with writing("the learning-rate plot", folder):
                    result.plot(os.path.join(folder, "lr_find.png"))
        if cfg["diagnose"]:
            from ..diagnostics import TrainingMonitor
            trainer.monitor = TrainingMonitor(trainer.model)
        if world.main:
            rundir.write_json(folder, rundir.CONFIG, run_record)
            with writing("the checkpoint", os.path.join(folder, rundir.CHECKPOINT)):
                trainer.save(os.path.join(folder, rundir.CHECKPOINT), config=cfg,
                             preprocessing=data.spec)
        progress.message(f"training on {cfg['data']} ({info['task']}, {info['n_train']} train / "
                         f"{info['n_val']} validation / {info['n_test']} test rows) → {folder}")
        batch = info["n_train"] if cfg["batch_size"] == "full" else min(cfg["batch_size"], info["n_train"])
        steps = cfg["epochs"] * auto.steps_per_epoch(info["n_train"], batch)
        stopping = (f"early stopping after {cfg['early_stopping']} epochs without a better "
                    f"validation loss" if cfg["early_stopping"] else
                    f"weights averaged over the last {min(cfg['swa'], cfg['epochs'])} epochs"
                    if cfg["swa"] else "no early stopping")
        progress.message(f"batch {batch}, up to {cfg['epochs']} epochs ({steps} steps), {stopping}")
        return _train_loop(folder, run_record, trainer, splits, data, cfg, args, started)


def resume(args, world=None) -> int:
    world = world or parallel.World()
    started = time.perf_counter()
    given = [k for k, v in vars(args).items()
             if k not in RESUME_OPTIONS and k not in ("command", "func") and v not in (None, False)]
    if given:
        raise CLIError(f"--resume continues a run with its saved options; only --epochs, --quiet, "
                       f"--json and --allow-data-change can be given (got "
                       f"--{given[0].replace('_', '-')})")
    folder = args.resume
    if args.tensorboard:
        tblog.check_log_dir(args.tensorboard)
    run_record = rundir.read_run(folder, need=(rundir.CONFIG, rundir.CHECKPOINT))
    cfg = dict(run_record["config"])
    if args.epochs is not None:
        cfg["epochs"] = config_mod.validate({**cfg, "epochs": args.epochs})["epochs"]
    where = os.path.join(folder, rundir.CHECKPOINT)
    stamp = rundir.stamp(where)
    checkpoint = rundir.load_state(where)
    data_arg = run_record["info"].get("data_path") or cfg["data"]
    progress = Progress(sys.stderr if args.json else sys.stdout, quiet=args.quiet or not world.main)
    data, splits, info = _prepare({**cfg, "data": data_arg})
    before = run_record["info"]
    if info["n_features"] != before["n_features"] or info["n_outputs"] != before["n_outputs"]:
        raise CLIError(f"the data of {folder} ({data_arg}) changed since training: "
                       f"{info['n_features']} features and {info['n_outputs']} outputs instead "
                       f"of {before['n_features']} and {before['n_outputs']}; train a new run")
    if before.get("data_fingerprint") not in (None, info["data_fingerprint"]) \
            and not args.allow_data_change:
        raise CLIError(f"the data of {folder} ({data_arg}) changed since the run started; "
                       f"give --allow-data-change to continue on the new data, or train a new run")
    data.spec = run_record["preprocessing"]
    trainer = Trainer(cfg, splits, info["task"], info["n_outputs"], data.spec.get("y_std", 1.0),
                      progress, world)
    trainer.restore(checkpoint, where)
    with world.guard(rundir.locked(folder)):  # everything was checked without touching the folder
        if rundir.stamp(where) != stamp:
            raise CLIError(f"another process wrote {where} while it was being read; try again")
        if trainer.stopped_early:
            progress.message(f"{folder} stopped early at epoch {trainer.epoch}; nothing to resume")
        else:
            progress.message(f"resuming {folder} at epoch {trainer.epoch} of {cfg['epochs']}")
        run_record["config"] = cfg
        return _train_loop(folder, run_record, trainer, splits, data, cfg, args, started)
