"""Training options: defaults, validation, and ``--config`` files (TOML or JSON).

Precedence: built-in defaults < the ``--config`` file < options given on the command line.
A config file uses the option names (``lr``, ``hidden``, ``batch_size`` or ``batch-size`` …).

Example config.toml::

    hidden = [256, 128]
    optimizer = "sgd"
    lr = 0.05
    epochs = 40
"""
from __future__ import annotations

import math
import os

from ..io import SchemaError, loads_json, open_regular, read_at_most
from ..io.schema import Bool, Either, Int, ListOf, Null, Num, Str, check
from .errors import CLIError

ACTIVATIONS = ["relu", "leaky_relu", "elu", "selu", "gelu", "silu", "sigmoid", "tanh", "softplus"]
INITS = ["default", "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal",
         "normal", "uniform"]
OPTIMIZERS = ["sgd", "momentum", "nesterov", "adagrad", "adadelta", "rmsprop", "adam", "adamw", "nadam"]
SCHEDULES = ["none", "step", "exponential", "cosine", "plateau"]
TASKS = ["auto", "classification", "regression"]
MODELS = ["mlp", "cnn", "lstm"]

# Default learning rate per optimizer (used when --lr is not given).
DEFAULT_LR = {"sgd": 0.05, "momentum": 0.01, "nesterov": 0.01, "adagrad": 0.01, "adadelta": 1.0,
              "rmsprop": 1e-3, "adam": 1e-3, "adamw": 1e-3, "nadam": 1e-3}

DEFAULTS = {
    "data": "digits", "target": None, "task": "auto", "dropna": False, "model": "mlp",
    "hidden": [128, 64], "activation": "relu", "dropout": 0.0, "batch_norm": False, "init": "default",
    "optimizer": "adam", "lr": None, "momentum": None, "weight_decay": 0.0, "l1": 0.0, "l2": None,
    "steps": None, "epochs": None, "batch_size": None, "val_split": 0.1, "test_split": 0.2,
    "early_stopping": None, "swa": None,
    "lr_schedule": "none", "clip_norm": None, "clip_value": None, "seed": 0, "diagnose": False,
    "plots": True, "window": 12,
}

# None above: chosen from the number of training rows once the data is split
# (ember.cli.defaults: batch size, epochs from the step budget, patience, L2 penalty).

# Where a --model trains best with other defaults (each can still be given explicitly): the
# convolutional network's dense head is one layer of 128 with dropout, as in PyTorch's MNIST example,
# trained as it was measured (0.989 on digits): 30 epochs at batch 64, patience 8, no L2 penalty.
# The LSTM forecaster (a few hundred windows) needs more, larger steps: with 100 epochs at lr 0.01
# (batch 64, patience 8) it beats the ridge baseline on sunspots' test years (R² 0.87-0.88 over
# seeds 0-2 against 0.86; 30 epochs at Adam's 1e-3 reach 0.67); any optimizer then starts from 0.01.
MODEL_DEFAULTS = {"cnn": {"hidden": [128], "dropout": 0.5, "epochs": 30, "batch_size": 64,
                          "early_stopping": 8, "l2": 0.0},
                  "lstm": {"hidden": [32], "epochs": 100, "lr": 0.01, "batch_size": 64,
                           "early_stopping": 8, "l2": 0.0}}


MAX_HIDDEN_LAYERS = 256


def parse_hidden(value) -> list:
    """``"128,64"`` -> ``[128, 64]``; ``"none"`` or ``""`` -> ``[]`` (no hidden layer)."""
    if isinstance(value, (list, tuple)):
        items = list(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        items = [value]
    else:
        text = str(value).strip().lower()
        items = [] if text in ("", "none", "[]") else [p.strip() for p in text.split(",")]
    sizes = []
    for item in items:
        try:
            if isinstance(item, bool) or (isinstance(item, float) and not item.is_integer()):
                raise ValueError
            size = int(item)
        except (TypeError, ValueError, OverflowError):
            raise CLIError(f"invalid --hidden {value!r}: expected comma-separated positive integers "
                           "such as 128,64") from None
        if size < 1:
            raise CLIError(f"invalid --hidden {value!r}: layer sizes must be at least 1, got {size}")
        sizes.append(size)
    if len(sizes) > MAX_HIDDEN_LAYERS:
        raise CLIError(f"invalid --hidden: {len(sizes)} hidden layers; at most {MAX_HIDDEN_LAYERS}")
    return sizes


def parse_batch_size(value):
    """A positive int, or ``"full"`` (the whole training set: batch gradient descent)."""
    if isinstance(value, str) and value.strip().lower() == "full":
        return "full"
    try:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError
        size = int(value)
    except (TypeError, ValueError, OverflowError):
        raise CLIError(f"invalid --batch-size {value!r}: expected a positive integer or 'full'") from None
    if size < 1:
        raise CLIError(f"invalid --batch-size {value!r}: expected a positive integer or 'full'")
    return size


def _number(name, value, *, low=None, high=None, low_open=False, high_open=False, integer=False,
            allow_none=False, expect=""):
    if value is None and allow_none:
        return None
    try:
        if isinstance(value, bool):
            raise ValueError
        if not integer:
            number = float(value)
        elif isinstance(value, float):
            if not value.is_integer():
                raise ValueError
            number = int(value)
        else:
            number = int(str(value).strip())
    except (TypeError, ValueError, OverflowError):
        kind = "an integer" if integer else "a number"
        raise CLIError(f"invalid --{name.replace('_', '-')} {value!r}: expected {kind}{expect}") from None
    bad = (not math.isfinite(number)
           or (low is not None and (number <= low if low_open else number < low))
           or (high is not None and (number >= high if high_open else number > high)))
    if bad:
        kind = "an integer" if integer else "a number"
        raise CLIError(f"invalid --{name.replace('_', '-')} {value!r}: expected {kind}{expect}")
    return number


def _choice(name, value, choices):
    text = str(value).lower().replace("-", "_") if name != "task" else str(value).lower()
    if text not in choices:
        raise CLIError(f"invalid --{name.replace('_', '-')} {value!r}: choose one of {', '.join(choices)}")
    return text


def validate(options: dict) -> dict:
    """Checks and normalises every training option; raises ``CLIError`` naming the bad one."""
    unknown = sorted(set(options) - set(DEFAULTS))
    if unknown:
        raise CLIError(f"unknown option(s) {', '.join(unknown)}; known options are: {', '.join(DEFAULTS)}")
    cfg = {"window": DEFAULTS["window"], **options}  # runs before --window lack it
    cfg["hidden"] = parse_hidden(cfg["hidden"])
    cfg["model"] = _choice("model", cfg["model"], MODELS)
    cfg["window"] = _number("window", cfg["window"], low=1, integer=True, expect=" of at least 1")
    cfg["activation"] = _choice("activation", cfg["activation"], ACTIVATIONS)
    cfg["init"] = _choice("init", cfg["init"], INITS)
    cfg["optimizer"] = _choice("optimizer", cfg["optimizer"], OPTIMIZERS)
    cfg["lr_schedule"] = _choice("lr_schedule", cfg["lr_schedule"], SCHEDULES)
    task = str(cfg["task"]).lower()
    cfg["task"] = _choice("task", "classification" if task in ("binary", "multiclass") else task, TASKS)
    cfg["dropout"] = _number("dropout", cfg["dropout"], low=0, high=1, high_open=True, expect=" in [0, 1)")
    if cfg["lr"] is None:
        cfg["lr"] = DEFAULT_LR[cfg["optimizer"]]
    elif str(cfg["lr"]).strip().lower() == "auto":
        cfg["lr"] = "auto"
    else:
        cfg["lr"] = _number("lr", cfg["lr"], low=0, low_open=True, expect=" greater than 0, or 'auto'")
    if cfg["momentum"] is None:
        cfg["momentum"] = 0.9 if cfg["optimizer"] in ("momentum", "nesterov") else 0.0
    cfg["momentum"] = _number("momentum", cfg["momentum"], low=0, high=1, high_open=True, expect=" in [0, 1)")
    for name in ("weight_decay", "l1", "l2"):
        cfg[name] = _number(name, cfg[name], low=0, expect=" of at least 0", allow_none=name == "l2")
    for name in ("epochs", "steps"):
        cfg[name] = _number(name, cfg[name], low=1, integer=True, expect=", at least 1", allow_none=True)
    cfg["batch_size"] = None if cfg["batch_size"] is None else parse_batch_size(cfg["batch_size"])
    cfg["val_split"] = _number("val_split", cfg["val_split"], low=0, high=1, high_open=True,
                               expect=" in [0, 1)")
    cfg["test_split"] = _number("test_split", cfg["test_split"], low=0, high=1, high_open=True,
                                expect=" in [0, 1)")
    if cfg["val_split"] + cfg["test_split"] >= 1:
        raise CLIError(f"invalid --val-split {cfg['val_split']} with --test-split {cfg['test_split']}: "
                       "together they must leave some data for training (sum below 1)")
    cfg["early_stopping"] = _number("early_stopping", cfg["early_stopping"], low=0, integer=True,
                                    expect=", a patience of at least 0 epochs (0 turns it off)",
                                    allow_none=True)
    cfg["swa"] = _number("swa", cfg.get("swa"), low=0, integer=True, allow_none=True,
                         expect=", a number of final epochs of at least 0 (0 turns it off)") or None
    if cfg["swa"] and cfg["early_stopping"]:
        raise CLIError(f"--swa {cfg['swa']} averages the last epochs' weights and --early-stopping "
                       f"{cfg['early_stopping']} keeps one epoch's: give one of them (with --swa, "
                       f"early stopping is off unless given)")
    for name in ("clip_norm", "clip_value"):
        cfg[name] = _number(name, cfg[name], low=0, low_open=True, allow_none=True,
                            expect=" greater than 0")
    cfg["seed"] = _number("seed", cfg["seed"], integer=True, low=0, high=2**63 - 1,
                          expect=" in [0, 2**63 - 1]")
    for name in ("dropna", "batch_norm", "diagnose", "plots"):
        if not isinstance(cfg[name], bool):
            raise CLIError(f"invalid {name} {cfg[name]!r}: expected true or false")
    for name in ("data", "target"):
        if not isinstance(cfg[name], str) and not (name == "target" and cfg[name] is None):
            raise CLIError(f"invalid {name} {cfg[name]!r}: expected a text (a data set name, "
                           f"a file path or a column name)")
    if cfg["model"] == "lstm" and cfg["batch_norm"]:
        raise CLIError("--batch-norm applies to --model mlp and cnn only")
    if cfg["model"] == "lstm" and not cfg["hidden"]:
        raise CLIError("--model lstm needs at least one --hidden size (the LSTM's width)")
    if cfg["optimizer"] not in ("sgd", "momentum", "nesterov", "rmsprop") and options.get("momentum"):
        raise CLIError(f"--momentum has no effect with --optimizer {cfg['optimizer']}; "
                       "use sgd, momentum, nesterov or rmsprop")
    return cfg


MAX_CONFIG_BYTES = 1 << 20

# What a --config file may give for each option (null: the built-in default).
FILE_SCHEMA = {
    "data": Str(), "target": Either(Str(), Null()), "task": Str(), "dropna": Bool(), "model": Str(),
    "hidden": Either(ListOf(Int(min=1), max_len=MAX_HIDDEN_LAYERS), Int(min=1), Str(max_len=1 << 16),
                     name="a list of layer sizes such as [128, 64], or a text such as \"128,64\""),
    "activation": Str(),
    "dropout": Num(), "batch_norm": Bool(), "init": Str(), "optimizer": Str(),
    "lr": Either(Num(), Str(choices=["auto"]), Null()), "momentum": Either(Num(), Null()),
    "weight_decay": Num(), "l1": Num(), "l2": Either(Num(), Null()), "steps": Either(Int(), Null()),
    "epochs": Either(Int(), Null()), "batch_size": Either(Int(), Str(choices=["full"]), Null()),
    "val_split": Num(), "test_split": Num(), "early_stopping": Either(Int(), Null()), "swa": Either(Int(), Null()), "lr_schedule": Str(), "clip_norm": Either(Num(), Null()),
    "clip_value": Either(Num(), Null()), "seed": Int(), "diagnose": Bool(), "plots": Bool(),
    "window": Int(),
}
assert set(FILE_SCHEMA) == set(DEFAULTS)  # noqa: S101 - a module invariant, not user input


def _parse(path: str, raw: bytes):
    if not path.lower().endswith(".toml"):
        return loads_json(raw, f"config file {path}", CLIError, max_depth=8)
    try:
        import tomllib
    except ImportError:  # Python 3.10
        raise CLIError(f"reading {path} needs Python 3.11+ (tomllib); use a JSON config instead") from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise CLIError(f"config file {path} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except RecursionError:  # the file is at most 1 MiB, so this is bounded too
        raise CLIError(f"config file {path} nests too deeply to be read") from None
    except tomllib.TOMLDecodeError as exc:
        raise CLIError(f"cannot parse config file {path}: {exc}") from None


def read_config_file(path: str) -> dict:
    """Reads a TOML (``.toml``) or JSON file of options; keys may use '-' or '_'.

    The file must be a regular file of at most 1 MiB; every value must have the type its
    option takes (``FILE_SCHEMA``: ``"dropout": "0.1"`` or ``"plots": "no"`` are refused,
    not guessed), and ``null`` means the built-in default where an option has one.
    """
    if not os.path.exists(path):
        raise CLIError(f"config file not found: {path}")
    try:
        with open_regular(path, CLIError, what="config file") as handle:
            raw = read_at_most(handle, MAX_CONFIG_BYTES)
    except OSError as exc:
        raise CLIError(f"cannot read config file {path}: {exc.strerror or exc}") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise CLIError(f"config file {path} is larger than 1 MiB; a config file holds a few options")
    data = _parse(path, raw)
    if not isinstance(data, dict):
        raise CLIError(f"config file {path} must hold a table/object of options")
    options = {str(k).replace("-", "_"): v for k, v in data.items()}
    unknown = sorted(set(options) - set(DEFAULTS))
    if unknown:
        raise CLIError(f"config file {path} has unknown option(s) {', '.join(unknown)}; known "
                       f"options are: {', '.join(DEFAULTS)}")
    try:
        for name, value in options.items():
            options[name] = check(value, FILE_SCHEMA[name], f"config file {path}", path=name)
    except SchemaError as exc:
        raise CLIError(str(exc)) from None
    return {name: value for name, value in options.items() if value is not None}


def resolve(cli_options: dict, config_path: str | None = None) -> dict:
    """Defaults (the model's own where it has them, ``MODEL_DEFAULTS``), then the config file,
    then the options given on the command line; validated."""
    given = read_config_file(config_path) if config_path else {}
    given.update({k: v for k, v in cli_options.items() if v is not None})
    model = str(given.get("model", DEFAULTS["model"])).lower()
    own = dict(MODEL_DEFAULTS.get(model, {}))
    if given.get("swa"):  # averaging replaces the model's own early stopping
        own.pop("early_stopping", None)
    return validate({**DEFAULTS, **own, **given})
