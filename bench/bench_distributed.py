"""Data-parallel training: time per epoch of `wide` (784-1024-1024-10, global batch 256) and of
LeNet-5 (global batch 64) over a fixed data set, on

* ember, 1 rank, 1 BLAS thread          (the reference for scaling)
* ember, 1 rank, 2 BLAS threads          (what the second core gives without MPI)
* ember, 2 ranks, 1 BLAS thread each     (mpiexec, DistributedDataParallel + DistributedSampler)
* torch, 2 ranks, 1 thread each          (torch.distributed gloo + DistributedDataParallel)

Each configuration runs in fresh processes; an epoch's time is the slowest rank's, and the
figure is the minimum over the timed epochs (after one warm-up epoch). The 2-rank ember run also
times epochs under ``no_sync()`` (no gradient communication), which gives the communication
share of a step: (synced - unsynced) / synced. Scaling efficiency: T(1 rank) / (2 * T(2 ranks));
the same with the unsynced time is what the machine allows with free communication (two busy
cores share the memory bandwidth and the last-level cache that one rank has to itself).

Run: ``python bench/bench_distributed.py [--epochs 3] [--cells wide,lenet]`` (prints a table
and a JSON line). Needs ember[distributed]; torch for the torch rows.

``--comm`` instead times the communication alone on 2 ranks: MPI ``Allreduce`` (in place) of a
buffer as large as wide's gradients (1.86 M float32, 7.5 MB), the same as ``Iallreduce`` +
``Wait``, and one DDP training step of wide (batch 128 per rank) synced and under ``no_sync()``
(the difference is what a step pays for its gradient averaging): min and median ms.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CELLS = {"wide": {"n": 256 * 24, "batch": 256}, "lenet": {"n": 64 * 24, "batch": 64}}


# --------------------------------------------------------------------------------------------
# the worker (one rank)

def _data(cell: str):
    import numpy as np
    g = np.random.default_rng(0)
    n = CELLS[cell]["n"]
    shape = (n, 784) if cell == "wide" else (n, 1, 28, 28)
    return g.standard_normal(shape).astype(np.float32), g.integers(0, 10, n).astype(np.int64)


def _model(lib, cell: str):
    nn = lib.nn
    if cell == "wide":
        return nn.Sequential(nn.Linear(784, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(),
                             nn.Linear(1024, 10))
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                         nn.Linear(84, 10))


def worker(framework: str, cell: str, epochs: int, nosync: bool) -> None:
    import numpy as np
    if framework == "torch":
        import torch as lib
        import torch.distributed as dist
        from torch.nn.parallel import DistributedDataParallel as DDP
        from torch.utils.data import DataLoader, DistributedSampler, TensorDataset
        lib.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
        size = int(os.environ.get("OMPI_COMM_WORLD_SIZE", "1"))
        rank = int(os.environ.get("OMPI_COMM_WORLD_RANK", "0"))
        dist.init_process_group("gloo", init_method=os.environ["BENCH_INIT"], rank=rank,
                                world_size=size)
    else:
        import ember as lib
        import ember.distributed as dist
        from ember.nn.parallel import DistributedDataParallel as DDP
        from ember.utils.data import DataLoader, DistributedSampler, TensorDataset
        dist.init_process_group("mpi")
    rank, size = dist.get_rank(), dist.get_world_size()
    x, y = _data(cell)
    data = TensorDataset(lib.from_numpy(x), lib.from_numpy(y))
    sampler = DistributedSampler(data, shuffle=True, seed=0)
    loader = DataLoader(data, batch_size=CELLS[cell]["batch"] // size, sampler=sampler)
    lib.manual_seed(0)
    model = DDP(_model(lib, cell))
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = lib.nn.CrossEntropyLoss()

    def epoch(e, sync=True):
        sampler.set_epoch(e)
        dist.barrier()
        start = time.perf_counter()
        for xb, yb in loader:
            opt.zero_grad()
            if sync:
                loss_fn(model(xb), yb).backward()
            else:
                with model.no_sync():
                    loss_fn(model(xb), yb).backward()
            opt.step()
        spent = lib.tensor([time.perf_counter() - start], dtype=lib.float64)
        dist.all_reduce(spent, op=dist.ReduceOp.MAX)
        return float(spent.item())

    epoch(0)  # warm-up
    times = [epoch(e + 1) for e in range(epochs)]
    free = [epoch(e + 1, sync=False) for e in range(epochs)] if nosync and size > 1 else []
    if rank == 0:
        print("RESULT " + json.dumps({"epoch_s": times, "nosync_epoch_s": free}), flush=True)
    dist.destroy_process_group()


def comm_worker(reps: int) -> None:
    """``--comm`` on each rank: bare allreduce against DDP's per-step cost (ms)."""
    import numpy as np

    import ember as lib
    import ember.distributed as dist
    from ember.nn.parallel import DistributedDataParallel as DDP
    dist.init_process_group("mpi")
    from mpi4py import MPI
    comm, rank = MPI.COMM_WORLD, dist.get_rank()
    lib.manual_seed(0)
    model = DDP(_model(lib, "wide"))
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = lib.nn.CrossEntropyLoss()
    x, y = _data("wide")
    xb, yb = lib.from_numpy(x[rank * 128:(rank + 1) * 128]), lib.from_numpy(y[rank * 128:(rank + 1) * 128])
    buf = np.ones(sum(p.numel() for p in model.parameters()), np.float32)

    def step(sync):
        opt.zero_grad()
        with (contextlib.nullcontext() if sync else model.no_sync()):
            loss_fn(model(xb), yb).backward()
        opt.step()
    cases = {"allreduce": lambda: comm.Allreduce(MPI.IN_PLACE, buf),
             "iallreduce_wait": lambda: comm.Iallreduce(MPI.IN_PLACE, buf).Wait(),
             "ddp_step_synced": lambda: step(True), "ddp_step_no_sync": lambda: step(False)}
    times = {k: [] for k in cases}
    for _ in range(reps + 2):
        for name, fn in cases.items():
            comm.Barrier()
            start = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - start) * 1e3)
    if rank == 0:
        out = {k: {"min_ms": min(v[2:]), "median_ms": sorted(v[2:])[reps // 2]} for k, v in times.items()}
        out["floats"] = int(buf.size)
        print("RESULT " + json.dumps(out), flush=True)
    dist.destroy_process_group()


# --------------------------------------------------------------------------------------------
# the driver

def _mpiexec() -> str:
    found = shutil.which("mpiexec", path=str(Path(sys.executable).parent)) or shutil.which("mpiexec")
    if found is None:
        raise SystemExit("mpiexec not found: pip install 'ember[distributed]'")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(framework: str, cell: str, ranks: int, threads: int, epochs: int) -> dict:
    """One configuration in fresh processes (``framework`` "comm": the ``--comm`` worker)."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads), OMPI_ALLOW_RUN_AS_ROOT="1",
               OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", BENCH_INIT=f"tcp://127.0.0.1:{_free_port()}")
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    worker_args = ["--comm-worker", str(epochs)] if framework == "comm" else \
        ["--worker", framework, cell, str(epochs)]
    cmd = [_mpiexec(), "-n", str(ranks), "--bind-to", "none", sys.executable, __file__, *worker_args]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=1200)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    return {"error": (proc.stderr or proc.stdout).strip().splitlines()[-1:]}


CONFIGS = (("ember 1 rank x 1 thread", "ember", 1, 1), ("ember 1 rank x 2 threads", "ember", 1, 2),
           ("ember 2 ranks x 1 thread", "ember", 2, 1), ("torch 2 ranks x 1 thread (gloo)", "torch", 2, 1))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--epochs", type=int, default=3, help="timed epochs per configuration")
    ap.add_argument("--cells", default="wide,lenet")
    ap.add_argument("--comm", action="store_true", help="time the communication alone (2 ranks)")
    ap.add_argument("--reps", type=int, default=40, help="repetitions for --comm")
    ap.add_argument("--worker", nargs=3, metavar=("FRAMEWORK", "CELL", "EPOCHS"), help=argparse.SUPPRESS)
    ap.add_argument("--comm-worker", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        worker(args.worker[0], args.worker[1], int(args.worker[2]), nosync=True)
        return 0
    if args.comm_worker:
        comm_worker(args.comm_worker)
        return 0
    if args.comm:
        res = run("comm", "wide", 2, 1, args.reps)
        for name, t in res.items():
            if isinstance(t, dict):
                print(f"{name:<18} min {t['min_ms']:7.2f} ms   median {t['median_ms']:7.2f} ms")
        if "ddp_step_synced" in res:
            print("DDP's gradient averaging per step (synced - no_sync, min): "
                  f"{res['ddp_step_synced']['min_ms'] - res['ddp_step_no_sync']['min_ms']:.2f} ms")
        print("JSON " + json.dumps(res))
        return 0
    results = {}
    for cell in args.cells.split(","):
        results[cell] = {}
        for name, fw, ranks, threads in CONFIGS:
            res = run(fw, cell, ranks, threads, args.epochs)
            results[cell][name] = res
            best = min(res["epoch_s"]) if "epoch_s" in res else None
            print(f"{cell:<6} {name:<34} " + (f"{best:8.3f} s/epoch  (all: "
                  + ", ".join(f"{t:.3f}" for t in res["epoch_s"]) + ")" if best else f"n/a {res}"),
                  flush=True)
        row = results[cell]
        one = min(row["ember 1 rank x 1 thread"].get("epoch_s", [float("nan")]))
        two = row["ember 2 ranks x 1 thread"]
        if "epoch_s" in two:
            t2, free = min(two["epoch_s"]), min(two["nosync_epoch_s"])
            print(f"{cell:<6} scaling efficiency (2 ranks): {one / (2 * t2):.0%}; communication "
                  f"share of a step: {max(t2 - free, 0) / t2:.0%}; without communication "
                  f"(no_sync, the ceiling on this machine): {one / (2 * free):.0%}")
    print("JSON " + json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
