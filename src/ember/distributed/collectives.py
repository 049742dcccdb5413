"""Collectives on tensors, in place, with torch.distributed's names and arguments.

Each runs as a non-blocking MPI call (``Iallreduce``, ``Ibcast``, …) that is waited on with the
group's timeout, so a rank that never arrives makes the others raise instead of hanging; an
``all_reduce`` of a large buffer (from 64 KiB) runs instead as Open MPI's much faster blocking
``Allreduce`` on the group's communication thread (:mod:`.comm_thread`), waited on the same way.
``async_op=True`` returns the ``Work`` without waiting.

Example::

    # mpiexec -n 2 python script.py
    import ember, ember.distributed as dist
    dist.init_process_group()
    t = ember.tensor([float(dist.get_rank() + 1)])
    dist.all_reduce(t)                     # t == [3.] on both ranks
"""
from __future__ import annotations

import time

import numpy as np

from ._mpi import mpi
from .comm_thread import Job
from .process_group import _world

__all__ = ["ReduceOp", "Work", "all_reduce", "broadcast", "all_gather", "all_gather_into_tensor",
           "reduce_scatter", "reduce_scatter_tensor", "reduce", "gather", "scatter", "barrier",
           "all_to_all_single"]


class ReduceOp:
    """How ``all_reduce``/``reduce``/``reduce_scatter`` combine the ranks' values."""
    SUM = "sum"
    AVG = "avg"
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"


_OPS = {"sum": "SUM", "avg": "SUM", "product": "PROD", "min": "MIN", "max": "MAX"}
_THREAD_BYTES = 64 * 1024  # an all_reduce this large runs as a blocking Allreduce on the thread


def _mpi_op(op):
    name = _OPS.get(op) if isinstance(op, str) else None
    if name is None:
        raise ValueError(f"op must be one of ReduceOp.SUM, AVG, PRODUCT, MIN, MAX, got {op!r}")
    return getattr(mpi(), name)


class Work:
    """A collective in flight: ``wait()`` blocks until it is done (or the timeout passes) and
    then runs the finishing step (copy back, divide for AVG). ``requests``: MPI requests, or
    :class:`~ember.distributed.comm_thread.Job` objects of the group's communication thread."""

    def __init__(self, requests, group, finish=None) -> None:
        requests = list(requests)
        self._jobs = [r for r in requests if isinstance(r, Job)]
        self._requests = [r for r in requests if not isinstance(r, Job)]
        self._group, self._finish = group, finish
        self._done = False

    def is_completed(self) -> bool:
        if (not self._done and all(j.is_completed() for j in self._jobs)
                and mpi().Request.Testall(self._requests)):
            self._complete()
        return self._done

    def is_success(self) -> bool:
        return self.is_completed()

    def wait(self, timeout=None) -> bool:
        if self._done:
            return True
        limit = (timeout or self._group.timeout).total_seconds()
        deadline = time.monotonic() + limit
        for job in self._jobs:
            job.wait(max(deadline - time.monotonic(), 0.0), lambda: self._group.timeout_error(limit))
        test = mpi().Request.Testall
        spins = 0
        while not test(self._requests):
            spins += 1
            if spins > 1000:
                if time.monotonic() > deadline:
                    raise self._group.timeout_error(limit)
                time.sleep(0.0002)
        self._complete()
        return True

    def _complete(self) -> None:
        self._done = True
        if self._finish is not None:
            self._finish()

    def result(self):
        return []


def _run(requests, group, async_op: bool, finish=None):
    work = Work(requests, group, finish)
    if async_op:
        return work
    work.wait()
    return None


def _buffer(tensor):
    """A contiguous array to hand MPI, and the step that writes it back into ``tensor``."""
    arr = tensor._data
    if arr.flags.c_contiguous and arr.flags.writeable:
        return arr, None
    buf = np.ascontiguousarray(arr)
    return buf, lambda: np.copyto(tensor._data, buf)


def _chain(*steps):
    steps = [s for s in steps if s is not None]
    return (lambda: [s() for s in steps]) if steps else None


def _avg_step(buf, op, size):
    if op != ReduceOp.AVG:
        return None
    if buf.dtype.kind != "f":
        raise ValueError(f"ReduceOp.AVG needs a floating point tensor, got dtype {buf.dtype}")
    return lambda: np.divide(buf, size, out=buf)


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op: bool = False):
    """Reduces ``tensor`` across all ranks, in place: every rank ends with the result."""
    g = _world(group)
    buf, back = _buffer(tensor)
    MPI = mpi()
    if buf.nbytes >= _THREAD_BYTES:  # the same on every rank: the buffers have one size
        thread, comm = g.background()
        mpi_op = _mpi_op(op)
        req = thread.submit(lambda: comm.Allreduce(MPI.IN_PLACE, buf, op=mpi_op))
    else:
        req = g.comm.Iallreduce(MPI.IN_PLACE, buf, op=_mpi_op(op))
    return _run([req], g, async_op, _chain(_avg_step(buf, op, g.size()), back))


def reduce(tensor, dst=None, op=ReduceOp.SUM, group=None, async_op: bool = False,
           group_dst=None):
    """Reduces ``tensor`` across all ranks into rank ``dst``'s tensor (others keep theirs)."""
    g = _world(group)
    dst = _check_rank(g, _pick(dst, group_dst), "dst")
    buf, back = _buffer(tensor)
    MPI = mpi()
    mine = g.rank() == dst
    send = MPI.IN_PLACE if mine else buf
    recv = buf if mine else None
    req = g.comm.Ireduce(send, recv, op=_mpi_op(op), root=dst)
    finish = _chain(_avg_step(buf, op, g.size()), back) if mine else None
    return _run([req], g, async_op, finish)


def broadcast(tensor, src=None, group=None, async_op: bool = False, group_src=None):
    """Copies rank ``src``'s ``tensor`` into every other rank's ``tensor``, in place."""
    g = _world(group)
    src = _check_rank(g, _pick(src, group_src), "src")
    buf, back = _buffer(tensor)
    req = g.comm.Ibcast(buf, root=src)
    return _run([req], g, async_op, back)


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op: bool = False):
    """Concatenates every rank's ``input_tensor`` along dim 0 (or stacks them, when the output
    has an extra leading dim of world size) into ``output_tensor``."""
    g = _world(group)
    inp = np.ascontiguousarray(input_tensor._data)
    _check_numel(output_tensor, inp.size * g.size(), "output_tensor", "input_tensor.numel() * world_size")
    out, back = _buffer(output_tensor)
    req = g.comm.Iallgather(inp, out.reshape(-1))
    return _run([req], g, async_op, back)


def all_gather(tensor_list, tensor, group=None, async_op: bool = False):
    """Fills ``tensor_list[r]`` with rank r's ``tensor``."""
    g = _world(group)
    _check_list(tensor_list, g.size(), "tensor_list")
    inp = np.ascontiguousarray(tensor._data)
    out = np.empty((g.size(),) + inp.shape, dtype=inp.dtype)
    req = g.comm.Iallgather(inp, out)

    def finish():
        for r, t in enumerate(tensor_list):
            np.copyto(t._data, out[r].reshape(t._data.shape))
    return _run([req], g, async_op, finish)


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op: bool = False):
    """Reduces ``input`` (world size × output's elements) across ranks; rank r keeps chunk r."""
    g = _world(group)
    inp = np.ascontiguousarray(input._data)
    _check_numel(input, output._data.size * g.size(), "input", "output.numel() * world_size")
    out, back = _buffer(output)
    req = g.comm.Ireduce_scatter_block(inp.reshape(-1), out.reshape(-1), op=_mpi_op(op))
    return _run([req], g, async_op, _chain(_avg_step(out, op, g.size()), back))


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op: bool = False):
    """Reduces ``input_list[r]`` across ranks into rank r's ``output``."""
    g = _world(group)
    _check_list(input_list, g.size(), "input_list")
    inp = np.concatenate([np.ascontiguousarray(t._data).reshape(-1) for t in input_list])
    _check_numel(input_list[0], output._data.size, "input_list[0]", "output.numel()")
    out, back = _buffer(output)
    req = g.comm.Ireduce_scatter_block(inp, out.reshape(-1), op=_mpi_op(op))
    return _run([req], g, async_op, _chain(_avg_step(out, op, g.size()), back))


def gather(tensor, gather_list=None, dst=None, group=None, async_op: bool = False,
           group_dst=None):
    """Rank ``dst`` receives every rank's ``tensor`` in ``gather_list``."""
    g = _world(group)
    dst = _check_rank(g, _pick(dst, group_dst), "dst")
    inp = np.ascontiguousarray(tensor._data)
    mine = g.rank() == dst
    out = None
    if mine:
        _check_list(gather_list, g.size(), "gather_list")
        out = np.empty((g.size(),) + inp.shape, dtype=inp.dtype)
    req = g.comm.Igather(inp, out, root=dst)

    def finish():
        for r, t in enumerate(gather_list):
            np.copyto(t._data, out[r].reshape(t._data.shape))
    return _run([req], g, async_op, finish if mine else None)


def scatter(tensor, scatter_list=None, src=None, group=None, async_op: bool = False,
            group_src=None):
    """Rank r's ``tensor`` receives rank ``src``'s ``scatter_list[r]``."""
    g = _world(group)
    src = _check_rank(g, _pick(src, group_src), "src")
    send = None
    if g.rank() == src:
        _check_list(scatter_list, g.size(), "scatter_list")
        send = np.stack([np.ascontiguousarray(t._data) for t in scatter_list])
    out, back = _buffer(tensor)
    req = g.comm.Iscatter(send, out, root=src)
    return _run([req], g, async_op, back)


def all_to_all_single(output, input, output_split_sizes=None, input_split_sizes=None,
                      group=None, async_op: bool = False):
    """Splits ``input`` into world-size equal chunks along dim 0, sends chunk r to rank r and
    concatenates what arrives into ``output`` (equal splits only)."""
    if output_split_sizes is not None or input_split_sizes is not None:
        raise NotImplementedError("all_to_all_single: only equal splits (split sizes None)")
    g = _world(group)
    inp = np.ascontiguousarray(input._data)
    _check_numel(output, inp.size, "output", "input.numel()")
    out, back = _buffer(output)
    req = g.comm.Ialltoall(inp.reshape(-1), out.reshape(-1))
    return _run([req], g, async_op, back)


def barrier(group=None, async_op: bool = False, device_ids=None, timeout=None):
    """Returns once every rank has called it (raises after ``timeout``, default the group's)."""
    g = _world(group)
    work = Work([g.comm.Ibarrier()], g)
    if async_op:
        return work
    work.wait(timeout)
    return None


def _pick(rank, group_rank):
    """torch's ``src``/``dst`` or ``group_src``/``group_dst`` (one group here: the same); rank 0
    when neither is given."""
    if rank is not None and group_rank is not None and rank != group_rank:
        raise ValueError(f"give the rank or the group rank, not both (got {rank} and {group_rank})")
    if rank is None:
        return 0 if group_rank is None else group_rank
    return rank


def _check_rank(g, rank, name: str) -> int:
    if isinstance(rank, bool) or not isinstance(rank, int) or not 0 <= rank < g.size():
        raise ValueError(f"{name}={rank!r} is not a rank of a group of size {g.size()}")
    return rank


def _check_list(tensors, size: int, name: str) -> None:
    if not isinstance(tensors, (list, tuple)) or len(tensors) != size:
        got = len(tensors) if isinstance(tensors, (list, tuple)) else tensors
        raise ValueError(f"{name} must be a list of world_size={size} tensors, got {got!r}")


def _check_numel(tensor, expected: int, name: str, rule: str) -> None:
    if tensor._data.size != expected:
        raise ValueError(f"{name} has {tensor._data.size} elements, expected {rule} = {expected}")
