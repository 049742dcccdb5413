"""The run folder: creating it, writing its small files, and reading a run back.

A run folder holds ``config.json`` (options, preprocessing, data information), ``model.safetensors``,
``checkpoint.safetensors``, ``history.csv``, ``metrics.json``, PNG plots and ``report.html``.
"""
from __future__ import annotations

import csv
import io
import json
import os
import time

from ..io import CorruptFileError
from ..io.atomic import atomic_write_text
from .errors import CLIError

CONFIG, MODEL, CHECKPOINT = "config.json", "model.safetensors", "checkpoint.safetensors"
HISTORY, METRICS = "history.csv", "metrics.json"


def new_run_folder(out: str | None, data_name: str) -> str:
    """``out`` (created if needed), or a fresh ``runs/<timestamp>-<data>/``."""
    if out:
        if os.path.exists(out) and not os.path.isdir(out):
            raise CLIError(f"--out {out} exists and is not a folder")
        try:
            os.makedirs(out, exist_ok=True)
        except OSError as exc:
            raise CLIError(f"cannot create the run folder {out}: {exc.strerror or exc}") from None
        return out
    stem = os.path.join("runs", time.strftime("%Y%m%d-%H%M%S") + "-" + data_name.replace(os.sep, "_"))
    path, n = stem, 2
    while os.path.exists(path):
        path, n = f"{stem}-{n}", n + 1
    try:
        os.makedirs(path)
    except OSError as exc:
        raise CLIError(f"cannot create the run folder {path}: {exc.strerror or exc}") from None
    return path


def write_json(folder: str, name: str, data) -> None:
    atomic_write_text(os.path.join(folder, name), json.dumps(data, indent=2) + "\n")


def write_history(folder: str, history: dict) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    keys = list(history)
    writer.writerow(keys)
    for i in range(len(history.get("epoch", []))):
        writer.writerow([history[k][i] if k == "epoch" else repr(float(history[k][i])) for k in keys])
    atomic_write_text(os.path.join(folder, HISTORY), buffer.getvalue())


def read_run(folder: str, *, need=(CONFIG,)) -> dict:
    """The run's ``config.json`` contents; raises ``CLIError`` when ``folder`` is not a run."""
    if not os.path.isdir(folder):
        raise CLIError(f"{folder} is not a run folder (no such folder)")
    missing = [name for name in need if not os.path.isfile(os.path.join(folder, name))]
    if missing:
        raise CLIError(f"{folder} is not an ember run folder (missing {', '.join(missing)})")
    try:
        with open(os.path.join(folder, CONFIG), encoding="utf-8") as handle:
            run = json.load(handle)
    except (OSError, ValueError) as exc:
        raise CLIError(f"{folder} is not an ember run folder ({CONFIG} cannot be read: {exc})") from None
    if not isinstance(run, dict) or not {"config", "preprocessing", "info"} <= set(run):
        raise CLIError(f"{folder} is not an ember run folder ({CONFIG} is not a run configuration)")
    return run


def read_metrics(folder: str) -> dict | None:
    path = os.path.join(folder, METRICS)
    if not os.path.isfile(path):
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError) as exc:
        raise CLIError(f"{path} cannot be read: {exc}") from None


def load_state(path: str):
    """``ember.load`` with corruption and missing files turned into one-line CLI errors."""
    from ..io import load
    try:
        return load(path)
    except FileNotFoundError:
        raise CLIError(f"{path} is missing") from None
    except CorruptFileError as exc:
        raise CLIError(f"corrupted file: {exc}") from None


def load_model(folder: str, run: dict):
    """Rebuilds the network from the run's options and loads ``model.safetensors`` into it."""
    from .builders import build_model
    info = run["info"]
    model = build_model(run["config"], info["n_features"], info["n_outputs"])
    state = load_state(os.path.join(folder, MODEL))
    try:
        model.load_state_dict(state)
    except (KeyError, RuntimeError, ValueError) as exc:
        raise CLIError(f"{folder}/{MODEL} does not match the run's model: {exc}") from None
    model.eval()
    return model
