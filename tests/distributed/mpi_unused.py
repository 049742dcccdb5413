"""Run by test_mpi.py, plainly and on 2 ranks: parameters that get no gradient under DDP.

Prints one JSON line per rank: the error the next forward raises after a backward that missed
parameters (find_unused_parameters=False), and which gradients are None or differ from the
ranks' average of the local gradients (zeros where a rank did not use a parameter) with
find_unused_parameters=True, when rank 0 alone uses branch ``b`` and when no rank uses it.
"""
import json

import numpy as np

import ember
import ember.distributed as dist
import ember.nn as nn
from ember.nn.parallel import DistributedDataParallel as DDP


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b, self.c = nn.Linear(3, 2), nn.Linear(3, 2), nn.Linear(2, 2)

    def forward(self, x, use_b):
        h = self.a(x)
        return self.c(h + self.b(x) if use_b else h)


def averaged_local_grads(net, x, use_b):
    """What DDP must give: each rank's own gradient (zeros when unused), averaged."""
    net.zero_grad()
    net(x, use_b).sum().backward()
    out = {}
    for name, p in net.named_parameters():
        g = p.grad.clone() if p.grad is not None else ember.zeros_like(p)
        dist.all_reduce(g, op=dist.ReduceOp.AVG)
        out[name] = g.numpy()
    net.zero_grad()
    return out


def main():
    dist.init_process_group("mpi")
    rank = dist.get_rank()
    ember.manual_seed(0)
    x = ember.tensor(np.arange(12, dtype=np.float32).reshape(4, 3) / 10 + rank)
    model = DDP(Net())
    model(x, False).sum().backward()
    try:
        model(x, False)
        error = None
    except RuntimeError as exc:
        error = str(exc)
    report = {"rank": rank, "error": error}
    model = DDP(Net(), find_unused_parameters=True)
    for case, use_b in (("rank0_uses_b", rank == 0), ("nobody_uses_b", False)):
        want = averaged_local_grads(model.module, x, use_b)
        for _ in range(2):  # a second step: the flag and the buckets start afresh
            model.zero_grad()
            model(x, use_b).sum().backward()
        grads = {n: p.grad for n, p in model.module.named_parameters()}
        report[case] = {
            "none": sorted(n for n, g in grads.items() if g is None),
            "wrong": sorted(n for n, g in grads.items() if g is not None and
                            not (g.dtype == ember.float32 and np.allclose(g.numpy(), want[n], atol=1e-6))),
        }
    print(json.dumps(report), flush=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
