"""``DistributedSampler``: each rank of a data-parallel job visits its own share of a dataset."""
from __future__ import annotations

import math
import numbers

import numpy as np

from .sampler import Sampler

__all__ = ["DistributedSampler"]


def _group_default(name: str):
    from ... import distributed as dist
    if not dist.is_available():
        raise RuntimeError("Requires distributed package to be available")
    return dist.get_world_size() if name == "num_replicas" else dist.get_rank()


class DistributedSampler(Sampler):
    """Splits the dataset's indices among ``num_replicas`` ranks, as torch's sampler does.

    Every rank draws the same permutation (seeded by ``seed + epoch``), pads it by repeating its
    head until it divides evenly (or, with ``drop_last``, cuts the tail) and takes every
    ``num_replicas``-th index starting at its ``rank``. Call ``set_epoch(e)`` before each epoch
    to get a new order.

    Args:
        dataset: the dataset (only its length is used).
        num_replicas: number of ranks (default: the process group's world size).
        rank: this rank (default: the process group's rank).
        shuffle: permute the indices each epoch (default True).
        seed: base seed of the permutation, the same on every rank.
        drop_last: drop the tail instead of padding so that ranks get equal shares.

    Example::

        >>> list(DistributedSampler(range(5), num_replicas=2, rank=1, shuffle=False))
        [1, 3, 0]
    """

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle: bool = True,
                 seed: int = 0, drop_last: bool = False) -> None:
        if num_replicas is None:
            num_replicas = _group_default("num_replicas")
        if rank is None:
            rank = _group_default("rank")
        if isinstance(num_replicas, bool) or not isinstance(num_replicas, numbers.Integral) \
                or num_replicas < 1:
            raise ValueError(f"num_replicas should be a positive integer, but got {num_replicas!r}")
        if isinstance(rank, bool) or not isinstance(rank, numbers.Integral) \
                or rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval "
                             f"[0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = int(num_replicas)
        self.rank = int(rank)
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        if drop_last and n % self.num_replicas != 0:
            self.num_samples = math.ceil((n - self.num_replicas) / self.num_replicas)
        else:
            self.num_samples = math.ceil(n / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def _index_array(self) -> np.ndarray:
        n = len(self.dataset)
        if self.shuffle:
            rng = np.random.Generator(np.random.PCG64(int(self.seed) + int(self.epoch)))
            indices = rng.permutation(n).astype(np.int64)
        else:
            indices = np.arange(n, dtype=np.int64)
        if not self.drop_last:
            pad = self.total_size - n
            if pad > 0:
                indices = np.concatenate([indices, np.resize(indices, pad)])
        else:
            indices = indices[:self.total_size]
        return indices[self.rank:self.total_size:self.num_replicas]

    def __iter__(self):
        return iter(self._index_array().tolist())

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Sets the epoch, which seeds the next permutation (the same on every rank)."""
        self.epoch = epoch
