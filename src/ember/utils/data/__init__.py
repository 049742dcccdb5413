"""Datasets, samplers and the ``DataLoader``, with ``torch.utils.data``'s names and semantics.

Example::

    >>> from ember.utils.data import DataLoader, TensorDataset
    >>> ds = TensorDataset(ember.randn(100, 3), ember.randint(0, 2, (100,)))
    >>> for xb, yb in DataLoader(ds, batch_size=32, shuffle=True):
    ...     pass
"""
from .collate import collate, default_collate, default_convert
from .dataloader import DataLoader, WorkerInfo, get_worker_info
from .dataset import (ChainDataset, ConcatDataset, Dataset, IterableDataset, StackDataset, Subset,
                      TensorDataset, random_split)
from .distributed import DistributedSampler
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler,
                      WeightedRandomSampler)

__all__ = ["BatchSampler", "ChainDataset", "ConcatDataset", "DataLoader", "Dataset",
           "DistributedSampler",
           "IterableDataset", "RandomSampler", "Sampler", "SequentialSampler", "StackDataset",
           "Subset", "SubsetRandomSampler", "TensorDataset", "WeightedRandomSampler", "WorkerInfo",
           "collate", "default_collate", "default_convert", "get_worker_info", "random_split"]
