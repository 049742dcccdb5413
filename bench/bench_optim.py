"""The optimizer-step section: every optimizer's ``step()`` on the parameters of `mnist-b32` and
`wide`, ember against PyTorch, each framework in its own process (``worker_optim.py``).

Run alone: ``python bench/bench_optim.py [--rounds N]`` prints the table; ``run.py`` runs it as
its ``optim`` section and ``report.py`` renders it with its targets.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from worker_optim import OPTIMIZERS, shapes  # noqa: E402

CELLS = ("mnist-b32", "wide")
FRAMEWORKS = ("ember", "torch")
TARGET_MS = 2.5          # every optimizer's step on `wide`
TARGET_VS_ADAM = 1.15    # no optimizer slower than Adam's step by more than this, on any cell
TARGET_TORCH_RATIO = 1.3  # PyTorch/ember on `wide`, Adam's step


def bench(run_worker, rounds: int, budget_s: float = 0.3, log=print) -> dict:
    """Interleaved rounds (frameworks alternate first); per optimizer the minimum over rounds
    of each round's median step time."""
    per = {cell: {fw: [] for fw in FRAMEWORKS} for cell in CELLS}
    for r in range(rounds):
        for cell in CELLS:
            for fw in (FRAMEWORKS if r % 2 == 0 else FRAMEWORKS[::-1]):
                res = run_worker("optim", "step", {"framework": fw, "cell": cell, "budget_s": budget_s})
                per[cell][fw].append(res)
                adam = res.get("Adam", {}).get("median_s")
                log(f"  round {r + 1}/{rounds} optim {cell:<9} {fw:<5} "
                    + (f"Adam {adam * 1e3:.2f} ms" if adam else f"n/a ({res.get('error')})"))
    out = {}
    for cell in CELLS:
        out[cell] = {}
        for fw in FRAMEWORKS:
            runs = [x for x in per[cell][fw] if "error" not in x]
            if not runs:
                out[cell][fw] = {"error": per[cell][fw][0].get("error", "no result") if per[cell][fw] else "no run"}
                continue
            out[cell][fw] = {name: min(x[name]["median_s"] for x in runs) for name in OPTIMIZERS if name in runs[0]}
            out[cell][fw]["round_adam_medians_s"] = [x["Adam"]["median_s"] for x in runs]
    return {"cells": out, "rounds": rounds, "params": {c: sum(_size(s) for s in shapes(c)) for c in CELLS}}


def _size(shape) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def targets(results: dict) -> list:
    """(target, measured, met) rows for report.py."""
    rows = []
    cells = results["cells"]
    wide = cells.get("wide", {}).get("ember", {})
    if "Adam" in wide:
        worst = max(OPTIMIZERS, key=lambda n: wide.get(n, 0))
        rows.append((f"every optimizer's step on `wide` ≤ {TARGET_MS} ms",
                     f"slowest: {worst} {wide[worst] * 1e3:.2f} ms", wide[worst] * 1e3 <= TARGET_MS))
    for cell in CELLS:
        e = cells.get(cell, {}).get("ember", {})
        if "Adam" in e:
            worst = max(OPTIMIZERS, key=lambda n: e.get(n, 0) / e["Adam"])
            ratio = e[worst] / e["Adam"]
            rows.append((f"no optimizer's step > {TARGET_VS_ADAM}× Adam's on `{cell}`",
                         f"slowest: {worst} {ratio:.3f}×", ratio <= TARGET_VS_ADAM))
    t = cells.get("wide", {}).get("torch", {})
    if "Adam" in wide and "Adam" in t:
        ratio = t["Adam"] / wide["Adam"]
        rows.append((f"PyTorch/ember ≥ {TARGET_TORCH_RATIO} on `wide` (Adam's step)", f"{ratio:.3f}",
                     ratio >= TARGET_TORCH_RATIO))
    return rows


def table(results: dict) -> list:
    """Markdown lines: one row per optimizer, ember and PyTorch per cell, and their ratio."""
    cells = results["cells"]
    head = "| optimizer | " + " | ".join(f"`{c}` ember (ms) | `{c}` PyTorch (ms) | `{c}` PyTorch/ember" for c in CELLS)
    lines = [f"`opt.step()` alone (gradients already set), minimum over {results['rounds']} rounds of each "
             f"round's median; {', '.join(f'`{c}` {n:,} parameters' for c, n in results['params'].items())} "
             "(each Linear layer's weight and bias), float32. SGD is plain, SGD-momentum has momentum 0.9, "
             "the others use torch's defaults.", "", head + " |", "|---|" + "---|" * (3 * len(CELLS))]
    for name in OPTIMIZERS:
        row = [name]
        for c in CELLS:
            e, t = cells.get(c, {}).get("ember", {}), cells.get(c, {}).get("torch", {})
            row += [f"{e[name] * 1e3:.3f}" if name in e else "n/a", f"{t[name] * 1e3:.3f}" if name in t else "n/a",
                    f"{t[name] / e[name]:.2f}" if name in e and name in t else "n/a"]
        lines.append("| " + " | ".join(row) + " |")
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--budget", type=float, default=0.3, help="seconds of timed steps per optimizer")
    args = ap.parse_args(argv)
    from run import run_worker
    results = bench(run_worker, args.rounds, args.budget)
    print("\n".join(table(results)))
    for target, measured, met in targets(results):
        print(f"{target}: {measured} ({'met' if met else 'not met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
