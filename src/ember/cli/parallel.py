"""``ember train --nproc N``: data-parallel training on N MPI ranks.

Outside an MPI job, :func:`launch` starts ``mpiexec -n N`` on the same command line; inside one
(started by ``--nproc`` or by the user's own ``mpiexec -n N ember train …``), :func:`join` joins
the process group. Every rank loads the same data and draws the same global batches (the
loader's generator is seeded and checkpointed as on one process); rank r trains on rows
``r, r+N, …`` of each batch, DistributedDataParallel averages the gradients, and the loss of
each rank's shard is weighted by its share of the batch, so N ranks follow the one-process run
to float32 rounding. Only rank 0 prints progress and writes the run folder; a checkpoint holds
the bare model, so a run resumes with any N.

Example::

    $ ember train digits --nproc 2 --out runs/digits2
    $ ember train --resume runs/digits2 --epochs 40 --nproc 4
"""
from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys

import numpy as np

import ember

from ..utils.data import BatchSampler, DataLoader, RandomSampler, Sampler
from .errors import CLIError

_ENV_SIZE = ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE")
_ENV_RANK = ("OMPI_COMM_WORLD_RANK", "PMI_RANK")


def add_argument(parser) -> None:
    parser.add_argument("--nproc", help="train data-parallel on N processes through mpiexec "
                                        "(needs ember[distributed]); inside mpiexec: its size")
    parser.set_defaults(argv=None)  # main() fills in the command line, for launch()


def mpi_world_size() -> int:
    """The size of the MPI job this process belongs to, from mpiexec's environment (0: none)."""
    for name in _ENV_SIZE:
        value = os.environ.get(name, "")
        if value.isdigit():
            return int(value)
    return 0


def is_main_rank() -> bool:
    """Whether this process reports user errors: rank 0 of an MPI job, or a plain process (the
    ranks meet the same bad options and data; one of them says so)."""
    for name in _ENV_RANK:
        value = os.environ.get(name, "")
        if value.isdigit():
            return int(value) == 0
    return True


def requested(args) -> int:
    """``--nproc`` as a positive int (1 when absent)."""
    if args.nproc is None:
        return 1
    text = str(args.nproc)
    if not text.isdigit() or int(text) < 1:
        raise CLIError(f"--nproc must be a positive whole number of processes, got {text!r}")
    return int(text)


def should_launch(args) -> bool:
    return requested(args) > 1 and not mpi_world_size()


def launch(nproc: int, argv: list) -> int:
    """Runs ``ember argv`` on ``nproc`` ranks under ``mpiexec``; returns its exit status."""
    _check_installed()
    here = os.path.dirname(sys.executable)
    mpiexec = shutil.which("mpiexec", path=here) or shutil.which("mpiexec")
    if mpiexec is None:
        raise CLIError("--nproc needs mpiexec: pip install 'ember[distributed]' (it brings "
                       "Open MPI), or start the ranks with your own MPI's mpiexec")
    cmd = [mpiexec, "-n", str(nproc)]
    if nproc > (os.cpu_count() or 1):
        cmd.append("--oversubscribe")
    cmd += [sys.executable, "-m", "ember", *argv]
    env = dict(os.environ)
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # Open MPI refuses root without these
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    return subprocess.run(cmd, env=env).returncode


def _check_installed() -> None:
    from .. import distributed as dist
    if not dist.is_available():
        raise CLIError("--nproc needs mpi4py and an MPI runtime: pip install 'ember[distributed]'")


class World:
    """The ranks one ``ember train`` runs on (one plain process: rank 0 of 1)."""

    def __init__(self, rank: int = 0, size: int = 1) -> None:
        self.rank, self.size = rank, size
        self.sampler = None

    @property
    def main(self) -> bool:
        return self.rank == 0

    def loader(self, dataset, batch: int, generator) -> DataLoader:
        """Shuffled batches of ``batch`` rows; on several ranks, this rank's shard of each."""
        if self.size == 1:
            return DataLoader(dataset, batch_size=batch, shuffle=True, generator=generator)
        batches = BatchSampler(RandomSampler(dataset, generator=generator), batch, False)
        self.sampler = _ShardedBatches(batches, self.rank, self.size)
        return DataLoader(dataset, batch_sampler=self.sampler)

    def wrap(self, model):
        if self.size == 1:
            return model
        from ..nn.parallel import DistributedDataParallel
        return DistributedDataParallel(model)

    def rows(self, n: int) -> int:
        """How many of a batch's ``n`` rows are this rank's own (0 for a stand-in row)."""
        return n if self.size == 1 else self.sampler.local_size

    def shard_weight(self, n_local: int) -> float:
        """Factor on a shard's mean loss so that averaging over ranks gives the batch's mean."""
        return 1.0 if self.size == 1 else n_local * self.size / self.sampler.global_size

    def sum(self, values) -> np.ndarray:
        """Element-wise sum over ranks of a few numbers (float64)."""
        arr = np.asarray(values, dtype=np.float64)
        if self.size > 1:
            from .. import distributed as dist
            t = ember.from_numpy(arr)
            dist.all_reduce(t)
            arr = t.numpy()
        return arr

    def share_folder(self, folder):
        """Rank 0's run folder (None when it could not claim one) on every rank."""
        if self.size == 1:
            return folder
        from .. import distributed as dist
        data = np.zeros(4096, dtype=np.uint8)
        if self.main and folder is not None:
            raw = os.fsencode(folder)[:4095]
            data[:len(raw)] = np.frombuffer(raw, dtype=np.uint8)
            data[4095] = 1
        t = ember.from_numpy(data)
        dist.broadcast(t, 0)
        data = t.numpy()
        if not data[4095]:
            return None
        return os.fsdecode(data[:4095].tobytes().rstrip(b"\0"))

    def guard(self, context):
        """``context`` on rank 0 (a lock, a folder claim); nothing on the others."""
        return context if self.main else contextlib.nullcontext()

    def close(self) -> None:
        if self.size > 1:
            from .. import distributed as dist
            if dist.is_initialized():
                dist.destroy_process_group()


def join(args) -> World:
    """This process's place: inside an MPI job, the process group's rank and size."""
    size = mpi_world_size()
    n = requested(args)
    if not size or (size == 1 and args.nproc is None):
        return World()
    if args.nproc is not None and n != size:
        raise CLIError(f"--nproc {n} does not match the {size} processes mpiexec started; "
                       f"leave --nproc out under mpiexec or give the same number")
    _check_installed()
    from .. import distributed as dist
    if not dist.is_initialized():
        dist.init_process_group("mpi")
    return World(dist.get_rank(), dist.get_world_size())


class _ShardedBatches(Sampler):
    """Rows ``rank, rank + size, …`` of each batch of ``batches``; remembers the last batch's
    full size and this rank's share of it (for the loss weight). A batch with fewer rows than
    ranks gives the ranks left out one stand-in row of weight 0, so that every rank still takes
    part in the step's gradient average."""

    def __init__(self, batches, rank: int, size: int) -> None:
        self.batches, self.rank, self.size = batches, rank, size
        self.global_size = self.local_size = 0

    def __iter__(self):
        for batch in self.batches:
            mine = batch[self.rank::self.size]
            self.global_size, self.local_size = len(batch), len(mine)
            yield mine or batch[:1]

    def __len__(self) -> int:
        return len(self.batches)
