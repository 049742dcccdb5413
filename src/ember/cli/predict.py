"""``ember predict RUN_DIR DATA --out predictions.csv``: class and probabilities, or value, per row."""
from __future__ import annotations

import csv
import io
import sys

import numpy as np

from . import rundir
from ..io.atomic import atomic_write_text
from .data import classes, load_like_training, standardise, task
from .errors import CLIError
from .trainer import predict_outputs


def add_arguments(parser) -> None:
    parser.add_argument("run_dir", metavar="RUN_DIR", help="a run folder written by ember train")
    parser.add_argument("data", metavar="DATA", help="CSV file (target column optional) or data set name")
    parser.add_argument("--out", help="where to write the predictions CSV (default: stdout)")
    parser.add_argument("--dropna", action="store_true", help="drop CSV rows with missing values")


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def run(args) -> int:
    run_record = rundir.read_run(args.run_dir, need=(rundir.CONFIG, rundir.MODEL))
    spec, cfg = run_record["preprocessing"], run_record["config"]
    model = rundir.load_model(args.run_dir, run_record)
    data = load_like_training(args.data, spec, dropna=args.dropna, seed=cfg["seed"])
    if len(data.X) == 0:
        raise CLIError(f"{args.data} has no rows to predict")
    out = predict_outputs(model, standardise(spec, data.X))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if task(spec) == "classification":
        probs = _softmax(out.astype(np.float64))
        labels = classes(spec)
        writer.writerow(["prediction"] + [f"prob_{c}" for c in labels])
        for label, row in zip(probs.argmax(axis=1), probs):
            writer.writerow([labels[label]] + [f"{p:.6f}" for p in row])
    else:
        values = out[:, 0].astype(np.float64) * spec["y_std"] + spec["y_mean"]
        writer.writerow(["prediction"])
        writer.writerows([f"{v:.6g}"] for v in values)
    if args.out:
        try:
            atomic_write_text(args.out, buffer.getvalue())
        except OSError as exc:
            raise CLIError(f"cannot write {args.out}: {exc.strerror or exc}") from None
        print(f"{len(out)} predictions written to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(buffer.getvalue())
    return 0
