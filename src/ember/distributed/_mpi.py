"""mpi4py, imported on first use: the core never imports it."""
from __future__ import annotations

import importlib.util
import os

INSTALL_HINT = ("ember.distributed needs mpi4py and an MPI runtime: "
                "pip install 'ember[distributed]' (it brings mpi4py and Open MPI's mpiexec)")


def available() -> bool:
    """Whether mpi4py can be imported (without importing it)."""
    return importlib.util.find_spec("mpi4py") is not None


def mpi():
    """The ``mpi4py.MPI`` module, or an ImportError that says how to install it.

    Unless the environment says otherwise, Open MPI is told to yield the core while it waits
    (``mpi_yield_when_idle``, its own default when a host has more processes than cores): each
    rank runs a communication thread beside its compute thread, and a collective that spins
    while its peers are not there yet would take the core from them.
    """
    os.environ.setdefault("OMPI_MCA_mpi_yield_when_idle", "1")  # read when MPI starts
    try:
        from mpi4py import MPI
    except ImportError as exc:
        raise ImportError(f"{INSTALL_HINT} ({exc})") from exc
    return MPI
