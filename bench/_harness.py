"""Helpers every worker uses: step timing, peak memory, and the one-line result protocol.

A worker is run as ``python bench/worker_<framework>.py <task> '<json params>'``; it prints
exactly one line ``RESULT {json}`` on success. Anything else (an import error, a crash)
is turned into "n/a (reason)" by the orchestrator.
"""
from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import time

import numpy as np

from specs import STEP_CELLS, layer_sizes


def emit(result: dict) -> None:
    sys.stdout.write("RESULT " + json.dumps(result) + "\n")
    sys.stdout.flush()


def fail(reason: str) -> None:
    emit({"error": reason})
    sys.exit(0)


def main(tasks: dict) -> None:
    """Dispatches ``argv[1]`` to ``tasks`` with the JSON params in ``argv[2]``."""
    task = sys.argv[1]
    params = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    if task not in tasks:
        fail(f"task {task!r} not supported")
    try:
        out = tasks[task](**params)
    except ImportError as exc:
        fail(f"not installed: {exc}")
    except Exception as exc:  # a benchmark cell never crashes the suite
        fail(f"{type(exc).__name__}: {exc}")
    emit(out)


def step_data(cell: str, seed: int = 0):
    """Random float32 inputs and int64 labels for a step cell (timing does not need real data)."""
    sizes, batch = STEP_CELLS[cell]
    sizes = layer_sizes(sizes)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, sizes[0]), dtype=np.float32)
    y = rng.integers(0, sizes[-1], size=batch).astype(np.int64)
    return sizes, x, y


def time_steps(step, budget_s: float, min_steps: int = 10, max_steps: int = 5000,
               warmup_s: float = 0.1) -> dict:
    """Times ``step()`` one call at a time after a warm-up; returns the median and the count."""
    t_end = time.perf_counter() + warmup_s
    n_warm = 0
    while n_warm < 3 or time.perf_counter() < t_end:
        step()
        n_warm += 1
    times = []
    t_end = time.perf_counter() + budget_s
    clock = time.perf_counter
    while len(times) < min_steps or (clock() < t_end and len(times) < max_steps):
        t0 = clock()
        step()
        times.append(clock() - t0)
    return {"median_s": statistics.median(times), "steps": len(times), "min_s": min(times)}


def max_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def current_rss_mb() -> float:
    """Resident memory now, in MiB (falls back to the peak where /proc is missing)."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return max_rss_mb()


def reset_peak_rss() -> bool:
    """Resets the kernel's peak-RSS mark (Linux: write 5 to clear_refs); False if not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_rss_mb() -> float:
    """Peak RSS since the last reset, from /proc (VmHWM), else from getrusage."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return max_rss_mb()


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def best_epoch(epoch, epochs: int) -> dict:
    """Runs ``epoch()`` (which returns the rows it saw) ``epochs`` times; the fastest time."""
    best, rows = float("inf"), 0
    for _ in range(epochs):
        t0 = time.perf_counter()
        rows = epoch()
        best = min(best, time.perf_counter() - t0)
    return {"epoch_s": best, "rows": rows, "epochs": epochs}


def load_split(path: str):
    """The end-to-end data split written by the orchestrator (no pickle)."""
    with np.load(path, allow_pickle=False) as f:
        return f["x_train"], f["y_train"], f["x_test"], f["y_test"]


def memory_run(build_and_step, steps: int) -> dict:
    """Peak RSS growth (MiB) of building the model and running ``steps`` training steps."""
    import gc
    gc.collect()
    reset_peak_rss()
    base = current_rss_mb()
    step = build_and_step()
    for _ in range(steps):
        step()
    peak = peak_rss_mb()
    return {"peak_mb": peak - base, "baseline_mb": base}
