"""Turns the suite's results into ``RESULTS.md``: targets first, then the tables, then the gaps."""
from __future__ import annotations

from pathlib import Path

import bench_conv
import bench_defaults
import bench_optim
import bench_sequence
from specs import DATA, FLOP_CELLS, LARGE_CELLS, SMALL_CELLS, STEP_CELLS, step_flops

FW_NAMES = {"ember": "ember", "torch": "PyTorch eager", "jax": "JAX jit", "numpy": "NumPy by hand"}


def _ms(x: float) -> str:
    return f"{x * 1e3:.3f}" if x < 0.01 else f"{x * 1e3:.2f}" if x < 0.1 else f"{x * 1e3:.1f}"


def _cell_time(res: dict) -> str:
    return _ms(res["step_s"]) if "step_s" in res else f"n/a ({res.get('error', '?')})"


def _ratio(a: dict, b: dict):
    if "step_s" in a and "step_s" in b:
        return a["step_s"] / b["step_s"]
    return None


def _r(x) -> str:
    return "n/a" if x is None else f"{x:.2f}"


def _r3(x) -> str:
    """Ratios judged against a threshold: three decimals, so 1.496 does not print as 1.50."""
    return "n/a" if x is None else f"{x:.3f}"


def _pass(ok) -> str:
    return "n/a" if ok is None else ("**met**" if ok else "**not met**")


def _targets(results: dict) -> list:
    rows = []
    step = results.get("step", {}).get("cells", {})
    if step:
        for cell in STEP_CELLS:
            c = step.get(cell, {})
            tr = _ratio(c.get("torch", {}), c.get("ember", {}))
            rows.append((f"PyTorch/ember ≥ 1.5 on `{cell}`", _r3(tr), _pass(None if tr is None else tr >= 1.5)))
        for cell in LARGE_CELLS + SMALL_CELLS:
            c = step.get(cell, {})
            er = _ratio(c.get("ember", {}), c.get("numpy", {}))
            limit = 1.25 if cell in LARGE_CELLS else 3.0
            rows.append((f"ember/NumPy ≤ {limit:g} on `{cell}`", _r3(er),
                         _pass(None if er is None else er <= limit)))
    e2e = results.get("e2e", {})
    if e2e:
        ok = [(k, v) for k, v in e2e.items() if "wall_s" in v]
        em = e2e.get("ember", {})
        if "wall_s" in em and ok:
            fastest = min(ok, key=lambda kv: kv[1]["wall_s"])
            best_acc = max(v["accuracy"] for _, v in ok)
            met = fastest[0] == "ember" and em["accuracy"] >= best_acc - 0.005
            val = (f"ember {em['wall_s']:.2f} s, acc {em['accuracy'] * 100:.1f}%; fastest: {fastest[0]} "
                   f"{fastest[1]['wall_s']:.2f} s; best acc {best_acc * 100:.1f}%")
            rows.append(("End to end: ember fastest of the five, accuracy within 0.5 pt of the best",
                         val, _pass(met)))
        else:
            rows.append(("End to end: ember fastest of the five", "n/a", "n/a"))
    if "optim" in results:
        rows += [(a, b, _pass(c)) for a, b, c in bench_optim.targets(results["optim"])]
    if "conv" in results:
        rows += [(a, b, _pass(c)) for a, b, c in bench_conv.targets(results["conv"])]
    if "sequence" in results:
        rows += [(a, b, _pass(c)) for a, b, c in bench_sequence.targets(results["sequence"])]
    if "sets" in results.get("defaults", {}):
        rows += [(a, b, _pass(c)) for a, b, c in bench_defaults.targets(results["defaults"])]
    data = results.get("data", {}).get("runs", {})
    if data:
        a, b = data.get("ember DataLoader", {}), data.get("hand slicing (NumPy)", {})
        r = a["epoch_s"] / b["epoch_s"] if "epoch_s" in a and "epoch_s" in b else None
        rows.append(("DataLoader ≤ 1.5× hand slicing", _r3(r), _pass(None if r is None else r <= 1.5)))
    mem = results.get("memory", {}).get("runs", {})
    if mem:
        a, b = mem.get("ember", {}), mem.get("torch", {})
        if "peak_mb" in a and "peak_mb" in b:
            rows.append((f"Peak memory training `wide` ≤ PyTorch's", f"{a['peak_mb']:.0f} vs {b['peak_mb']:.0f} MiB",
                         _pass(a["peak_mb"] <= b["peak_mb"])))
        else:
            rows.append(("Peak memory training `wide` ≤ PyTorch's", "n/a", "n/a"))
    return rows


def _step_table(results: dict) -> list:
    step = results["step"]
    cells = step["cells"]
    peak = max(step.get("matmul_peak_gflops", {}).values(), default=None)
    lines = ["| cell | layers @ batch | " + " | ".join(f"{FW_NAMES[f]} (ms)" for f in FW_NAMES)
             + " | PyTorch/ember | ember/NumPy | PyTorch/NumPy (ceiling) |", "|" + "---|" * (len(FW_NAMES) + 5)]
    for cell, (sizes, batch) in STEP_CELLS.items():
        c = cells.get(cell)
        if c is None:
            continue
        lines.append(f"| `{cell}` | {'-'.join(map(str, sizes))} @ {batch} | "
                     + " | ".join(_cell_time(c.get(f, {})) for f in FW_NAMES)
                     + f" | {_r(_ratio(c.get('torch', {}), c.get('ember', {})))}"
                     + f" | {_r(_ratio(c.get('ember', {}), c.get('numpy', {})))}"
                     + f" | {_r(_ratio(c.get('torch', {}), c.get('numpy', {})))} |")
    out = lines + [""]
    out.append(f"Times are the minimum over {step.get('rounds', '?')} interleaved rounds of each round's median step time "
               "(forward, cross-entropy, backward, Adam). `xor` uses 2 output logits so that "
               "cross-entropy is defined. The last column is the best PyTorch/ember any NumPy library "
               "could reach here: the hand-written step has no framework overhead at all.")
    if peak:
        pk = step["matmul_peak_gflops"]
        out += ["", f"Measured float32 matmul peak (2048×2048, best of the rounds): "
                + ", ".join(f"{k} {v:.0f} GFLOP/s" for k, v in pk.items())
                + f"; the larger, {peak:.0f} GFLOP/s, is the machine's peak below.", "",
                "| cell | matmul GFLOP per step | " + " | ".join(FW_NAMES.values()) + " |",
                "|" + "---|" * (len(FW_NAMES) + 2)]
        for cell in FLOP_CELLS:
            sizes, batch = STEP_CELLS[cell]
            fl = step_flops(sizes, batch)
            vals = []
            for f in FW_NAMES:
                r = cells.get(cell, {}).get(f, {})
                if "step_s" in r:
                    g = fl / r["step_s"] / 1e9
                    vals.append(f"{g:.0f} GFLOP/s ({g / peak * 100:.0f}%)")
                else:
                    vals.append("n/a")
            out.append(f"| `{cell}` | {fl / 1e9:.3f} | " + " | ".join(vals) + " |")
    return out


def _e2e_table(results: dict) -> list:
    spec = results.get("e2e_spec", {})
    lines = [f"Digits (1797 8×8 images scaled to [0, 1], fixed 80/20 split: 1438 train / 359 test), "
             f"MLP {'-'.join(map(str, spec.get('sizes', ())))}, Adam lr {spec.get('lr')}, batch "
             f"{spec.get('batch')}, {spec.get('epochs')} epochs, shuffled; wall time of building and "
             "training (imports and data loading excluded), best of the rounds.", "",
             "| run | wall (s) | test accuracy |", "|---|---|---|"]
    for name, r in results["e2e"].items():
        if "wall_s" in r:
            lines.append(f"| {name} | {r['wall_s']:.2f} | {r['accuracy'] * 100:.1f}% |")
        else:
            lines.append(f"| {name} | n/a ({r['error']}) | n/a |")
    return lines


def write_markdown(results: dict, path: Path, gaps_path: Path | None = None) -> None:
    m = results["machine"]
    v = m["versions"]
    lines = ["# ember benchmarks", "",
             f"Machine: **{m['cpu']}**, {m['cores']} cores; NumPy BLAS in the workers: {m['numpy_blas']}"
             + (f" (environment: {', '.join(f'{k}={v}' for k, v in sorted(m['blas_env'].items()))})"
                if m.get("blas_env") else "")
             + (f"; unset for the workers, as users' machines don't set them: "
                f"{', '.join(f'{k}={v}' for k, v in sorted(m['blas_unset'].items()))}"
                if m.get("blas_unset") else "") + ".  ",
             "Versions: " + ", ".join(f"{k} {val}" for k, val in v.items()) + ".  ",
             f"Run: {results['date_utc']} UTC, {'quick smoke run' if results['quick'] else 'full suite'}, "
             f"{results['elapsed_s']:.0f} s; load average (1/5/15 min) {m.get('loadavg_start', '?')} at "
             f"the start, {m.get('loadavg_end', '?')} at the end (above {m['cores']} means other work "
             "shared the cores and timings are inflated, multi-threaded BLAS most). "
             "Regenerate with `make bench`.", "",
             "## Targets", "", "| target | measured | status |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in _targets(results)]
    if "step" in results:
        lines += ["", "## Training step", ""] + _step_table(results)
    if "optim" in results:
        lines += ["", "## Optimizer step", ""] + bench_optim.table(results["optim"])
    if "conv" in results:
        lines += ["", "## Convolution (LeNet-5)", ""] + bench_conv.table(results["conv"])
    if "sequence" in results:
        lines += ["", "## Sequences (LSTM, transformer encoder)", ""] + \
            bench_sequence.table(results["sequence"])
    if "e2e" in results:
        lines += ["", "## End to end", ""] + _e2e_table(results)
    if "defaults" in results:
        d = results["defaults"]
        lines += ["", "## Defaults against peers", ""] + (
            bench_defaults.table(d) if "sets" in d else [f"n/a ({d.get('error', '?')})"])
    if "data" in results:
        d = results["data"]
        lines += ["", "## Data", "",
                  f"One shuffled epoch over {d['rows']:,} × {d['cols']} float32 rows (int64 labels) at "
                  f"batch {d['batch']}: the loader against a permutation plus fancy-index slicing by hand. Each "
                  "worker runs 3 epochs (PyTorch's loader 1) and keeps the fastest; best over the rounds.",
                  "", "| run | epoch (s) |", "|---|---|"]
        for name, r in d["runs"].items():
            lines.append(f"| {name} | {r['epoch_s']:.3f} |" if "epoch_s" in r else f"| {name} | n/a ({r['error']}) |")
    if "memory" in results:
        mm = results["memory"]
        lines += ["", "## Memory", "",
                  f"Peak RSS growth while building `{mm['cell']}` (784-1024-1024-10, batch 256) with Adam "
                  f"and running {mm['steps']} steps, measured in the worker from the RSS after imports "
                  "(peak mark reset through /proc/self/clear_refs).", "", "| run | peak (MiB) |", "|---|---|"]
        for name, r in mm["runs"].items():
            lines.append(f"| {FW_NAMES.get(name, name)} | {r['peak_mb']:.0f} |" if "peak_mb" in r
                         else f"| {FW_NAMES.get(name, name)} | n/a ({r['error']}) |")
    if gaps_path is not None and Path(gaps_path).exists():
        lines += ["", Path(gaps_path).read_text().strip()]
    path.write_text("\n".join(lines) + "\n")
