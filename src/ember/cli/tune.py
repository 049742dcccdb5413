"""``ember tune [DATA] --trials N [--timeout S] [--jobs J] [--space FILE]``: a hyper-parameter
search with Optuna, and ``ember tune --resume RUN_DIR --trials N`` to continue one.

Each trial trains ``ember train``'s network (the same ``Trainer``) with options drawn by Optuna's
TPE sampler from the search space (:mod:`ember.cli.tune_space`; on data whose rows are pictures,
such as digits, the convolutional network's) and reports after every epoch its validation loss
averaged over the last ``WINDOW`` (5) epochs; successive halving (:mod:`ember.cli.tune_pruner`)
stops a trial at 2, 6, 18 … epochs (scaled to the epoch budget) unless it is among the best third
of its model family there. A trial's value is the lowest of those means: on a small validation
split the loss of single epochs is noisy, and the lowest single epoch of a jumpy curve flatters
it. The first trial is ``ember train``'s default configuration (as far as the space allows: a
range that excludes the default takes its nearest end).

The configuration retrained is chosen on the validation rows only (:func:`best_trial`): on
classification the highest validation accuracy (averaged over the same epochs as the loss), the
lower validation loss among equals, so the default configuration is beaten or kept; on
regression the lowest validation loss. It is trained once more by ``ember train`` on the
training and validation rows together (:func:`refit_plan`): for its configuration's whole
epoch budget, keeping the average of the weights of the last third of the epochs (``--swa``:
with no validation rows left to stop on, an average of the late weights replaces choosing one
epoch; on digits and breast_cancer it scored higher and steadier on the test rows than the
last epoch or the trial's best epoch did). With
``--no-refit`` it is retrained on the training rows only, as its trial was. The test rows stay
apart, so its test score is an honest estimate.

With ``--jobs`` above 1 the trials run in threads at the same time; such a search is not
reproducible (the sampler sees whichever trials finished first, and the trials share the
random number generator), while with one job the same command gives the same trials.

The run folder holds ``study.journal`` (Optuna's JournalStorage file: every trial, no pickle),
``tune.json`` (the search's settings), ``trials.csv``, ``best_config.json`` (usable as
``ember train --config``; it reproduces the best trial), ``best/`` (the final model, trained by
``ember train``: model, metrics, its own report) and ``report.html`` (trials table, optimisation
history, parameter importances, the validation curves of every trial).

Example::

    $ ember tune digits --trials 30 --out runs/tune-digits
    $ ember tune --resume runs/tune-digits --trials 10
    $ ember predict runs/tune-digits/best new.csv
"""
from __future__ import annotations

import json
import math
import os
import sys
import time
import warnings

from . import config as config_mod
from . import defaults as auto
from . import rundir, tune_pruner, tune_space
from .errors import CLIError, writing
from .progress import Progress
from .signals import interrupts_between_epochs
from .trainer import Trainer, TrainingDiverged

STUDY, SETTINGS, TRIALS, BEST_CONFIG, BEST = ("study.journal", "tune.json", "trials.csv",
                                              "best_config.json", "best")
STUDY_NAME = "ember-tune"
BASE_OPTIONS = ("data", "target", "task", "seed", "epochs", "val_split", "test_split")
RESUME_OPTIONS = {"resume", "trials", "timeout", "jobs", "quiet", "json", "plots", "refit"}
WINDOW = 5  # epochs whose mean validation loss a trial is scored and pruned on


def add_arguments(parser) -> None:
    a = parser.add_argument
    a("data", nargs="?", default=None, metavar="DATA",
      help="CSV file, bundled data set or generator, as for ember train (default: digits)")
    a("--trials", help="number of trials to run (default 20); with --resume: how many more")
    a("--timeout", help="start no new trial after this many seconds")
    a("--jobs", help="trials run at the same time, in threads (default 1; above 1 the search "
                     "is not reproducible)")
    a("--space", help="JSON file narrowing or widening the search space, e.g. "
                      "{\"lr\": {\"low\": 1e-3, \"high\": 1e-2, \"log\": true}, \"dropout\": 0.1}")
    a("--epochs", help="epochs per trial (default as ember train, with early stopping)")
    for name in ("target", "task", "seed", "val_split", "test_split"):
        a(f"--{name.replace('_', '-')}", help=f"as for ember train")
    a("--out", help="run folder (default runs/<timestamp>-<data>/); it must be new or empty")
    a("--overwrite", action="store_true", help="replace the run that --out already holds")
    a("--resume", metavar="RUN_DIR", help="continue the search saved in RUN_DIR")
    a("--no-refit", dest="refit", action="store_false", default=True,
      help="retrain the best configuration on the training split only, as its trial was (by "
           "default the final model learns from the training and validation rows together, for "
           "its epoch budget, keeping the average of the last third's weights: --swa)")
    a("--no-plots", dest="plots", action="store_false", default=None, help="skip the pictures")
    a("--quiet", action="store_true", help="no progress output")
    a("--json", action="store_true", help="print a machine-readable summary on stdout")


def _optuna():
    try:
        import optuna
    except ImportError:
        raise CLIError("ember tune needs Optuna: pip install 'ember[tune]'") from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def _count(name: str, value, default, low: int):
    if value is None:
        return default
    try:
        number = float(value)
        if not math.isfinite(number) or (name != "timeout" and not number.is_integer()):
            raise ValueError
    except (TypeError, ValueError):
        raise CLIError(f"invalid --{name} {value!r}: expected a "
                       f"{'number of seconds' if name == 'timeout' else 'whole number'}") from None
    if number < low or (name == "timeout" and number <= 0):
        what = "a search needs at least one trial" if name == "trials" else f"at least {low}"
        raise CLIError(f"invalid --{name} {value!r}: {what}" if name != "timeout" else
                       f"invalid --timeout {value!r}: expected a number of seconds above 0")
    return number if name == "timeout" else int(number)


# --------------------------------------------------------------------------------------------
# one trial

def _trial_config(base: dict, params: dict) -> dict:
    """``ember train``'s validated options for a trial: the base options and the trial's. A
    trial of another model than the base's takes that model's own defaults
    (``config.MODEL_DEFAULTS``: the CNN's 30 epochs, patience 8, no L2 penalty …) for the
    options that neither the search nor the command line set."""
    model = params.get("model", base["model"])
    own = {k: v for k, v in config_mod.MODEL_DEFAULTS.get(model, {}).items()
           if base.get(k) == config_mod.DEFAULTS.get(k)} if model != base["model"] else {}
    return config_mod.validate({**base, "lr": None, **own, **params})


def smoothed(values: list, window: int = WINDOW) -> list:
    """The mean of each ``window`` consecutive values (fewer at the start): what a trial
    reports after every epoch, so that one lucky epoch of a noisy curve counts for little.

    Example::

        >>> smoothed([4.0, 2.0, 3.0, 1.0], window=3)
        [4.0, 3.0, 3.0, 2.0]
    """
    return [sum(values[max(0, i + 1 - window):i + 1]) / (i + 1 - max(0, i + 1 - window))
            for i in range(len(values))]


def score(history: dict, metric: str, window: int = WINDOW) -> dict:
    """A finished trial's score from its per-epoch ``history``: the lowest mean validation loss
    over ``window`` consecutive epochs (over all epochs when it ran fewer), the mean of
    ``val_<metric>`` over those epochs, and the epoch in their middle (the refit's length)."""
    losses, epochs = history["val_loss"], history["epoch"]
    width = min(window, len(losses))
    means = smoothed(losses, width)[width - 1:]
    end = width - 1 + min(range(len(means)), key=means.__getitem__)
    picked = slice(end + 1 - width, end + 1)
    values = history[f"val_{metric}"][picked]
    return {"val_loss": float(means[end - width + 1]), f"val_{metric}": sum(values) / width,
            "best_epoch": int(epochs[end - width // 2])}


def _objective(optuna, base: dict, space: dict, splits: dict, info: dict, y_std: float,
               stopping=lambda: False):
    def objective(trial):
        if stopping():  # a Ctrl-C arrived while Optuna started this trial
            raise KeyboardInterrupt
        cfg = _trial_config(base, tune_space.suggest(trial, space))
        auto.resolve(cfg, info["n_train"])  # what the trial leaves open, as ember train chooses it
        trainer = Trainer(cfg, splits, info["task"], info["n_outputs"], y_std, Progress(quiet=True))

        def after_epoch():
            trial.report(smoothed(trainer.history["val_loss"])[-1], trainer.epoch)
            if trial.should_prune():
                trial.set_user_attr("epochs_run", trainer.epoch)
                raise optuna.TrialPruned(f"pruned at epoch {trainer.epoch}")

        started = time.perf_counter()
        try:
            trainer.fit(cfg["epochs"], checkpoint=after_epoch)
        except TrainingDiverged as exc:  # Optuna records a FAIL; the reason is kept with it
            trial.set_user_attr("failure", str(exc))
            raise
        result = score(trainer.history, trainer.metric)
        trial.set_user_attr("epochs_run", trainer.epoch)
        trial.set_user_attr("best_epoch", result["best_epoch"])
        trial.set_user_attr(f"val_{trainer.metric}", result[f"val_{trainer.metric}"])
        trial.set_user_attr("seconds", round(time.perf_counter() - started, 3))
        return result["val_loss"]
    return objective


def refit_plan(budget: int) -> dict:
    """How the chosen configuration is retrained on the training and validation rows: for its
    epoch ``budget`` (what ``ember train`` gives it: the CNN's 30, the step budget's epochs
    for an MLP), averaging the weights of the last third of the epochs (``ember train --swa``).

    Example::

        >>> refit_plan(30)
        {'epochs': 30, 'swa': 10}
    """
    return {"epochs": int(budget), "swa": max(2, int(budget) // 3)}


def best_trial(study, task: str):
    """The trial whose configuration is retrained: on classification the highest validation
    accuracy (its trial's mean over the epochs of its score), the lower validation loss among
    equals; on regression the lowest validation loss. The default configuration (trial 0) is
    among the candidates, so the choice is never below it on the validation rows."""
    complete = [t for t in study.trials if t.state.name == "COMPLETE"]
    if task != "classification":
        return min(complete, key=lambda t: (t.value, t.number))
    return min(complete, key=lambda t: (-t.user_attrs.get("val_accuracy", 0.0), t.value,
                                        t.number))


# --------------------------------------------------------------------------------------------
# the study

def _storage(folder: str):
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend
    return JournalStorage(JournalFileBackend(os.path.join(folder, STUDY)))


def _new_study(optuna, folder: str, settings: dict):
    study = optuna.create_study(
        storage=_storage(folder), study_name=STUDY_NAME, direction="minimize",
        sampler=optuna.samplers.TPESampler(seed=settings["base"]["seed"]),
        pruner=_pruner(optuna, settings))
    study.set_user_attr("data_fingerprint", settings["info"]["data_fingerprint"])
    study.set_user_attr("space", tune_space.fingerprint(settings["space"]))
    study.enqueue_trial(tune_space.defaults(settings["space"], _default_trial_config(settings)))
    return study


def _default_trial_config(settings: dict) -> dict:
    """``ember train``'s default configuration with the options the space fixes (the model of
    an image set): what the first trial starts from."""
    space = settings["space"]
    fixed = {k: v for k, v in space.items() if not isinstance(v, (dict, list))}
    return _trial_config(settings["base"], fixed)


def _pruner(optuna, settings: dict):
    """Successive halving on the per-epoch validation loss within each model family
    (:mod:`ember.cli.tune_pruner`), its first rung scaled to the epochs of the default
    configuration (2 of the CNN's 30, 8 of an MLP's 120 on breast_cancer)."""
    cfg = _default_trial_config(settings)
    auto.resolve(cfg, settings["info"]["n_train"])
    return tune_pruner.make(optuna, cfg["epochs"])


def _load_study(optuna, folder: str, settings: dict, fingerprint: str):
    """The study of ``folder``; refuses one that was made for other data or another space."""
    path = os.path.join(folder, STUDY)
    if not os.path.isfile(path):
        raise CLIError(f"{folder} holds no {STUDY}; it is not an ember tune run")
    try:
        study = optuna.load_study(study_name=STUDY_NAME, storage=_storage(folder))
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        raise CLIError(f"{path} is not the Optuna storage of an ember tune search "
                       f"({type(exc).__name__}: {exc})") from None
    attrs = study.user_attrs
    if attrs.get("space") != tune_space.fingerprint(settings["space"]) or \
            attrs.get("data_fingerprint") != settings["info"]["data_fingerprint"]:
        raise CLIError(f"{path} belongs to another search (other data or search space than "
                       f"{os.path.join(folder, SETTINGS)}); start a new search with --out")
    if fingerprint != settings["info"]["data_fingerprint"]:
        raise CLIError(f"the data of {folder} ({settings['base']['data']}) changed since the "
                       f"search started; start a new search")
    # a sampler seeded by the trials so far: a resumed search does not repeat its first draws
    study.sampler = optuna.samplers.TPESampler(seed=settings["base"]["seed"] + len(study.trials))
    study.pruner = _pruner(optuna, settings)
    return study


def _fail_stale(study, progress=None) -> None:
    """Marks FAIL the trials a stopped search left RUNNING (a Ctrl-C between trials, a killed
    process): under the folder's lock no other search can be running them, and Optuna would
    otherwise keep them RUNNING for ever."""
    from optuna.trial import TrialState
    stale = study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
    for trial in stale:
        study.tell(trial.number, state=TrialState.FAIL)
    if stale and progress is not None:
        progress.message(f"marked {len(stale)} unfinished trial(s) of the stopped search as "
                         f"failed: {', '.join(str(t.number) for t in stale)}")


def _settings_for_new(args) -> tuple:
    options = {k: getattr(args, k) for k in BASE_OPTIONS if getattr(args, k, None) is not None}
    base = config_mod.resolve({**options, "plots": args.plots})
    base["diagnose"] = False
    return base


def _read_settings(folder: str) -> dict:
    path = os.path.join(folder, SETTINGS)
    if not os.path.isdir(folder):
        raise CLIError(f"--resume {folder}: no such folder")
    if not os.path.isfile(path):
        raise CLIError(f"--resume {folder}: it holds no {SETTINGS}; it is not an ember tune run")
    from ..io import loads_json
    with open(path, "rb") as handle:
        settings = loads_json(handle.read(1 << 20), path, CLIError, max_depth=12)
    if not isinstance(settings, dict) or not {"base", "space", "info"} <= set(settings):
        raise CLIError(f"{path} is damaged (it lacks the search settings); start a new search")
    settings["base"] = config_mod.validate(settings["base"])
    if not isinstance(settings["space"], dict):
        raise CLIError(f"{path} is damaged (its search space is not an object); start a new "
                       f"search")
    settings["space"] = tune_space.parse(settings["space"], path, start={})
    return settings


def run(args) -> int:
    optuna = _optuna()
    from .train import _prepare
    trials = _count("trials", args.trials, 20, 1)
    timeout = _count("timeout", args.timeout, None, 0)
    jobs = _count("jobs", args.jobs, 1, 1)
    progress = Progress(sys.stderr if args.json else sys.stdout, quiet=args.quiet)
    saved = None
    if args.resume:
        given = [k for k, v in vars(args).items() if k not in RESUME_OPTIONS
                 and k not in ("command", "func") and v not in (None, False)]
        if given:
            raise CLIError(f"--resume continues a search with its saved settings; only --trials, "
                           f"--timeout, --jobs, --no-plots, --quiet and --json can be given (got "
                           f"--{given[0].replace('_', '-')})")
        saved = _read_settings(args.resume)
        base, space = saved["base"], saved["space"]
        if args.plots is not None:
            base["plots"] = args.plots
    else:
        base = _settings_for_new(args)
    data, splits, info = _prepare({**base, "data": (saved or {}).get("info", {}).get(
        "data_path") or base["data"]})
    if not args.resume:
        space = tune_space.read(args.space, images=data.image_shape is not None)
    tune_space.check(space, base)
    if splits["val"] is None:
        raise CLIError("ember tune needs a validation split to compare trials; give --val-split "
                       "above 0")
    settings = {"base": base, "space": space, "info": info}
    if args.resume:
        folder = args.resume
        # checked without touching the folder; the lock is taken only for a search that goes on
        study = _load_study(optuna, folder, saved, info["data_fingerprint"])
        with rundir.locked(folder):
            _fail_stale(study, progress)
            return _search(optuna, study, folder, settings, data, splits, trials, timeout, jobs,
                           progress, args)
    with rundir.claim(args.out, info["name"], overwrite=args.overwrite) as folder:
        if os.path.exists(os.path.join(folder, STUDY)):
            os.remove(os.path.join(folder, STUDY))  # --overwrite: the old search goes too
        rundir.write_json(folder, SETTINGS, settings)
        study = _new_study(optuna, folder, settings)
        return _search(optuna, study, folder, settings, data, splits, trials, timeout, jobs,
                       progress, args)


def _search(optuna, study, folder, settings, data, splits, trials, timeout, jobs, progress,
            args) -> int:
    from . import tune_report
    base, space, info = settings["base"], settings["space"], settings["info"]
    stopping = [lambda: False]  # set below: True once a first Ctrl-C arrived
    objective = _objective(optuna, base, space, splits, info, data.spec.get("y_std", 1.0),
                           lambda: stopping[0]())
    started = time.perf_counter()
    before = sum(t.state.is_finished() for t in study.trials)  # not the enqueued first trial

    def show(*study_and_trial):  # Optuna's callback protocol: (study, frozen trial)
        trial = study_and_trial[-1]
        value = "pruned" if trial.state.name == "PRUNED" else (
            f"val_loss {trial.value:.4f}" if trial.value is not None else
            f"failed ({trial.user_attrs.get('failure', trial.state.name.lower())})")
        progress.message(f"trial {trial.number}: {value} {trial.params}")

    progress.message(f"tuning on {base['data']} ({info['n_train']} train / {info['n_val']} "
                     f"validation rows): {trials} trials → {folder}")
    verbosity = optuna.logging.get_verbosity()
    # Optuna logs a failed trial with its traceback; the show() line above says it in one line,
    # and a Ctrl-C is reported below
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    def stop_if_asked(*study_and_trial):  # Optuna's callback protocol, as show()
        if stopping[0]():
            study_and_trial[0].stop()

    try:
        # A first Ctrl-C is only recorded while Optuna writes its journal or samples (raised
        # there it could leave the journal's lock behind): a running trial stops after its
        # epoch, and otherwise the search stops after the trial being finished.
        with warnings.catch_warnings(), interrupts_between_epochs() as stopping[0]:
            warnings.simplefilter("ignore", category=optuna.exceptions.ExperimentalWarning)
            study.optimize(objective, n_trials=trials, timeout=timeout, n_jobs=jobs,
                           catch=(TrainingDiverged,), callbacks=[show, stop_if_asked])
            if stopping[0]():
                raise KeyboardInterrupt
    except KeyboardInterrupt:
        _fail_stale(study)  # a Ctrl-C outside the objective leaves Optuna's trial RUNNING
        print(f"\ninterrupted: the finished trials are kept in {os.path.join(folder, STUDY)}; "
              f"continue with: ember tune --resume {folder}", file=sys.stderr)
        return 130
    finally:
        optuna.logging.set_verbosity(verbosity)
    seconds = time.perf_counter() - started
    complete = [t for t in study.trials if t.state.name == "COMPLETE"]
    if not complete:
        raise CLIError(f"no trial of {folder} finished (all were pruned or diverged); "
                       f"widen the search space or give more --trials")
    best = best_trial(study, info["task"])
    best_cfg = _trial_config({**base, "data": info.get("data_path") or base["data"]},
                             tune_space.suggest(optuna.trial.FixedTrial(best.params), space))
    rundir.write_json(folder, BEST_CONFIG, best_cfg)
    refit = None
    if args.refit:
        budget = dict(best_cfg)
        auto.resolve(budget, info["n_train"])  # the epochs its trial was given
        refit = refit_plan(budget["epochs"])
    chosen = tune_report.scores(tune_report.record(best))
    progress.message(f"best trial {best.number}: {chosen}; retraining it in "
                     f"{os.path.join(folder, BEST)}" + (
                         f" on the training and validation rows ({refit['epochs']} epochs, "
                         f"averaging the last {refit['swa']})" if refit else ""))
    status = _retrain(folder, refit)
    if status:
        return status
    best_metrics = rundir.read_json(os.path.join(folder, BEST, rundir.METRICS), "metrics",
                                    rundir.METRICS_RECORD)
    new_trials = sum(t.state.is_finished() for t in study.trials) - before
    summary = tune_report.write(folder, study, settings, best_cfg, best_metrics,
                                new_trials=new_trials, seconds=seconds, plots=base["plots"],
                                refit=refit, best=best)
    if args.json:
        print(json.dumps(summary, indent=2))
    elif not args.quiet:
        test = best_metrics.get("test") or {}
        headline = (f"test accuracy {test['accuracy']:.4f}" if "accuracy" in test else
                    f"test MAE {test['mae']:.4g}" if "mae" in test else "no test split")
        print(f"{summary['trials']['complete']} complete, {summary['trials']['pruned']} pruned, "
              f"{summary['trials']['failed']} failed trials in {seconds:.1f} s")
        print(f"best: {json.dumps(best.params)} → {chosen}, {headline}")
        if summary["default"] is not None and summary["default"]["trial"] != best.number:
            print(f"default configuration (trial {summary['default']['trial']}): "
                  f"{tune_report.scores(summary['default'])}")
        print(f"report: {os.path.join(folder, rundir.REPORT)}")
    return 0


def _retrain(folder: str, refit: dict | None = None) -> int:
    """Trains the best configuration with ``ember train`` into ``folder/best``. With ``refit``
    (:func:`refit_plan`) the validation rows join the training rows (``--val-split 0``: the test
    rows stay the same) and it trains ``refit["epochs"]`` epochs keeping the average of the last
    ``refit["swa"]`` epochs' weights; nothing but the training data was chosen on rows the final
    model is scored on."""
    from .main import build_parser
    from .train import run as train_run
    argv = ["train", "--config", os.path.join(folder, BEST_CONFIG), "--out",
            os.path.join(folder, BEST), "--overwrite", "--quiet"]
    if refit:
        argv += ["--val-split", "0", "--epochs", str(refit["epochs"]), "--swa", str(refit["swa"]),
                 "--early-stopping", "0"]
    with writing("the best run", os.path.join(folder, BEST)):
        return train_run(build_parser().parse_args(argv))
