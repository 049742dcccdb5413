"""The search space of ``ember tune``: which training options are searched, over which values,
and how a ``--space`` JSON file narrows or widens it.

A space maps an option of ``ember train`` to one of:

* ``{"low": a, "high": b}`` (``"log": true`` for a log scale): a range of numbers (whole
  numbers for integer options such as ``early_stopping``);
* a list: the values to choose from (``"hidden"`` takes lists of layer sizes, ``[[256, 128],
  [512]]``);
* one value: the option is fixed (not searched).

The default space searches the learning rate, the hidden layer sizes, dropout, weight decay,
batch size and optimizer (``DEFAULT_SPACE``). A ``--space`` file's entries replace the default's
for the same option, and may add any option of ``TUNABLE``; ``null`` removes an option from the
search (it keeps ``ember train``'s default).

Example space.json::

    {"lr": {"low": 1e-3, "high": 1e-2, "log": true}, "optimizer": ["adam", "nadam"],
     "dropout": 0.2, "activation": ["relu", "gelu"]}
"""
from __future__ import annotations

import json
import math

from . import config as config_mod
from .errors import CLIError

DEFAULT_SPACE = {
    "lr": {"low": 1e-4, "high": 3e-2, "log": True},
    "hidden": [[64], [128], [256], [512], [128, 64], [256, 128], [512, 256], [256, 256]],
    "dropout": {"low": 0.0, "high": 0.5, "log": False},
    "weight_decay": {"low": 1e-6, "high": 1e-2, "log": True},
    "batch_size": [32, 64, 128],
    "optimizer": ["adam", "adamw", "nadam", "rmsprop"],
}

# Options a space may search: those that shape the model or its training, not the data.
TUNABLE = ("lr", "hidden", "dropout", "weight_decay", "batch_size", "optimizer", "momentum",
           "activation", "batch_norm", "init", "l1", "l2", "lr_schedule", "model", "epochs",
           "early_stopping", "clip_norm")
_INTEGER = {"epochs", "early_stopping", "batch_size"}


def _range(name: str, spec: dict, where: str) -> dict:
    extra = sorted(set(spec) - {"low", "high", "log"})
    if extra or not {"low", "high"} <= set(spec):
        raise CLIError(f"{where}: the range of {name!r} must be {{\"low\": …, \"high\": …}} with an "
                       f"optional \"log\": true (got keys {', '.join(sorted(spec))})")
    low, high, log = spec["low"], spec["high"], spec.get("log", False)
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
                  for v in (low, high))
    if not numbers or not low <= high or not isinstance(log, bool) or (log and low <= 0):
        raise CLIError(f"{where}: the range of {name!r} needs finite numbers low <= high (and "
                       f"low > 0 with \"log\": true); got {spec}")
    if name in _INTEGER and not all(float(v).is_integer() for v in (low, high)):
        raise CLIError(f"{where}: {name!r} takes whole numbers; got the range {low}..{high}")
    if name not in _INTEGER and name not in ("lr", "dropout", "weight_decay", "momentum", "l1",
                                             "l2", "clip_norm"):
        raise CLIError(f"{where}: {name!r} cannot take a range; give a list of values")
    return {"low": low, "high": high, "log": log}


def parse(raw: dict, where: str = "--space", start=DEFAULT_SPACE) -> dict:
    """``start`` (the default space; ``{}`` to read back a saved, complete space) with
    ``raw``'s entries applied; raises ``CLIError`` for an unknown option or a malformed entry."""
    if not isinstance(raw, dict):
        raise CLIError(f"{where} must hold a JSON object mapping options to ranges or lists")
    space = {k: dict(v) if isinstance(v, dict) else list(v) if isinstance(v, list) else v
             for k, v in start.items()}
    for key, spec in raw.items():
        name = str(key).replace("-", "_")
        if name not in TUNABLE:
            raise CLIError(f"{where}: unknown parameter {key!r}; the parameters that can be "
                           f"searched are {', '.join(TUNABLE)}")
        if spec is None:
            space.pop(name, None)
        elif isinstance(spec, dict):
            space[name] = _range(name, spec, where)
        elif isinstance(spec, list):
            if not spec:
                raise CLIError(f"{where}: the list of values of {name!r} is empty")
            space[name] = list(spec)
        else:
            space[name] = spec
    return space


def default_space(images: bool = False) -> dict:
    """``DEFAULT_SPACE``; for data whose rows are pictures (``images``) the options search the
    convolutional network (``"model": "cnn"``) instead of the MLP."""
    return {**DEFAULT_SPACE, "model": "cnn"} if images else DEFAULT_SPACE


def read(path: str | None, images: bool = False) -> dict:
    """The space of a ``--space`` file (JSON) applied to :func:`default_space`, or that
    default space."""
    start = default_space(images)
    if path is None:
        return parse({}, start=start)
    from ..io import loads_json, open_regular
    try:
        with open_regular(path, CLIError, what="--space file") as handle:
            raw = handle.read(1 << 20)
    except FileNotFoundError:
        raise CLIError(f"--space file not found: {path}") from None
    except OSError as exc:
        raise CLIError(f"cannot read --space file {path}: {exc.strerror or exc}") from None
    return parse(loads_json(raw, f"--space file {path}", CLIError, max_depth=8), f"--space {path}",
                 start)


def _key(value) -> str:
    """A categorical value as Optuna stores it (hidden sizes as ``"256,128"``)."""
    if isinstance(value, list):
        return ",".join(str(v) for v in value) or "none"
    return value


def check(space: dict, base: dict) -> None:
    """Every value the space can produce is a valid ``ember train`` option (checked with the
    training options' own validation, so the message names the bad value)."""
    for name, spec in space.items():
        values = [spec["low"], spec["high"]] if isinstance(spec, dict) else (
            spec if isinstance(spec, list) else [spec])
        other = {"optimizer": "momentum"} if name == "momentum" else {}  # one that takes it
        for value in values:
            try:
                config_mod.validate({**base, "lr": None, **other, name: value})
            except CLIError as exc:
                raise CLIError(f"--space: {name}={value!r} is not a valid option value: {exc}") \
                    from None


def suggest(trial, space: dict) -> dict:
    """The options of one trial, drawn by Optuna's sampler from ``space``."""
    params = {}
    for name, spec in space.items():
        if isinstance(spec, dict):
            if name in _INTEGER:
                params[name] = trial.suggest_int(name, int(spec["low"]), int(spec["high"]),
                                                 log=spec["log"])
            else:
                params[name] = trial.suggest_float(name, spec["low"], spec["high"],
                                                   log=spec["log"])
        elif isinstance(spec, list):
            choice = trial.suggest_categorical(name, [_key(v) for v in spec])
            params[name] = spec[[_key(v) for v in spec].index(choice)]
        else:
            params[name] = spec
    if params.get("optimizer", "sgd") not in ("sgd", "momentum", "nesterov", "rmsprop"):
        params.pop("momentum", None)  # the adaptive optimizers take no momentum option
    return params


def defaults(space: dict, base: dict) -> dict:
    """The first trial's parameters: ``ember train``'s own options (its default configuration),
    clipped into each range; an option whose default is not among its choices is left to the
    sampler. A search that starts there finds the default's score at the least."""
    cfg = config_mod.validate({**base, "lr": None})
    params = {}
    for name, spec in space.items():
        value = cfg.get(name)
        if isinstance(spec, dict) and isinstance(value, (int, float)):
            params[name] = min(max(value, spec["low"]), spec["high"])
        elif isinstance(spec, list) and _key(value) in [_key(v) for v in spec]:
            params[name] = _key(value)
    return params


def fingerprint(space: dict) -> str:
    """The space as canonical JSON (compared when a search is resumed)."""
    return json.dumps(space, sort_keys=True)
