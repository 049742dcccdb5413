"""The sequence section: an LSTM step and a TransformerEncoderLayer step (``worker_sequence.py``
says what each does), ember against PyTorch eager, each framework in its own process, one BLAS
thread and two.

Run alone: ``python bench/bench_sequence.py [--rounds N] [--budget S]`` prints the table;
``run.py`` runs it as its ``sequence`` section and ``report.py`` renders it with its targets.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from worker_sequence import CELLS  # noqa: E402

FRAMEWORKS = ("ember", "torch")
THREADS = (1, 2)
TARGET_RATIO = 1.0   # PyTorch/ember step time at batch 32, both cells
LABELS = {"lstm": "LSTM (batch 32, 32 steps, 32 → 128, Linear(128, 10))",
          "transformer": "TransformerEncoderLayer (batch 32, 64 tokens, d_model 128, 4 heads)"}


def _cells():
    return [(c, t) for c in CELLS for t in THREADS]


def bench(run_worker, rounds: int, budget_s: float = 1.0, log=print) -> dict:
    """Interleaved rounds (the framework order alternates); per cell the minimum over rounds of
    each round's median step time."""
    steps = {f"{c}-t{t}": {fw: [] for fw in FRAMEWORKS} for c, t in _cells()}
    errors: dict = {}
    for r in range(rounds):
        for c, t in _cells():
            key, line = f"{c}-t{t}", []
            for fw in (FRAMEWORKS if r % 2 == 0 else FRAMEWORKS[::-1]):
                res = run_worker("sequence", "step", {"framework": fw, "cell": c, "threads": t,
                                                      "budget_s": budget_s})
                if "error" in res:
                    errors[f"{fw} {key}"] = res["error"]
                    line.append(f"{fw}=n/a")
                else:
                    steps[key][fw].append(res["median_s"])
                    line.append(f"{fw}={res['median_s'] * 1e3:.2f}ms")
            log(f"  round {r + 1}/{rounds} sequence {key:<15} " + " ".join(line))
    return {"rounds": rounds,
            "step_s": {k: {fw: min(v) for fw, v in d.items() if v} for k, d in steps.items()},
            "round_medians_s": steps, "errors": errors}


def targets(results: dict) -> list:
    """(target, measured, met) rows for report.py."""
    rows = []
    for c, t in _cells():
        s = results["step_s"].get(f"{c}-t{t}", {})
        if "ember" in s and "torch" in s:
            ratio = s["torch"] / s["ember"]
            rows.append((f"{c} step, batch 32, {t} thread{'s' * (t > 1)}: PyTorch/ember ≥ "
                         f"{TARGET_RATIO}", f"{ratio:.3f}", ratio >= TARGET_RATIO))
    return rows


def table(results: dict) -> list:
    """Markdown lines: step times, ratio and noise per cell."""
    lines = [f"Adam, cross-entropy, minimum over {results['rounds']} rounds of each round's "
             "median step; spread = slowest round / fastest (noise).", "",
             "| cell | threads | ember (ms) | PyTorch (ms) | PyTorch/ember | spread ember / PyTorch |",
             "|---|---|---|---|---|---|"]
    for c, t in _cells():
        key = f"{c}-t{t}"
        s, rounds = results["step_s"].get(key, {}), results["round_medians_s"].get(key, {})
        ms = [f"{s[fw] * 1e3:.2f}" if fw in s else "n/a" for fw in FRAMEWORKS]
        ratio = f"{s['torch'] / s['ember']:.2f}" if len(s) == 2 else "n/a"
        spread = " / ".join(f"{max(v) / min(v):.2f}" if v else "n/a"
                            for v in (rounds.get(fw) for fw in FRAMEWORKS))
        lines.append(f"| {LABELS[c]} | {t} | {ms[0]} | {ms[1]} | {ratio} | {spread} |")
    if results["errors"]:
        lines += ["", "Errors: " + "; ".join(f"{k}: {v}" for k, v in results["errors"].items())]
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--budget", type=float, default=1.0, help="seconds of timed steps per cell")
    args = ap.parse_args(argv)
    from run import run_worker
    results = bench(run_worker, args.rounds, args.budget)
    print("\n".join(table(results)))
    for target, measured, met in targets(results):
        print(f"{target}: {measured} ({'met' if met else 'not met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
