"""The defaults section: ``ember train NAME`` with its defaults against scikit-learn's
``MLPClassifier``/``MLPRegressor`` defaults (features scaled) and a linear model
(``LogisticRegression``/``Ridge`` defaults), on every bundled tabular set, seeds 0-4.

All three are scored on the same test rows: the 20 % that ``ember train --seed S`` holds out.
scikit-learn's models train on the other 80 %; ember trains on 70 % and keeps 10 % for its
validation (early stopping), as its defaults say. The score is test accuracy, or R² for
regression. Wall time is per run: ember's whole ``ember train`` command (data, training,
baselines, metrics, report; no plots), scikit-learn's ``fit`` + ``predict``.

Run alone: ``python bench/bench_defaults.py [--sets iris,wine] [--seeds 5]`` prints the table;
``run.py`` runs it as its ``defaults`` section and ``report.py`` renders it with :func:`table`.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

SETS = ("iris", "wine", "breast_cancer", "digits", "diabetes")
SEEDS = 5
LIBRARIES = ("ember", "sklearn_mlp", "linear")
NAMES = {"ember": "ember defaults", "sklearn_mlp": "scikit-learn MLP", "linear": "linear model"}
TOLERANCE = {"classification": 0.005, "regression": 0.02}  # the "within" margins


def _data(name: str):
    from ember import datasets
    bunch = datasets.load(name)
    X = np.asarray(bunch.X, dtype=np.float64).reshape(len(bunch.X), -1)
    return X, np.asarray(bunch.y), "regression" if bunch.task == "regression" else "classification"


def run_ember(name: str, seed: int) -> dict:
    """``ember train NAME --seed SEED`` with every other option at its default."""
    from ember.cli.main import main
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "run")
        start = time.perf_counter()
        with open(os.devnull, "w") as sink:
            stdout, sys.stdout = sys.stdout, sink
            try:
                code = main(["train", name, "--seed", str(seed), "--out", out, "--no-plots", "--quiet"])
            finally:
                sys.stdout = stdout
        wall = time.perf_counter() - start
        if code:
            return {"error": f"ember train exited with {code}"}
        with open(os.path.join(out, "metrics.json")) as handle:
            metrics = json.load(handle)
    comparison = metrics["comparison"]
    return {"score": comparison["network"], "wall_s": wall, "epochs": metrics["epochs_run"],
            "ember_linear": comparison["linear"]}


def run_sklearn(name: str, seed: int, model: str) -> dict:
    """scikit-learn's MLP or linear model with its defaults, on ember's split for SEED."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.preprocessing import StandardScaler

    from ember.cli.data import split_indices
    X, y, kind = _data(name)
    train, val, test = split_indices(len(X), 0.1, 0.2, seed)
    train = np.concatenate([train, val])
    scaler = StandardScaler().fit(X[train])
    Xtr, Xte = scaler.transform(X[train]), scaler.transform(X[test])
    if model == "sklearn_mlp":
        est = (MLPClassifier if kind == "classification" else MLPRegressor)(random_state=seed)
    else:
        est = LogisticRegression(max_iter=1000) if kind == "classification" else Ridge()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(Xtr, y[train])
        score = est.score(Xte, y[test])  # accuracy, or R²
    return {"score": float(score), "wall_s": time.perf_counter() - start}


def bench(sets=SETS, seeds: int = SEEDS, log=print) -> dict:
    """``{"sets": {name: {"task", library: {"scores", "mean", "std", "wall_s"}}}, "seeds"}``."""
    out = {"seeds": seeds, "sets": {}}
    for name in sets:
        kind = _data(name)[2]
        entry = {"task": kind}
        for lib in LIBRARIES:
            runs = [run_ember(name, s) if lib == "ember" else run_sklearn(name, s, lib)
                    for s in range(seeds)]
            failed = [r for r in runs if "error" in r]
            if failed:
                entry[lib] = {"error": failed[0]["error"]}
                continue
            scores = [r["score"] for r in runs]
            entry[lib] = {"scores": scores, "mean": float(np.mean(scores)), "std": float(np.std(scores)),
                          "wall_s": float(np.mean([r["wall_s"] for r in runs]))}
            if lib == "ember":
                entry[lib]["epochs"] = [r["epochs"] for r in runs]
                entry[lib]["ember_linear_mean"] = float(np.mean([r["ember_linear"] for r in runs]))
            log(f"  defaults {name:<14} {NAMES[lib]:<17} {entry[lib]['mean']:.4f} "
                f"({entry[lib]['wall_s']:.2f} s/run)")
        out["sets"][name] = entry
    return out


def verdicts(results: dict) -> dict:
    """Per set: ``{"best_peer", "gap", "within", "ahead"}`` (gap = ember's mean minus the best
    peer's; within: gap ≥ -tolerance; ahead: gap > 0)."""
    out = {}
    for name, entry in results["sets"].items():
        peers = [entry[lib]["mean"] for lib in LIBRARIES[1:] if "mean" in entry.get(lib, {})]
        if "mean" not in entry.get("ember", {}) or not peers:
            out[name] = None
            continue
        gap = entry["ember"]["mean"] - max(peers)
        out[name] = {"best_peer": max(peers), "gap": gap, "within": gap >= -TOLERANCE[entry["task"]],
                     "ahead": gap > 0}
    return out


def targets(results: dict) -> list:
    """``[(target, measured, met)]``: within the margin on every set, ahead on at least half."""
    v = [x for x in verdicts(results).values() if x is not None]
    if not v:
        return []
    within = sum(x["within"] for x in v)
    ahead = sum(x["ahead"] for x in v)
    return [("ember's defaults within 0.5 points (R² 0.02) of the best peer on every set",
             f"{within}/{len(v)} sets", within == len(v)),
            ("ember's defaults ahead of the best peer on at least half of the sets",
             f"{ahead}/{len(v)} sets", 2 * ahead >= len(v))]


def table(results: dict) -> list:
    """Markdown lines: per set the mean (± standard deviation) test score of each, the gap to the
    best peer, and the wall time per run."""
    v = verdicts(results)
    lines = [f"`ember train NAME --seed S` with its defaults against scikit-learn's defaults "
             f"(features scaled) and a linear model (LogisticRegression / Ridge defaults), seeds "
             f"0-{results['seeds'] - 1}, all scored on the same 20 % test rows; test accuracy, or R² "
             "(marked). Mean ± standard deviation over the seeds; the gap is ember's mean minus the "
             "best of the other two. Wall time per run: ember's whole command, scikit-learn's fit "
             "and predict.", "",
             "| set | ember defaults | scikit-learn MLP | linear model | gap to the best | "
             "ember s/run | MLP s/run |", "|---|---|---|---|---|---|---|"]
    for name, entry in results["sets"].items():
        def cell(lib):
            r = entry.get(lib, {})
            return f"{r['mean']:.4f} ± {r['std']:.3f}" if "mean" in r else f"n/a ({r.get('error', '?')})"

        def wall(lib):
            r = entry.get(lib, {})
            return f"{r['wall_s']:.2f}" if "wall_s" in r else "n/a"
        label = f"{name} (R²)" if entry["task"] == "regression" else name
        gap = v.get(name)
        mark = "" if gap is None else (" (ahead)" if gap["ahead"] else "" if gap["within"] else " (behind)")
        lines.append(f"| {label} | {cell('ember')} | {cell('sklearn_mlp')} | {cell('linear')} | "
                     + ("n/a" if gap is None else f"{gap['gap']:+.4f}{mark}")
                     + f" | {wall('ember')} | {wall('sklearn_mlp')} |")
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sets", default=",".join(SETS), help="comma-separated bundled sets")
    ap.add_argument("--seeds", type=int, default=SEEDS, help="seeds 0..N-1 (default 5)")
    ap.add_argument("--json", help="also write the results to this JSON file")
    args = ap.parse_args(argv)
    results = bench(args.sets.split(","), args.seeds)
    print("\n".join(table(results)))
    for target, measured, met in targets(results):
        print(f"{target}: {measured} ({'met' if met else 'not met'})")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
