"""``ember info RUN_DIR``: what a run was trained on, its model and its metrics."""
from __future__ import annotations

import json
import os

from . import rundir
from .metrics import headline
from .summary import format_table, model_rows


def add_arguments(parser) -> None:
    parser.add_argument("run_dir", metavar="RUN_DIR", help="a run folder written by ember train")
    parser.add_argument("--json", action="store_true", help="print config and metrics as JSON")


def run(args) -> int:
    run_record = rundir.read_run(args.run_dir, need=(rundir.CONFIG,))
    metrics = rundir.read_metrics(args.run_dir)
    if args.json:
        print(json.dumps({"config": run_record["config"], "info": run_record["info"],
                          "metrics": metrics}, indent=2))
        return 0
    info, cfg = run_record["info"], run_record["config"]
    print(f"run      {args.run_dir}")
    print(f"data     {cfg['data']} ({info['task']}, {info['n_rows']} rows, {info['n_features']} features; "
          f"{info['n_train']} train / {info['n_val']} validation / {info['n_test']} test)")
    print(f"training {cfg['optimizer']} lr={cfg['lr']:g} batch={cfg['batch_size']} "
          f"epochs={info.get('epochs_run', '?')}/{cfg['epochs']} seed={cfg['seed']}")
    if os.path.isfile(os.path.join(args.run_dir, rundir.MODEL)):
        model = rundir.load_model(args.run_dir, run_record)
        print(format_table(model_rows(model, info["n_features"])))
    else:
        print(f"model    not saved yet: the run did not finish; continue it with "
              f"ember train --resume {args.run_dir}")
    if metrics and metrics.get("test"):
        print(f"test: {headline(metrics['test'])}")
    elif metrics is None:
        print("test: no metrics.json (the run did not finish)")
    return 0
