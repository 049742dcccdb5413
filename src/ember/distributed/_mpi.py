"""mpi4py, imported on first use: the core never imports it."""
from __future__ import annotations

import importlib.util

INSTALL_HINT = ("ember.distributed needs mpi4py and an MPI runtime: "
                "pip install 'ember[distributed]' (it brings mpi4py and Open MPI's mpiexec)")


def available() -> bool:
    """Whether mpi4py can be imported (without importing it)."""
    return importlib.util.find_spec("mpi4py") is not None


def mpi():
    """The ``mpi4py.MPI`` module, or an ImportError that says how to install it."""
    try:
        from mpi4py import MPI
    except ImportError as exc:
        raise ImportError(f"{INSTALL_HINT} ({exc})") from exc
    return MPI
