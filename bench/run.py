"""The benchmark suite: `make bench` (or `python bench/run.py [--quick]`).

Every measurement runs in its own subprocess (one framework, one cell), in interleaved
rounds; a training-step cell reports the minimum over rounds of the median step time.
Writes ``bench/RESULTS.md`` and ``bench/results.json``. A framework that is missing or
fails is reported as "n/a (reason)"; it never stops the run.

Example::

    python bench/run.py --quick          # a fast smoke run (about a minute)
    python bench/run.py                  # the full suite (a few minutes on 2 cores)
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import bench_conv  # noqa: E402
import bench_optim  # noqa: E402
import bench_sequence  # noqa: E402
from report import write_markdown  # noqa: E402
from specs import DATA, E2E, MEMORY_CELL, STEP_CELLS  # noqa: E402

STEP_FRAMEWORKS = ("ember", "torch", "jax", "numpy")
E2E_RUNS = (("ember", "ember", "e2e"), ("ember.keras", "ember", "e2e_keras"),
            ("torch", "torch", "e2e"), ("keras", "keras", "e2e"), ("sklearn", "sklearn", "e2e"))
LIBRARIES = ("numpy", "torch", "keras", "scikit-learn", "jax", "ember", "threadpoolctl")


# Some machines set these to pin OpenBLAS to an older kernel (e.g. Haswell's AVX2 on a CPU with
# AVX-512), which caps NumPy's matmul; users' machines don't carry them. So the benchmark's
# workers, and nothing else (never the tests or CI), run without them, and the report records
# what was removed and which BLAS kernel then ran.
BLAS_CAPS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def _child_env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in BLAS_CAPS}
    src = str(ROOT / "src")
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["PYTHONHASHSEED"] = "0"
    env.setdefault("KERAS_BACKEND", "torch")
    return env


def run_worker(framework: str, task: str, params: dict | None = None, timeout: float = 300) -> dict:
    """Runs one measurement in a fresh process; returns its result or ``{"error": reason}``."""
    cmd = [sys.executable, str(HERE / f"worker_{framework}.py"), task, json.dumps(params or {})]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              env=_child_env(), cwd=str(ROOT))
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    tail = (proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}, no result"])[-1]
    return {"error": tail[:200]}


def _log(msg: str) -> None:
    print(msg, flush=True)


def _fmt(res: dict, key: str, scale: float = 1.0, unit: str = "") -> str:
    if "error" in res:
        return "n/a"
    return f"{res[key] * scale:.3g}{unit}"


# ----------------------------------------------------------------------------- sections
def _time_left(deadline: float, last_round_s: float) -> bool:
    """Another round fits before the section's deadline (the first round always runs)."""
    return time.perf_counter() + last_round_s <= deadline


def bench_steps(rounds: int, budget_s: float, cells, deadline: float = float("inf")) -> dict:
    """Interleaved rounds: each round runs every cell in every framework, order rotated."""
    per = {c: {fw: [] for fw in STEP_FRAMEWORKS} for c in cells}
    broken: dict = {}
    peaks = {"numpy": [], "torch": []}
    last = 0.0
    done = 0
    for r in range(rounds):
        if r and not _time_left(deadline, last):
            _log(f"  stopping after {r} rounds: the time budget is spent")
            break
        t_round = time.perf_counter()
        done += 1
        order = STEP_FRAMEWORKS[r % len(STEP_FRAMEWORKS):] + STEP_FRAMEWORKS[:r % len(STEP_FRAMEWORKS)]
        for fw in ("numpy", "torch"):
            res = run_worker(fw, "peak")
            if "error" not in res:
                peaks[fw].append(res["gflops"])
        for cell in cells:
            line = []
            for fw in order:
                if (fw, cell) in broken or (fw, None) in broken:
                    continue
                res = run_worker(fw, "step", {"cell": cell, "budget_s": budget_s})
                if "error" in res:
                    # a missing library is missing for every cell; another failure only for this one
                    key = (fw, None) if res["error"].startswith("not installed") else (fw, cell)
                    broken[key] = res["error"]
                else:
                    per[cell][fw].append(res)
                line.append(f"{fw}={_fmt(res, 'median_s', 1e3, 'ms')}")
            _log(f"  round {r + 1}/{rounds} {cell:<11} " + " ".join(line))
        last = time.perf_counter() - t_round
    out = {"rounds": done}
    for cell in cells:
        out[cell] = {}
        for fw in STEP_FRAMEWORKS:
            runs = per[cell][fw]
            err = broken.get((fw, None)) or broken.get((fw, cell))
            if runs:
                best = min(runs, key=lambda x: x["median_s"])
                out[cell][fw] = {"step_s": best["median_s"], "round_medians_s": [x["median_s"] for x in runs],
                                 "steps_per_round": [x["steps"] for x in runs],
                                 **{k: v for k, v in best.items() if k in ("dtype", "threads")}}
            else:
                out[cell][fw] = {"error": err or "no result"}
    peak = {fw: max(v) for fw, v in peaks.items() if v}
    rounds_done = out.pop("rounds")
    return {"cells": out, "matmul_peak_gflops": peak, "rounds": rounds_done}


def bench_e2e(rounds: int, split_path: str, deadline: float = float("inf")) -> dict:
    per = {name: [] for name, _, _ in E2E_RUNS}
    errors = {}
    last = 0.0
    for r in range(rounds):
        if r and not _time_left(deadline, last):
            _log(f"  stopping after {r} rounds: the time budget is spent")
            break
        t_round = time.perf_counter()
        runs = E2E_RUNS[r % len(E2E_RUNS):] + E2E_RUNS[:r % len(E2E_RUNS)]
        for name, fw, task in runs:
            if name in errors:
                continue
            # the first round always runs, but a stuck worker may not eat the whole budget
            timeout = max(60.0, min(400.0, deadline - time.perf_counter() + 60.0))
            res = run_worker(fw, task, {"path": split_path}, timeout=timeout)
            if "error" in res:
                errors[name] = res["error"]
            else:
                per[name].append(res)
            _log(f"  round {r + 1}/{rounds} e2e {name:<12} {_fmt(res, 'wall_s', 1, 's')} "
                 f"acc={_fmt(res, 'accuracy', 100)}")
        last = time.perf_counter() - t_round
    out = {}
    for name, _, _ in E2E_RUNS:
        if per[name]:
            best = min(per[name], key=lambda x: x["wall_s"])
            out[name] = {"wall_s": best["wall_s"], "accuracy": best["accuracy"],
                         "round_walls_s": [x["wall_s"] for x in per[name]]}
        else:
            out[name] = {"error": errors.get(name, "no result")}
    return out


def bench_data(rounds: int, rows: int, with_torch: bool) -> dict:
    params = {"rows": rows, "cols": DATA["cols"], "batch": DATA["batch"]}
    runs = {"ember DataLoader": ("ember", []), "hand slicing (NumPy)": ("numpy", [])}
    if with_torch:
        runs["torch DataLoader"] = ("torch", [])
    errors = {}
    for r in range(rounds):
        for name, (fw, acc) in runs.items():
            if name in errors or (name == "torch DataLoader" and r > 0):
                continue  # torch's loader is a slow reference: one round is enough
            res = run_worker(fw, "data", params)
            if "error" in res:
                errors[name] = res["error"]
            else:
                acc.append(res["epoch_s"])
            _log(f"  round {r + 1}/{rounds} data {name:<22} {_fmt(res, 'epoch_s', 1, 's')}")
    out = {"rows": rows, "cols": DATA["cols"], "batch": DATA["batch"], "runs": {}}
    for name, (_, acc) in runs.items():
        out["runs"][name] = ({"epoch_s": min(acc), "round_s": acc} if acc
                             else {"error": errors.get(name, "no result")})
    return out


def bench_memory(steps: int) -> dict:
    out = {"cell": MEMORY_CELL, "steps": steps, "runs": {}}
    for fw in ("ember", "torch", "numpy"):
        res = run_worker(fw, "memory", {"cell": MEMORY_CELL, "steps": steps})
        out["runs"][fw] = res
        _log(f"  memory {fw:<6} {_fmt(res, 'peak_mb', 1, ' MiB')}")
    return out


def bench_defaults_section(seeds: int, timeout: float = 1200) -> dict:
    """``bench_defaults.py`` in its own process (in-process runs of ``ember train`` and
    scikit-learn); its results, or ``{"error": reason}``."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "defaults.json")
        cmd = [sys.executable, str(HERE / "bench_defaults.py"), "--seeds", str(seeds), "--json", path]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                                  env=_child_env(), cwd=str(ROOT))
        except subprocess.TimeoutExpired:
            return {"error": f"timed out after {timeout:.0f} s"}
        for line in proc.stdout.splitlines():
            if line.startswith("  defaults "):
                _log(line)
        if proc.returncode or not os.path.exists(path):
            return {"error": (proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"])[-1][:200]}
        with open(path) as handle:
            return json.load(handle)


# ----------------------------------------------------------------------------- context
def digits_split(path: str, seed: int = 0) -> None:
    """The digits data (1797 8×8 images, pixels scaled to [0, 1]), 80/20 split with a fixed seed."""
    try:
        from sklearn.datasets import load_digits
        d = load_digits()
        x, y = d.data, d.target
    except ImportError:
        sys.path.insert(0, str(ROOT / "src"))
        import ember.datasets
        d = ember.datasets.load_digits()
        x, y = (d.data, d.target) if hasattr(d, "data") else d
        x, y = np.asarray(x), np.asarray(y)
    x = (np.asarray(x, dtype=np.float32) / np.float32(16.0)).reshape(len(y), -1)
    y = np.asarray(y, dtype=np.int64)
    perm = np.random.default_rng(seed).permutation(len(y))
    n_test = len(y) // 5
    te, tr = perm[:n_test], perm[n_test:]
    np.savez(path, x_train=x[tr], y_train=y[tr], x_test=x[te], y_test=y[te])


def _loadavg() -> str:
    """The 1/5/15-minute load averages: other work on the machine distorts every timing."""
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def machine_info() -> dict:
    cpu = "unknown"
    try:
        fields = {}
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, val = line.partition(":")
                fields.setdefault(key.strip(), val.strip())
        cpu = fields.get("model name", "unknown")
        if "cpu family" in fields:
            cpu += f" (family {fields['cpu family']}, model {fields.get('model', '?')})"
    except OSError:
        import platform
        cpu = platform.processor() or "unknown"
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count()
    from importlib import metadata
    versions = {"python": sys.version.split()[0]}
    for lib in LIBRARIES:
        try:
            versions[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            versions[lib] = "not installed"
    if versions["ember"] == "not installed":
        versions["ember"] = "source tree (src/)"
    env = _child_env()
    blas_env = {k: v for k, v in env.items()
                if k.startswith(("OPENBLAS_", "OMP_", "MKL_")) and k != "OPENBLAS_VERBOSE"}
    return {"cpu": cpu, "cores": cores, "versions": versions, "loadavg_start": _loadavg(),
            "blas_env": blas_env, "numpy_blas": worker_blas(env),
            "blas_unset": {k: os.environ[k] for k in BLAS_CAPS if k in os.environ},
            "platform": sys.platform}


def worker_blas(env: dict) -> str:
    """The BLAS a worker process with ``env`` loads: library, version, kernel (threadpoolctl's
    ``architecture``) and threads, e.g. ``openblas 0.3.27 SkylakeX x2``."""
    code = ("import numpy; from threadpoolctl import threadpool_info as t;"
            "print('; '.join(f\"{i['internal_api']} {i.get('version')} {i.get('architecture')}"
            " x{i['num_threads']}\" for i in t()))")
    blas = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    return blas.stdout.strip() or "unknown"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="one short round of everything (smoke run)")
    ap.add_argument("--rounds", type=int, help="rounds for the training-step cells")
    ap.add_argument("--budget", type=float, default=540.0,
                    help="seconds the whole run may take; extra rounds are dropped to stay inside")
    ap.add_argument("--only", default="step,optim,conv,sequence,e2e,defaults,data,memory",
                    help="comma-separated sections to run "
                         "(step,optim,conv,sequence,e2e,defaults,data,memory)")
    ap.add_argument("--out", help="folder for RESULTS.md and results.json (default: bench/, or a "
                                  "temporary folder with --quick so the committed results stay)")
    ap.add_argument("--report", action="store_true",
                    help="only re-render RESULTS.md from the existing results.json (after editing GAPS.md)")
    args = ap.parse_args(argv)
    if args.report:
        out = Path(args.out or HERE)
        results = json.loads((out / "results.json").read_text())
        write_markdown(results, out / "RESULTS.md", gaps_path=HERE / "GAPS.md")
        _log(f"re-rendered {out / 'RESULTS.md'}")
        return 0
    sections = set(args.only.split(","))
    quick = args.quick
    rounds = args.rounds or (1 if quick else 8)
    t_start = time.perf_counter()
    results = {"quick": quick, "machine": machine_info(),
               "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime())}
    _log(f"machine: {results['machine']['cpu']}, {results['machine']['cores']} cores")
    if "step" in sections:
        _log(f"training step ({rounds} rounds)")
        results["step"] = bench_steps(rounds, 0.1 if quick else 0.4, list(STEP_CELLS),
                                      deadline=t_start + 0.45 * args.budget)
    if "optim" in sections:
        _log("optimizer step")
        results["optim"] = bench_optim.bench(run_worker, 1 if quick else 2, 0.1 if quick else 0.2, log=_log)
    if "conv" in sections:
        _log("convolution (LeNet-5)")
        results["conv"] = bench_conv.bench(run_worker, 1 if quick else 2, 0.2 if quick else 0.5, log=_log)
    if "sequence" in sections:
        _log("sequences (LSTM, transformer encoder)")
        results["sequence"] = bench_sequence.bench(run_worker, 1 if quick else 2,
                                                   0.3 if quick else 1.0, log=_log)
    if "e2e" in sections:
        _log("end to end (digits)")
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "digits.npz")
            digits_split(path)
            results["e2e"] = bench_e2e(1 if quick else 3, path, deadline=t_start + 0.85 * args.budget)
        results["e2e_spec"] = dict(E2E)
    if "defaults" in sections:
        _log("defaults against peers (bundled sets × seeds)")
        results["defaults"] = bench_defaults_section(2 if quick else 5)
    if "data" in sections:
        _log("data loading")
        results["data"] = bench_data(1 if quick else 3, 100_000 if quick else DATA["rows"],
                                     with_torch=True)
    if "memory" in sections:
        _log("peak memory")
        results["memory"] = bench_memory(3 if quick else 5)
    results["elapsed_s"] = time.perf_counter() - t_start
    results["machine"]["loadavg_end"] = _loadavg()
    out = Path(args.out or (Path(tempfile.gettempdir()) / "ember-bench-quick" if quick else HERE))
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    write_markdown(results, out / "RESULTS.md", gaps_path=HERE / "GAPS.md")
    _log(f"done in {results['elapsed_s']:.0f} s: {out / 'RESULTS.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
