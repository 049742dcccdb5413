"""The sequence cells for one framework: one training step of an LSTM or a transformer encoder.

Run by ``bench_sequence.py`` (and so by ``run.py``) as
``python bench/worker_sequence.py step '{"framework": "ember", "cell": "lstm", "threads": 1}'``;
prints one ``RESULT {json}`` line. Frameworks: ``ember`` and ``torch`` (eager), the same program
written once against either module. The BLAS/intra-op thread count is set in-process
(threadpoolctl for NumPy's OpenBLAS, ``torch.set_num_threads``).

Cells (issue 16):

* ``lstm``: LSTM(32 → 128, batch_first) on 32 windows of 32 steps, last output →
  Linear(128, 10), cross-entropy, Adam.
* ``transformer``: TransformerEncoderLayer(d_model 128, 4 heads, torch's defaults: feed-forward
  2048, dropout 0.1, batch_first, training mode) on 32 sequences of 64 tokens, mean over tokens →
  Linear(128, 10), cross-entropy, Adam.
"""
from __future__ import annotations

import numpy as np

import _harness as h

CELLS = {"lstm": {"batch": 32, "steps": 32, "inputs": 32, "hidden": 128, "classes": 10},
         "transformer": {"batch": 32, "tokens": 64, "d_model": 128, "heads": 4, "classes": 10}}


def _data(cell: str):
    spec = CELLS[cell]
    rng = np.random.default_rng(0)
    width = spec["inputs"] if cell == "lstm" else spec["d_model"]
    length = spec["steps"] if cell == "lstm" else spec["tokens"]
    x = rng.standard_normal((spec["batch"], length, width), dtype=np.float32)
    return x, rng.integers(0, spec["classes"], spec["batch"]).astype(np.int64)


def _library(framework: str, threads: int):
    from threadpoolctl import threadpool_limits
    threadpool_limits(limits=threads)
    if framework == "torch":
        import torch as lib
        lib.set_num_threads(threads)
    else:
        import ember as lib
    return lib


def _stepper(lib, cell: str):
    """One training step of ``cell``, written once against a torch-like ``lib``."""
    spec, nn = CELLS[cell], lib.nn
    lib.manual_seed(0)
    x_np, y_np = _data(cell)
    x, y = lib.from_numpy(x_np), lib.from_numpy(y_np)
    if cell == "lstm":
        body = nn.LSTM(spec["inputs"], spec["hidden"], batch_first=True)
        head = nn.Linear(spec["hidden"], spec["classes"])

        def forward():
            return head(body(x)[0][:, -1])
    else:
        body = nn.TransformerEncoderLayer(spec["d_model"], spec["heads"], batch_first=True)
        head = nn.Linear(spec["d_model"], spec["classes"])
        body.train()

        def forward():
            return head(body(x).mean(1))
    opt = lib.optim.Adam(list(body.parameters()) + list(head.parameters()), lr=1e-3)

    def step():
        opt.zero_grad()
        nn.functional.cross_entropy(forward(), y).backward()
        opt.step()
    return step


def task_step(framework: str, cell: str, threads: int = 1, budget_s: float = 1.0) -> dict:
    out = h.time_steps(_stepper(_library(framework, threads), cell), budget_s, min_steps=5,
                       warmup_s=0.2)
    out["threads"] = threads
    return out


if __name__ == "__main__":
    h.main({"step": task_step})
