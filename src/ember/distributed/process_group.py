"""The default process group: one MPI communicator over every rank that ``mpiexec`` started.

``init_process_group()`` reads the rank and world size from MPI itself, so a script started as
``mpiexec -n 4 python train.py`` needs no arguments, no ``MASTER_ADDR`` and no ``RANK``.
"""
from __future__ import annotations

import datetime
import sys

from ._mpi import available, mpi

__all__ = ["Backend", "ProcessGroup", "GroupMember", "group", "init_process_group",
           "destroy_process_group", "is_initialized", "is_available", "is_mpi_available",
           "is_gloo_available", "is_nccl_available", "get_rank", "get_world_size", "get_backend",
           "default_timeout"]

# torch's default for CPU backends: 30 minutes before a collective gives up
default_timeout = datetime.timedelta(minutes=30)
_NOT_INIT = ("Default process group has not been initialized, please make sure to call "
             "init_process_group.")


class Backend(str):
    """Backend names as torch spells them. ember runs every collective on MPI; ``"gloo"`` (torch's
    CPU backend, which CPU scripts name) is accepted as a synonym so they run unchanged."""
    UNDEFINED = "undefined"
    GLOO = "gloo"
    NCCL = "nccl"
    MPI = "mpi"

    def __new__(cls, name: str):
        if not isinstance(name, str):
            raise ValueError(f"Backend constructor parameter must be string-ish, got {name!r}")
        value = name.lower()
        if value not in ("mpi", "gloo", "cpu:mpi", "cpu:gloo"):
            raise ValueError(f"Invalid backend: '{name}'. ember runs its collectives on MPI: use "
                             f"backend='mpi' (or 'gloo', taken as MPI); '{name}' needs CUDA or is "
                             f"unknown")
        return super().__new__(cls, "mpi")


class ProcessGroup:
    """A set of ranks that run collectives together (here: an MPI communicator)."""

    def __init__(self, comm, timeout: datetime.timedelta) -> None:
        self.comm = comm
        self.timeout = timeout
        # the communication thread's own communicator, made now while every rank is here (a
        # Dup is a collective without a timeout); the thread starts on first use
        self._thread_comm = comm.Dup()
        self._thread = None

    def background(self):
        """``(thread, comm)``: this group's communication thread and the communicator its
        collectives run on."""
        if self._thread is None:
            from .comm_thread import CommThread
            self._thread = CommThread()
        return self._thread, self._thread_comm

    def close(self) -> None:
        """Ends the communication thread and frees the communicators."""
        thread, self._thread = self._thread, None
        if thread is None or thread.close():
            self._thread_comm.Free()
        self.comm.Free()

    def rank(self) -> int:
        return self.comm.Get_rank()

    def size(self) -> int:
        return self.comm.Get_size()

    def name(self) -> str:
        return "mpi"

    def timeout_error(self, limit_s: float) -> RuntimeError:
        """The error a collective raises after waiting ``limit_s`` seconds for the other ranks."""
        return RuntimeError(
            f"ember.distributed: a collective on rank {self.rank()} waited {limit_s:g} s for the "
            f"other {self.size() - 1} rank(s) and timed out (a rank died or skipped the call); "
            f"raise init_process_group's timeout if one step legitimately takes longer")

    def __repr__(self) -> str:
        return f"ProcessGroup(backend='mpi', rank={self.rank()}, size={self.size()})"


class GroupMember:
    """``group.WORLD`` is the default process group (None before ``init_process_group``)."""
    NON_GROUP_MEMBER = -100

    @property
    def WORLD(self):  # noqa: N802 - torch's name
        return _STATE.get("world")


group = GroupMember()
_STATE: dict = {}


def is_available() -> bool:
    """Whether distributed training can run here (mpi4py is installed)."""
    return available()


def is_mpi_available() -> bool:
    return available()


def is_gloo_available() -> bool:
    return False


def is_nccl_available() -> bool:
    return False


def is_initialized() -> bool:
    return "world" in _STATE


def _world(group=None) -> ProcessGroup:
    if group is not None:
        if not isinstance(group, ProcessGroup):
            raise TypeError(f"group must be a ProcessGroup or None, got {group!r}")
        return group
    if "world" not in _STATE:
        raise ValueError(_NOT_INIT)
    return _STATE["world"]


def _abort_on_uncaught(exc_type, exc, tb) -> None:
    """Under several ranks an uncaught exception aborts the whole job: the other ranks would
    otherwise wait for this one in their next collective."""
    _STATE["excepthook"](exc_type, exc, tb)
    world = _STATE.get("world")
    if world is not None and world.size() > 1 and not issubclass(exc_type, KeyboardInterrupt):
        sys.stderr.write(f"ember.distributed: rank {world.rank()} failed with {exc_type.__name__}; "
                         f"aborting all {world.size()} ranks\n")
        sys.stderr.flush()
        world.comm.Abort(1)


def init_process_group(backend=None, init_method=None, timeout=None, world_size: int = -1,
                       rank: int = -1, store=None, group_name: str = "", pg_options=None,
                       device_id=None) -> None:
    """Joins the default process group of all ranks started by ``mpiexec``.

    Args:
        backend: ``"mpi"`` (default); ``"gloo"`` is taken as MPI so torch CPU scripts run as
            they are.
        timeout: how long a collective waits for the other ranks before it raises
            (default 30 minutes).
        world_size, rank: optional; when given they must match what ``mpiexec`` started.

    Example::

        # mpiexec -n 2 python train.py
        import ember.distributed as dist
        dist.init_process_group("mpi")
        print(dist.get_rank(), dist.get_world_size())
    """
    if is_initialized():
        raise ValueError("trying to initialize the default process group twice!")
    if backend is not None:
        Backend(backend)
    if timeout is None:
        timeout = default_timeout
    if not isinstance(timeout, datetime.timedelta):
        raise TypeError(f"Expected timeout argument to be of type datetime.timedelta, got {timeout!r}")
    MPI = mpi()
    if not MPI.Is_initialized():
        MPI.Init()
    comm = MPI.COMM_WORLD.Dup()
    for name, given, actual in (("world_size", world_size, comm.Get_size()),
                                ("rank", rank, comm.Get_rank())):
        if given is not None and given != -1 and given != actual:
            raise ValueError(f"init_process_group got {name}={given}, but mpiexec started this "
                             f"process with {name}={actual}; leave {name} out under mpiexec")
    _STATE["world"] = ProcessGroup(comm, timeout)
    if "excepthook" not in _STATE:
        _STATE["excepthook"] = sys.excepthook
        sys.excepthook = _abort_on_uncaught


def destroy_process_group(group=None) -> None:
    """Leaves the default process group (MPI itself stays up for a later ``init_process_group``)."""
    world = _world(group)
    if world is _STATE.get("world"):
        del _STATE["world"]
        if "excepthook" in _STATE:
            sys.excepthook = _STATE.pop("excepthook")
    world.close()


def get_rank(group=None) -> int:
    """This process's rank in the group (0 .. world_size-1)."""
    return _world(group).rank()


def get_world_size(group=None) -> int:
    """How many ranks the group has."""
    return _world(group).size()


def get_backend(group=None) -> str:
    _world(group)
    return Backend.MPI
