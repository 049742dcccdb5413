"""``ember predict RUN_DIR DATA --out predictions.csv``: class and probabilities, or value, per row."""
from __future__ import annotations

import csv
import io
import os
import sys

import numpy as np

from . import rundir
from ..io import atomic_write_text
from .data import classes, load_like_training, standardise, task, unscale_target
from .errors import CLIError, writing
from .trainer import predict_outputs


def add_arguments(parser) -> None:
    parser.add_argument("run_dir", metavar="RUN_DIR", help="a run folder written by ember train")
    parser.add_argument("data", metavar="DATA", help="CSV file (target column optional) or data set name")
    parser.add_argument("--out", help="where to write the predictions CSV (default: stdout)")
    parser.add_argument("--dropna", action="store_true",
                        help="drop CSV rows with missing or non-finite values instead of stopping "
                             "(the predictions then have fewer rows than DATA)")


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def _rows(mask: np.ndarray) -> str:
    """'rows 2, 5 and 9' (1-based data rows, at most five named)."""
    rows = (np.flatnonzero(mask) + 1).tolist()
    more = f" and {len(rows) - 5} more" if len(rows) > 5 else ""
    return f"row{'s' if len(rows) > 1 else ''} {', '.join(map(str, rows[:5]))}{more}"


def _is_run_file(path: str, run_dir: str) -> bool:
    folder = os.path.dirname(os.path.abspath(path))
    return os.path.basename(path) in rundir.RUN_FILES and os.path.isdir(folder) \
        and os.path.samefile(folder, run_dir)


def run_on(args) -> tuple:
    """``(run record, data, network outputs)``: the run in ``args.run_dir`` applied to
    ``args.data``, preprocessed as in training (shared by ``predict`` and ``evaluate``)."""
    run_record = rundir.read_run(args.run_dir, need=(rundir.CONFIG, rundir.MODEL))
    model = rundir.load_model(args.run_dir, run_record)
    spec = run_record["preprocessing"]
    data = load_like_training(args.data, spec, dropna=args.dropna, seed=run_record["config"]["seed"])
    if len(data.X) == 0:
        raise CLIError(f"{args.data} has no rows to predict")
    X = standardise(spec, data.X)
    far = ~np.isfinite(X).all(axis=1)
    if far.any():
        raise CLIError(f"{args.data}: the values of {_rows(far)} are so far outside the training "
                       f"data that standardising them overflows float32; check those rows")
    out = predict_outputs(model, X)
    bad = ~np.isfinite(out).all(axis=1)
    if bad.any():
        raise CLIError(f"{args.data}: the model's outputs for {_rows(bad)} are not finite "
                       f"(inputs far outside the training data?); check those rows")
    return run_record, data, out


def run(args) -> int:
    run_record, data, out = run_on(args)
    spec = run_record["preprocessing"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if task(spec) == "classification":
        probs = _softmax(out.astype(np.float64))
        labels = classes(spec)
        writer.writerow(["prediction"] + [f"prob_{c}" for c in labels])
        for label, row in zip(probs.argmax(axis=1), probs):
            writer.writerow([labels[label]] + [f"{p:.6f}" for p in row])
    else:
        values = unscale_target(spec, out)
        writer.writerow(["prediction"])
        writer.writerows([f"{v:.6g}"] for v in values)
    if args.out:
        if _is_run_file(args.out, args.run_dir):
            raise CLIError(f"--out {args.out} is a file of the run itself; write the predictions "
                           f"elsewhere")
        with writing("the predictions", args.out):
            atomic_write_text(args.out, buffer.getvalue())
        print(f"{len(out)} predictions written to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(buffer.getvalue())
    return 0
