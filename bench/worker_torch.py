"""PyTorch eager on the CPU, with as many threads as the machine has cores."""
from __future__ import annotations

import time

import numpy as np

import _harness as h
from specs import BETAS, DATA, E2E, EPS, LR


def _torch():
    import torch
    torch.set_num_threads(h.cpu_count())
    return torch


def _mlp(torch, sizes):
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(torch.nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def _stepper(torch, sizes, x, y):
    model = _mlp(torch, sizes)
    opt = torch.optim.Adam(model.parameters(), lr=LR, betas=BETAS, eps=EPS)
    loss_fn = torch.nn.CrossEntropyLoss()
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def step():
        opt.zero_grad()
        loss = loss_fn(model(xt), yt)
        loss.backward()
        opt.step()
    return step


def task_step(cell, budget_s=0.5, warmup_s=0.1):
    torch = _torch()
    torch.manual_seed(0)
    sizes, x, y = h.step_data(cell)
    out = h.time_steps(_stepper(torch, sizes, x, y), budget_s, warmup_s=warmup_s)
    out["threads"] = torch.get_num_threads()
    return out


def task_peak(n=2048, reps=5):
    torch = _torch()
    a, b = torch.randn(n, n), torch.randn(n, n)
    out = torch.empty(n, n)
    torch.mm(a, b, out=out)
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        torch.mm(a, b, out=out)
        best = min(best, time.perf_counter() - t0)
    return {"gflops": 2 * n ** 3 / best / 1e9, "n": n}


def task_memory(cell="wide", steps=5):
    torch = _torch()
    torch.manual_seed(0)

    def build():
        sizes, x, y = h.step_data(cell)
        return _stepper(torch, sizes, x, y)
    return h.memory_run(build, steps)


def task_e2e(path, seed=0):
    """The idiomatic loop: TensorDataset + DataLoader(shuffle) + Adam, then test accuracy."""
    torch = _torch()
    from torch.utils.data import DataLoader, TensorDataset
    x_tr, y_tr, x_te, y_te = h.load_split(path)
    t0 = time.perf_counter()
    torch.manual_seed(seed)
    model = _mlp(torch, E2E["sizes"])
    opt = torch.optim.Adam(model.parameters(), lr=E2E["lr"])
    loss_fn = torch.nn.CrossEntropyLoss()
    loader = DataLoader(TensorDataset(torch.from_numpy(x_tr), torch.from_numpy(y_tr)),
                        batch_size=E2E["batch"], shuffle=True)
    model.train()
    for _ in range(E2E["epochs"]):
        for xb, yb in loader:
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            opt.step()
    wall = time.perf_counter() - t0
    model.eval()
    with torch.no_grad():
        pred = model(torch.from_numpy(x_te)).argmax(1).numpy()
    return {"wall_s": wall, "accuracy": float(np.mean(pred == y_te))}


def task_data(rows=DATA["rows"], cols=DATA["cols"], batch=DATA["batch"], epochs=1):
    """torch's own DataLoader over a TensorDataset (shuffled), for reference."""
    torch = _torch()
    from torch.utils.data import DataLoader, TensorDataset
    rng = np.random.default_rng(0)
    x = torch.from_numpy(rng.standard_normal((rows, cols), dtype=np.float32))
    y = torch.from_numpy(rng.integers(0, 10, size=rows).astype(np.int64))
    def epoch():
        seen = 0
        for xb, yb in DataLoader(TensorDataset(x, y), batch_size=batch, shuffle=True):
            seen += len(yb)
        return seen
    return h.best_epoch(epoch, epochs)


if __name__ == "__main__":
    h.main({"step": task_step, "peak": task_peak, "memory": task_memory, "e2e": task_e2e,
            "data": task_data})
