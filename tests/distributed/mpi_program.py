"""Run on every rank by test_mpi.py: checks the collectives and DDP against values each rank
can compute by itself, then trains a small MLP data-parallel and saves rank 0's parameters.

Usage: python mpi_program.py OUT.safetensors [global_batch]
"""
import sys

import numpy as np

import ember
import ember.distributed as dist
import ember.nn as nn
from ember.nn.parallel import DistributedDataParallel as DDP
from ember.utils.data import DataLoader, DistributedSampler, TensorDataset


def check(cond, what):
    if not cond:
        raise AssertionError(f"rank {dist.get_rank()}: {what}")


def collectives(rank, size):
    R = dist.ReduceOp
    ranks = np.arange(size, dtype=np.float32) + 1
    for shape in ((2, 3), (200, 100)):  # 80 kB: on the communication thread
        for op, want in ((R.SUM, ranks.sum()), (R.AVG, ranks.mean()), (R.MAX, size), (R.MIN, 1),
                         (R.PRODUCT, ranks.prod())):
            t = ember.full(shape, float(rank + 1))
            check(dist.all_reduce(t, op=op) is None, "all_reduce returns None")
            check(t.dtype == ember.float32 and np.allclose(t.numpy(), want), f"all_reduce {op}: {t}")
    big = [ember.full((50_000,), float(rank + k)) for k in range(3)]  # in flight together
    works = [dist.all_reduce(t, async_op=True) for t in big] + [dist.all_reduce(ember.ones(2), async_op=True)]
    for w in works[::-1]:
        w.wait()
    check(all(np.all(t.numpy() == ranks.sum() - size + k * size) for k, t in enumerate(big)),
          "large async all_reduces")
    wide = ember.zeros(200, 200)[:, ::2]  # large and not contiguous
    wide.fill_(float(rank))
    dist.all_reduce(wide, op=R.AVG)
    check(np.allclose(wide.numpy(), (ranks.sum() - size) / size), "large strided all_reduce")
    t = ember.tensor([rank + 1, 10], dtype=ember.int64)
    work = dist.all_reduce(t, async_op=True)
    work.wait()
    check(work.is_completed() and t.tolist() == [ranks.sum(), 10 * size], f"async int64 {t}")
    strided = ember.zeros(4, 6)[:, ::2]  # not contiguous: reduced through a copy
    strided.fill_(float(rank))
    base = strided._base if hasattr(strided, "_base") else None
    dist.all_reduce(strided)
    check(np.allclose(strided.numpy(), ranks.sum() - size), f"strided {strided}")
    b = ember.full((3,), float(rank))
    dist.broadcast(b, src=size - 1)
    check(b.tolist() == [size - 1.0] * 3, f"broadcast {b}")
    out = [ember.zeros(2) for _ in range(size)]
    dist.all_gather(out, ember.full((2,), float(rank)))
    check([o.tolist() for o in out] == [[float(r)] * 2 for r in range(size)], f"all_gather {out}")
    flat = ember.zeros(size * 2)
    dist.all_gather_into_tensor(flat, ember.full((2,), float(rank)))
    check(flat.tolist() == np.repeat(np.arange(size), 2).tolist(), f"all_gather_into_tensor {flat}")
    mine = ember.zeros(2)
    dist.reduce_scatter(mine, [ember.full((2,), float(r * 10 + rank)) for r in range(size)])
    check(np.allclose(mine.numpy(), rank * 10 * size + ranks.sum() - size), f"reduce_scatter {mine}")
    mine = ember.zeros(2)
    dist.reduce_scatter_tensor(mine, ember.arange(2 * size, dtype=ember.float32), op=R.AVG)
    check(mine.tolist() == [2.0 * rank, 2.0 * rank + 1], f"reduce_scatter_tensor {mine}")
    got = [ember.zeros(1) for _ in range(size)] if rank == 0 else None
    dist.gather(ember.tensor([float(rank)]), got, dst=0)
    if rank == 0:
        check([g.item() for g in got] == list(range(size)), f"gather {got}")
    s = ember.zeros(1)
    dist.scatter(s, [ember.tensor([r * 2.0]) for r in range(size)] if rank == 0 else None, src=0)
    check(s.item() == rank * 2.0, f"scatter {s}")
    r = ember.tensor([1.0])
    dist.reduce(r, dst=0)
    check(r.item() == (size if rank == 0 else 1.0), f"reduce {r}")
    dist.barrier()
    try:
        dist.broadcast(b, src=size)
        check(False, "broadcast from a missing rank raised nothing")
    except ValueError as exc:
        check(f"src={size} is not a rank" in str(exc), str(exc))


def ddp_basics(rank, size):
    ember.manual_seed(rank)  # different initial weights on purpose: DDP copies rank 0's
    net = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))
    model = DDP(net, bucket_cap_mb=40 / 2 ** 20)  # 40-byte buckets: several of them
    check(len(model._buckets) > 1, "several buckets")
    check(list(model.state_dict())[0] == "module.0.weight", f"keys {list(model.state_dict())}")
    w = net[0].weight.detach().clone()
    dist.broadcast(w, 0)
    check(ember.equal(w, net[0].weight), "parameters equal rank 0's after construction")
    x = ember.randn(4, 3, generator=ember.Generator().manual_seed(rank))
    model(x).sum().backward()
    synced = [p.grad.clone() for p in net.parameters()]
    for p in net.parameters():  # each rank's own gradient, averaged by hand
        p.grad = None
    net(x).sum().backward()
    for p, g in zip(net.parameters(), synced):
        local = p.grad.clone()
        dist.all_reduce(local, op=dist.ReduceOp.AVG)
        check(ember.allclose(local, g, atol=1e-6), "DDP's gradient is the ranks' average")
    for p in net.parameters():
        p.grad = None
    with model.no_sync():
        model(x).sum().backward()
    local = [p.grad.clone() for p in net.parameters()]
    model(x).sum().backward()  # synced: averages the two accumulated gradients
    for p, g in zip(net.parameters(), synced):
        check(ember.allclose(p.grad, 2 * g, atol=1e-5), "no_sync then sync: averaged sum")
    if size > 1:
        check(not all(ember.allclose(loc, g) for loc, g in zip(local, synced)),
              "no_sync keeps the local gradients")
    # a backward that raises half-way (buckets of the last layers already in flight): the next
    # step still averages
    def boom(grad):
        raise ValueError("boom")

    def hook_output(module, inputs, out):
        out.register_hook(boom)
    handle = net[0].register_forward_hook(hook_output)
    try:
        model(x).sum().backward()
        check(False, "the hook raised nothing")
    except ValueError:
        pass
    handle.remove()
    net.zero_grad()
    model(x).pow(2).sum().backward()  # a loss whose gradients differ between the ranks
    got = [p.grad.clone() for p in net.parameters()]
    net.zero_grad()
    net(x).pow(2).sum().backward()
    for p, g in zip(net.parameters(), got):
        want = p.grad.clone()
        dist.all_reduce(want, op=dist.ReduceOp.AVG)
        check(ember.allclose(g, want, atol=1e-5), "a step after a failed backward averages")
    if size > 1:
        check(not all(ember.allclose(p.grad, g) for p, g in zip(net.parameters(), got)),
              "the ranks' own gradients differ")


def train(path, global_batch):
    rank, size = dist.get_rank(), dist.get_world_size()
    g = np.random.default_rng(0)
    x = g.standard_normal((96, 8)).astype(np.float32)
    y = g.integers(0, 3, 96)
    data = TensorDataset(ember.tensor(x), ember.tensor(y))
    sampler = DistributedSampler(data, shuffle=True, seed=5)
    loader = DataLoader(data, batch_size=global_batch // size, sampler=sampler)
    ember.manual_seed(1 + rank * 100)
    model = DDP(nn.Sequential(nn.Linear(8, 16), nn.Tanh(), nn.Linear(16, 3)))
    opt = ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for epoch in range(3):
        sampler.set_epoch(epoch)
        for xb, yb in loader:
            opt.zero_grad()
            nn.functional.cross_entropy(model(xb), yb).backward()
            opt.step()
    if rank == 0:
        from safetensors.numpy import save_file
        save_file({k: v.numpy() for k, v in model.module.state_dict().items()}, path)


def main():
    dist.init_process_group("mpi")
    rank, size = dist.get_rank(), dist.get_world_size()
    collectives(rank, size)
    ddp_basics(rank, size)
    train(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 24)
    dist.destroy_process_group()
    print(f"ok rank {rank} of {size}")


if __name__ == "__main__":
    main()
