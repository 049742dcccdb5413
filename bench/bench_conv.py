"""The convolution section: a LeNet-5 training step at batch 32 and 128, with one BLAS thread
and two, ember against PyTorch eager and Keras 3 (torch backend), each framework in its own
process (``worker_conv.py``); the peak memory of the step; the GFLOP/s of the convolutions.

Run alone: ``python bench/bench_conv.py [--rounds N]`` prints the tables; ``run.py`` runs it as
its ``conv`` section and ``report.py`` renders it with its targets.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

FRAMEWORKS = ("ember", "torch", "keras")
BATCHES = (32, 128)
THREADS = (1, 2)
TARGET_RATIO = {32: 1.0, 128: 0.8}   # PyTorch/ember step time
TARGET_MEMORY = 2.0                  # ember's peak memory at most this times PyTorch's
MEMORY_BATCH = 128


def _cells():
    return [(b, t) for b in BATCHES for t in THREADS]


def bench(run_worker, rounds: int, budget_s: float = 0.5, log=print) -> dict:
    """Interleaved rounds (the framework order rotates); per cell the minimum over rounds of
    each round's median step time; the convolutions alone (ember, torch) and peak memory once
    per round."""
    steps = {f"b{b}-t{t}": {fw: [] for fw in FRAMEWORKS} for b, t in _cells()}
    convs = {f"b{b}-t{t}": {fw: [] for fw in ("ember", "torch")} for b, t in _cells()}
    memory = {fw: [] for fw in FRAMEWORKS}
    errors: dict = {}
    for r in range(rounds):
        order = FRAMEWORKS[r % 3:] + FRAMEWORKS[:r % 3]
        for b, t in _cells():
            cell = f"b{b}-t{t}"
            line = []
            for fw in order:
                res = run_worker("conv", "step", {"framework": fw, "batch": b, "threads": t,
                                                  "budget_s": budget_s})
                if "error" in res:
                    errors[(fw, cell)] = res["error"]
                else:
                    steps[cell][fw].append(res["median_s"])
                line.append(f"{fw}={res['median_s'] * 1e3:.2f}ms" if "error" not in res else
                            f"{fw}=n/a")
                if fw in convs[cell]:
                    c = run_worker("conv", "conv", {"framework": fw, "batch": b, "threads": t})
                    if "error" not in c:
                        convs[cell][fw].append(c["gflops"])
            log(f"  round {r + 1}/{rounds} conv {cell:<7} " + " ".join(line))
        for fw in FRAMEWORKS:
            res = run_worker("conv", "memory", {"framework": fw, "batch": MEMORY_BATCH})
            if "error" not in res:
                memory[fw].append(res["peak_mb"])
    return {"rounds": rounds,
            "step_s": {c: {fw: min(v) for fw, v in d.items() if v} for c, d in steps.items()},
            "round_medians_s": steps,
            "conv_gflops": {c: {fw: max(v) for fw, v in d.items() if v} for c, d in convs.items()},
            "peak_mb": {fw: min(v) for fw, v in memory.items() if v},
            "errors": {f"{fw} {cell}": e for (fw, cell), e in errors.items()}}


def _spread(values) -> str:
    """How noisy a cell was: the largest round median over the smallest."""
    return f"{max(values) / min(values):.2f}" if len(values) > 1 else "1.00"


def targets(results: dict) -> list:
    """(target, measured, met) rows for report.py."""
    rows = []
    for b, t in _cells():
        s = results["step_s"].get(f"b{b}-t{t}", {})
        if "ember" in s and "torch" in s:
            ratio = s["torch"] / s["ember"]
            rows.append((f"LeNet-5 step, batch {b}, {t} thread{'s' * (t > 1)}: PyTorch/ember ≥ "
                         f"{TARGET_RATIO[b]}", f"{ratio:.3f}", ratio >= TARGET_RATIO[b]))
    mem = results["peak_mb"]
    if "ember" in mem and "torch" in mem:
        ratio = mem["ember"] / mem["torch"]
        rows.append((f"LeNet-5 peak memory (batch {MEMORY_BATCH}) ≤ {TARGET_MEMORY}× PyTorch's",
                     f"{mem['ember']:.1f} / {mem['torch']:.1f} MiB = {ratio:.2f}×",
                     ratio <= TARGET_MEMORY))
    return rows


def table(results: dict) -> list:
    """Markdown lines: step times and ratios per cell, convolution GFLOP/s, peak memory."""
    lines = [f"LeNet-5 (1×28×28, conv 6@5×5 pad 2, max-pool, conv 16@5×5, max-pool, 120-84-10, "
             f"ReLU), Adam, cross-entropy; minimum over {results['rounds']} rounds of each round's "
             f"median step; spread = slowest round / fastest (noise). Keras 3 runs on its torch "
             f"backend (`train_on_batch`).", "",
             "| batch | threads | ember (ms) | PyTorch (ms) | Keras 3 (ms) | PyTorch/ember | "
             "Keras/ember | spread ember / PyTorch |", "|---|---|---|---|---|---|---|---|"]
    for b, t in _cells():
        cell = f"b{b}-t{t}"
        s, rounds = results["step_s"].get(cell, {}), results["round_medians_s"].get(cell, {})

        def ms(fw):
            return f"{s[fw] * 1e3:.2f}" if fw in s else "n/a"

        def ratio(fw):
            return f"{s[fw] / s['ember']:.2f}" if fw in s and "ember" in s else "n/a"
        spread = " / ".join(_spread(rounds.get(fw) or [1.0]) for fw in ("ember", "torch"))
        lines.append(f"| {b} | {t} | {ms('ember')} | {ms('torch')} | {ms('keras')} | "
                     f"{ratio('torch')} | {ratio('keras')} | {spread} |")
    lines += ["", "The two convolutions alone (forward, weight gradients, the second one's input "
              "gradient), GFLOP/s (best round):", "",
              "| batch | threads | ember | PyTorch |", "|---|---|---|---|"]
    for b, t in _cells():
        g = results["conv_gflops"].get(f"b{b}-t{t}", {})
        lines.append(f"| {b} | {t} | " + " | ".join(f"{g[fw]:.1f}" if fw in g else "n/a"
                                                   for fw in ("ember", "torch")) + " |")
    mem = results["peak_mb"]
    lines += ["", f"Peak memory growth of building the model and 5 steps at batch {MEMORY_BATCH} "
              "(MiB): " + ", ".join(f"{fw} {mem[fw]:.1f}" for fw in FRAMEWORKS if fw in mem)]
    if results["errors"]:
        lines += ["", "Errors: " + "; ".join(f"{k}: {v}" for k, v in results["errors"].items())]
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--budget", type=float, default=0.5, help="seconds of timed steps per cell")
    args = ap.parse_args(argv)
    from run import run_worker
    results = bench(run_worker, args.rounds, args.budget)
    print("\n".join(table(results)))
    for target, measured, met in targets(results):
        print(f"{target}: {measured} ({'met' if met else 'not met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
