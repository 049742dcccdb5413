"""``ember evaluate RUN_DIR DATA``: the saved model's metrics on DATA, preprocessed as in training."""
from __future__ import annotations

import json

from .data import classes, task, unscale_target
from .errors import CLIError
from .metrics import classification_metrics, headline, regression_metrics
from .predict import run_on


def add_arguments(parser) -> None:
    parser.add_argument("run_dir", metavar="RUN_DIR", help="a run folder written by ember train")
    parser.add_argument("data", metavar="DATA", help="CSV file or data set name with the training columns")
    parser.add_argument("--dropna", action="store_true", help="drop CSV rows with missing values")
    parser.add_argument("--json", action="store_true", help="print the metrics as JSON")


def run(args) -> int:
    run_record, data, out = run_on(args)
    spec, cfg = run_record["preprocessing"], run_record["config"]
    if data.y is None:
        raise CLIError(f"{args.data} has no target column {spec['encoding']['target']!r} to "
                       "evaluate against")
    if task(spec) == "classification":
        metrics = classification_metrics(data.y, out.argmax(axis=1), classes(spec))
    else:
        metrics = regression_metrics(data.y, unscale_target(spec, out))
    if args.json:
        print(json.dumps(metrics, indent=2))
    else:
        print(f"{args.data}: {headline(metrics)}")
        if args.data == cfg["data"]:
            print("note: these rows include the training rows; the run's held-out test metrics "
                  "are in metrics.json and report.html")
        if "per_class" in metrics:
            print(f"{'class':<16}{'precision':>10}{'recall':>10}{'F1':>10}{'support':>9}")
            for c in metrics["per_class"]:
                print(f"{c['class'][:15]:<16}{c['precision']:>10.4f}{c['recall']:>10.4f}"
                      f"{c['f1']:>10.4f}{c['support']:>9}")
    return 0
