"""Optimizer step time: Adam on 50 parameter tensors totalling ~1M float32 values, ember vs torch.

Run: PYTHONPATH=src python bench/bench_optim.py [--threads N]
Reports the median of repeated ``opt.step()`` calls (gradients set once, kept between steps).
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np


def shapes(n_tensors: int = 50, total: int = 1_000_000) -> list:
    """25 weight matrices and 25 bias vectors whose sizes add up to about ``total``."""
    rng = np.random.default_rng(0)
    out = []
    per = total // (n_tensors // 2)
    for _ in range(n_tensors // 2):
        rows = int(rng.integers(64, 512))
        out.append((rows, max(1, per // rows - 1)))
        out.append((out[-1][1],))
    return out


def time_steps(step, repeats: int) -> float:
    step()  # state creation
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def bench_ember(name: str, shp: list, repeats: int, **kw) -> float:
    import ember
    params = [ember.randn(*s, requires_grad=True) for s in shp]
    for p in params:
        p.grad = ember.randn(*p.shape) * 1e-3
    opt = getattr(ember.optim, name)(params, **kw)
    return time_steps(opt.step, repeats)


def bench_torch(name: str, shp: list, repeats: int, **kw) -> float:
    import torch
    params = [torch.randn(*s, requires_grad=True) for s in shp]
    for p in params:
        p.grad = torch.randn(*p.shape) * 1e-3
    opt = getattr(torch.optim, name)(params, **kw)
    return time_steps(opt.step, repeats)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's)")
    args = parser.parse_args()
    shp = shapes()
    total = sum(int(np.prod(s)) for s in shp)
    print(f"{len(shp)} tensors, {total:,} float32 values")
    try:
        import torch
        if args.threads:
            torch.set_num_threads(args.threads)
        print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; cpus={os.cpu_count()}")
    except ImportError:
        torch = None
    for name, kw in [("Adam", {"lr": 1e-3}), ("AdamW", {"lr": 1e-3}), ("SGD", {"lr": 1e-2, "momentum": 0.9}),
                     ("RMSprop", {"lr": 1e-3})]:
        e = bench_ember(name, shp, args.repeats, **kw)
        line = f"{name:8s} ember {e * 1e3:7.2f} ms/step"
        if torch is not None:
            t = bench_torch(name, shp, args.repeats, **kw)
            line += f"   torch (foreach) {t * 1e3:7.2f} ms/step   ratio {e / t:5.2f}x"
        print(line)


if __name__ == "__main__":
    main()
