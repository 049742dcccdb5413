"""``DistributedDataParallel``: every rank trains a replica; gradients are averaged in buckets.

At construction rank 0's parameters and buffers are copied to every rank. During ``backward()``
each parameter's gradient, once complete (a post-accumulate-grad hook), is marked ready in its
bucket (parameters in reverse registration order, roughly the order backward produces them).
A full bucket is packed into one flat buffer and its non-blocking allreduce (MPI ``Iallreduce``)
starts at once, while backward goes on computing earlier layers. When backward ends, the
outstanding buckets are waited on, divided by the world size and copied back into ``.grad``.
"""
from __future__ import annotations

import contextlib

import numpy as np

from ..module import Module

__all__ = ["DistributedDataParallel"]

_MB = 1024 * 1024


class _Bucket:
    """Parameters whose gradients travel in one flat buffer."""

    def __init__(self, params) -> None:
        self.params = params
        self.sizes = [p._data.size for p in params]
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)]).astype(int)
        self.flat = np.empty(int(self.offsets[-1]), dtype=params[0]._data.dtype)
        self.pending = len(params)
        self.request = None

    def reset(self) -> None:
        self.pending = len(self.params)
        self.request = None

    def pack(self) -> None:
        for p, a, b in zip(self.params, self.offsets[:-1], self.offsets[1:]):
            if p.grad is None:
                self.flat[a:b] = 0
            else:
                self.flat[a:b] = p.grad._data.reshape(-1)

    def unpack(self, scale: float, make) -> None:
        self.flat *= scale
        for p, a, b in zip(self.params, self.offsets[:-1], self.offsets[1:]):
            part = self.flat[a:b].reshape(p._data.shape)
            if p.grad is None:
                p.grad = make(part.copy(), None)
            else:
                np.copyto(p.grad._data, part)


class DistributedDataParallel(Module):
    """Data parallelism across the ranks of ``ember.distributed``'s process group.

    Wrap the model after ``init_process_group()``; feed each rank its own shard of the data
    (``DistributedSampler``); after ``loss.backward()`` every rank holds the gradient averaged
    over all ranks, so identical optimizer steps keep the replicas identical.

    Args:
        module: the model to replicate.
        broadcast_buffers: copy rank 0's buffers (batch-norm statistics) to every rank at the
            start of each forward (default True).
        init_sync: copy rank 0's parameters and buffers at construction (default True).
        process_group: the group to average over (default: the whole world).
        bucket_cap_mb: size of a gradient bucket in MiB (default 25, as torch).
        Other arguments (device_ids, find_unused_parameters, static_graph, …) are accepted for
        torch's scripts and have no effect on the CPU.

    Example::

        # mpiexec -n 2 python train.py
        dist.init_process_group("mpi")
        model = DistributedDataParallel(nn.Linear(4, 1))
        loss = model(x).pow(2).mean()
        loss.backward()            # .grad is the average over both ranks
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0, broadcast_buffers=None,
                 init_sync=True, process_group=None, bucket_cap_mb=None,
                 find_unused_parameters=False, check_reduction=False,
                 gradient_as_bucket_view=False, static_graph=False,
                 delay_all_reduce_named_params=None, param_to_hook_all_reduce=None,
                 mixed_precision=None, device_mesh=None, skip_all_reduce_unused_params=False,
                 bucket_cap_mb_list=None, batched_grad_copy=False,
                 forward_sync_buffers=None) -> None:
        super().__init__()
        from ... import distributed as dist
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel wraps an nn.Module, got {type(module).__name__}")
        if bucket_cap_mb is None:
            bucket_cap_mb = 25
        if not bucket_cap_mb > 0:
            raise ValueError(f"bucket_cap_mb must be positive, got {bucket_cap_mb!r}")
        self._group = dist.process_group._world(process_group)
        self.module = module
        self.broadcast_buffers = True if broadcast_buffers is None else bool(broadcast_buffers)
        self.bucket_cap_mb = bucket_cap_mb
        self.find_unused_parameters = find_unused_parameters
        self.require_backward_grad_sync = True
        self.world_size = self._group.size()
        if init_sync:
            self._sync_from_rank0(list(module.parameters()) + list(module.buffers()))
        params = [p for p in module.parameters() if p.requires_grad]
        self._buckets = _make_buckets(params[::-1], int(bucket_cap_mb * _MB))
        self._bucket_of = {id(p): b for b in self._buckets for p in b.params}
        self._handles = [p.register_post_accumulate_grad_hook(self._grad_ready) for p in params]
        self._armed = False
        self._queued = False
        self._in_flight = []
        self._mpi = dist._mpi.mpi()

    def _sync_from_rank0(self, tensors) -> None:
        from ... import distributed as dist
        if self.world_size == 1 or not tensors:
            return
        works = [dist.broadcast(t, 0, group=self._group, async_op=True) for t in tensors]
        for w in works:
            w.wait()

    def forward(self, *inputs, **kwargs):
        from ...autograd import is_grad_enabled
        if self.broadcast_buffers:
            self._sync_from_rank0(list(self.module.buffers()))
        self._armed = is_grad_enabled() and self.require_backward_grad_sync and self.world_size > 1
        for b in self._buckets:
            b.reset()
        return self.module(*inputs, **kwargs)

    def _grad_ready(self, param) -> None:
        if not self._armed:
            return
        if not self._queued:
            from ...autograd.engine import queue_callback
            queue_callback(self._finish_sync)
            self._queued = True
        bucket = self._bucket_of[id(param)]
        bucket.pending -= 1
        if bucket.pending == 0:
            self._launch(bucket)
        elif self._in_flight:
            self._mpi.Request.Testall(self._in_flight)  # lets MPI progress the buckets in flight

    def _launch(self, bucket: _Bucket) -> None:
        bucket.pack()
        bucket.request = self._group.comm.Iallreduce(self._mpi.IN_PLACE, bucket.flat)
        self._in_flight.append(bucket.request)

    def _finish_sync(self) -> None:
        """End of backward: start what has not started (unused parameters count as zeros),
        wait for every bucket, average and write back."""
        from ...distributed.collectives import Work
        self._queued = False
        self._armed = False
        for b in self._buckets:
            if b.request is None:
                self._launch(b)
        make = type(self._buckets[0].params[0])._make
        for b in self._buckets:
            Work([b.request], self._group).wait()
            b.unpack(1.0 / self.world_size, make)
            b.reset()
        self._in_flight = []

    @contextlib.contextmanager
    def no_sync(self):
        """Inside this block backward only accumulates local gradients; the first synced
        backward after it averages the accumulated sum (gradient accumulation)."""
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old


def _make_buckets(params, cap_bytes: int) -> list:
    """Groups parameters in order into buckets of one dtype and at most ``cap_bytes`` each."""
    buckets, current, size = [], [], 0
    for p in params:
        nbytes = p._data.nbytes
        if current and (size + nbytes > cap_bytes or p._data.dtype != current[0]._data.dtype):
            buckets.append(_Bucket(current))
            current, size = [], 0
        current.append(p)
        size += nbytes
    if current:
        buckets.append(_Bucket(current))
    return buckets
