"""The framework-free floor: an MLP training step written directly in NumPy (float32).

Forward, softmax-cross-entropy backward as ``(p - onehot) / batch``, and Adam, in a dozen
NumPy calls per layer, with in-place updates where a value is not needed again.
Also times a large float32 matmul (the machine's peak) and hand slicing for the data run.
"""
from __future__ import annotations

import time

import numpy as np

import _harness as h
from specs import BETAS, DATA, EPS, LR, STEP_CELLS, layer_sizes


class NumpyMLP:
    """Weights stored (in, out) so the forward is ``x @ W + b``; Kaiming-uniform-like init."""

    def __init__(self, sizes, seed=0):
        rng = np.random.default_rng(seed)
        self.params = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            bound = np.float32(1.0 / np.sqrt(a))
            self.params.append(rng.uniform(-bound, bound, (a, b)).astype(np.float32))
            self.params.append(rng.uniform(-bound, bound, (b,)).astype(np.float32))
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.t = 0

    def step(self, x, y):
        ws, bs = self.params[0::2], self.params[1::2]
        acts = [x]
        h_ = x
        for i, (w, b) in enumerate(zip(ws, bs)):
            z = h_ @ w
            z += b
            if i < len(ws) - 1:
                np.maximum(z, 0, out=z)
            acts.append(z)
            h_ = z
        logits = acts[-1]
        n = logits.shape[0]
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        loss = -np.log(p[np.arange(n), y]).mean()
        g = p
        g[np.arange(n), y] -= 1
        g *= np.float32(1.0 / n)
        grads = [None] * len(self.params)
        for i in range(len(ws) - 1, -1, -1):
            a = acts[i]
            grads[2 * i] = a.T @ g
            grads[2 * i + 1] = g.sum(axis=0)
            if i > 0:
                g = g @ ws[i].T
                g *= acts[i] > 0
        self._adam(grads)
        return loss

    def _adam(self, grads):
        self.t += 1
        b1, b2 = BETAS
        c1 = LR / (1 - b1 ** self.t)
        c2 = 1.0 / np.sqrt(1 - b2 ** self.t)
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            g *= g
            g *= 1 - b2
            v += g
            denom = np.sqrt(v)
            denom *= c2
            denom += EPS
            np.divide(m, denom, out=denom)
            denom *= c1
            p -= denom


def task_step(cell, budget_s=0.5, warmup_s=0.1):
    sizes, x, y = h.step_data(cell)
    model = NumpyMLP(sizes)
    out = h.time_steps(lambda: model.step(x, y), budget_s, warmup_s=warmup_s)
    out["dtype"] = str(model.params[0].dtype)
    return out


def task_peak(n=2048, reps=5):
    """Best-of-``reps`` GFLOP/s of an n×n float32 matmul (the machine's practical peak)."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    out = np.empty((n, n), np.float32)
    np.matmul(a, b, out=out)
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        np.matmul(a, b, out=out)
        best = min(best, time.perf_counter() - t0)
    return {"gflops": 2 * n ** 3 / best / 1e9, "n": n}


def task_memory(cell="wide", steps=5):
    def build():
        sizes, x, y = h.step_data(cell)
        model = NumpyMLP(sizes)
        return lambda: model.step(x, y)
    return h.memory_run(build, steps)


def task_data(rows=DATA["rows"], cols=DATA["cols"], batch=DATA["batch"], epochs=3):
    """Shuffled epochs by hand (a permutation, then fancy-index slices of x and y); the best one."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((rows, cols), dtype=np.float32)
    y = rng.integers(0, 10, size=rows).astype(np.int64)

    def epoch():
        perm = rng.permutation(rows)
        seen = 0
        for i in range(0, rows, batch):
            idx = perm[i:i + batch]
            xb, yb = x[idx], y[idx]
            seen += len(yb)
        return seen
    return h.best_epoch(epoch, epochs)


if __name__ == "__main__":
    h.main({"step": task_step, "peak": task_peak, "memory": task_memory, "data": task_data})
