"""``SyncBatchNorm``: batch normalisation whose batch statistics are taken over every process's
batch in data-parallel training (torch's ``nn.SyncBatchNorm``), through ``ember.distributed``.

In training, with a process group of more than one rank, each forward sums the per-channel
count, sum and sum of squares across ranks (one all-reduce of ``2C + 1`` float64 values) and
each backward sums the two per-channel gradient sums (one all-reduce of ``2C``), so every rank
normalises with the statistics of the global batch and the input gradient is the global
batch's. The weight and bias gradients stay local; ``DistributedDataParallel`` averages them
as it does every gradient. Otherwise (eval mode, one process, no process group) it is plain
batch norm. Unlike torch, whose SyncBatchNorm needs a GPU, ember's runs on the CPU over MPI.

Example::

    >>> import ember
    >>> model = ember.nn.Sequential(ember.nn.Conv2d(1, 4, 3), ember.nn.BatchNorm2d(4))
    >>> model = ember.nn.SyncBatchNorm.convert_sync_batchnorm(model)
    >>> model[1]
    SyncBatchNorm(4, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
    >>> model(ember.randn(2, 1, 5, 5)).shape  # one process: plain batch norm
    ember.Size([2, 4, 3, 3])
"""
from __future__ import annotations

import numpy as np

from ..._tensor import Tensor
from .. import functional as F
from ..functional.layers import _batch_norm
from .normalization import _BatchNorm

__all__ = ["SyncBatchNorm"]


class SyncBatchNorm(_BatchNorm):
    """Batch normalisation over the batch of every rank of ``process_group`` (default: the
    whole world), for input of any rank >= 2 ``(N, C, ...)``; other arguments as
    :class:`BatchNorm1d`."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, process_group=None,
                 device=None, dtype=None, *, bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype, bias=bias)
        self.process_group = process_group

    def forward(self, input):
        if input.ndim < 2:
            raise ValueError(f"expected at least 2D input (got {input.ndim}D input)")
        if input.shape[1] == 0:
            raise ValueError("SyncBatchNorm number of input channels should be non-zero")
        factor, use_batch, running = self._step_options()
        reduce = self._reduce() if use_batch and self.training else None
        if reduce is None:
            return F.batch_norm(input, *running, self.weight, self.bias, use_batch, factor,
                                self.eps)
        return _batch_norm(input, *running, self.weight, self.bias, use_batch, factor, self.eps,
                           reduce=reduce)

    def _reduce(self):
        """A sum across the ranks of the process group, or None with fewer than two ranks."""
        from ... import distributed as dist
        if not dist.is_initialized() or dist.get_world_size(self.process_group) < 2:
            return None
        group = self.process_group

        def reduce(array: np.ndarray) -> np.ndarray:
            buf = Tensor._make(np.ascontiguousarray(array, np.float64))
            dist.all_reduce(buf, dist.ReduceOp.SUM, group=group)
            return buf._data

        return reduce

    @classmethod
    def convert_sync_batchnorm(cls, module, process_group=None):
        """``module`` with every ``BatchNorm*d`` in it replaced by a SyncBatchNorm that shares
        its parameters and takes its running statistics and mode (torch's helper)."""
        out = module
        if isinstance(module, _BatchNorm):
            out = cls(module.num_features, module.eps, module.momentum, module.affine,
                      module.track_running_stats, process_group)
            if module.affine:
                out.weight, out.bias = module.weight, module.bias
            out.running_mean = module.running_mean
            out.running_var = module.running_var
            out.num_batches_tracked = module.num_batches_tracked
            out.training = module.training
        for name, child in module.named_children():
            out.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        return out
