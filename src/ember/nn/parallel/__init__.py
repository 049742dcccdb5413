"""``ember.nn.parallel``: ``DistributedDataParallel`` (several processes over MPI) and torch's
``DataParallel`` (one CPU device: the module as it is)."""
from .data_parallel import DataParallel
from .distributed import DistributedDataParallel

__all__ = ["DataParallel", "DistributedDataParallel"]
