"""The run folder: claiming it, writing its small files, and reading a run back.

A run folder holds ``config.json`` (options, preprocessing, data information), ``model.safetensors``,
``checkpoint.safetensors``, ``history.csv``, ``metrics.json``, PNG plots and ``report.html``.

Rules that keep runs from being lost:

* :func:`claim` never replaces a run silently: a folder that holds another run (or any other
  files) is refused unless ``overwrite``, which then removes the old run's files first, so a new
  report never shows an old run's pictures.
* Writers hold ``.ember-lock`` in the folder (an OS file lock, released when the process ends,
  even by a crash): a second ``ember train`` into the same folder stops with one line.
* Every file is read back through bounded readers and checked against a schema
  (:func:`read_run`), so an edited ``config.json`` cannot make ``predict`` allocate gigabytes.
"""
from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import time

import numpy as np

from ..io import (CorruptFileError, SchemaError, atomic_write_text, load, loads_json, open_regular,
                  read_at_most)
from ..io.schema import Bool, Either, Int, ListOf, MapOf, Null, Num, Record, Str, check
from . import config as config_mod
from .builders import build_model, weight_shapes
from .errors import CLIError, writing
from .report import PLOTS

CONFIG, MODEL, CHECKPOINT = "config.json", "model.safetensors", "checkpoint.safetensors"
HISTORY, METRICS, REPORT, LOCK = "history.csv", "metrics.json", "report.html", ".ember-lock"
RUN_FILES = (CONFIG, MODEL, CHECKPOINT, HISTORY, METRICS, REPORT) + tuple(name for name, _ in PLOTS)
MAX_JSON_BYTES = 64 << 20

_ENCODING = Record({
    "features": ListOf(Str(), min_len=1), "categories": MapOf(ListOf(Either(Str(), Num()))),
    "target": Str(), "task": Str(choices=["binary", "multiclass", "regression"]),
    "classes": Either(Null(), ListOf(Either(Str(), Num()), min_len=2)),
    "feature_names": ListOf(Str(), min_len=1)})
_PREPROCESSING = Record({"source": Str(), "encoding": _ENCODING, "mean": ListOf(Num()),
                         "std": ListOf(Num(min=1e-30))},
                        optional={"y_mean": Num(), "y_std": Num(min=1e-30),
                                  "window": Int(min=1)})
_INFO = Record({"data": Str(), "name": Str(), "task": Str(choices=["classification", "regression"]),
                "n_rows": Int(min=0), "n_train": Int(min=1), "n_val": Int(min=0), "n_test": Int(min=0),
                "n_features": Int(min=1), "n_outputs": Int(min=1), "data_path": Either(Str(), Null())},
               optional={"created": Str(), "epochs_run": Int(min=0), "stopped_early": Bool(),
                         "best_epoch": Either(Int(min=1), Null()),
                         "averaged_epochs": Either(Null(), ListOf(Int(min=1), min_len=2, max_len=2)),
                         "train_seconds": Num(min=0), "data_fingerprint": Str(max_len=64)})
_CONFIG = Record({**{k: v for k, v in config_mod.FILE_SCHEMA.items()
                     if k not in ("model", "window", "steps", "swa")},
                  "lr": Num(min=0), "momentum": Num(min=0), "l2": Num(min=0), "epochs": Int(min=1),
                  "batch_size": Either(Int(min=1), Str(choices=["full"])), "early_stopping": Int(min=0),
                  "hidden": ListOf(Int(min=1), max_len=config_mod.MAX_HIDDEN_LAYERS)},
                 # runs before --model (mlp), --window, --steps and --swa have none of them
                 optional={"model": Str(choices=config_mod.MODELS), "window": Int(min=1),
                           "steps": Int(min=1), "swa": Either(Int(min=1), Null())})
RUN_RECORD = Record({"config": _CONFIG,
                     "preprocessing": _PREPROCESSING, "info": _INFO})
_SUMMARY = Record({"accuracy": Num(), "macro_f1": Num(), "n": Int(min=0)}, extra=True)
_REGRESSION = Record({"mse": Num(finite=False), "mae": Num(finite=False), "r2": Num(finite=False),
                      "n": Int(min=0)}, extra=True)
METRICS_RECORD = Record({"test": Either(Null(), _SUMMARY, _REGRESSION)}, extra=True)


# ---------------------------------------------------------------------------------------------
# claiming a folder

class _Lock:
    """An exclusive OS lock on ``folder/.ember-lock``, held until :meth:`release` or exit."""

    def __init__(self, folder: str) -> None:
        path = os.path.join(folder, LOCK)
        with writing("the lock file", path):
            self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _lock_fd(self.fd)
        except OSError:
            os.close(self.fd)
            raise CLIError(f"another ember process is writing to {folder} (it holds {path}); wait "
                           f"for it to finish, or choose another --out") from None

    def release(self) -> None:
        os.close(self.fd)  # closing the descriptor releases the lock


def _lock_fd(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        return
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _describe_run(folder: str) -> str:
    try:
        info = read_run(folder)["info"]
        return f" ({info['data']}, created {info.get('created', '?')})"
    except CLIError:
        return ""


@contextlib.contextmanager
def claim(out: str | None, data_name: str, overwrite: bool = False):
    """Creates (or takes) the run folder and holds its lock; yields the folder's path.

    ``out`` (created if needed) must be empty, or ``overwrite`` must be given: then the files
    of the run it held are removed before anything is written (other files are left alone).
    Without ``out``, a fresh ``runs/<timestamp>-<data>/`` is made.
    """
    folder = out or _fresh_folder(data_name)
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise CLIError(f"--out {folder} exists and is not a folder; choose a folder path")
    _check_empty(folder, overwrite)  # before the lock file is made: a refusal leaves no trace
    with writing("the run folder", folder):
        os.makedirs(folder, exist_ok=True)
    lock = _Lock(folder)
    try:
        present = _check_empty(folder, overwrite)  # again, now that no other writer can start
        for name in set(present) & set(RUN_FILES):
            with writing("the old run's files", os.path.join(folder, name)):
                os.remove(os.path.join(folder, name))
        yield folder
    finally:
        lock.release()


def _check_empty(folder: str, overwrite: bool) -> list:
    """The files in ``folder`` (none if it does not exist); refuses a non-empty folder unless
    ``overwrite``."""
    present = sorted(set(os.listdir(folder)) - {LOCK}) if os.path.isdir(folder) else []
    if present and not overwrite:
        if set(present) & {CONFIG, CHECKPOINT, MODEL}:
            raise CLIError(f"--out {folder} already holds a run{_describe_run(folder)}; give "
                           f"--overwrite to replace it, continue it with ember train --resume "
                           f"{folder}, or choose another --out")
        raise CLIError(f"--out {folder} is not empty (it holds {present[0]!r}"
                       f"{f' and {len(present) - 1} more' if len(present) > 1 else ''}); "
                       f"choose an empty or new folder, or give --overwrite")
    return present


@contextlib.contextmanager
def locked(folder: str):
    """Holds the lock of an existing run folder (``--resume``)."""
    lock = _Lock(folder)
    try:
        yield folder
    finally:
        lock.release()


def _fresh_folder(data_name: str) -> str:
    stem = os.path.join("runs", time.strftime("%Y%m%d-%H%M%S") + "-" + data_name.replace(os.sep, "_"))
    path, n = stem, 2
    while os.path.exists(path):
        path, n = f"{stem}-{n}", n + 1
    return path


def stamp(path: str) -> tuple:
    """``(size, modification time)`` of ``path``: equal stamps, same file contents (as far as
    the file system can tell)."""
    info = os.stat(path)
    return info.st_size, info.st_mtime_ns, info.st_ino


def fingerprint(X: np.ndarray, y: np.ndarray | None) -> str:
    """SHA-256 of the encoded data a run trains on (shapes, dtypes and values)."""
    digest = hashlib.sha256()
    for array in (X, y):
        if array is not None:
            array = np.ascontiguousarray(array)
            digest.update(f"{array.dtype.str}{array.shape}".encode())
            digest.update(array.data)
    return digest.hexdigest()


# ---------------------------------------------------------------------------------------------
# writing

def write_json(folder: str, name: str, data) -> None:
    path = os.path.join(folder, name)
    with writing(name, path):
        atomic_write_text(path, json.dumps(data, indent=2) + "\n")


def write_history(folder: str, history: dict) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    keys = list(history)
    writer.writerow(keys)
    for i in range(len(history.get("epoch", []))):
        writer.writerow([history[k][i] if k == "epoch" else repr(float(history[k][i])) for k in keys])
    path = os.path.join(folder, HISTORY)
    with writing(HISTORY, path):
        atomic_write_text(path, buffer.getvalue())


# ---------------------------------------------------------------------------------------------
# reading

def read_json(path: str, what: str, schema):
    """A small JSON file of a run, read bounded and checked against ``schema``."""
    try:
        with open_regular(path, CLIError, what=what) as handle:
            raw = read_at_most(handle, MAX_JSON_BYTES)
    except FileNotFoundError:
        raise CLIError(f"{path} is missing") from None
    except OSError as exc:
        raise CLIError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(raw) > MAX_JSON_BYTES:
        raise CLIError(f"{path} is larger than {MAX_JSON_BYTES >> 20} MiB; it is not a {what}")
    data = loads_json(raw, path, CLIError, max_depth=16)
    if schema is None:
        return data
    try:
        return check(data, schema, path)
    except SchemaError as exc:
        raise CLIError(f"{exc}; the run folder was damaged or edited") from None


def _consistent(run: dict, where: str) -> None:
    spec, info = run["preprocessing"], run["info"]
    enc, n = spec["encoding"], info["n_features"]
    if not len(spec["mean"]) == len(spec["std"]) == len(enc["feature_names"]) == n:
        raise CLIError(f"{where}: its preprocessing does not describe {n} features; the run "
                       f"folder was damaged or edited")
    regression = enc["task"] == "regression"
    outputs = 1 if regression else len(enc["classes"] or [])
    if regression != (info["task"] == "regression") or info["n_outputs"] != outputs \
            or (regression and not {"y_mean", "y_std"} <= set(spec)):
        raise CLIError(f"{where}: its task, classes and outputs contradict each other; the run "
                       f"folder was damaged or edited")


def read_run(folder: str, *, need=(CONFIG,)) -> dict:
    """The run's ``config.json``, every value checked; raises ``CLIError`` when ``folder`` is
    not a run or its record is damaged."""
    if not os.path.isdir(folder):
        raise CLIError(f"{folder} is not a run folder (no such folder)")
    missing = [name for name in need if not os.path.exists(os.path.join(folder, name))]
    if missing:
        raise CLIError(f"{folder} is not an ember run folder (missing {', '.join(missing)})")
    where = os.path.join(folder, CONFIG)
    run = read_json(where, "run configuration", None)
    if not isinstance(run, dict) or not {"config", "preprocessing", "info"} <= set(run):
        raise CLIError(f"{folder} is not an ember run folder ({CONFIG} is not a run configuration)")
    try:
        run = check(run, RUN_RECORD, where)
    except SchemaError as exc:
        raise CLIError(f"{exc}; the run folder was damaged or edited") from None
    try:
        run["config"] = config_mod.validate(run["config"])
    except CLIError as exc:
        raise CLIError(f"{where}: {exc}; the run folder was damaged or edited") from None
    _consistent(run, where)
    return run


def read_metrics(folder: str) -> dict | None:
    path = os.path.join(folder, METRICS)
    if not os.path.isfile(path):
        return None
    return read_json(path, "metrics file", METRICS_RECORD)


def load_state(path: str):
    """``ember.load`` with corruption and missing files turned into one-line CLI errors."""
    try:
        return load(path)
    except FileNotFoundError:
        raise CLIError(f"{path} is missing") from None
    except CorruptFileError as exc:
        raise CLIError(f"corrupted file: {exc}") from None


def load_model(folder: str, run: dict):
    """Rebuilds the network from the run's options and loads ``model.safetensors`` into it.

    The file is read first (``ember.load``: memory bounded by its size) and the shapes the
    options ask for are compared with its tensors before the network is built, so an edited
    ``config.json`` (``hidden: [30000000]``) cannot make it allocate more than the file holds.
    """
    info, cfg, path = run["info"], run["config"], os.path.join(folder, MODEL)
    state = load_state(path)
    if not isinstance(state, dict):
        raise CLIError(f"{path} holds no state dict of weights; the run folder was damaged or edited")
    for key, shape in weight_shapes(cfg, info["n_features"], info["n_outputs"]).items():
        found = state.get(key)
        if tuple(getattr(found, "shape", ("none",))) != shape:
            got = "nothing" if found is None else f"shape {tuple(getattr(found, 'shape', ()))}"
            raise CLIError(f"{path} does not match the run's options: {key} should have shape "
                           f"{shape}, the file holds {got}; the run folder was damaged or edited")
    model = build_model(cfg, info["n_features"], info["n_outputs"])
    try:
        model.load_state_dict(state)
    except (KeyError, RuntimeError, TypeError, ValueError) as exc:
        raise CLIError(f"{path} does not match the run's model: {exc}") from None
    model.eval()
    return model
