"""Run on every rank by test_sync_batchnorm.py: trains a small CNN whose BatchNorm layers were
converted to SyncBatchNorm, data-parallel, and saves rank 0's parameters and running statistics
(the same global batches on any number of ranks must give the same numbers).

Usage: python mpi_sync_bn.py OUT.safetensors GLOBAL_BATCH
"""
import sys

import numpy as np

import ember
import ember.distributed as dist
import ember.nn as nn
from ember.nn.parallel import DistributedDataParallel as DDP
from ember.utils.data import DataLoader, DistributedSampler, TensorDataset


def main(path, global_batch):
    dist.init_process_group("mpi")
    rank, size = dist.get_rank(), dist.get_world_size()
    g = np.random.default_rng(0)
    x = (g.standard_normal((48, 2, 6, 6)) * 3 + 1).astype(np.float32)
    y = g.integers(0, 3, 48)
    data = TensorDataset(ember.tensor(x), ember.tensor(y))
    sampler = DistributedSampler(data, shuffle=True, seed=7)
    loader = DataLoader(data, batch_size=global_batch // size, sampler=sampler)
    ember.manual_seed(3)
    net = nn.Sequential(nn.Conv2d(2, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(),
                        nn.Linear(64, 8), nn.BatchNorm1d(8, momentum=None), nn.Tanh(),
                        nn.Linear(8, 3))
    model = DDP(nn.SyncBatchNorm.convert_sync_batchnorm(net))
    assert type(model.module[1]).__name__ == "SyncBatchNorm"
    opt = ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for epoch in range(2):
        sampler.set_epoch(epoch)
        for xb, yb in loader:
            opt.zero_grad()
            nn.functional.cross_entropy(model(xb), yb).backward()
            opt.step()
    model.eval()
    out = model(ember.tensor(x[:5])).detach().numpy()
    if rank == 0:
        from safetensors.numpy import save_file
        state = {k: v.numpy() for k, v in model.module.state_dict().items()}
        save_file({**state, "eval_output": out}, path)
    dist.destroy_process_group()
    print(f"ok rank {rank} of {size}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
