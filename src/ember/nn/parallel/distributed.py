"""``DistributedDataParallel``: every rank trains a replica; gradients are averaged in buckets.

At construction rank 0's parameters and buffers are copied to every rank. Parameters are grouped
into buckets in reverse registration order (roughly the order backward produces their
gradients): the first bucket holds about 1 MiB, the others up to ``bucket_cap_mb``, as torch's.
During ``backward()`` each gradient, once complete (a post-accumulate-grad hook), is copied into
its bucket's flat buffer; a full bucket's allreduce (a blocking MPI ``Allreduce`` on the process
group's communication thread, in bucket order on every rank) starts at once while backward goes
on computing earlier layers. When backward ends, every bucket is waited on (with the group's
timeout) and written back into ``.grad`` divided by the world size, in one pass.

Parameters that got no gradient: as torch, an error at the next forward unless
``find_unused_parameters=True``, which counts them as zeros on the ranks that did not use them
and leaves ``.grad`` None where no rank used them.
"""
from __future__ import annotations

import contextlib

import numpy as np

from ..module import Module

__all__ = ["DistributedDataParallel"]

_MB = 1024 * 1024
_FIRST_BUCKET_BYTES = _MB  # torch's dist._DEFAULT_FIRST_BUCKET_BYTES: the first bucket starts early

_UNUSED_MSG = (
    "Expected to have finished reduction in the prior iteration before starting a new one. This "
    "error indicates that your module has parameters that were not used in producing loss. You "
    "can enable unused parameter detection by passing the keyword argument "
    "`find_unused_parameters=True` to `ember.nn.parallel.DistributedDataParallel`, and by \n"
    "making sure all `forward` function outputs participate in calculating loss. \n"
    "If you already have done the above, then the distributed data parallel module wasn't able to "
    "locate the output tensors in the return value of your module's `forward` function. Please "
    "include the loss function and the structure of the return value of `forward` of your module "
    "when reporting this issue (e.g. list, dict, iterable).\n"
    "Parameter indices which did not receive grad for rank {rank}: {indices}")


class _Bucket:
    """Parameters whose gradients travel in one flat buffer."""

    def __init__(self, params) -> None:
        self.params = params
        offsets = np.concatenate([[0], np.cumsum([p._data.size for p in params])]).astype(int)
        self.slices = [slice(int(a), int(b)) for a, b in zip(offsets[:-1], offsets[1:])]
        self.flat = np.empty(int(offsets[-1]), dtype=params[0]._data.dtype)
        self.pending = len(params)
        self.job = None

    def put(self, k: int, grad) -> None:
        """Copies parameter ``k``'s gradient (zeros for None) into the flat buffer."""
        part = self.flat[self.slices[k]]
        if grad is None:
            part.fill(0)
        else:
            np.copyto(part, grad._data.reshape(-1))

    def write_back(self, scale: float, make, keep_none) -> None:
        """``.grad = flat * scale`` for each parameter (a new gradient where it is None, unless
        ``keep_none(p)``)."""
        for p, sl in zip(self.params, self.slices):
            part = self.flat[sl].reshape(p._data.shape)
            grad = p.grad
            if grad is None:
                if not keep_none(p):
                    p.grad = make(np.multiply(part, scale, dtype=part.dtype), None)
            elif grad._data.flags.writeable and grad._data.dtype == part.dtype:
                np.multiply(part, scale, out=grad._data)
            else:
                grad._data = np.multiply(part, scale, dtype=part.dtype)


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
        bucket_cap_mb: size of a gradient bucket in MiB (default 25, as torch; the first
            bucket, the last layers' gradients, holds about 1 MiB so its allreduce starts early).
        find_unused_parameters: allow parameters that get no gradient in a backward pass (they
            count as zeros; ``.grad`` stays None where no rank used them). Without it such a
            parameter makes the next forward raise torch's error naming its index.
        Other arguments (device_ids, static_graph, …) are accepted for torch's scripts and have
        no effect on the CPU.

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
        self.find_unused_parameters = bool(find_unused_parameters)
        self.require_backward_grad_sync = True
        self.world_size = self._group.size()
        if init_sync:
            self._sync_from_rank0(list(module.parameters()) + list(module.buffers()))
        self._params = [p for p in module.parameters() if p.requires_grad]
        self._index = {id(p): i for i, p in enumerate(self._params)}
        cap = int(bucket_cap_mb * _MB)
        self._buckets = _make_buckets(self._params[::-1], min(cap, _FIRST_BUCKET_BYTES), cap)
        # parameter index -> (bucket number, place in the bucket)
        self._place = {self._index[id(p)]: (n, k) for n, b in enumerate(self._buckets)
                       for k, p in enumerate(b.params)}
        self._handles = [p.register_post_accumulate_grad_hook(self._grad_ready)
                         for p in self._params]
        self._ready = [False] * len(self._params)
        self._armed = False
        self._queued = False
        self._launched = 0  # buckets start in order, the same on every rank
        self._unfinished = None  # indices of parameters the last synced backward did not reach
        self._mpi = dist._mpi.mpi() if self.world_size > 1 else None

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
        self._armed = is_grad_enabled() and self.require_backward_grad_sync
        if self._armed and self._unfinished:
            raise RuntimeError(_UNUSED_MSG.format(
                rank=self._group.rank(), indices=" ".join(map(str, self._unfinished))))
        self._reset()
        return self.module(*inputs, **kwargs)

    def _reset(self) -> None:
        self._queued = False  # a backward that raised never ran its end-of-backward callback
        left = [b.job for b in self._buckets if b.job is not None and not b.job.is_completed()]
        if left:  # ... and may have left buckets in flight, whose buffers are about to be reused
            self._wait(left)
        self._ready = [False] * len(self._params)
        self._launched = 0
        for b in self._buckets:
            b.pending = len(b.params)
            b.job = None

    def _grad_ready(self, param) -> None:
        if not self._armed:
            return
        if not self._queued:
            from ...autograd.engine import queue_callback
            queue_callback(self._finish_sync)
            self._queued = True
        i = self._index[id(param)]
        if self._ready[i]:
            return
        self._ready[i] = True
        if self.world_size == 1:
            return
        n, k = self._place[i]
        bucket = self._buckets[n]
        bucket.put(k, param.grad)
        bucket.pending -= 1
        if bucket.pending == 0 and n == self._launched:
            self._launch_ready()

    def _launch_ready(self, every: bool = False) -> None:
        """Starts the full buckets that are next in order (``every``: all the rest)."""
        thread, comm = self._group.background()
        in_place = self._mpi.IN_PLACE
        while self._launched < len(self._buckets):
            bucket = self._buckets[self._launched]
            if bucket.pending and not every:
                return
            flat = bucket.flat
            bucket.job = thread.submit(lambda flat=flat: comm.Allreduce(in_place, flat))
            self._launched += 1

    def _finish_sync(self) -> None:
        """End of backward: check for parameters that got no gradient, start the buckets not
        started yet, wait for every bucket and write the averages back into ``.grad``."""
        self._queued = False
        self._armed = False
        unused = [i for i, r in enumerate(self._ready) if not r]
        if unused and not self.find_unused_parameters:
            self._unfinished = unused  # torch's error at the next forward; grads stay local
            self._wait([b.job for b in self._buckets if b.job is not None])
            return
        self._unfinished = None
        if self.world_size == 1:
            return
        used = None
        for i in unused:
            n, k = self._place[i]
            self._buckets[n].put(k, None)
            self._buckets[n].pending -= 1
        self._launch_ready(every=True)
        jobs = [b.job for b in self._buckets]
        if self.find_unused_parameters:  # which parameters some rank used: the others keep None
            thread, comm = self._group.background()
            used = np.array(self._ready, dtype=np.int32)
            jobs.append(thread.submit(lambda: comm.Allreduce(self._mpi.IN_PLACE, used,
                                                             op=self._mpi.MAX)))
        self._wait(jobs)
        make = type(self._params[0])._make
        index = self._index
        keep_none = (lambda p: False) if used is None else (lambda p: not used[index[id(p)]])
        scale = 1.0 / self.world_size
        for b in self._buckets:
            b.write_back(scale, make, keep_none)

    def _wait(self, jobs) -> None:
        from ...distributed.collectives import Work
        Work(jobs, self._group).wait()

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


def _make_buckets(params, first_cap: int, cap: int) -> list:
    """Groups parameters in order into buckets of one dtype; a bucket closes once it holds
    ``first_cap`` bytes (the first) or ``cap`` bytes (the others), as torch's."""
    buckets, current, size = [], [], 0
    for p in params:
        if current and p._data.dtype != current[0]._data.dtype:
            buckets.append(_Bucket(current))
            current, size = [], 0
        current.append(p)
        size += p._data.nbytes
        if size >= (cap if buckets else first_cap):
            buckets.append(_Bucket(current))
            current, size = [], 0
    if current:
        buckets.append(_Bucket(current))
    return buckets
