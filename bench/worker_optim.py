"""Optimizer-step timing for one framework on one cell: every optimizer's ``opt.step()``.

Run by ``bench_optim.py`` (and so by ``run.py``) as
``python bench/worker_optim.py step '{"framework": "ember", "cell": "wide"}'``; prints one
``RESULT {json}`` line: ``{optimizer: {"median_s", "min_s", "steps"}}``.
"""
from __future__ import annotations

import numpy as np

import _harness as h
from specs import STEP_CELLS, layer_sizes

# name -> keyword arguments, the same for both frameworks (torch's names and defaults)
OPTIMIZERS = {
    "SGD": {"lr": 1e-2}, "SGD-momentum": {"lr": 1e-2, "momentum": 0.9}, "Adam": {}, "AdamW": {},
    "NAdam": {}, "RAdam": {}, "Adamax": {}, "RMSprop": {}, "Rprop": {}, "Adagrad": {}, "Adadelta": {},
    "ASGD": {},
}


def shapes(cell: str) -> list:
    """The cell's parameter shapes: each Linear layer's weight (out, in) and bias (out,)."""
    sizes = layer_sizes(STEP_CELLS[cell][0])
    out = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        out += [(b, a), (b,)]
    return out


def task_step(framework: str, cell: str, budget_s: float = 0.3, names=None) -> dict:
    """Times ``opt.step()`` for each optimizer (gradients set once and kept, as after backward)."""
    if framework == "torch":
        import torch as lib
    else:
        import ember as lib
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes(cell)]
    grads = [rng.standard_normal(s).astype(np.float32) * 1e-3 for s in shapes(cell)]
    out = {}
    for name in names or OPTIMIZERS:
        params = [lib.tensor(a.copy(), requires_grad=True) for a in arrays]
        for p, g in zip(params, grads):
            p.grad = lib.tensor(g.copy())
        opt = getattr(lib.optim, name.split("-")[0])(params, **OPTIMIZERS[name])
        res = h.time_steps(opt.step, budget_s, min_steps=20, warmup_s=0.05)
        out[name] = {"median_s": res["median_s"], "min_s": res["min_s"], "steps": res["steps"]}
    if framework == "torch":
        out["threads"] = lib.get_num_threads()
    return out


if __name__ == "__main__":
    h.main({"step": task_step})
