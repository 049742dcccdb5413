"""Sequence training steps, ember vs PyTorch eager, each library in its own process.

Cells (issue 16):
* ``lstm``: LSTM(32 → 128, batch_first), 32 windows of 32 steps, last output → Linear(128, 10),
  cross-entropy, Adam.
* ``transformer``: TransformerEncoderLayer(d_model 128, 4 heads, torch's defaults: feed-forward
  2048, dropout 0.1, batch_first) on 32 sequences of 64 tokens, mean over tokens →
  Linear(128, 10), cross-entropy, Adam (training mode).

Each run starts a fresh process per (library, cell) in interleaved rounds and reports the
minimum over rounds of the median step time, and the spread of the per-round medians (the
machine may be shared: read the spread before the ratio).

Run: PYTHONPATH=src python bench/bench_sequence.py [--rounds 3] [--budget 3] [--cells lstm,transformer]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _harness import time_steps  # noqa: E402

CELLS = {"lstm": {"batch": 32, "steps": 32, "inputs": 32, "hidden": 128, "classes": 10},
         "transformer": {"batch": 32, "tokens": 64, "d_model": 128, "heads": 4, "classes": 10}}


def _data(cell: str):
    spec = CELLS[cell]
    rng = np.random.default_rng(0)
    if cell == "lstm":
        x = rng.standard_normal((spec["batch"], spec["steps"], spec["inputs"]), dtype=np.float32)
    else:
        x = rng.standard_normal((spec["batch"], spec["tokens"], spec["d_model"]), dtype=np.float32)
    y = rng.integers(0, spec["classes"], spec["batch"]).astype(np.int64)
    return x, y


def _step_fn(lib, cell: str):
    """One training step of ``cell`` written once against a torch-like ``lib`` (ember or torch)."""
    spec = CELLS[cell]
    nn, F = lib.nn, lib.nn.functional
    lib.manual_seed(0)
    x_np, y_np = _data(cell)
    x, y = lib.tensor(x_np), lib.tensor(y_np)
    if cell == "lstm":
        rnn = nn.LSTM(spec["inputs"], spec["hidden"], batch_first=True)
        head = nn.Linear(spec["hidden"], spec["classes"])

        def forward():
            out, _ = rnn(x)
            return head(out[:, -1])
        params = list(rnn.parameters()) + list(head.parameters())
    else:
        layer = nn.TransformerEncoderLayer(spec["d_model"], spec["heads"], batch_first=True)
        head = nn.Linear(spec["d_model"], spec["classes"])
        layer.train()

        def forward():
            return head(layer(x).mean(1))
        params = list(layer.parameters()) + list(head.parameters())
    opt = lib.optim.Adam(params, lr=1e-3)

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(forward(), y)
        loss.backward()
        opt.step()
    return step


def worker(lib_name: str, cell: str, budget: float) -> dict:
    if lib_name == "torch":
        import torch as lib
        out = {"threads": lib.get_num_threads()}
    else:
        import ember as lib
        out = {}
    step = _step_fn(lib, cell)
    out.update(time_steps(step, budget, min_steps=5))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--budget", type=float, default=3.0, help="seconds of timing per run")
    parser.add_argument("--cells", default="lstm,transformer")
    parser.add_argument("--worker", nargs=2, metavar=("LIB", "CELL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print("RESULT " + json.dumps(worker(*args.worker, args.budget)), flush=True)
        return
    env = dict(os.environ)
    env["PYTHONPATH"] = str(HERE.parent / "src") + os.pathsep + env.get("PYTHONPATH", "")
    cells = args.cells.split(",")
    medians = {(lib, cell): [] for lib in ("ember", "torch") for cell in cells}
    for r in range(args.rounds):
        order = [(lib, cell) for cell in cells for lib in ("ember", "torch")]
        if r % 2:
            order.reverse()
        for lib, cell in order:
            proc = subprocess.run([sys.executable, __file__, "--budget", str(args.budget),
                                   "--worker", lib, cell], capture_output=True, text=True, env=env)
            line = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
            if not line:
                print(f"{lib} {cell}: failed: {proc.stderr.strip().splitlines()[-1:]}")
                continue
            medians[(lib, cell)].append(json.loads(line[0][7:])["median_s"])
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"{cpus} CPUs; load average {os.getloadavg()[0]:.1f}; min over {args.rounds} rounds of "
          f"the median step (spread = max/min of the round medians)")
    for cell in cells:
        e, t = medians[("ember", cell)], medians[("torch", cell)]
        if not e or not t:
            continue
        print(f"{cell:12s} ember {min(e) * 1e3:8.2f} ms (spread {max(e) / min(e):.2f})   "
              f"torch {min(t) * 1e3:8.2f} ms (spread {max(t) / min(t):.2f})   "
              f"torch/ember {min(t) / min(e):.2f}")


if __name__ == "__main__":
    main()
